//! The validated description of a load test: what to send, where, and how much.
//!
//! Everything that can be wrong with the arguments is found here, before a socket is opened. The
//! command file turns flags into a [`Spec`]; [`Plan::new`] checks it and prepares the request
//! template that every worker clones (see `worker.rs` for how it is sent).

use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Uri};

use super::error::BenchError;

/// How open-loop requests are spread in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Arrival {
    /// Evenly spaced sends: one every 1/rate seconds.
    #[default]
    Constant,
    /// A Poisson process: exponential gaps with mean 1/rate, like independent users.
    Poisson,
}

/// What the user asked for, before validation.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    pub url: String,
    pub method: Option<String>,
    pub headers: Vec<String>,
    /// The bodies to send in turn; empty means no body.
    pub bodies: Vec<Bytes>,
    /// Content-Type to add unless a header sets one (`--json`).
    pub content_type: Option<&'static str>,
    pub connections: usize,
    pub duration: Option<Duration>,
    pub requests: Option<u64>,
    pub rate: Option<f64>,
    pub arrival: Arrival,
    pub warmup: Duration,
    pub ramp: Duration,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub keepalive: bool,
    pub sse: bool,
    pub threads: usize,
    /// Accept any TLS certificate (self-signed development servers).
    pub insecure: bool,
    /// Speak HTTP/2 (ALPN over TLS, prior knowledge over plain TCP).
    pub http2: bool,
}

/// Where the requests go.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: String,
    pub host: String,
    pub port: u16,
    /// `https://`: TLS set up once for the whole run.
    pub tls: Option<super::tls::Tls>,
}

/// The request every worker sends (bodies taken in turn).
#[derive(Debug, Clone)]
pub struct Template {
    pub method: Method,
    /// Origin-form target: path and query.
    pub uri: Uri,
    pub headers: HeaderMap,
    /// Each request as it goes on the wire (head and body), one per body, sent in turn.
    pub wire: Vec<Bytes>,
    /// `--http2`: the request head as frames carry it, and the bodies (in the order of `wire`).
    pub h2: Option<(super::http2::Head, Vec<Bytes>)>,
}

/// How much load, for how long.
#[derive(Debug, Clone)]
pub struct Load {
    pub connections: usize,
    pub duration: Option<Duration>,
    pub requests: Option<u64>,
    /// Open loop when set: requests per second across all connections.
    pub rate: Option<f64>,
    pub arrival: Arrival,
    pub warmup: Duration,
    pub ramp: Duration,
}

/// A checked, ready-to-run load test.
#[derive(Debug, Clone)]
pub struct Plan {
    pub target: Target,
    pub template: Template,
    pub load: Load,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub keepalive: bool,
    pub sse: bool,
    pub threads: usize,
}

/// The default run length when neither `-d` nor `-n` is given.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(10);

