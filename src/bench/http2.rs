//! `--http2`: one HTTP/2 connection per worker (h2), one request in flight on it at a time.
//!
//! Over `https://` the protocol is agreed with ALPN (`h2`); over `http://` it is spoken with
//! prior knowledge (h2c, RFC 9113 §3.3). The connection's frames are driven by a task of the
//! worker's own thread. Results have the same shape as HTTP/1.1's (`http1::Answer`), so the
//! worker and the report do not care which protocol ran.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::RETRY_AFTER;
use http::{HeaderMap, Method, Request, Uri};

use super::http1::{Answer, Exchange, Failure, connect_tcp};
use super::stream::SseReader;
use super::tls::Tls;

/// The parts of a request HTTP/2 sends as frames, built once per run.
#[derive(Debug, Clone)]
pub struct Head {
    pub method: Method,
    /// Absolute: scheme and authority become pseudo-headers.
    pub uri: Uri,
    /// Without the connection-specific headers HTTP/2 forbids (RFC 9113 §8.2.2) and without
    /// Host (it is `:authority`).
    pub headers: HeaderMap,
}

pub(crate) struct Conn {
    sender: h2::client::SendRequest<Bytes>,
    driver: tokio::task::JoinHandle<()>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

/// The HTTP/2 preface on an open stream; the connection's frames are then driven by a local task.
async fn handshake<S>(
    io: S,
) -> Result<(h2::client::SendRequest<Bytes>, tokio::task::JoinHandle<()>), Failure>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + 'static,
{
    let (sender, connection) = h2::client::handshake(io).await.map_err(|e| classify(&e))?;
    let driver = tokio::task::spawn_local(async move {
        let _ = connection.await;
    });
    Ok((sender, driver))
}

impl Conn {
    /// Connects, does the TLS handshake if any and the HTTP/2 preface, within `timeout`. Must
    /// run inside a `LocalSet` (the connection is driven by a local task).
    pub(crate) async fn open(
        addr: SocketAddr,
        timeout: Duration,
        tls: Option<&Tls>,
    ) -> Result<Self, Failure> {
        let connect = async {
            let tcp = connect_tcp(addr).await?;
            let (sender, driver) = match tls {
                None => handshake(tcp).await?,
                Some(tls) => {
                    let stream = tls
                        .connector
                        .connect(tls.server_name.clone(), tcp)
                        .await
                        .map_err(|_| Failure::Tls)?;
                    handshake(stream).await?
                }
            };
            Ok(Self { sender, driver })
        };
        match tokio::time::timeout(timeout, connect).await {
            Ok(result) => result,
            Err(_) => Err(Failure::Connect),
        }
    }

    /// Sends one request and reads its whole response.
    pub(crate) async fn exchange(
        &mut self,
        head: &Head,
        body: &Bytes,
        sse: bool,
    ) -> Result<Answer, Exchange> {
        let fail = |e: h2::Error| Exchange {
            failure: classify(&e),
            nothing_received: false,
        };
        let mut sender = self.sender.clone().ready().await.map_err(|e| Exchange {
            failure: classify(&e),
            nothing_received: true,
        })?;
        let mut request = Request::new(());
        *request.method_mut() = head.method.clone();
        *request.uri_mut() = head.uri.clone();
        *request.headers_mut() = head.headers.clone();
        let (response, mut send) = sender
            .send_request(request, body.is_empty())
            .map_err(fail)?;
        if !body.is_empty() {
            send.send_data(body.clone(), true).map_err(fail)?;
        }
        let response = response.await.map_err(fail)?;
        let first_byte = Instant::now();
        let status = response.status().as_u16();
        let retry_after = (status == 429)
            .then(|| response.headers().get(RETRY_AFTER))
            .flatten()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string());
        // HPACK hides the real size of the head; count it as HTTP/1.1 would have sent it.
        let mut bytes_in = 17 + 2;
        for (name, value) in response.headers() {
            bytes_in += name.as_str().len() + value.len() + 4;
        }
        let mut bytes_in = bytes_in as u64;
        let mut body = response.into_body();
        let mut reader = sse.then(SseReader::new);
        while let Some(chunk) = body.data().await {
            let chunk = chunk.map_err(fail)?;
            bytes_in += chunk.len() as u64;
            let _ = body.flow_control().release_capacity(chunk.len());
            if let Some(r) = reader.as_mut() {
                r.feed(&chunk, Instant::now());
                if r.is_done() {
                    break;
                }
            }
        }
        Ok(Answer {
            status,
            first_byte,
            end: Instant::now(),
            bytes_in,
            retry_after,
            stream: reader,
            reusable: true,
        })
    }
}

fn classify(e: &h2::Error) -> Failure {
    if let Some(io) = e.get_io() {
        return match io.kind() {
            std::io::ErrorKind::InvalidData
                if io
                    .get_ref()
                    .is_some_and(|inner| inner.is::<rustls::Error>()) =>
            {
                Failure::Tls
            }
            std::io::ErrorKind::ConnectionRefused => Failure::Connect,
            _ => Failure::Reset,
        };
    }
    if e.is_go_away() || e.is_reset() {
        return Failure::Reset;
    }
    Failure::Protocol
}
