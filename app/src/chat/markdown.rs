//! Message bodies as Markdown, parsed by pulldown-cmark into a small tree of
//! [`Node`]s that the UI renders as elements — never as HTML text, so nothing a
//! user typed can become markup:
//!
//! - raw HTML in a body (`<img src=x onerror=…>`) is kept as the text it is;
//! - a link keeps its target only if it is `http:`, `https:` or `mailto:`
//!   (`javascript:`, `data:` and the rest are dropped, the link's text stays);
//! - images are shown as links to them (nothing is loaded from elsewhere);
//! - a single newline is a line break, as chat users expect.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// One piece of a rendered body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Text(String),
    /// Inline code.
    Code(String),
    Break,
    Emphasis(Vec<Node>),
    Strong(Vec<Node>),
    Strike(Vec<Node>),
    /// A link; `href` is `None` when its target was not safe to follow.
    Link {
        href: Option<String>,
        children: Vec<Node>,
    },
    Paragraph(Vec<Node>),
    Quote(Vec<Node>),
    /// A list, numbered from `start` if ordered.
    List {
        start: Option<u64>,
        items: Vec<Vec<Node>>,
    },
    Item(Vec<Node>),
    CodeBlock(String),
}

/// What a container being built will become once its end arrives.
enum Open {
    Paragraph,
    Quote,
    Emphasis,
    Strong,
    Strike,
    Link(Option<String>),
    List(Option<u64>),
    Item,
    CodeBlock,
    /// Anything else (headings, tables…): its content, inline.
    Plain,
}

/// Parses a body into its tree.
pub fn parse(body: &str) -> Vec<Node> {
    let options = Options::ENABLE_STRIKETHROUGH;
    let mut stack: Vec<(Open, Vec<Node>)> = vec![(Open::Plain, Vec::new())];
    for event in Parser::new_ext(body, options) {
        match event {
            Event::Start(tag) => {
                let open = match tag {
                    Tag::Paragraph => Open::Paragraph,
                    Tag::BlockQuote(_) => Open::Quote,
                    Tag::Emphasis => Open::Emphasis,
                    Tag::Strong => Open::Strong,
                    Tag::Strikethrough => Open::Strike,
                    Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                        Open::Link(safe_href(&dest_url))
                    }
                    Tag::List(start) => Open::List(start),
                    Tag::Item => Open::Item,
                    Tag::CodeBlock(_) => Open::CodeBlock,
                    _ => Open::Plain,
                };
                stack.push((open, Vec::new()));
            }
            Event::End(end) => {
                if stack.len() < 2 {
                    continue;
                }
                let (open, children) = stack.pop().expect("checked");
                let node = close(open, children, end);
                let siblings = &mut stack.last_mut().expect("the root stays").1;
                match node {
                    Some(Closed::One(node)) => siblings.push(node),
                    Some(Closed::Many(nodes)) => siblings.extend(nodes),
                    None => {}
                }
            }
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => {
                push_text(&mut stack.last_mut().expect("the root stays").1, &text)
            }
            Event::Code(code) => stack
                .last_mut()
                .expect("the root stays")
                .1
                .push(Node::Code(code.to_string())),
            Event::SoftBreak | Event::HardBreak => stack
                .last_mut()
                .expect("the root stays")
                .1
                .push(Node::Break),
            _ => {}
        }
    }
    // Balanced by the parser; whatever is left open is kept as it is.
    while stack.len() > 1 {
        let (_, children) = stack.pop().expect("checked");
        stack.last_mut().expect("the root stays").1.extend(children);
    }
    stack.pop().map(|(_, nodes)| nodes).unwrap_or_default()
}

enum Closed {
    One(Node),
    Many(Vec<Node>),
}

