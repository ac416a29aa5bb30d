//! A real `redis-server` for the tests: its own process on 127.0.0.1 and a free ephemeral port,
//! no persistence, a scratch directory, killed when dropped.
//!
//! tests/run.sh installs Debian's `redis-server` package. When the binary is missing anyway, the
//! Redis tests fail under `CI=true` and are skipped with a loud message elsewhere.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running redis-server.
pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    dir: tempfile::TempDir,
}

/// Where the binary is, if anywhere.
fn binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|dir| dir.join("redis-server"))
        .find(|p| p.is_file())
}

impl RedisServer {
    /// Starts a server, or returns `None` (after saying so loudly) when redis-server is not
    /// installed outside CI. Under `CI=true` a missing redis-server fails the test.
    // The skip message must reach the person running the tests.
    #[allow(clippy::print_stderr)]
    pub fn start() -> Option<Self> {
        let Some(bin) = binary() else {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(
                !ci,
                "redis-server is not installed: tests/run.sh installs it (apt-get install redis-server)"
            );
            eprintln!(
                "\n*** SKIPPED: redis-server is not installed; the Redis store tests did not run. \
                 Run tests/run.sh (it installs redis-server) or apt-get install redis-server. ***\n"
            );
            return None;
        };
        // The port of a socket just closed is free unless another process grabs it in between;
        // try again on another port when that happens.
        for _ in 0..5 {
            let port = free_port();
            let mut server = Self {
                child: None,
                port,
                dir: tempfile::tempdir().expect("temp dir"),
            };
            if server.spawn(&bin) {
                return Some(server);
            }
        }
        panic!("redis-server did not start on any of 5 ports");
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn spawn(&mut self, bin: &PathBuf) -> bool {
        let child = Command::new(bin)
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            // No RDB snapshots, no AOF: nothing outlives the test.
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .args(["--daemonize", "no", "--loglevel", "warning"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.answers() {
                return true;
            }
            if let Some(child) = self.child.as_mut()
                && child.try_wait().ok().flatten().is_some()
            {
                self.child = None;
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.stop();
        false
    }

    /// Whether the server answers PING.
    pub fn answers(&self) -> bool {
        let Ok(mut tcp) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = tcp.set_read_timeout(Some(Duration::from_secs(1)));
        let mut reply = [0u8; 7];
        tcp.write_all(b"PING\r\n").is_ok()
            && tcp.read_exact(&mut reply).is_ok()
            && &reply == b"+PONG\r\n"
    }

    /// Kills the server (its data is gone: no persistence).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port.
    pub fn restart(&mut self) {
        self.stop();
        let bin = binary().expect("redis-server");
        assert!(self.spawn(&bin), "redis-server did not restart");
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
