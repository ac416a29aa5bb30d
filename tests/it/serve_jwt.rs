//! `plugctl serve` with `auth: {type: jwt}` end to end: the real binary, and a real OpenID
//! provider (npm oidc-provider on 127.0.0.1) that issues JWT access tokens for an API audience
//! (resource indicators). The token comes from a real `plugctl login`; the refused tokens are the
//! provider's own token sent to a server that expects another issuer or audience, the token after
//! it expired, and that token tampered with or rewritten as `alg: none`.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::serve::{client, get_json};
use crate::support::oidc::{self, Provider};
use crate::support::serve_child::ServeChild;
use crate::support::{Sandbox, run};

const AUDIENCE: &str = "urn:plugctl:api";

/// A provider whose access tokens are JWTs for [`AUDIENCE`], living `ttl` seconds.
fn provider(ttl: &str) -> Option<Provider> {
    Provider::start(&[("API_AUDIENCE", AUDIENCE), ("ACCESS_TTL", ttl)])
}

/// Signs in to `provider` with `plugctl login` (tokens in the sandbox's insecure file, so no
/// keyring is needed) and returns the access token the provider issued.
fn access_token(provider: &Provider) -> String {
    let sb = Sandbox::new();
    let (code, _, err) = run(sb
        .cmd()
        .env("BROWSER", oidc::browser())
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .timeout(Duration::from_secs(60))
        .args(["login", "--issuer", &provider.issuer])
        .args(["--client-id", "plugctl-cli", "--insecure-storage"]));
    assert_eq!(code, 0, "{err}");
    let file = sb
        .path()
        .join("home/.local/share/plugctl/credentials/default.json");
    let stored: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    stored["access_token"].as_str().unwrap().to_string()
}

/// A server that accepts tokens of `issuer` for `audience`, without clock leeway.
fn server(sb: &Sandbox, issuer: &str, audience: &str) -> ServeChild {
    sb.write(
        "plugctl.yaml",
        format!(
            "serve:\n  store: memory\n  auth:\n    type: jwt\n    issuer: {issuer}\n    \
             audience: {audience}\n    scope: openid api\n    leeway: 0s\n"
        ),
    );
    ServeChild::start(sb, &[])
}

/// POST /v1/chat with an optional bearer token: status, WWW-Authenticate, body.
async fn chat(url: &str, token: Option<&str>) -> (u16, String, Value) {
    let mut request = client()
        .post(format!("{url}/v1/chat"))
        .json(&json!({"message": "hello"}));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, challenge, body)
}

/// Asserts a 401 whose challenge is `invalid_token` and says `why`.
async fn refused(url: &str, token: &str, why: &str) {
    let (status, challenge, body) = chat(url, Some(token)).await;
    assert_eq!(status, 401, "{challenge} {body}");
    assert!(
        challenge.starts_with("Bearer ") && challenge.contains("error=\"invalid_token\""),
        "{challenge}"
    );
    assert!(challenge.contains(why), "expected {why:?} in {challenge}");
    assert_eq!(body["status"], 401);
}

fn part(token: &str, i: usize) -> Value {
    let p = token.split('.').nth(i).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
}

