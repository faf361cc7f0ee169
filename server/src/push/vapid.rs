//! The server's VAPID key (RFC 8292): an ECDSA P-256 key pair made by the
//! first instance that starts and kept in the store, so every instance signs
//! with it and browsers' subscriptions outlive restarts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64ct::{Base64UrlUnpadded, Encoding};
use web_push_native::jwt_simple::algorithms::{
    ECDSAP256KeyPairLike, ECDSAP256PublicKeyLike, ES256KeyPair,
};
use web_push_native::jwt_simple::claims::Claims;

use crate::store::Store;

pub struct Vapid {
    pub key: ES256KeyPair,
    /// The public key as pages need it: the uncompressed point, base64url.
    pub public: String,
    /// Signatures made lately, by audience, and when: one is used for an
    /// hour (it is valid for longer), not made again for every push.
    signed: Mutex<HashMap<String, (axum::http::HeaderValue, Instant)>>,
}

/// How long a signature is used for pushes to one audience.
const REUSE: Duration = Duration::from_secs(3600);
/// Most audiences whose signature is kept (push services are few).
const MAX_AUDIENCES: usize = 1024;

impl Vapid {
    /// The kept key, or a new one kept now.
    pub async fn load(store: &dyn Store) -> anyhow::Result<Vapid> {
        let fresh = Base64UrlUnpadded::encode_string(&ES256KeyPair::generate().to_bytes());
        let kept = store.push_key(&fresh).await?;
        let bytes = Base64UrlUnpadded::decode_vec(&kept)
            .map_err(|_| anyhow::anyhow!("the kept push key is not base64url"))?;
        let key = ES256KeyPair::from_bytes(&bytes)
            .map_err(|e| anyhow::anyhow!("the kept push key is no P-256 key: {e}"))?;
        let public = Base64UrlUnpadded::encode_string(
            &key.public_key().public_key().to_bytes_uncompressed(),
        );
        Ok(Vapid {
            key,
            public,
            signed: Mutex::default(),
        })
    }

    /// The `Authorization` header for a push service at `audience` (its
    /// origin, port and all): `vapid t=<JWT>, k=<public key>`, the JWT
    /// signed with ES256 for `life` and naming `contact`.
    pub fn authorization(
        &self,
        audience: &str,
        contact: &str,
        life: Duration,
    ) -> Result<axum::http::HeaderValue, String> {
        let now = Instant::now();
        if let Some((header, made)) = self.signed.lock().unwrap().get(audience) {
            if now.duration_since(*made) < REUSE.min(life / 2) {
                return Ok(header.clone());
            }
        }
        let claims = Claims::create(life.into())
            .with_audience(audience)
            .with_subject(contact);
        let token = self.key.sign(claims).map_err(|e| e.to_string())?;
        let header =
            axum::http::HeaderValue::try_from(format!("vapid t={token}, k={}", self.public))
                .map_err(|e| e.to_string())?;
        let mut signed = self.signed.lock().unwrap();
        if signed.len() >= MAX_AUDIENCES {
            signed.clear();
        }
        signed.insert(audience.to_string(), (header.clone(), now));
        Ok(header)
    }
}