fn close(open: Open, children: Vec<Node>, _end: TagEnd) -> Option<Closed> {
    Some(Closed::One(match open {
        Open::Paragraph => Node::Paragraph(children),
        Open::Quote => Node::Quote(children),
        Open::Emphasis => Node::Emphasis(children),
        Open::Strong => Node::Strong(children),
        Open::Strike => Node::Strike(children),
        Open::Link(href) => Node::Link { href, children },
        Open::List(start) => Node::List {
            start,
            items: children
                .into_iter()
                .map(|item| match item {
                    Node::Item(content) => content,
                    other => vec![other],
                })
                .collect(),
        },
        Open::Item => Node::Item(children),
        Open::CodeBlock => Node::CodeBlock(plain_text(&children)),
        Open::Plain => {
            if children.is_empty() {
                return None;
            }
            return Some(Closed::Many(children));
        }
    }))
}

/// Appends text, merging with a preceding text node.
fn push_text(nodes: &mut Vec<Node>, text: &str) {
    if let Some(Node::Text(last)) = nodes.last_mut() {
        last.push_str(text);
    } else {
        nodes.push(Node::Text(text.to_string()));
    }
}

/// The text of some nodes, as typed (for code blocks).
fn plain_text(nodes: &[Node]) -> String {
    let mut text = String::new();
    for node in nodes {
        match node {
            Node::Text(t) | Node::Code(t) | Node::CodeBlock(t) => text.push_str(t),
            Node::Break => text.push('\n'),
            _ => {}
        }
    }
    text
}

/// The link target, if it is one a browser may safely follow from a message.
pub fn safe_href(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme) && url.len() > scheme.len())
        .then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Node {
        Node::Text(s.into())
    }

    #[test]
    fn the_usual_formatting() {
        assert_eq!(
            parse("**bold** _it_ `code` ~~no~~"),
            vec![Node::Paragraph(vec![
                Node::Strong(vec![text("bold")]),
                text(" "),
                Node::Emphasis(vec![text("it")]),
                text(" "),
                Node::Code("code".into()),
                text(" "),
                Node::Strike(vec![text("no")]),
            ])]
        );
        assert_eq!(
            parse("```\nlet x = 1;\n```"),
            vec![Node::CodeBlock("let x = 1;\n".into())]
        );
        assert_eq!(
            parse("- a\n- b"),
            vec![Node::List {
                start: None,
                items: vec![vec![text("a")], vec![text("b")]]
            }]
        );
        assert_eq!(
            parse("> quoted"),
            vec![Node::Quote(vec![Node::Paragraph(vec![text("quoted")])])]
        );
        assert_eq!(
            parse("one\ntwo"),
            vec![Node::Paragraph(vec![text("one"), Node::Break, text("two")])]
        );
    }

    #[test]
    fn html_stays_text_and_unsafe_links_lose_their_target() {
        assert_eq!(
            parse("<img src=x onerror=alert(1)>"),
            vec![text("<img src=x onerror=alert(1)>")]
        );
        assert_eq!(
            parse("hi <b>there</b>"),
            vec![Node::Paragraph(vec![text("hi <b>there</b>")])]
        );
        assert_eq!(
            parse("[x](javascript:alert(1))"),
            vec![Node::Paragraph(vec![Node::Link {
                href: None,
                children: vec![text("x")]
            }])]
        );
        assert_eq!(
            parse("[docs](https://example.com/a?b=1)"),
            vec![Node::Paragraph(vec![Node::Link {
                href: Some("https://example.com/a?b=1".into()),
                children: vec![text("docs")]
            }])]
        );
        assert_eq!(safe_href(" JavaScript:alert(1)"), None);
        assert_eq!(safe_href("data:text/html,x"), None);
        assert_eq!(safe_href("mailto:a@b.c"), Some("mailto:a@b.c".into()));
        // An image is only a link to it.
        assert_eq!(
            parse("![alt](https://example.com/i.png)"),
            vec![Node::Paragraph(vec![Node::Link {
                href: Some("https://example.com/i.png".into()),
                children: vec![text("alt")]
            }])]
        );
    }
}
