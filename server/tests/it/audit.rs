//! Administration (v3) across two instances over Redis: promoting and
//! demoting admins, invite links, the sign-up policy every instance follows
//! at once, and the audit log: every admin action in it once, filtered,
//! exported as JSON lines, with no route that changes or deletes an entry.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::cluster::cluster_with;
use crate::common::{delete, get, post, put, TestServer};

/// The audit log's entries for `query`, as `token` sees them.
async fn audit(server: &TestServer, token: &str, query: &str) -> (StatusCode, Vec<Value>) {
    let (status, body) = get(server, &format!("/api/admin/audit{query}"), token).await;
    let entries = body["entries"].as_array().cloned().unwrap_or_default();
    (status, entries)
}

fn actions(entries: &[Value]) -> Vec<&str> {
    entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

async fn register(server: &TestServer, name: &str, invite: Option<&str>) -> StatusCode {
    let mut body = json!({"username": name, "password": "password-123"});
    if let Some(code) = invite {
        body["invite"] = json!(code);
    }
    post(server, "/api/auth/register", None, body).await.0
}

#[tokio::test]
async fn admins_run_the_instance_from_the_api_and_the_audit_log_keeps_every_action_once() {
    let mut c = cluster_with(&["--admins", "root"]).await;
    let root = c.a.register("root").await;
    let alice = c.a.register("alice").await;
    let bob = c.a.register("bob").await;
    c.a.restart();
    let root = &root.token;

    // Promoting and demoting, from a session of an admin.
    let (status, _) = audit(&c.b, &alice.token, "").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "admins only");
    assert_eq!(
        post(
            &c.a,
            "/api/admin/users/alice/promote",
            Some(root),
            json!({})
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        audit(&c.b, &alice.token, "").await.0,
        StatusCode::OK,
        "an admin now, on every instance"
    );
    let (_, view) = get(&c.b, "/api/admin/users/alice", root).await;
    assert_eq!(
        (view["admin"].clone(), view["user"]["name"].clone()),
        (json!(true), json!("alice"))
    );
    assert_eq!(
        post(&c.b, "/api/admin/users/root/demote", Some(root), json!({}))
            .await
            .0,
        StatusCode::BAD_REQUEST,
        "not oneself"
    );
    assert_eq!(
        post(&c.b, "/api/admin/users/alice/demote", Some(root), json!({}))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(audit(&c.a, &alice.token, "").await.0, StatusCode::FORBIDDEN);

    // A failed sign-in is recorded with no actor.
    let (status, _) = post(
        &c.b,
        "/api/auth/login",
        None,
        json!({"username": "alice", "password": "wrong-password"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The sign-up policy, set on one instance, holds on the other at once.
    let (status, invite) = post(
        &c.a,
        "/api/admin/invites",
        Some(root),
        json!({"max_uses": 2, "expires_in_hours": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{invite}");
    let code = invite["code"].as_str().unwrap().to_string();
    assert_eq!(invite["url"], format!("/?invite={code}"));
    assert_eq!(
        (invite["max_uses"].clone(), invite["uses"].clone()),
        (json!(2), json!(0))
    );
    let (status, _) = post(
        &c.a,
        "/api/admin/invites",
        Some(root),
        json!({"max_uses": 0}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = put(&c.a, "/api/admin/signup", root, json!({"policy": "invite"})).await;
    assert_eq!(
        (status, body["policy"].clone()),
        (StatusCode::OK, json!("invite"))
    );
    let (_, providers) = get(&c.b, "/api/auth/providers", root).await;
    assert_eq!(providers["signup"], "invite");
    assert_eq!(register(&c.b, "carol", None).await, StatusCode::FORBIDDEN);
    assert_eq!(
        register(&c.b, "carol", Some(&code)).await,
        StatusCode::CREATED
    );
    assert_eq!(
        register(&c.a, "dave", Some(&code)).await,
        StatusCode::CREATED
    );
    assert_eq!(
        register(&c.b, "erin", Some(&code)).await,
        StatusCode::FORBIDDEN,
        "used up"
    );
    let (_, second) = post(&c.a, "/api/admin/invites", Some(root), json!({})).await;
    let second = second["code"].as_str().unwrap().to_string();
    assert_eq!(
        delete(&c.b, &format!("/api/admin/invites/{second}"), root)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        delete(&c.b, &format!("/api/admin/invites/{second}"), root)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        register(&c.a, "erin", Some(&second)).await,
        StatusCode::FORBIDDEN,
        "revoked"
    );
    let (_, listed) = get(&c.b, "/api/admin/invites", root).await;
    let first = listed["invites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code.as_str())
        .unwrap()
        .clone();
    assert_eq!(first["uses"], 2);
    put(&c.b, "/api/admin/signup", root, json!({"policy": "sso"})).await;
    assert_eq!(register(&c.a, "erin", None).await, StatusCode::FORBIDDEN);
    put(&c.a, "/api/admin/signup", root, json!({"policy": "open"})).await;
    assert_eq!(register(&c.b, "erin", None).await, StatusCode::CREATED);
    let (status, _) = put(
        &c.a,
        "/api/admin/signup",
        &bob.token,
        json!({"policy": "open"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Deactivating and reactivating.
    assert_eq!(
        post(&c.a, "/api/admin/users/bob/disable", Some(root), json!({}))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        post(&c.b, "/api/admin/users/bob/enable", Some(root), json!({}))
            .await
            .0,
        StatusCode::NO_CONTENT
    );

    // Every admin action, once, newest first.
    let (status, entries) = audit(&c.b, root, "?action=user.&limit=200").await;
    assert_eq!(status, StatusCode::OK);
    let user_actions: Vec<&str> = actions(&entries)
        .into_iter()
        .filter(|a| *a != "user.register")
        .collect();
    assert_eq!(
        user_actions,
        [
            "user.reactivate",
            "user.deactivate",
            "user.demote",
            "user.promote"
        ]
    );
    let (_, entries) = audit(&c.a, root, "?limit=200").await;
    let count = |action: &str| actions(&entries).iter().filter(|a| **a == action).count();
    assert_eq!(count("invite.create"), 2);
    assert_eq!(count("invite.revoke"), 1);
    assert_eq!(count("signup.policy"), 3);
    let ids: Vec<i64> = entries.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
    let failed = entries
        .iter()
        .find(|e| e["action"] == "auth.sign_in_failed")
        .unwrap();
    assert_eq!(
        (failed["actor"].clone(), failed["target"].clone()),
        (Value::Null, json!("alice"))
    );
    let promote = entries
        .iter()
        .find(|e| e["action"] == "user.promote")
        .unwrap();
    assert_eq!(
        (promote["actor"]["name"].clone(), promote["target"].clone()),
        (json!("root"), json!("alice"))
    );

    // Filters: actor, action, dates; paging by id.
    let (_, by_alice) = audit(&c.a, root, "?actor=alice&limit=200").await;
    assert!(by_alice.iter().all(|e| e["actor"]["name"] == "alice"));
    let today = time::OffsetDateTime::now_utc().date();
    let (_, since_today) = audit(&c.a, root, &format!("?from={today}&limit=200")).await;
    assert_eq!(since_today.len(), entries.len());
    let yesterday = today.previous_day().unwrap();
    let (_, until_yesterday) = audit(&c.a, root, &format!("?to={yesterday}")).await;
    assert!(until_yesterday.is_empty());
    let (_, older) = audit(&c.a, root, &format!("?before={}&limit=2", ids[1])).await;
    assert_eq!(
        older
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        ids[2..4]
    );
    for bad in [
        "?from=yesterday",
        "?limit=0",
        "?action=DROP%20TABLE",
        "?colour=red",
    ] {
        assert_eq!(
            audit(&c.a, root, bad).await.0,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }

    // Exported as JSON lines; the export is recorded too.
    let export = reqwest::Client::new()
        .get(c.b.http("/api/admin/audit/export?action=signup."))
        .bearer_auth(root)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), StatusCode::OK);
    assert_eq!(export.headers()["content-type"], "application/x-ndjson");
    let text = export.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l["action"] == "signup.policy"));
    let (_, exported) = audit(&c.a, root, "?action=audit.export").await;
    assert_eq!(exported.len(), 1);

    // No route changes or deletes an entry.
    let id = ids[0];
    for method in [
        reqwest::Method::DELETE,
        reqwest::Method::PUT,
        reqwest::Method::PATCH,
    ] {
        for path in [
            "/api/admin/audit".to_string(),
            format!("/api/admin/audit/{id}"),
        ] {
            let response = reqwest::Client::new()
                .request(method.clone(), c.a.http(&path))
                .bearer_auth(root)
                .json(&json!({"action": "nothing"}))
                .send()
                .await
                .unwrap();
            assert!(
                matches!(
                    response.status(),
                    StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_FOUND
                ),
                "{method} {path}: {}",
                response.status()
            );
        }
    }
    let (_, after) = audit(&c.a, root, "?limit=200").await;
    let kept: Vec<&Value> = after
        .iter()
        .filter(|e| e["id"].as_i64().unwrap() <= id)
        .collect();
    assert_eq!(kept.len(), entries.len());
    assert_eq!(kept[0], &entries[0]);
}

#[tokio::test]
async fn the_first_account_of_a_new_instance_is_its_admin_only_when_asked() {
    let server = TestServer::start(&["--first-account-admin"]);
    let first = server.register("founder").await;
    let second = server.register("second").await;
    assert_eq!(audit(&server, &first.token, "").await.0, StatusCode::OK);
    assert_eq!(
        audit(&server, &second.token, "").await.0,
        StatusCode::FORBIDDEN
    );
    let (_, entries) = audit(&server, &first.token, "?action=user.promote").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["target"], "founder");
    let (_, me) = get(&server, "/api/users/me", &first.token).await;
    assert_eq!(me["admin"], true);

    // Without the flag, nobody becomes an admin by registering.
    let server = TestServer::start(&[]);
    let first = server.register("founder").await;
    assert_eq!(
        audit(&server, &first.token, "").await.0,
        StatusCode::FORBIDDEN
    );
}
