//! Loopback HTTP/1.1 targets for the bench tests, each on 127.0.0.1:0 with a known behaviour.
//!
//! Blocking, one thread per connection, on purpose: `std::thread::sleep` keeps the injected
//! delays precise to a fraction of a millisecond (an async timer rounds up to whole
//! milliseconds), so the "truth" the accuracy tests compare against is really the truth.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What a target does with each request.
#[derive(Debug, Clone)]
pub enum Behavior {
    /// 200 with a small JSON body, at once.
    Plain,
    /// 200 after this delay.
    Slow(Duration),
    /// Always this status.
    Status(u16),
    /// Every other request gets 429 with `Retry-After: 1`.
    RateLimited,
    /// 200 with `Connection: close`, then closes.
    Closing,
    /// 2% of requests (every 50th) are delayed 20 ms.
    TwoPercentDelayed,
    /// Like `TwoPercentDelayed`, and the whole server freezes for 300 ms once a second.
    Freeze,
    /// An OpenAI-style chat stream: `tokens` chunks, `gap` apart, after `first` delay.
    Sse {
        first: Duration,
        gap: Duration,
        tokens: usize,
    },
}

/// A running target; it stops when dropped.
pub struct Server {
    pub addr: SocketAddr,
    pub hits: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl Server {
    pub fn start(behavior: Behavior) -> Self {
        Self::start_with(behavior, None)
    }

    /// The same target behind TLS, with a fresh self-signed certificate for localhost.
    pub fn start_tls(behavior: Behavior) -> Self {
        Self::start_with(behavior, Some(Arc::new(tls_config(b"http/1.1"))))
    }

    /// An HTTP/2 target answering 200 with the small JSON body: h2c (prior knowledge), or
    /// over TLS with ALPN `h2` when `tls` is set.
    pub fn start_h2(tls: bool) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        listener.set_nonblocking(true).expect("nonblocking");
        let hits = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s) = (Arc::clone(&hits), Arc::clone(&stop));
        let acceptor = tls.then(|| tokio_rustls::TlsAcceptor::from(Arc::new(tls_config(b"h2"))));
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                while !s.load(Ordering::Relaxed) {
                    let Ok((tcp, _)) = listener.accept().await else {
                        continue;
                    };
                    let (hits, acceptor) = (Arc::clone(&h), acceptor.clone());
                    tokio::spawn(async move {
                        match acceptor {
                            None => serve_h2(tcp, &hits).await,
                            Some(a) => {
                                if let Ok(tls) = a.accept(tcp).await {
                                    serve_h2(tls, &hits).await;
                                }
                            }
                        }
                    });
                }
            });
        });
        Self { addr, hits, stop }
    }

    fn start_with(behavior: Behavior, tls: Option<Arc<rustls::ServerConfig>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let hits = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s) = (Arc::clone(&hits), Arc::clone(&stop));
        let born = Instant::now();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (behavior, hits, stop) = (behavior.clone(), Arc::clone(&h), Arc::clone(&s));
                let tls = tls.clone();
                std::thread::spawn(move || {
                    let _ = stream.set_nodelay(true);
                    match tls {
                        None => serve(stream, &behavior, &hits, &stop, born),
                        Some(config) => {
                            let Ok(conn) = rustls::ServerConnection::new(config) else {
                                return;
                            };
                            let tls = rustls::StreamOwned::new(conn, stream);
                            serve(tls, &behavior, &hits, &stop, born);
                        }
                    }
                });
            }
        });
        Self { addr, hits, stop }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

const BODY: &str =
    r#"{"response":"success","detail":"a small answer, about as long as a plugin's"}"#;

