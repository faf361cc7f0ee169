//! A message body, rendered from its Markdown tree ([`crate::chat::markdown`])
//! as elements. Text is always text: nothing here sets HTML from a string.
//! Links open in a new tab with `rel="noopener noreferrer nofollow"`; the
//! reader's own `@name` is highlighted.

use leptos::prelude::*;

use crate::chat::markdown::{parse, Node};

/// The body of a message, for a reader named `me`.
#[component]
pub fn Body(text: String, me: String) -> impl IntoView {
    let nodes = parse(&text);
    render(nodes, &me)
}

fn render(nodes: Vec<Node>, me: &str) -> AnyView {
    nodes
        .into_iter()
        .map(|node| render_node(node, me))
        .collect_view()
        .into_any()
}

fn render_node(node: Node, me: &str) -> AnyView {
    match node {
        Node::Text(text) => highlight(text, me),
        Node::Code(code) => view! { <code>{code}</code> }.into_any(),
        // Paragraphs keep white space (pre-wrap): a line break is a newline,
        // which is also what copying the text gives.
        Node::Break => "\n".into_any(),
        Node::Emphasis(children) => view! { <em>{render(children, me)}</em> }.into_any(),
        Node::Strong(children) => view! { <strong>{render(children, me)}</strong> }.into_any(),
        Node::Strike(children) => view! { <s>{render(children, me)}</s> }.into_any(),
        Node::Link {
            href: Some(href),
            children,
        } => view! {
            <a href=href target="_blank" rel="noopener noreferrer nofollow">
                {render(children, me)}
            </a>
        }
        .into_any(),
        Node::Link {
            href: None,
            children,
        } => view! { <span class="unsafe-link">{render(children, me)}</span> }.into_any(),
        Node::Paragraph(children) => view! { <p>{render(children, me)}</p> }.into_any(),
        Node::Quote(children) => {
            view! { <blockquote>{render(children, me)}</blockquote> }.into_any()
        }
        Node::List {
            start: Some(start),
            items,
        } => view! { <ol start=start>{render_items(items, me)}</ol> }.into_any(),
        Node::List { start: None, items } => {
            view! { <ul>{render_items(items, me)}</ul> }.into_any()
        }
        Node::Item(children) => view! { <li>{render(children, me)}</li> }.into_any(),
        Node::CodeBlock(code) => view! { <pre><code>{code}</code></pre> }.into_any(),
    }
}

fn render_items(items: Vec<Vec<Node>>, me: &str) -> AnyView {
    items
        .into_iter()
        .map(|item| view! { <li>{render(item, me)}</li> })
        .collect_view()
        .into_any()
}

/// Text with each `@me` marked.
fn highlight(text: String, me: &str) -> AnyView {
    if me.is_empty() {
        return text.into_any();
    }
    let needle = format!("@{}", me.to_ascii_lowercase());
    let lower = text.to_ascii_lowercase();
    let mut parts = Vec::new();
    let mut at = 0;
    while let Some(found) = lower[at..].find(&needle) {
        let start = at + found;
        let end = start + needle.len();
        let whole_name = !lower[end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
        if !whole_name {
            parts.push(text[at..end].to_string().into_any());
            at = end;
            continue;
        }
        parts.push(text[at..start].to_string().into_any());
        let name = text[start..end].to_string();
        parts.push(view! { <mark class="mention">{name}</mark> }.into_any());
        at = end;
    }
    parts.push(text[at..].to_string().into_any());
    parts.collect_view().into_any()
}