impl Plan {
    pub fn new(spec: Spec) -> Result<Self, BenchError> {
        let mut target = parse_url(&spec.url)?;
        if spec.url.starts_with("https") {
            target.tls = Some(super::tls::Tls::new(
                &target.host,
                spec.insecure,
                spec.http2,
            )?);
        }
        let uri: Uri = spec
            .url
            .parse()
            .map_err(|e: http::uri::InvalidUri| BenchError::Url {
                url: spec.url.clone(),
                message: e.to_string(),
            })?;
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        let origin: Uri = path
            .parse()
            .map_err(|e: http::uri::InvalidUri| BenchError::Url {
                url: spec.url.clone(),
                message: e.to_string(),
            })?;

        let method = match &spec.method {
            None if spec.bodies.is_empty() => Method::GET,
            None => Method::POST,
            Some(m) => Method::from_bytes(m.to_ascii_uppercase().as_bytes())
                .map_err(|_| BenchError::Method(m.clone()))?,
        };

        let mut headers = HeaderMap::new();
        for raw in &spec.headers {
            let (name, value) = parse_header(raw)?;
            headers.append(name, value);
        }
        if !headers.contains_key(header::HOST) {
            let default_port = if target.tls.is_some() { 443 } else { 80 };
            let host = if target.port == default_port {
                target.host.clone()
            } else {
                format!("{}:{}", target.host, target.port)
            };
            let value = HeaderValue::from_str(&host).map_err(|_| BenchError::Url {
                url: spec.url.clone(),
                message: "the host is not a valid Host header".into(),
            })?;
            headers.insert(header::HOST, value);
        }
        if !headers.contains_key(header::USER_AGENT) {
            headers.insert(
                header::USER_AGENT,
                HeaderValue::from_static(concat!("plugctl/", env!("CARGO_PKG_VERSION"))),
            );
        }
        if let Some(ct) = spec.content_type
            && !headers.contains_key(header::CONTENT_TYPE)
        {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        if spec.sse && !headers.contains_key(header::ACCEPT) {
            headers.insert(
                header::ACCEPT,
                HeaderValue::from_static("text/event-stream"),
            );
        }
        if !spec.keepalive {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        let wire = if spec.bodies.is_empty() {
            vec![render(&method, &origin, &headers, b"")]
        } else {
            spec.bodies
                .iter()
                .map(|b| render(&method, &origin, &headers, b))
                .collect()
        };

        let h2 = spec.http2.then(|| {
            let mut h2_headers = headers.clone();
            for name in [
                header::HOST,
                header::CONNECTION,
                header::TRANSFER_ENCODING,
                header::UPGRADE,
            ] {
                h2_headers.remove(name);
            }
            h2_headers.remove("keep-alive");
            h2_headers.remove("proxy-connection");
            let bodies = if spec.bodies.is_empty() {
                vec![Bytes::new()]
            } else {
                spec.bodies.clone()
            };
            let head = super::http2::Head {
                method: method.clone(),
                uri: uri.clone(),
                headers: h2_headers,
            };
            (head, bodies)
        });
        let load = validate_load(&spec)?;
        if spec.timeout.is_zero() || spec.connect_timeout.is_zero() {
            return Err(BenchError::Plan("timeouts must be longer than zero".into()));
        }
        let threads = spec.threads.clamp(1, load.connections);
        Ok(Plan {
            target,
            template: Template {
                method,
                uri: origin,
                headers,
                wire,
                h2,
            },
            load,
            timeout: spec.timeout,
            connect_timeout: spec.connect_timeout,
            keepalive: spec.keepalive,
            sse: spec.sse,
            threads,
        })
    }

    /// True for `--rate`: sends follow a schedule, not the server's pace.
    pub fn is_open_loop(&self) -> bool {
        self.load.rate.is_some()
    }
}

fn validate_load(spec: &Spec) -> Result<Load, BenchError> {
    if spec.connections == 0 || spec.connections > 100_000 {
        return Err(BenchError::Plan(
            "connections (-c) must be between 1 and 100000".into(),
        ));
    }
    if let Some(rate) = spec.rate {
        if !rate.is_finite() || rate <= 0.0 || rate > 10_000_000.0 {
            return Err(BenchError::Plan(
                "the rate must be a positive number of requests per second".into(),
            ));
        }
    } else if spec.arrival == Arrival::Poisson {
        return Err(BenchError::Plan("--arrival poisson needs --rate".into()));
    }
    if spec.requests == Some(0) {
        return Err(BenchError::Plan("-n must be at least 1".into()));
    }
    if spec.duration.is_some_and(|d| d.is_zero()) {
        return Err(BenchError::Plan(
            "the duration must be longer than zero".into(),
        ));
    }
    let duration = match (spec.duration, spec.requests) {
        (None, None) => Some(DEFAULT_DURATION),
        (d, _) => d,
    };
    Ok(Load {
        connections: spec.connections,
        duration,
        requests: spec.requests,
        rate: spec.rate,
        arrival: spec.arrival,
        warmup: spec.warmup,
        ramp: spec.ramp,
    })
}

fn parse_url(url: &str) -> Result<Target, BenchError> {
    let bad = |message: &str| BenchError::Url {
        url: url.to_string(),
        message: message.to_string(),
    };
    let uri: Uri = url.parse().map_err(|_| bad("not a URL"))?;
    let default_port = match uri.scheme_str() {
        Some("http") => 80,
        Some("https") => 443,
        Some(_) => return Err(bad("the scheme must be http or https")),
        None => return Err(bad("the URL needs a scheme, e.g. http://")),
    };
    let host = uri.host().ok_or_else(|| bad("the URL has no host"))?;
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    Ok(Target {
        url: url.to_string(),
        host,
        port: uri.port_u16().unwrap_or(default_port),
        tls: None,
    })
}

fn parse_header(raw: &str) -> Result<(HeaderName, HeaderValue), BenchError> {
    let bad = || BenchError::Header(raw.to_string());
    let (name, value) = raw.split_once(':').ok_or_else(bad)?;
    let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| bad())?;
    let value = HeaderValue::from_str(value.trim()).map_err(|_| bad())?;
    Ok((name, value))
}

/// A whole HTTP/1.1 request (RFC 9112 §3): request line, headers, Content-Length, body.
fn render(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(256 + body.len());
    out.extend_from_slice(method.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(uri.to_string().as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    for (name, value) in headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    let needs_length =
        !body.is_empty() || matches!(*method, Method::POST | Method::PUT | Method::PATCH);
    if needs_length && !headers.contains_key(header::CONTENT_LENGTH) {
        out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    Bytes::from(out)
}

/// Splits a JSONL file into request bodies: one per non-empty line, each checked to be JSON.
pub fn body_lines(text: &[u8]) -> Result<Vec<Bytes>, BenchError> {
    let mut out = Vec::new();
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        serde_json::from_slice::<serde_json::Value>(line)
            .map_err(|e| BenchError::Json(format!("line {}: {e}", i + 1)))?;
        out.push(Bytes::copy_from_slice(line));
    }
    Ok(out)
}

/// Parses a duration such as `10s`, `500ms`, `2m`, `1h`, `1.5s` or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 10s, 500ms or 2m"))?;
    let secs = match unit.trim() {
        "" | "s" | "sec" => value,
        "ms" => value / 1e3,
        "us" | "µs" => value / 1e6,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        other => {
            return Err(format!(
                "unknown unit {other:?} in {text:?} (use ms, s, m or h)"
            ));
        }
    };
    if !secs.is_finite() || !(0.0..=86_400.0 * 7.0).contains(&secs) {
        return Err(format!("{text:?} is out of range"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(url: &str) -> Spec {
        Spec {
            url: url.into(),
            connections: 50,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
            keepalive: true,
            threads: 1,
            ..Spec::default()
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("1.5").unwrap(), Duration::from_millis(1500));
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn plan_defaults_and_headers() {
        let mut s = spec("http://127.0.0.1:8080/v1/chat?x=1");
        s.headers = vec!["X-Test: yes".into()];
        s.bodies = vec![Bytes::from_static(b"{}")];
        s.content_type = Some("application/json");
        let plan = Plan::new(s).unwrap();
        assert_eq!(plan.template.method, Method::POST);
        assert_eq!(plan.template.uri, "/v1/chat?x=1");
        assert_eq!(plan.template.headers["host"], "127.0.0.1:8080");
        assert_eq!(plan.template.headers["x-test"], "yes");
        assert_eq!(plan.template.headers["content-type"], "application/json");
        assert_eq!(plan.load.duration, Some(DEFAULT_DURATION));
        let wire = String::from_utf8(plan.template.wire[0].to_vec()).unwrap();
        assert!(wire.starts_with("POST /v1/chat?x=1 HTTP/1.1\r\n"), "{wire}");
        assert!(wire.contains("\r\nhost: 127.0.0.1:8080\r\n"), "{wire}");
        assert!(wire.ends_with("content-length: 2\r\n\r\n{}"), "{wire}");
        assert!(!plan.is_open_loop());
    }

    #[test]
    fn bad_arguments_are_usage_errors() {
        for url in ["example.com", "ftp://x/", "http://"] {
            assert!(Plan::new(spec(url)).unwrap_err().is_usage(), "{url}");
        }
        let tls = Plan::new(spec("https://localhost/")).unwrap();
        assert!(tls.target.tls.is_some());
        assert_eq!(tls.target.port, 443);
        assert_eq!(tls.template.headers["host"], "localhost");
        let mut s = spec("http://127.0.0.1/");
        s.headers = vec!["no colon".into()];
        assert!(Plan::new(s).is_err());
        let mut s = spec("http://127.0.0.1/");
        s.arrival = Arrival::Poisson;
        assert!(Plan::new(s).is_err());
        let mut s = spec("http://127.0.0.1/");
        s.rate = Some(-3.0);
        assert!(Plan::new(s).is_err());
    }

    #[test]
    fn jsonl_lines() {
        let lines = body_lines(b"{\"a\":1}\n\n{\"b\":2}\r\n").unwrap();
        assert_eq!(
            lines,
            vec![
                Bytes::from_static(b"{\"a\":1}"),
                Bytes::from_static(b"{\"b\":2}")
            ]
        );
        assert!(body_lines(b"{oops\n").is_err());
    }
}
