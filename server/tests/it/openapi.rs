//! The served OpenAPI document against the router itself: every route the
//! router serves outside the UI's pages is documented, with the same
//! methods, and nothing documented is missing from the router. The routes
//! are read off the router that `server::http::router` builds (axum's own
//! description of it), not off the document, so a route added without its
//! description fails here. (The document's validity is checked by an
//! independent validator in `end2end/tests/api_docs.spec.ts`.)

use std::collections::BTreeSet;

use clap::Parser;
use serde_json::Value;

use crate::common::TestServer;

type Routes = BTreeSet<(String, String)>;

/// Methods a route can document (HEAD comes with GET; OPTIONS, TRACE and
/// CONNECT are not served).
const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// (method, path) of every route in a router's `Debug` text: in its
/// `path_router`, the node's `RouteId(n): "path"` entries, and each
/// `RouteId(n): MethodRouter(..)`'s method fields that are not `None`.
fn served_routes(debug: &str) -> Routes {
    // The router's own routes (not its fallback's, which number theirs apart).
    let start = debug
        .find("path_router: PathRouter {")
        .expect("a router's Debug text");
    let own = balanced(&debug[start + "path_router: PathRouter {".len()..]);
    let mut paths = std::collections::HashMap::new();
    let mut methods: std::collections::HashMap<String, Vec<String>> = Default::default();
    let mut rest = own;
    while let Some(at) = rest.find("RouteId(") {
        rest = &rest[at + "RouteId(".len()..];
        let close = rest.find(')').unwrap();
        let id = rest[..close].to_string();
        let after = rest[close + 1..].trim_start_matches(':').trim_start();
        if let Some(quoted) = after.strip_prefix('"') {
            paths.insert(id, quoted[..quoted.find('"').unwrap()].to_string());
        } else if let Some(inner) = after.strip_prefix("MethodRouter(MethodRouter {") {
            let fields = balanced(inner);
            for (name, value) in top_level_fields(fields) {
                if METHODS.contains(&name.as_str()) && value != "None" {
                    methods.entry(id.clone()).or_default().push(name);
                }
            }
        }
    }
    let mut routes = Routes::new();
    for (id, path) in paths {
        for method in methods.get(&id).into_iter().flatten() {
            routes.insert((method.clone(), path.clone()));
        }
    }
    routes
}

/// The text up to the brace that closes the one just opened.
fn balanced(text: &str) -> &str {
    let mut depth = 0i32;
    let mut in_string = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_string = !in_string,
            _ if in_string => {}
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' if depth == 0 => return &text[..i],
            ')' | '}' | ']' => depth -= 1,
            _ => {}
        }
    }
    text
}

/// `name: value` pairs at the top level of a struct's `Debug` fields.
fn top_level_fields(fields: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut in_string = false;
    let mut push = |piece: &str| {
        if let Some((name, value)) = piece.split_once(':') {
            out.push((name.trim().to_string(), value.trim().to_string()));
        }
    };
    for (i, c) in fields.char_indices() {
        match c {
            '"' => in_string = !in_string,
            _ if in_string => {}
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' => depth -= 1,
            ',' if depth == 0 => {
                push(&fields[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    push(&fields[start..]);
    out
}

fn documented_routes(document: &Value) -> Routes {
    let mut routes = Routes::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method).is_some() {
                routes.insert((method.to_string(), path.clone()));
            }
        }
    }
    routes
}

/// Whether a path is the API's, the socket's or an operations endpoint
/// (everything else the router serves is a UI page).
fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || ["/ws", "/healthz", "/readyz", "/metrics"].contains(&path)
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_the_router_serves() {
    let data = tempfile::tempdir().unwrap();
    let config =
        server::config::Config::parse_from(["confab", "--data-dir", data.path().to_str().unwrap()]);
    let state = server::build(config).await.unwrap();
    let router = server::http::router(state);
    let served = served_routes(&format!("{router:?}"));
    assert!(
        served.contains(&("post".into(), "/api/auth/login".into())),
        "the router's routes were read: {served:?}"
    );

    let server = TestServer::start(&[]);
    let response = reqwest::get(server.http("/api/openapi.json"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"].as_str().map(|v| &v[..3]), Some("3.1"));
    let documented = documented_routes(&document);

    let served_api: Routes = served.iter().filter(|(_, p)| is_api(p)).cloned().collect();
    let undocumented: Vec<_> = served_api.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served_api).collect();
    assert!(
        undocumented.is_empty(),
        "served but not documented: {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );
    assert!(documented.len() >= 40, "{} routes", documented.len());

    // The rest are the UI's pages and the one site file the server writes
    // itself (the service worker, naming its release), and only those.
    let pages: BTreeSet<String> = served
        .iter()
        .filter(|(_, p)| !is_api(p))
        .map(|(_, p)| p.clone())
        .collect();
    let mut ui: BTreeSet<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|listing| listing.path().to_string())
        .collect();
    ui.insert(server::release::WORKER_PATH.to_string());
    assert_eq!(
        pages, ui,
        "the router serves only documented routes and the UI's pages"
    );

    // Every operation that can answer 401 says which credentials it takes.
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if operation["responses"].get("401").is_some() {
                assert!(
                    operation["security"].is_array(),
                    "{method} {path} has no security"
                );
            }
        }
    }
}