fn serve<S: Read + Write>(
    stream: S,
    behavior: &Behavior,
    hits: &AtomicU64,
    stop: &AtomicBool,
    born: Instant,
) {
    let mut reader = BufReader::new(stream);
    loop {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        // Request head.
        let mut content_length = 0usize;
        let mut line = String::new();
        let mut first = true;
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line == "\r\n" || line == "\n" {
                break;
            }
            if !first
                && let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                content_length = value.trim().parse().unwrap_or(0);
            }
            first = false;
        }
        let mut body = vec![0; content_length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let n = hits.fetch_add(1, Ordering::Relaxed);
        let out = reader.get_mut();
        let ok = |out: &mut S, extra: &str| {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}\r\n",
                BODY.len()
            );
            out.write_all(head.as_bytes())
                .and_then(|_| out.write_all(BODY.as_bytes()))
        };
        let written = match behavior {
            Behavior::Plain => ok(out, ""),
            Behavior::Slow(d) => {
                std::thread::sleep(*d);
                ok(out, "")
            }
            Behavior::Status(code) => out.write_all(
                format!("HTTP/1.1 {code} Oops\r\nContent-Length: 2\r\n\r\n{{}}").as_bytes(),
            ),
            Behavior::RateLimited if n.is_multiple_of(2) => out.write_all(
                b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n",
            ),
            Behavior::RateLimited => ok(out, ""),
            Behavior::Closing => {
                let _ = ok(out, "Connection: close\r\n").and_then(|_| out.flush());
                return;
            }
            Behavior::TwoPercentDelayed | Behavior::Freeze => {
                if matches!(behavior, Behavior::Freeze) {
                    // Frozen during the first 300 ms of every second since the server started.
                    let phase = born.elapsed().as_nanos() % 1_000_000_000;
                    if phase < 300_000_000 {
                        std::thread::sleep(Duration::from_nanos((300_000_000 - phase) as u64));
                    }
                }
                if n % 50 == 49 {
                    std::thread::sleep(Duration::from_millis(20));
                }
                ok(out, "")
            }
            Behavior::Sse { first, gap, tokens } => sse(out, *first, *gap, *tokens),
        };
        if written.and_then(|_| reader.get_mut().flush()).is_err() {
            return;
        }
    }
}

fn sse(out: &mut impl Write, first: Duration, gap: Duration, tokens: usize) -> std::io::Result<()> {
    out.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n",
    )?;
    let mut chunk = |data: &str| -> std::io::Result<()> {
        let event = format!("data: {data}\n\n");
        out.write_all(format!("{:x}\r\n{event}\r\n", event.len()).as_bytes())?;
        out.flush()
    };
    chunk(r#"{"choices":[{"delta":{"role":"assistant"}}]}"#)?;
    std::thread::sleep(first);
    for i in 0..tokens {
        if i > 0 {
            std::thread::sleep(gap);
        }
        // " hello" is one o200k token.
        chunk(r#"{"choices":[{"delta":{"content":" hello"}}]}"#)?;
    }
    chunk("[DONE]")?;
    out.write_all(b"0\r\n\r\n")?;
    out.flush()
}

/// A TLS server configuration with a fresh self-signed certificate for localhost.
fn tls_config(alpn: &[u8]) -> rustls::ServerConfig {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .expect("self-signed certificate");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .expect("server certificate");
    config.alpn_protocols = vec![alpn.to_vec()];
    config
}

async fn serve_h2<T>(io: T, hits: &AtomicU64)
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let Ok(mut conn) = h2::server::handshake(io).await else {
        return;
    };
    while let Some(Ok((request, mut respond))) = conn.accept().await {
        hits.fetch_add(1, Ordering::Relaxed);
        let mut body = request.into_body();
        tokio::spawn(async move {
            while let Some(Ok(chunk)) = body.data().await {
                let _ = body.flow_control().release_capacity(chunk.len());
            }
            let response = http::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(())
                .expect("response");
            if let Ok(mut send) = respond.send_response(response, false) {
                let _ = send.send_data(bytes::Bytes::from_static(BODY.as_bytes()), true);
            }
        });
    }
}
