//! Edge cases of JWT verification with keys made for the tests (src/auth/testdata, test-only
//! keys): every refusal has its own error, and a JWKS served on loopback proves the refetch.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{EncodingKey, Header};
use proptest::prelude::*;
use serde_json::json;

use super::*;

const ISS: &str = "https://id.example";
const AUD: &str = "plugctl-cli";
const NOW: u64 = 1_800_000_000;

fn pem(name: &str) -> Vec<u8> {
    let path = format!("{}/src/auth/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).expect("test key")
}

struct Signer {
    key: EncodingKey,
    alg: Algorithm,
    kid: String,
}

impl Signer {
    fn rsa(file: &str, alg: Algorithm, kid: &str) -> Self {
        Self {
            key: EncodingKey::from_rsa_pem(&pem(file)).unwrap(),
            alg,
            kid: kid.into(),
        }
    }

    fn ec(kid: &str) -> Self {
        Self {
            key: EncodingKey::from_ec_pem(&pem("ec_p256.pem")).unwrap(),
            alg: Algorithm::ES256,
            kid: kid.into(),
        }
    }

    fn jwk(&self) -> Jwk {
        let mut jwk = Jwk::from_encoding_key(&self.key, self.alg).unwrap();
        jwk.common.key_id = Some(self.kid.clone());
        jwk
    }

    fn sign(&self, claims: &serde_json::Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.key).unwrap()
    }
}

fn claims() -> serde_json::Value {
    json!({"iss": ISS, "sub": "alice", "aud": AUD, "exp": NOW + 300, "iat": NOW, "nonce": "n-1",
           "email": "alice@example.org"})
}

