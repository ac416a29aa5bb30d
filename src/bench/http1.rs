//! A minimal HTTP/1.1 client connection, made for load generation.
//!
//! A load generator sends the same few requests millions of times, so the request is rendered to
//! bytes once (`plan.rs`) and each exchange is one `write` of those bytes and as few `read`s as
//! the response needs, into a buffer the connection keeps. The response head is parsed with
//! httparse; only what the report needs is looked at (status, framing, `Connection`,
//! `Retry-After`). Bodies are framed per RFC 9112 §6: `Content-Length`, chunked (§7.1), or until
//! the server closes. This replaced hyper's client connection, which costs more CPU per request
//! (a header map per request and response, a channel between the request and the connection).

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::stream::SseReader;
use super::tls::Tls;

/// Largest response head accepted, and the size of the read buffer.
const BUFFER: usize = 64 * 1024;
const MAX_HEADERS: usize = 64;

/// Why an exchange failed, before the report buckets it.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The connection could not be opened.
    Connect,
    /// The TLS handshake failed (or TLS broke later).
    Tls,
    /// Reset or closed before the response was complete.
    Reset,
    /// The server sent something that is not HTTP/1.1.
    Protocol,
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        use io::ErrorKind as K;
        match e.kind() {
            K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
                Failure::Reset
            }
            // rustls reports its errors as InvalidData.
            K::InvalidData if e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) => {
                Failure::Tls
            }
            _ => Failure::Protocol,
        }
    }
}

/// What the report needs from one response.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    /// When the first byte of the response arrived.
    pub first_byte: Instant,
    pub end: Instant,
    /// Bytes read for this response (head and body, as on the wire).
    pub bytes_in: u64,
    pub retry_after: Option<String>,
    pub stream: Option<SseReader>,
    /// The connection can carry another request.
    pub reusable: bool,
}

/// A plain or TLS byte stream.
enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Stream {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf).await,
            Stream::Tls(s) => s.read(buf).await,
        }
    }

    async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.write_all(buf).await,
            Stream::Tls(s) => {
                s.write_all(buf).await?;
                s.flush().await
            }
        }
    }
}

/// One open connection and its read buffer.
pub(crate) struct Conn {
    stream: Stream,
    buf: Box<[u8]>,
}

/// Opens the TCP connection of a worker, for HTTP/1.1 and HTTP/2 alike.
pub(crate) async fn connect_tcp(addr: SocketAddr) -> Result<TcpStream, Failure> {
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(|_| Failure::Connect)?;
    // Requests are small and latency-bound: never let Nagle hold one back.
    let _ = tcp.set_nodelay(true);
    Ok(tcp)
}

impl Conn {
    /// Connects (and does the TLS handshake), all within `timeout`.
    pub(crate) async fn open(
        addr: SocketAddr,
        timeout: Duration,
        tls: Option<&Tls>,
    ) -> Result<Self, Failure> {
        let connect = async {
            let tcp = connect_tcp(addr).await?;
            match tls {
                None => Ok(Stream::Plain(tcp)),
                Some(tls) => tls
                    .connector
                    .connect(tls.server_name.clone(), tcp)
                    .await
                    .map(|s| Stream::Tls(Box::new(s)))
                    .map_err(|_| Failure::Tls),
            }
        };
        let stream = match tokio::time::timeout(timeout, connect).await {
            Ok(result) => result?,
            Err(_) => return Err(Failure::Connect),
        };
        Ok(Self {
            stream,
            buf: vec![0; BUFFER].into_boxed_slice(),
        })
    }

