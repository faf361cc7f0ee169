//! Tokens, cookies and sealed values (`super`).

use super::*;

fn auth() -> Auth {
    Auth::new(
        b"0123456789abcdef0123456789abcdef",
        Duration::from_secs(60),
        Duration::from_secs(3600),
        false,
    )
}

fn alice() -> UserRef {
    UserRef {
        id: Uuid::from_u128(9),
        name: "alice".into(),
    }
}

#[test]
fn issued_tokens_verify_and_carry_the_user() {
    let a = auth();
    let session = Uuid::new_v4();
    let claims = a.verify(&a.issue(&alice(), session)).unwrap();
    assert_eq!(claims.user(), alice());
    assert_eq!(claims.sid, session);
}

#[test]
fn tokens_from_another_secret_or_algorithm_fail() {
    let other = Auth::new(
        b"another-secret-another-secret-xx",
        Duration::from_secs(60),
        Duration::from_secs(3600),
        false,
    );
    assert!(auth().verify(&other.issue(&alice(), Uuid::nil())).is_none());
    // alg: none, with the same claims.
    let claims = r#"{"sub":"00000000-0000-0000-0000-000000000009","name":"alice","exp":99999999999,"iat":0,"sid":"00000000-0000-0000-0000-000000000001"}"#;
    let b64 = |s: &str| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    };
    let forged = format!("{}.{}.", b64(r#"{"alg":"none","typ":"JWT"}"#), b64(claims));
    assert!(auth().verify(&forged).is_none());
    // The right secret, but HS512: refused, the algorithm is pinned.
    let claims: Claims = serde_json::from_str(claims).unwrap();
    let hs512 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS512),
        &claims,
        &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
    )
    .unwrap();
    assert!(auth().verify(&hs512).is_none());
    let hs256 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
    )
    .unwrap();
    assert!(
        auth().verify(&hs256).is_some(),
        "the same claims, signed right"
    );
    assert!(auth().verify("not-a-token").is_none());
}

#[test]
fn expired_tokens_fail() {
    let a = auth();
    let claims = Claims {
        sub: alice().id,
        name: "alice".into(),
        iat: 0,
        exp: unix_now() - 60,
        jti: String::new(),
        sid: Uuid::nil(),
        scope: Scope::default(),
    };
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
    )
    .unwrap();
    assert!(a.verify(&token).is_none());
    assert!(
        a.verify_any_age(&token).is_some(),
        "still names its session"
    );
}

#[test]
fn refresh_tokens_are_random_and_stored_as_hashes() {
    let (one, two) = (new_refresh_token(), new_refresh_token());
    assert_ne!(one, two);
    assert_eq!(one.len(), 64);
    assert_eq!(secret_hash(&one), secret_hash(&one));
    assert_ne!(secret_hash(&one), secret_hash(&two));
    assert!(!secret_hash(&one).contains(&one));
}

#[test]
fn sealed_values_open_only_with_their_own_key_and_in_time() {
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Flow {
        state: String,
        exp: u64,
    }
    let a = auth();
    let flow = Flow {
        state: "s".into(),
        exp: unix_now() + 60,
    };
    let sealed = a.seal(&flow);
    assert_eq!(a.unseal::<Flow>(&sealed), Some(flow));
    assert!(a.verify(&sealed).is_none(), "never an access token");
    let token = a.issue(&alice(), Uuid::nil());
    assert!(
        a.unseal::<Claims>(&token).is_none(),
        "an access token is not sealed"
    );
    let old = a.seal(&Flow {
        state: "s".into(),
        exp: unix_now() - 60,
    });
    assert!(a.unseal::<Flow>(&old).is_none(), "expired");
}

#[test]
fn bearer_wins_over_cookie() {
    let mut h = HeaderMap::new();
    h.insert(
        header::COOKIE,
        "x=1; confab_session=fromcookie".parse().unwrap(),
    );
    assert_eq!(Auth::token_from_headers(&h).as_deref(), Some("fromcookie"));
    assert!(Auth::uses_cookie(&h));
    h.insert(header::AUTHORIZATION, "Bearer frombearer".parse().unwrap());
    assert_eq!(Auth::token_from_headers(&h).as_deref(), Some("frombearer"));
}
