//! The answers a request can get before its handler runs, added to every
//! operation of the OpenAPI document they can come from: a JSON body that is
//! not JSON (`400`), not sent as JSON (`415`), of the wrong shape (`422`) or
//! too large (`413`); a query string that does not parse (`400`). Axum's
//! extractors give them, the same for every handler, so they are described
//! here once rather than on each handler (where they were missing).
//!
//! And UUIDs: a `format: uuid` is not checked by every client of the
//! document, so each such string also gets the pattern the server parses.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, ResponseBuilder};

/// Adds each answer an operation's shape makes possible, unless the
/// operation describes it itself.
pub(super) fn add_framework_answers(doc: &mut Document) {
    operations(doc).for_each(add_to);
}

/// Every operation of the document.
pub(super) fn operations(doc: &mut Document) -> impl Iterator<Item = &mut Operation> {
    doc.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
    })
}

fn add_to(operation: &mut Operation) {
    let json_body = operation.request_body.as_ref().is_some_and(
        |body| matches!(body, RefOr::T(b) if b.content.contains_key("application/json")),
    );
    if json_body {
        answer(operation, "400", "The body is not valid JSON");
        answer(
            operation,
            "413",
            "The body is larger than the server takes (--max-http-body)",
        );
        answer(operation, "415", "The body is not sent as application/json");
        answer(
            operation,
            "422",
            "The body is JSON, but not with the fields and types described",
        );
    }
    let has_query = operation
        .parameters
        .iter()
        .flatten()
        .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query));
    if has_query {
        answer(operation, "400", "A query parameter is malformed");
    }
}

/// Adds `status` with the contract's error body, unless it is there.
fn answer(operation: &mut Operation, status: &str, description: &str) {
    operation
        .responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        });
}

/// A UUID as the server reads one: 32 hex digits, hyphenated 8-4-4-4-12 or
/// not (either case).
const UUID_PATTERN: &str = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32})$";

/// Adds [`UUID_PATTERN`] to every schema of the document that says
/// `format: uuid` and gives no pattern.
pub(super) fn add_uuid_patterns(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            if map.get("format").and_then(Value::as_str) == Some("uuid")
                && !map.contains_key("pattern")
            {
                map.insert("pattern".into(), Value::String(UUID_PATTERN.into()));
            }
            map.values_mut().for_each(add_uuid_patterns);
        }
        Value::Array(items) => items.iter_mut().for_each(add_uuid_patterns),
        _ => {}
    }
}