    /// Sends `request` (already rendered) and reads the whole response. `sse` feeds the body
    /// to an event-stream reader; `head` says the request was a HEAD (no body follows).
    pub(crate) async fn exchange(
        &mut self,
        request: &[u8],
        sse: bool,
        head: bool,
    ) -> Result<Answer, Exchange> {
        if let Err(e) = self.stream.write_all(request).await {
            return Err(Exchange {
                failure: e.into(),
                nothing_received: true,
            });
        }
        let mut filled = 0;
        let mut bytes_in = 0u64;
        let mut first_byte = None;
        // The head: read until httparse has all of it.
        let (status, head_len, framing, close, retry_after) = loop {
            let n = match self.stream.read(&mut self.buf[filled..]).await {
                Ok(0) => {
                    return Err(Exchange {
                        failure: Failure::Reset,
                        nothing_received: filled == 0,
                    });
                }
                Ok(n) => n,
                Err(e) => {
                    return Err(Exchange {
                        failure: e.into(),
                        nothing_received: filled == 0,
                    });
                }
            };
            first_byte.get_or_insert_with(Instant::now);
            filled += n;
            bytes_in += n as u64;
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut response = httparse::Response::new(&mut headers);
            match response.parse(&self.buf[..filled]) {
                Ok(httparse::Status::Complete(len)) => {
                    let status = response.code.unwrap_or(0);
                    if (100..200).contains(&status) && status != 101 {
                        // An interim answer (100 Continue): drop it, the real one follows.
                        self.buf.copy_within(len..filled, 0);
                        filled -= len;
                        continue;
                    }
                    let parsed = Head::read(&response, status, head);
                    break (
                        status,
                        len,
                        parsed.framing,
                        parsed.close,
                        parsed.retry_after,
                    );
                }
                Ok(httparse::Status::Partial) if filled < self.buf.len() => continue,
                _ => return Err(Exchange::protocol()),
            }
        };
        let first_byte = first_byte.unwrap_or_else(Instant::now);

        // The body.
        let mut reader = sse.then(SseReader::new);
        let mut start = head_len;
        let mut reusable = !close;
        match framing {
            Framing::Empty => {}
            Framing::Length(mut remaining) => loop {
                let take = remaining.min((filled - start) as u64) as usize;
                if let Some(r) = reader.as_mut() {
                    r.feed(&self.buf[start..start + take], Instant::now());
                }
                remaining -= take as u64;
                if remaining == 0 {
                    break;
                }
                filled = self.read_more(&mut bytes_in).await?;
                start = 0;
            },
            Framing::Chunked => {
                let mut decoder = Chunked::default();
                loop {
                    let now = Instant::now();
                    let used = decoder
                        .decode(&self.buf[start..filled], &mut |data| {
                            if let Some(r) = reader.as_mut() {
                                r.feed(data, now);
                            }
                        })
                        .map_err(|_| Exchange::protocol())?;
                    start += used;
                    if decoder.is_done() {
                        break;
                    }
                    if reader.as_ref().is_some_and(SseReader::is_done) {
                        // Some servers keep the stream open after [DONE]; don't wait for them.
                        reusable = false;
                        break;
                    }
                    // Keep the undecoded tail (a partial size line) and read more after it.
                    self.buf.copy_within(start..filled, 0);
                    filled -= start;
                    start = 0;
                    if filled == self.buf.len() {
                        return Err(Exchange::protocol());
                    }
                    let n = self.read_into(filled).await?;
                    bytes_in += n as u64;
                    filled += n;
                }
            }
            Framing::UntilClose => {
                reusable = false;
                if let Some(r) = reader.as_mut() {
                    r.feed(&self.buf[start..filled], Instant::now());
                }
                loop {
                    match self.stream.read(&mut self.buf).await {
                        Ok(0) => break,
                        Ok(n) => {
                            bytes_in += n as u64;
                            if let Some(r) = reader.as_mut() {
                                r.feed(&self.buf[..n], Instant::now());
                            }
                        }
                        Err(e) => {
                            return Err(Exchange {
                                failure: e.into(),
                                nothing_received: false,
                            });
                        }
                    }
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
            reusable,
        })
    }

    /// Reads into the start of the buffer (the previous contents were consumed).
    async fn read_more(&mut self, bytes_in: &mut u64) -> Result<usize, Exchange> {
        let n = self.read_into(0).await?;
        *bytes_in += n as u64;
        Ok(n)
    }

    async fn read_into(&mut self, at: usize) -> Result<usize, Exchange> {
        match self.stream.read(&mut self.buf[at..]).await {
            Ok(0) => Err(Exchange {
                failure: Failure::Reset,
                nothing_received: false,
            }),
            Ok(n) => Ok(n),
            Err(e) => Err(Exchange {
                failure: e.into(),
                nothing_received: false,
            }),
        }
    }
}

/// A failed exchange; `nothing_received` tells a connection the server had already closed
/// (safe to retry on a new one) from a request that died midway.
#[derive(Debug)]
pub(crate) struct Exchange {
    pub failure: Failure,
    pub nothing_received: bool,
}

impl Exchange {
    fn protocol() -> Self {
        Self {
            failure: Failure::Protocol,
            nothing_received: false,
        }
    }
}

/// How the body of a response is delimited (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Empty,
    Length(u64),
    Chunked,
    UntilClose,
}

struct Head {
    framing: Framing,
    close: bool,
    retry_after: Option<String>,
}

impl Head {
    fn read(response: &httparse::Response<'_, '_>, status: u16, head_request: bool) -> Self {
        let mut length = None;
        let mut chunked = false;
        let mut close = response.version == Some(0);
        let mut retry_after = None;
        for h in response.headers.iter() {
            let name = h.name;
            if name.eq_ignore_ascii_case("content-length") {
                length = std::str::from_utf8(h.value)
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok());
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = h
                    .value
                    .rsplit(|&b| b == b',')
                    .next()
                    .is_some_and(|last| last.trim_ascii().eq_ignore_ascii_case(b"chunked"));
            } else if name.eq_ignore_ascii_case("connection") {
                for token in h.value.split(|&b| b == b',') {
                    let token = token.trim_ascii();
                    if token.eq_ignore_ascii_case(b"close") {
                        close = true;
                    } else if token.eq_ignore_ascii_case(b"keep-alive") {
                        close = false;
                    }
                }
            } else if status == 429 && name.eq_ignore_ascii_case("retry-after") {
                retry_after = Some(String::from_utf8_lossy(h.value).trim().to_string());
            }
        }
        let framing = if head_request || status == 204 || status == 304 {
            Framing::Empty
        } else if chunked {
            Framing::Chunked
        } else if let Some(n) = length {
            if n == 0 {
                Framing::Empty
            } else {
                Framing::Length(n)
            }
        } else {
            Framing::UntilClose
        };
        Self {
            framing,
            close,
            retry_after,
        }
    }
}