fn with(changes: serde_json::Value) -> serde_json::Value {
    let mut c = claims();
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

fn verifier(signers: &[&Signer]) -> JwtVerifier {
    let keys = JwkSet {
        keys: signers.iter().map(|s| s.jwk()).collect(),
    };
    JwtVerifier::with_keys(ISS, AUD, keys)
}

async fn id_token(v: &JwtVerifier, token: &str) -> Result<Claims, VerifyError> {
    v.verify_at(token, TokenKind::IdToken { nonce: Some("n-1") }, NOW)
        .await
}

fn b64(v: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

#[tokio::test]
async fn accepts_rs256_ps256_and_es256() {
    let rs = Signer::rsa("rsa_a.pem", Algorithm::RS256, "rs");
    let ps = Signer::rsa("rsa_b.pem", Algorithm::PS256, "ps");
    let es = Signer::ec("es");
    let v = verifier(&[&rs, &ps, &es]);
    for s in [&rs, &ps, &es] {
        let c = id_token(&v, &s.sign(&claims())).await.unwrap();
        assert_eq!(c.sub.as_deref(), Some("alice"));
        assert_eq!(c.email.as_deref(), Some("alice@example.org"));
    }
}

#[tokio::test]
async fn refuses_alg_none_and_hmac() {
    let rs = Signer::rsa("rsa_a.pem", Algorithm::RS256, "rs");
    let v = verifier(&[&rs]);
    let none = format!("{}.{}.", b64(&json!({"alg": "none"})), b64(&claims()));
    assert_eq!(
        id_token(&v, &none).await,
        Err(VerifyError::AlgorithmNotAllowed("none".into()))
    );
    // The classic confusion attack: HS256 keyed with the public key's bytes.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("rs".into());
    let hs = jsonwebtoken::encode(
        &header,
        &claims(),
        &EncodingKey::from_secret(&pem("rsa_a.pem")),
    )
    .unwrap();
    assert_eq!(
        id_token(&v, &hs).await,
        Err(VerifyError::AlgorithmNotAllowed("HS256".into()))
    );
}

#[tokio::test]
async fn a_tampered_token_or_a_foreign_key_fails_the_signature() {
    let a = Signer::rsa("rsa_a.pem", Algorithm::RS256, "a");
    let v = verifier(&[&a]);
    let token = a.sign(&claims());
    let parts: Vec<&str> = token.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64(&with(json!({"sub": "mallory"}))),
        parts[2]
    );
    assert_eq!(id_token(&v, &forged).await, Err(VerifyError::BadSignature));
    // Signed by another key that claims the kid of the trusted one.
    let b = Signer::rsa("rsa_b.pem", Algorithm::RS256, "a");
    assert_eq!(
        id_token(&v, &b.sign(&claims())).await,
        Err(VerifyError::BadSignature)
    );
}

#[tokio::test]
async fn each_claim_failure_has_its_own_error() {
    let s = Signer::rsa("rsa_a.pem", Algorithm::RS256, "a");
    let v = verifier(&[&s]);
    let cases = [
        (
            with(json!({"iss": "https://id.example/"})),
            VerifyError::Issuer {
                found: "https://id.example/".into(),
                expected: ISS.into(),
            },
        ),
        (
            with(json!({"aud": "someone-else"})),
            VerifyError::Audience {
                found: vec!["someone-else".into()],
                expected: AUD.into(),
            },
        ),
        (
            with(json!({"aud": [AUD, "api"]})),
            VerifyError::AuthorizedParty {
                found: None,
                expected: AUD.into(),
            },
        ),
        (
            with(json!({"exp": NOW - 61})),
            VerifyError::Expired { ago: 61 },
        ),
        (
            with(json!({"nbf": NOW + 120})),
            VerifyError::NotYetValid { in_secs: 120 },
        ),
        (
            with(json!({"iat": NOW + 600})),
            VerifyError::IssuedInFuture { in_secs: 600 },
        ),
        (with(json!({"nonce": "n-2"})), VerifyError::NonceMismatch),
        (with(json!({"nonce": null})), VerifyError::NonceMissing),
    ];
    for (claims, expected) in cases {
        assert_eq!(id_token(&v, &s.sign(&claims)).await, Err(expected));
    }
    // Within the leeway, and azp naming this client with several audiences: accepted.
    let ok = with(json!({"exp": NOW - 30, "aud": [AUD, "api"], "azp": AUD}));
    assert!(id_token(&v, &s.sign(&ok)).await.is_ok());
    // A bearer token is not an ID token: no nonce, no azp rule.
    let bearer = with(json!({"nonce": null, "aud": [AUD, "api"]}));
    assert!(
        v.verify_at(&s.sign(&bearer), TokenKind::Bearer, NOW)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn unknown_kid_with_fixed_keys_is_named() {
    let a = Signer::rsa("rsa_a.pem", Algorithm::RS256, "a");
    let other = Signer::rsa("rsa_b.pem", Algorithm::RS256, "rotated");
    let v = verifier(&[&a]);
    assert_eq!(
        id_token(&v, &other.sign(&claims())).await,
        Err(VerifyError::UnknownKey {
            kid: "rotated".into()
        })
    );
}

/// A JWKS endpoint on loopback whose key set the test can change, counting fetches.
async fn jwks_server(keys: Arc<std::sync::Mutex<JwkSet>>, hits: Arc<AtomicUsize>) -> String {
    let app = axum::Router::new().route(
        "/jwks",
        axum::routing::get(move || {
            let (keys, hits) = (Arc::clone(&keys), Arc::clone(&hits));
            async move {
                hits.fetch_add(1, Ordering::SeqCst);
                let set = keys.lock().unwrap().clone();
                axum::Json(serde_json::to_value(set).unwrap())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/jwks")
}

#[tokio::test]
async fn unknown_kid_refetches_once_then_respects_the_cooldown() {
    let a = Signer::rsa("rsa_a.pem", Algorithm::RS256, "a");
    let b = Signer::rsa("rsa_b.pem", Algorithm::RS256, "b");
    let keys = Arc::new(std::sync::Mutex::new(JwkSet {
        keys: vec![a.jwk()],
    }));
    let hits = Arc::new(AtomicUsize::new(0));
    let url = jwks_server(Arc::clone(&keys), Arc::clone(&hits)).await;

    let v = JwtVerifier::with_jwks_uri(ISS, AUD, url).refetch_cooldown(Duration::ZERO);
    id_token(&v, &a.sign(&claims())).await.unwrap();
    id_token(&v, &a.sign(&claims())).await.unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 1, "keys are cached");

    // The provider rotates to key b: the first token signed with it causes one refetch.
    keys.lock().unwrap().keys.push(b.jwk());
    id_token(&v, &b.sign(&claims())).await.unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 2);

    // A kid that is nowhere: one refetch, then UnknownKey.
    let c = Signer::ec("c");
    assert_eq!(
        id_token(&v, &c.sign(&claims())).await,
        Err(VerifyError::UnknownKey { kid: "c".into() })
    );
    assert_eq!(hits.load(Ordering::SeqCst), 3);

    // With a cooldown, made-up kids cannot make the verifier hammer the provider.
    let v = JwtVerifier::with_jwks_uri(ISS, AUD, v_url(&keys, &hits).await);
    let before = hits.load(Ordering::SeqCst);
    for _ in 0..5 {
        let _ = id_token(&v, &c.sign(&claims())).await;
    }
    assert_eq!(hits.load(Ordering::SeqCst) - before, 1);
}

async fn v_url(keys: &Arc<std::sync::Mutex<JwkSet>>, hits: &Arc<AtomicUsize>) -> String {
    jwks_server(Arc::clone(keys), Arc::clone(hits)).await
}

#[tokio::test]
async fn an_unreachable_jwks_is_a_key_error() {
    let a = Signer::rsa("rsa_a.pem", Algorithm::RS256, "a");
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let v = JwtVerifier::with_jwks_uri(ISS, AUD, format!("http://127.0.0.1:{port}/jwks"));
    let err = id_token(&v, &a.sign(&claims())).await.unwrap_err();
    assert!(matches!(err, VerifyError::Keys(_)), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Untrusted input: any string is refused with an error, never a panic.
    #[test]
    fn garbage_never_verifies(token in "[A-Za-z0-9._=-]{0,200}") {
        let a = Signer::rsa("rsa_a.pem", Algorithm::RS256, "a");
        let v = verifier(&[&a]);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        prop_assert!(rt.block_on(id_token(&v, &token)).is_err());
    }
}
