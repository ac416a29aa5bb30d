//! A fault-injecting model upstream on 127.0.0.1:0: it speaks the OpenAI-compatible
//! `POST /v1/chat/completions` that `plugctl serve --backend openai` calls, and can be told at
//! run time to answer errors, stall, or reset connections.
//!
//! Raw HTTP/1.1 on tokio rather than a framework: a reset needs the socket itself (`SO_LINGER`
//! 0, then close, so the peer sees RST instead of an orderly FIN).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the upstream does with the next requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 200 with `upstream says: <last message>` (an event stream when asked for one).
    Healthy,
    /// This status with a small JSON error body.
    Status(u16),
    /// Waits this long, then answers as `Healthy` would.
    Stall(Duration),
    /// Reads the request, then resets the connection.
    Reset,
}

/// A running upstream; it stops with the test's runtime.
pub struct FaultyUpstream {
    pub addr: SocketAddr,
    fault: Arc<Mutex<Fault>>,
    hits: Arc<AtomicU64>,
}

impl FaultyUpstream {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let fault = Arc::new(Mutex::new(Fault::Healthy));
        let hits = Arc::new(AtomicU64::new(0));
        let (f, h) = (Arc::clone(&fault), Arc::clone(&hits));
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (f, h) = (Arc::clone(&f), Arc::clone(&h));
                tokio::spawn(serve(stream, f, h));
            }
        });
        Self { addr, fault, hits }
    }

    /// The chat completions URL to give `plugctl serve`.
    pub fn url(&self) -> String {
        format!("http://{}/v1/chat/completions", self.addr)
    }

    /// Changes what the next requests get.
    pub fn set(&self, fault: Fault) {
        *self.fault.lock().unwrap() = fault;
    }

    /// Requests received so far (whatever they were answered).
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn serve(mut stream: TcpStream, fault: Arc<Mutex<Fault>>, hits: Arc<AtomicU64>) {
    let mut buffer = Vec::new();
    loop {
        let Some(body) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        hits.fetch_add(1, Ordering::SeqCst);
        let current = *fault.lock().unwrap();
        let answer = match current {
            Fault::Healthy => healthy(&body),
            Fault::Status(code) => {
                let body = json!({"error": {"message": "injected failure", "code": code}});
                response(code, "application/json", &body.to_string())
            }
            Fault::Stall(d) => {
                tokio::time::sleep(d).await;
                healthy(&body)
            }
            Fault::Reset => {
                // Linger 0 makes the close an RST; with a zero timeout the close never blocks.
                #[allow(deprecated)]
                let _ = stream.set_linger(Some(Duration::ZERO));
                return;
            }
        };
        if stream.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// One request's body; `None` when the client closed the connection.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Vec<u8>> {
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let length: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer[head_end..head_end + length].to_vec();
    buffer.drain(..head_end + length);
    Some(body)
}

fn healthy(body: &[u8]) -> String {
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let last = request["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["content"].as_str())
        .unwrap_or("");
    let reply = format!("upstream says: {last}");
    if request["stream"] == true {
        return response(200, "text/event-stream", &chunk_events(&reply));
    }
    let body = json!({"object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}}]});
    response(200, "application/json", &body.to_string())
}

/// A reply as an OpenAI event stream, word by word, ending with `[DONE]`.
pub fn chunk_events(reply: &str) -> String {
    let mut events = String::new();
    for piece in reply.split_inclusive(' ') {
        let chunk = json!({"object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {"content": piece}}]});
        events.push_str(&format!("data: {chunk}\n\n"));
    }
    events.push_str("data: [DONE]\n\n");
    events
}

fn response(status: u16, kind: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}