/// A streaming decoder for the chunked transfer coding (RFC 9112 §7.1).
#[derive(Debug, Default)]
struct Chunked {
    state: ChunkState,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum ChunkState {
    #[default]
    Size,
    Data(u64),
    DataEnd,
    Trailers,
    Done,
}

impl Chunked {
    fn is_done(&self) -> bool {
        self.state == ChunkState::Done
    }

    /// Decodes what it can of `input`, handing payload to `data`; returns the bytes consumed.
    /// A line cut in half is left unconsumed for the next call.
    fn decode(&mut self, input: &[u8], data: &mut dyn FnMut(&[u8])) -> Result<usize, ()> {
        let mut pos = 0;
        loop {
            let rest = &input[pos..];
            match self.state {
                ChunkState::Done => return Ok(pos),
                ChunkState::Data(remaining) => {
                    let take = remaining.min(rest.len() as u64) as usize;
                    if take == 0 {
                        return Ok(pos);
                    }
                    data(&rest[..take]);
                    pos += take;
                    self.state = if remaining == take as u64 {
                        ChunkState::DataEnd
                    } else {
                        ChunkState::Data(remaining - take as u64)
                    };
                }
                ChunkState::Size | ChunkState::DataEnd | ChunkState::Trailers => {
                    let Some(nl) = memchr::memchr(b'\n', rest) else {
                        if rest.len() > 4096 {
                            return Err(());
                        }
                        return Ok(pos);
                    };
                    let line = rest[..nl].strip_suffix(b"\r").unwrap_or(&rest[..nl]);
                    pos += nl + 1;
                    self.state = match self.state {
                        ChunkState::Size => {
                            let digits = line.split(|&b| b == b';').next().unwrap_or_default();
                            let text = std::str::from_utf8(digits.trim_ascii()).map_err(|_| ())?;
                            let size = u64::from_str_radix(text, 16).map_err(|_| ())?;
                            if size == 0 {
                                ChunkState::Trailers
                            } else {
                                ChunkState::Data(size)
                            }
                        }
                        ChunkState::DataEnd if line.is_empty() => ChunkState::Size,
                        ChunkState::DataEnd => return Err(()),
                        _ if line.is_empty() => ChunkState::Done,
                        _ => ChunkState::Trailers,
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(wire: &[u8], step: usize) -> (Vec<u8>, bool) {
        let mut d = Chunked::default();
        let mut out = Vec::new();
        let mut pending = Vec::new();
        for piece in wire.chunks(step) {
            pending.extend_from_slice(piece);
            let used = d
                .decode(&pending, &mut |b| out.extend_from_slice(b))
                .unwrap();
            pending.drain(..used);
        }
        (out, d.is_done())
    }

    #[test]
    fn chunked_bodies_decode_however_they_are_split() {
        let wire = b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n";
        for step in [1, 2, 3, 7, wire.len()] {
            let (out, done) = decode_all(wire, step);
            assert_eq!(out, b"hello world", "step {step}");
            assert!(done, "step {step}");
        }
    }

    #[test]
    fn chunked_garbage_is_an_error() {
        let mut d = Chunked::default();
        assert!(d.decode(b"zz\r\n", &mut |_| {}).is_err());
        let mut d = Chunked::default();
        assert!(d.decode(b"2\r\nabXY\r\n", &mut |_| {}).is_err());
    }

    fn head(raw: &[u8]) -> (u16, Head) {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut r = httparse::Response::new(&mut headers);
        assert!(r.parse(raw).unwrap().is_complete());
        let status = r.code.unwrap();
        (status, Head::read(&r, status, false))
    }

    #[test]
    fn head_requests_have_no_body() {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut r = httparse::Response::new(&mut headers);
        r.parse(b"HTTP/1.1 200 OK\r\nContent-Length: 120\r\n\r\n")
            .unwrap();
        assert_eq!(Head::read(&r, 200, true).framing, Framing::Empty);
    }

    #[test]
    fn framing_follows_rfc_9112() {
        let (_, h) = head(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n");
        assert_eq!((h.framing, h.close), (Framing::Length(12), false));
        let (_, h) = head(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
        assert_eq!(h.framing, Framing::Chunked);
        let (_, h) = head(b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n");
        assert_eq!(h.framing, Framing::Empty);
        let (_, h) = head(b"HTTP/1.0 200 OK\r\n\r\n");
        assert_eq!((h.framing, h.close), (Framing::UntilClose, true));
        let (_, h) = head(b"HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n");
        assert!(h.close);
        let (s, h) =
            head(b"HTTP/1.1 429 Slow down\r\nRetry-After: 30\r\nContent-Length: 0\r\n\r\n");
        assert_eq!((s, h.retry_after.as_deref()), (429, Some("30")));
    }
}