fn encode(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn jwt_auth_accepts_the_providers_tokens_and_refuses_the_others() {
    let Some(a) = provider("3600") else { return };
    let Some(other) = provider("3600") else {
        return;
    };
    let token = access_token(&a);
    let claims = part(&token, 1);
    assert_eq!(claims["aud"], AUDIENCE, "a JWT access token: {claims}");
    assert_eq!(claims["sub"], "alice");

    let sb = Sandbox::new();
    let s = server(&sb, &a.issuer, AUDIENCE);
    // No token: a bare challenge, no error code (RFC 6750 §3.1).
    let (status, challenge, body) = chat(&s.url, None).await;
    assert_eq!(
        (status, challenge.as_str()),
        (401, "Bearer realm=\"plugctl\"")
    );
    assert_eq!(body["title"], "Unauthorized");
    // The provider's token gets in.
    let (status, _, body) = chat(&s.url, Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["reply"], "echo: hello", "{body}");

    // Tampered: a claim changed under the same signature, or one signature byte flipped.
    let parts: Vec<&str> = token.split('.').collect();
    let mut forged = claims.clone();
    forged["sub"] = json!("mallory");
    let forged_claims = format!("{}.{}.{}", parts[0], encode(&forged), parts[2]);
    refused(&s.url, &forged_claims, "signature does not verify").await;
    let mut sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    sig[10] ^= 0x01;
    let flipped = format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode(sig));
    refused(&s.url, &flipped, "signature does not verify").await;
    // `alg: none`, unsigned.
    let mut header = part(&token, 0);
    header["alg"] = json!("none");
    let unsigned = format!("{}.{}.", encode(&header), parts[1]);
    refused(&s.url, &unsigned, "algorithm none").await;
    // Signed properly, but with a key the provider's JWKS does not have (after one refetch).
    let key =
        jsonwebtoken::EncodingKey::from_rsa_pem(include_bytes!("../data/auth/unknown-rsa-key.pem"))
            .unwrap();
    let mut foreign = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    foreign.kid = Some("not-the-providers".into());
    let resigned = jsonwebtoken::encode(&foreign, &claims, &key).unwrap();
    refused(&s.url, &resigned, "which is not in the issuer").await;
    // The same under the provider's own key id: the signature fails.
    foreign.kid = part(&token, 0)["kid"].as_str().map(str::to_string);
    let resigned = jsonwebtoken::encode(&foreign, &claims, &key).unwrap();
    refused(&s.url, &resigned, "signature does not verify").await;
    // Not a JWT at all.
    refused(&s.url, "not-a-jwt", "malformed token").await;

    // The manifest sends clients to the provider's own endpoints.
    let manifest = get_json(&format!("{}/.well-known/ai-plugin.json", s.url), None).await;
    let auth = &manifest["auth"];
    assert_eq!(auth["type"], "oauth", "{manifest}");
    assert_eq!(auth["client_url"], format!("{}/auth", a.issuer));
    assert_eq!(auth["authorization_url"], format!("{}/token", a.issuer));
    assert_eq!(auth["scope"], "openid api");

    // Another audience: this token is not for that API.
    let sb2 = Sandbox::new();
    let s2 = server(&sb2, &a.issuer, "urn:other:api");
    refused(&s2.url, &token, "does not contain").await;
    // Another issuer (the second provider signs with the same development key, so only the
    // issuer check can tell).
    let sb3 = Sandbox::new();
    let s3 = server(&sb3, &other.issuer, AUDIENCE);
    refused(&s3.url, &token, "token issuer is").await;

    // The issuer goes away before the server fetched its keys: 503, not the client's fault.
    let sb4 = Sandbox::new();
    let gone = provider("3600").expect("started above");
    let s4 = server(&sb4, &gone.issuer, AUDIENCE);
    let gone_issuer = gone.issuer.clone();
    drop(gone);
    let (status, challenge, body) = chat(&s4.url, Some(&token)).await;
    assert_eq!(status, 503, "{challenge} {body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("cannot be reached"),
        "{body}"
    );
    drop(s4);

    // And at startup: a clear error, exit 1.
    sb4.write("plugctl.yaml", "serve:\n  store: memory\n");
    let (code, _, err) = run(sb4
        .cmd()
        .timeout(Duration::from_secs(30))
        .args(["serve", "--bind", "127.0.0.1:0", "--auth", "jwt"])
        .args(["--auth-issuer", &gone_issuer, "--auth-audience", AUDIENCE]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("token issuer"), "{err}");
    assert!(err.contains("hint: start the OpenID provider"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn jwt_auth_refuses_an_expired_token() {
    let Some(p) = provider("2") else { return };
    let token = access_token(&p);
    let sb = Sandbox::new();
    let s = server(&sb, &p.issuer, AUDIENCE);
    std::thread::sleep(Duration::from_secs(3));
    refused(&s.url, &token, "token expired").await;
}

#[test]
fn jwt_auth_needs_an_issuer_and_an_audience() {
    let sb = Sandbox::new();
    let (code, _, err) = run(sb.cmd().timeout(Duration::from_secs(20)).args([
        "serve",
        "--auth",
        "jwt",
        "--auth-issuer",
        "http://127.0.0.1:9",
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("serve.auth.audience"), "{err}");
    let (code, _, err) = run(sb
        .cmd()
        .timeout(Duration::from_secs(20))
        .args(["serve", "--auth", "jwt", "--auth-issuer", "id.example"])
        .args(["--auth-audience", "api"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("serve.auth.issuer"), "{err}");
}
