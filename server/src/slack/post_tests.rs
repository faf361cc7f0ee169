use serde_json::json;

use super::*;
use crate::slack::mrkdwn::NoNames;

fn convert_json(post: Value) -> Result<Converted, Refused> {
    convert(
        post["text"].as_str().unwrap_or(""),
        post.get("blocks"),
        post.get("attachments"),
        &NoNames,
    )
}

#[test]
fn text_is_converted_and_blocks_make_a_card_in_its_place() {
    let post = json!({
        "text": "Build <https://ci.example/42|#42> *passed*",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Deploy to production"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "*main* is live"},
             "fields": [{"type": "mrkdwn", "text": "*Env*\nprod"}, {"type": "plain_text", "text": "2*3"}],
             "accessory": {"type": "button", "text": {"type": "plain_text", "text": "Open"}}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "by <@U1>"}, {"type": "image", "image_url": "https://x/y.png", "alt_text": "x"}]},
            {"type": "divider"},
            {"type": "section", "text": {"type": "mrkdwn", "text": "rollback: `make undo`"}},
            {"type": "rich_text", "elements": []},
            {"type": "actions", "elements": []}
        ]
    });
    let converted = convert_json(post).unwrap();
    assert_eq!(
        converted.body,
        "Build [#42](https://ci.example/42) **passed**"
    );
    assert_eq!(converted.cards.len(), 2, "a divider starts another card");
    let first = &converted.cards[0];
    assert_eq!(first.kind, CardKind::Blocks);
    assert_eq!(first.title.as_deref(), Some("Deploy to production"));
    assert_eq!(first.text, "**main** is live");
    assert_eq!(
        first
            .fields
            .iter()
            .map(|f| f.value.as_str())
            .collect::<Vec<_>>(),
        ["**Env**\nprod", "2\\*3"]
    );
    assert_eq!(first.footer.as_deref(), Some("by @U1"));
    assert_eq!(converted.cards[1].text, "rollback: `make undo`");
}

#[test]
fn legacy_attachments_are_cards_and_lend_their_fallback_as_text() {
    let post = json!({
        "attachments": [{
            "fallback": "All 120 tests passed",
            "color": "good",
            "pretext": "CI for <https://git.example/pr/7|PR 7>",
            "title": "All 120 tests passed",
            "title_link": "https://ci.example/42",
            "text": "_3 min 12 s_",
            "fields": [{"title": "Branch", "value": "main", "short": true}, {"title": "", "value": ""}],
            "author_name": "ci-bot",
            "footer": "Jenkins"
        }, {
            "color": "#ZZZ", "title_link": "javascript:alert(1)", "title": "odd"
        }, {"image_url": "https://x/y.png"}]
    });
    let converted = convert_json(post).unwrap();
    assert_eq!(converted.body, "All 120 tests passed");
    assert_eq!(converted.cards.len(), 2, "an image alone says nothing here");
    let card = &converted.cards[0];
    assert_eq!(card.kind, CardKind::Attachment);
    assert_eq!(card.color.as_deref(), Some("#2eb886"));
    assert_eq!(
        card.pretext.as_deref(),
        Some("CI for [PR 7](https://git.example/pr/7)")
    );
    assert_eq!(card.title_link.as_deref(), Some("https://ci.example/42"));
    assert_eq!(card.text, "_3 min 12 s_");
    assert_eq!(card.fields.len(), 1);
    assert_eq!(
        (card.fields[0].title.as_str(), card.fields[0].short),
        ("Branch", true)
    );
    assert_eq!(card.footer.as_deref(), Some("ci-bot · Jenkins"));
    let odd = &converted.cards[1];
    assert_eq!(
        (odd.color.as_deref(), odd.title_link.as_deref()),
        (None, None)
    );
}

#[test]
fn an_empty_post_or_too_much_is_refused() {
    assert_eq!(convert_json(json!({"text": "  "})), Err(Refused::Empty));
    assert_eq!(
        convert_json(json!({"blocks": [{"type": "image"}], "attachments": [{}]})),
        Err(Refused::Empty)
    );
    let big = "x".repeat(3000);
    let attachments: Vec<Value> = (0..10).map(|_| json!({"text": big})).collect();
    assert_eq!(
        convert_json(json!({"text": "hi", "attachments": attachments})),
        Err(Refused::TooLarge)
    );
    let many: Vec<Value> = (0..50).map(|i| json!({"text": format!("n{i}")})).collect();
    let converted = convert_json(json!({"text": "hi", "attachments": many})).unwrap();
    assert_eq!(converted.cards.len(), MAX_CARDS);
}
