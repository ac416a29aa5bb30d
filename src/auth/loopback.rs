//! The authorization code flow's redirect target: a one-shot HTTP listener on 127.0.0.1 with an
//! ephemeral port (RFC 8252 §7.3), and the browser that is sent to the provider.
//!
//! The listener answers only `GET /callback`; anything else (a favicon request, a port scanner)
//! gets a 404 and the wait goes on. The callback's `state` must match, and its `iss` (RFC 9207)
//! must equal the issuer when present, or when the provider announced it would always send it.

use std::collections::HashMap;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::error::{AuthError, ProviderError};

/// The path of the redirect URI.
pub const CALLBACK_PATH: &str = "/callback";

/// A bound listener and the redirect URI that points at it.
#[derive(Debug)]
pub struct Listener {
    listener: TcpListener,
    pub redirect_uri: String,
}

/// What the callback must carry.
#[derive(Debug, Clone)]
pub struct Expect<'a> {
    pub state: &'a str,
    pub issuer: &'a str,
    /// The provider promised `iss` in every authorization response.
    pub iss_required: bool,
}

impl Listener {
    /// Binds 127.0.0.1 on a port the OS picks.
    pub async fn bind() -> Result<Self, AuthError> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| AuthError::Callback(format!("listener could not bind 127.0.0.1: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| AuthError::Callback(e.to_string()))?
            .port();
        Ok(Self {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}{CALLBACK_PATH}"),
        })
    }

    /// Waits for the browser's redirect and returns the authorization code.
    pub async fn wait_for_code(
        &self,
        expect: &Expect<'_>,
        timeout: Duration,
    ) -> Result<String, AuthError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let accepted = tokio::time::timeout_at(deadline, self.listener.accept()).await;
            let Ok(accepted) = accepted else {
                return Err(AuthError::Timeout(timeout.as_secs()));
            };
            let Ok((stream, _)) = accepted else { continue };
            match handle(stream, expect, deadline).await {
                Some(result) => return result,
                None => continue,
            }
        }
    }
}

/// Handles one connection; `None` when it was not the callback.
async fn handle(
    mut stream: TcpStream,
    expect: &Expect<'_>,
    deadline: tokio::time::Instant,
) -> Option<Result<String, AuthError>> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    // Read the request head, bounded in size and time.
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        let n = match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => n,
            _ => return None,
        };
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let target = head
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("GET "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or("");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != CALLBACK_PATH {
        respond(
            &mut stream,
            404,
            "Not found",
            "This is plugctl's login listener.",
        )
        .await;
        return None;
    }
    let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let result = check(&params, expect);
    match &result {
        Ok(_) => {
            respond(
                &mut stream,
                200,
                "Signed in",
                "plugctl received the sign-in. You can close this tab and return to the terminal.",
            )
            .await;
        }
        Err(e) => {
            respond(
                &mut stream,
                400,
                "Sign-in failed",
                &format!("plugctl could not complete the sign-in: {e}. See the terminal."),
            )
            .await;
        }
    }
    Some(result)
}

/// Checks the callback parameters (RFC 6749 §4.1.2, RFC 9207 §2.4).
pub fn check(params: &HashMap<String, String>, expect: &Expect<'_>) -> Result<String, AuthError> {
    // The state comes first: an error response with a foreign state is not ours to report.
    match params.get("state") {
        Some(s) if s == expect.state => {}
        Some(_) => {
            return Err(AuthError::Callback(
                "carried a state that does not match this login (a forged or stale redirect)"
                    .into(),
            ));
        }
        None => return Err(AuthError::Callback("carried no state".into())),
    }
    match params.get("iss") {
        Some(iss) if iss != expect.issuer => {
            return Err(AuthError::Callback(format!(
                "came from issuer {iss:?}, expected {:?} (a mix-up attack, RFC 9207)",
                expect.issuer
            )));
        }
        None if expect.iss_required => {
            return Err(AuthError::Callback(
                "has no iss parameter, though the provider announced it (RFC 9207)".into(),
            ));
        }
        _ => {}
    }
    if let Some(code) = params.get("error") {
        return Err(AuthError::Provider {
            step: "authorization",
            error: ProviderError {
                code: code.clone(),
                description: params.get("error_description").cloned(),
            },
        });
    }
    params
        .get("code")
        .cloned()
        .ok_or_else(|| AuthError::Callback("carried neither a code nor an error".into()))
}

async fn respond(stream: &mut TcpStream, status: u16, title: &str, text: &str) {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font-family:sans-serif;margin:3em\"><h1>{title}</h1><p>{}</p></body></html>",
        html_escape(text)
    );
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        _ => "Not Found",
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Opens `url` with `$BROWSER` (a command, `%s` replaced by the URL or the URL appended), else
/// the desktop's opener. Returns false when nothing could be started.
pub fn open_browser(browser: Option<&str>, url: &str) -> bool {
    let spawn = |program: &str, args: Vec<String>| {
        std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .spawn()
            .is_ok()
    };
    if let Some(browser) = browser {
        // $BROWSER may list several commands separated by ':'; the first that starts wins.
        for command in browser.split(':').filter(|c| !c.trim().is_empty()) {
            let mut words = command.split_whitespace();
            let Some(program) = words.next() else {
                continue;
            };
            let mut args: Vec<String> = words.map(str::to_string).collect();
            if args.iter().any(|a| a.contains("%s")) {
                args = args.into_iter().map(|a| a.replace("%s", url)).collect();
            } else {
                args.push(url.into());
            }
            if spawn(program, args) {
                return true;
            }
        }
        return false;
    }
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    spawn(opener, vec![url.into()])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const EXPECT: Expect<'static> = Expect {
        state: "s1",
        issuer: "https://id.example",
        iss_required: true,
    };

    #[test]
    fn a_good_callback_gives_the_code() {
        let p = params(&[
            ("code", "c"),
            ("state", "s1"),
            ("iss", "https://id.example"),
        ]);
        assert_eq!(check(&p, &EXPECT).unwrap(), "c");
    }

    #[test]
    fn state_and_iss_are_checked() {
        let bad_state = params(&[
            ("code", "c"),
            ("state", "s2"),
            ("iss", "https://id.example"),
        ]);
        let err = check(&bad_state, &EXPECT).unwrap_err().to_string();
        assert!(err.contains("state"), "{err}");
        let bad_iss = params(&[
            ("code", "c"),
            ("state", "s1"),
            ("iss", "https://evil.example"),
        ]);
        let err = check(&bad_iss, &EXPECT).unwrap_err().to_string();
        assert!(err.contains("mix-up"), "{err}");
        let no_iss = params(&[("code", "c"), ("state", "s1")]);
        assert!(check(&no_iss, &EXPECT).is_err());
        let optional = Expect {
            iss_required: false,
            ..EXPECT
        };
        assert_eq!(check(&no_iss, &optional).unwrap(), "c");
    }

    #[test]
    fn a_provider_error_keeps_its_description() {
        let p = params(&[
            ("error", "access_denied"),
            ("error_description", "End-User aborted interaction"),
            ("state", "s1"),
            ("iss", "https://id.example"),
        ]);
        let err = check(&p, &EXPECT).unwrap_err();
        assert_eq!(
            err.to_string(),
            "authorization failed: the provider answered access_denied: End-User aborted interaction"
        );
    }

    #[tokio::test]
    async fn the_listener_ignores_strays_and_answers_the_callback() {
        let listener = Listener::bind().await.unwrap();
        let uri = listener.redirect_uri.clone();
        let base = uri.trim_end_matches(CALLBACK_PATH).to_string();
        let client = tokio::spawn(async move {
            let http = crate::auth::http::client();
            let stray = http
                .get(format!("{base}/favicon.ico"))
                .send()
                .await
                .unwrap();
            assert_eq!(stray.status(), 404);
            let resp = http
                .get(format!(
                    "{uri}?code=abc&state=s1&iss=https%3A%2F%2Fid.example"
                ))
                .send()
                .await
                .unwrap();
            (resp.status(), resp.text().await.unwrap())
        });
        let code = listener
            .wait_for_code(&EXPECT, Duration::from_secs(10))
            .await
            .unwrap();
        assert_eq!(code, "abc");
        let (status, page) = client.await.unwrap();
        assert_eq!(status, 200);
        assert!(page.contains("close this tab"));
    }

    #[tokio::test]
    async fn the_listener_times_out() {
        let listener = Listener::bind().await.unwrap();
        let err = listener
            .wait_for_code(&EXPECT, Duration::from_millis(100))
            .await
            .unwrap_err();
        assert!(matches!(err, AuthError::Timeout(_)));
    }
}
