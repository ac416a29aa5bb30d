//! Log output (tracing) on stderr: `-v`/`-q` pick the default level, `$PLUGCTL_LOG` overrides it.
//!
//! Every command logs through the subscriber [`init`] installs. A long-running server then calls
//! [`use_server_lines`]: from there on each line is text or one JSON object, every value in it has
//! been through the redact engine (a log is read by more people than the data it describes), and
//! the request lines of `plugctl serve` show at the default verbosity. The request line itself is
//! written by `serve/routes/access_log.rs`; [`anonymize_ip`] is the client-address policy.
//!
//! The request line is the one exception to redacting whole lines: it is logged under
//! [`ACCESS_TARGET`] with every value a client can choose already passed through
//! [`redact_log_value`], and the rest (route template, status, latency, a session id plugctl
//! checked, the anonymized address) cannot hold a secret. Redacting its whole text again cost
//! about a third of what a request line costs.
//!
//! A server's info lines are not written one system call each: they wait in a buffer that is
//! written out [`FLUSH_INTERVAL`] after its first line, or sooner when it fills; warnings,
//! errors and [`flush`] write out everything before them at once. Writing each request line
//! to a file cost about a tenth of a request's CPU time; a batch costs a fraction of that.

use std::cell::RefCell;
use std::io::{self, Write as _};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::fmt::format::{Format, Full, Writer};
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Registry, reload};

use crate::config::env;
use crate::output::Verbosity;
use crate::redact::{self, Operator, Redactor, Toggle};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// `2026-01-01T00:00:00.000000Z  INFO message key=value ...`
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `message` and the event's fields.
    Json,
}

impl LogFormat {
    pub fn from_name(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "text" => Some(LogFormat::Text),
            "json" => Some(LogFormat::Json),
            _ => None,
        }
    }
}

/// What [`init`] was told, so that [`use_server_lines`] can widen the filter consistently.
struct Installed {
    filter: reload::Handle<EnvFilter, Registry>,
    verbosity: Verbosity,
    verbose_count: u8,
}

static INSTALLED: OnceLock<Installed> = OnceLock::new();
/// Set once by a server; until then lines are tracing's plain text.
static SERVER_LINES: OnceLock<ServerLines> = OnceLock::new();

/// The target of `plugctl serve`'s request lines, whose values are redacted one by one.
pub const ACCESS_TARGET: &str = "plugctl::serve::access";

/// A value for the request line that a client chose (a user agent, a header name, a path
/// segment, a problem's detail), through the server's log redactor; unchanged before
/// [`use_server_lines`], when lines are not redacted at all.
pub fn redact_log_value(value: &str) -> String {
    thread_local! {
        static RECENT: RefCell<Recent> = const { RefCell::new(Recent { entries: Vec::new() }) };
    }
    match SERVER_LINES.get() {
        Some(server) => RECENT.with_borrow_mut(|recent| {
            recent.get_or_redact(value, |v| server.redactor.redact_str(v).into_owned())
        }),
        None => value.to_string(),
    }
}

/// The last values a thread redacted for request lines, with what they became. A client sends
/// the same `User-Agent` on every request, and redacting it cost 5% of a whole chat turn. The
/// log redactor is set once per process, so an entry never goes stale.
struct Recent {
    /// The most recently used first.
    entries: Vec<(Box<str>, String)>,
}

impl Recent {
    const CAPACITY: usize = 8;
    /// Longer values (a problem's detail) are rarely seen twice.
    const LONGEST: usize = 512;

    fn get_or_redact(&mut self, value: &str, redact: impl FnOnce(&str) -> String) -> String {
        if value.len() > Self::LONGEST {
            return redact(value);
        }
        let entry = match self.entries.iter().position(|(seen, _)| **seen == *value) {
            Some(i) => self.entries.remove(i),
            None => {
                self.entries.truncate(Self::CAPACITY - 1);
                (value.into(), redact(value))
            }
        };
        let redacted = entry.1.clone();
        self.entries.insert(0, entry);
        redacted
    }
}

/// Installs the global subscriber. Safe to call once per process; later calls are ignored.
pub fn init(verbosity: Verbosity, verbose_count: u8, ansi: bool) {
    let default = match (verbosity, verbose_count) {
        (Verbosity::Quiet, _) => "error",
        (_, 0) => "warn",
        (_, 1) => "plugctl=info",
        (_, 2) => "plugctl=debug",
        _ => "plugctl=trace,info",
    };
    let filter = env::var(env::LOG)
        .and_then(|spec| EnvFilter::try_new(spec).ok())
        .unwrap_or_else(|| EnvFilter::new(default));
    let (filter, handle) = reload::Layer::new(filter);
    let lines = Lines {
        plain: Format::default().with_target(verbose_count > 1),
    };
    let fmt = tracing_subscriber::fmt::layer()
        .event_format(lines)
        .with_writer(StderrLines)
        .with_ansi(ansi);
    if Registry::default()
        .with(filter)
        .with(fmt)
        .try_init()
        .is_ok()
    {
        let _ = INSTALLED.set(Installed {
            filter: handle,
            verbosity,
            verbose_count,
        });
    }
}

/// Switches the process to server logging: `format`, every line through `redactor` (see
/// [`redactor_for_logs`]), and info lines of `plugctl::serve` (one per request) shown unless
/// `-q` or `$PLUGCTL_LOG` say otherwise. The first call wins.
pub fn use_server_lines(format: LogFormat, redactor: Arc<Redactor>) {
    let _ = SERVER_LINES.set(ServerLines { format, redactor });
    start_batching();
    if let Some(installed) = INSTALLED.get() {
        let explicit = env::var(env::LOG).is_some();
        if !explicit && installed.verbosity != Verbosity::Quiet && installed.verbose_count == 0 {
            let _ = installed
                .filter
                .reload(EnvFilter::new("warn,plugctl::serve=info"));
        }
    }
}

/// The redactor for log lines: the rules and operators of `settings` (plugctl.yaml's `redact:`
/// section), with every default rule switched back on (a rule turned off for messages still
/// applies to logs), and IP addresses masked to their network rather than replaced, unless the
/// configuration picks another operator, so that an anonymized client address keeps its use.
/// `keep` lists values that are not personal (the server's own address, which its URL shows).
pub fn redactor_for_logs(
    settings: &redact::Settings,
    keep: &[String],
) -> Result<Redactor, redact::RedactError> {
    let mut settings = settings.clone();
    settings.allow_values.extend(keep.iter().cloned());
    for rule in ["ipv4", "ipv6"] {
        settings
            .operators
            .insert(0, (Some(rule.to_string()), Operator::Mask));
    }
    settings.toggles.extend(
        redact::BUILTINS
            .iter()
            .filter(|b| b.enabled)
            .map(|b| Toggle::Enable(b.name.to_string())),
    );
    Redactor::new(&settings)
}

/// A client address as it may be logged: an IPv4 address keeps its /24 (the last octet becomes
/// 0), an IPv6 address its /48 (the last 80 bits become 0), the same networks the redact engine's
/// `mask` keeps. An IPv4 address mapped into IPv6 is treated as IPv4.
pub fn anonymize_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            IpAddr::from([a, b, c, 0])
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => anonymize_ip(IpAddr::V4(v4)),
            None => {
                let s = v6.segments();
                IpAddr::from([s[0], s[1], s[2], 0, 0, 0, 0, 0])
            }
        },
    }
}

/// How long a server's info line may wait before it is written out.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(50);

/// Waiting lines are written out at once when they reach this size.
const BATCH_LIMIT: usize = 64 * 1024;

/// The lines waiting to be written, once a server batches them.
static BATCH: OnceLock<Batch> = OnceLock::new();

struct Batch {
    /// Lines not yet written.
    waiting: Mutex<Vec<u8>>,
    /// The buffer being written: held while writing, so batches reach stderr in order.
    writing: Mutex<Vec<u8>>,
    /// The thread that writes out the waiting lines after [`FLUSH_INTERVAL`].
    flusher: std::thread::Thread,
}

/// Starts batching info lines; the first call wins. Without a thread, lines stay unbatched.
fn start_batching() {
    if BATCH.get().is_some() {
        return;
    }
    let flusher = std::thread::Builder::new()
        .name("plugctl-log".into())
        .spawn(|| {
            loop {
                // Unparked by the first line into an empty buffer.
                std::thread::park();
                std::thread::sleep(FLUSH_INTERVAL);
                flush();
            }
        });
    if let Ok(handle) = flusher {
        let _ = BATCH.set(Batch {
            waiting: Mutex::new(Vec::with_capacity(BATCH_LIMIT)),
            writing: Mutex::new(Vec::with_capacity(BATCH_LIMIT)),
            flusher: handle.thread().clone(),
        });
    }
}

/// Writes out every waiting log line. Output that bypasses the log (the printer's status and
/// error lines) calls this first, so that stderr keeps the order things happened in.
pub fn flush() {
    if let Some(batch) = BATCH.get() {
        let waiting = lock(&batch.waiting);
        if !waiting.is_empty() {
            batch.write_out(waiting);
        }
    }
}

fn lock(mutex: &Mutex<Vec<u8>>) -> MutexGuard<'_, Vec<u8>> {
    // A thread that panicked while holding a buffer left whole lines in it, or none.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Batch {
    /// Writes the waiting lines; new lines can be added while the write runs.
    fn write_out(&self, mut waiting: MutexGuard<'_, Vec<u8>>) {
        let mut writing = lock(&self.writing);
        std::mem::swap(&mut *waiting, &mut *writing);
        drop(waiting);
        // Nothing useful can be done when stderr itself is gone.
        let _ = io::stderr().write_all(&writing);
        writing.clear();
    }
}

/// The writer of the global subscriber: stderr, through the batch once a server started one.
struct StderrLines;

impl<'a> MakeWriter<'a> for StderrLines {
    type Writer = LineWriter;

    fn make_writer(&'a self) -> LineWriter {
        LineWriter { urgent: true }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> LineWriter {
        // Warnings and errors are written at once; tracing orders levels by verbosity.
        LineWriter {
            urgent: *meta.level() <= Level::WARN,
        }
    }
}

/// One log line on its way to stderr.
struct LineWriter {
    urgent: bool,
}

impl io::Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let Some(batch) = BATCH.get() else {
            return io::stderr().write_all(buf);
        };
        let mut waiting = lock(&batch.waiting);
        let was_empty = waiting.is_empty();
        waiting.extend_from_slice(buf);
        if self.urgent || waiting.len() >= BATCH_LIMIT {
            batch.write_out(waiting);
        } else if was_empty {
            batch.flusher.unpark();
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The event formatter of the global subscriber: tracing's text until a server switches to
/// [`ServerLines`].
struct Lines {
    plain: Format<Full, SystemTime>,
}

impl<S, N> FormatEvent<S, N> for Lines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        match SERVER_LINES.get() {
            Some(server) => server.format_event(ctx, writer, event),
            None => self.plain.format_event(ctx, writer, event),
        }
    }
}

/// Lines of a server: text or JSON, always redacted, never coloured (they are meant for files
/// and collectors, and escape codes would get in the way of the redact engine).
#[derive(Debug, Clone)]
pub struct ServerLines {
    pub format: LogFormat,
    pub redactor: Arc<Redactor>,
}

impl<S, N> FormatEvent<S, N> for ServerLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let redacted = event.metadata().target() == ACCESS_TARGET;
        match self.format {
            LogFormat::Text if redacted => write_request_line(writer, event),
            LogFormat::Text => {
                let mut line = String::new();
                Format::default()
                    .with_ansi(false)
                    .with_target(false)
                    .format_event(ctx, Writer::new(&mut line), event)?;
                if redacted {
                    writer.write_str(&line)
                } else {
                    writer.write_str(&self.redactor.redact_str(&line))
                }
            }
            LogFormat::Json => {
                let mut fields = Map::new();
                event.record(&mut JsonFields(&mut fields));
                let mut fields = Value::Object(fields);
                if !redacted {
                    self.redactor.redact_value(&mut fields);
                }
                // Added after redaction: they come from plugctl, not from the event's values.
                let mut timestamp = String::new();
                write_timestamp(&mut Writer::new(&mut timestamp))?;
                let meta = event.metadata();
                let mut line = Map::new();
                line.insert("timestamp".into(), timestamp.into());
                line.insert("level".into(), meta.level().as_str().into());
                line.insert("target".into(), meta.target().into());
                // Redaction rewrites strings in place: the object is still an object.
                if let Value::Object(fields) = fields {
                    line.extend(fields);
                }
                let text = serde_json::to_string(&line).map_err(|_| std::fmt::Error)?;
                writeln!(writer, "{text}")
            }
        }
    }
}

/// The current time as tracing's `SystemTime` writes it (`2026-11-27T03:02:38.877142Z`). Each
/// thread formats the part down to the second once per second: formatting all of it every time
/// took a third of writing a request line.
fn write_timestamp(writer: &mut Writer<'_>) -> std::fmt::Result {
    thread_local! {
        static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
    }
    let Ok(now) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) else {
        return SystemTime.format_time(writer);
    };
    SECOND.with_borrow_mut(|(second, text)| {
        if *second != now.as_secs() {
            text.clear();
            if !format_second(now.as_secs(), text) {
                return SystemTime.format_time(writer);
            }
            *second = now.as_secs();
        }
        write!(writer, "{text}.{:06}Z", now.subsec_micros())
    })
}

/// `YYYY-MM-DDTHH:MM:SS` of a Unix time, in UTC; false for a year past 9999 (which tracing
/// writes differently).
fn format_second(unix: u64, out: &mut String) -> bool {
    use std::fmt::Write as _;
    let Some(t) = i64::try_from(unix)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .filter(|t| t.year() <= 9999)
    else {
        return false;
    };
    write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
    .is_ok()
}

/// A request line in the text format, written straight into the subscriber's line buffer. It
/// reads the same as tracing's own text format (no span is open around a request line), whose
/// general machinery and extra copy cost more than the rest of the line.
fn write_request_line(mut writer: Writer<'_>, event: &Event<'_>) -> std::fmt::Result {
    if write_timestamp(&mut writer).is_err() {
        writer.write_str("<unknown time>")?;
    }
    let level = match *event.metadata().level() {
        Level::TRACE => "TRACE",
        Level::DEBUG => "DEBUG",
        Level::INFO => " INFO",
        Level::WARN => " WARN",
        Level::ERROR => "ERROR",
    };
    writer.write_char(' ')?;
    writer.write_str(level)?;
    writer.write_char(' ')?;
    let mut fields = TextFields {
        writer: &mut writer,
        first: true,
        result: Ok(()),
    };
    event.record(&mut fields);
    fields.result?;
    writer.write_char('\n')
}

/// Writes fields as tracing's text format does: the message bare, then `name=value` separated
/// by spaces, strings quoted and escaped as Rust's `Debug` does (so a value cannot break the
/// line).
struct TextFields<'a, 'w> {
    writer: &'a mut Writer<'w>,
    first: bool,
    result: std::fmt::Result,
}

impl TextFields<'_, '_> {
    /// Starts a field: the separator, then `name=` unless it is the message.
    fn start(&mut self, field: &Field) -> bool {
        if self.result.is_err() {
            return false;
        }
        if !self.first {
            self.result = self.writer.write_char(' ');
        }
        self.first = false;
        if field.name() != "message" {
            self.result = self
                .result
                .and_then(|()| self.writer.write_str(field.name()))
                .and_then(|()| self.writer.write_char('='));
        }
        self.result.is_ok()
    }
}

impl Visit for TextFields<'_, '_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if !self.start(field) {
            return;
        }
        // Printable ASCII without quotes or backslashes reads the same escaped or not.
        let plain = value
            .bytes()
            .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\');
        self.result = if field.name() == "message" {
            self.writer.write_str(value)
        } else if plain {
            self.writer
                .write_char('"')
                .and_then(|()| self.writer.write_str(value))
                .and_then(|()| self.writer.write_char('"'))
        } else {
            write!(self.writer, "{value:?}")
        };
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if self.start(field) {
            self.result = write!(self.writer, "{value:?}");
        }
    }
}

/// Collects an event's fields as JSON values (numbers stay numbers).
struct JsonFields<'a>(&'a mut Map<String, Value>);

impl Visit for JsonFields<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().into(), format!("{value:?}").into());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn seconds_are_formatted_as_tracing_formats_them() {
        let second = |unix| {
            let mut out = String::new();
            assert!(super::format_second(unix, &mut out));
            out
        };
        assert_eq!(second(0), "1970-01-01T00:00:00");
        assert_eq!(second(951_782_400), "2000-02-29T00:00:00");
        assert_eq!(second(1_795_748_555), "2026-11-27T03:02:35");
        assert!(!super::format_second(253_402_300_800, &mut String::new()));
        // Against tracing's own clock: both read now, so retry across a second's boundary.
        let format = |f: fn(&mut super::Writer<'_>) -> std::fmt::Result| {
            let mut out = String::new();
            f(&mut super::Writer::new(&mut out)).unwrap();
            out
        };
        let same = (0..5).any(|_| {
            let ours = format(super::write_timestamp);
            let theirs = format(|w| super::SystemTime.format_time(w));
            ours.len() == theirs.len() && ours[..20] == theirs[..20]
        });
        assert!(
            same,
            "{} / {}",
            format(super::write_timestamp),
            format(|w| super::SystemTime.format_time(w))
        );
    }

    #[test]
    fn recent_values_are_redacted_once_until_eight_others_push_them_out() {
        let mut recent = super::Recent {
            entries: Vec::new(),
        };
        let calls = std::cell::Cell::new(0);
        let mut redact = |v: &str| {
            recent.get_or_redact(v, |v| {
                calls.set(calls.get() + 1);
                v.to_uppercase()
            })
        };
        assert_eq!(redact("curl/8.5"), "CURL/8.5");
        assert_eq!(redact("curl/8.5"), "CURL/8.5");
        assert_eq!(calls.get(), 1);
        for i in 0..7 {
            redact(&format!("agent {i}"));
        }
        // Eight distinct values since: still held, as the least recently used.
        assert_eq!(redact("curl/8.5"), "CURL/8.5");
        assert_eq!(calls.get(), 8);
        for i in 7..15 {
            redact(&format!("agent {i}"));
        }
        assert_eq!(redact("curl/8.5"), "CURL/8.5");
        assert_eq!(calls.get(), 17);
        let long = "x".repeat(600);
        redact(&long);
        redact(&long);
        assert_eq!(calls.get(), 19);
    }

    use super::*;
    use std::sync::Mutex;

    #[test]
    fn addresses_keep_their_network_only() {
        for (ip, logged) in [
            // IPv4: the /24.
            ("203.0.113.77", "203.0.113.0"),
            ("127.0.0.1", "127.0.0.0"),
            // IPv6: the /48.
            ("2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::"),
            ("::1", "::"),
            // IPv4 mapped into IPv6 is IPv4.
            ("::ffff:198.51.100.23", "198.51.100.0"),
        ] {
            let parsed: IpAddr = ip.parse().unwrap();
            assert_eq!(anonymize_ip(parsed).to_string(), logged, "{ip}");
        }
    }

    #[test]
    fn anonymizing_twice_changes_nothing() {
        for text in ["10.1.2.3", "2001:db8:1:2:3:4:5:6", "::ffff:10.9.8.7"] {
            let once = anonymize_ip(text.parse().unwrap());
            assert_eq!(anonymize_ip(once), once, "{text}");
        }
    }

    #[test]
    fn the_log_redactor_keeps_anonymized_addresses() {
        let r = redactor_for_logs(&redact::Settings::default(), &[]).unwrap();
        assert_eq!(
            r.redact_str("client_ip=203.0.113.0"),
            "client_ip=203.0.113.0"
        );
        assert_eq!(
            r.redact_str("client_ip=2001:db8:85a3::"),
            "client_ip=2001:db8:85a3::"
        );
        assert_eq!(
            r.redact_str("from 2001:db8:85a3:8d3:1319:8a2e:370:7348"),
            "from 2001:db8:85a3::"
        );
    }

    #[test]
    fn the_log_redactor_keeps_the_servers_own_address() {
        let r = redactor_for_logs(&redact::Settings::default(), &["10.1.2.3".into()]).unwrap();
        assert_eq!(
            r.redact_str("url=http://10.1.2.3:8787"),
            "url=http://10.1.2.3:8787"
        );
        assert_eq!(r.redact_str("from 10.1.2.4"), "from 10.1.2.0");
    }

    #[test]
    fn the_log_redactor_turns_default_rules_back_on() {
        let mut settings = redact::Settings::default();
        settings.push_toggles(&[], &["email".to_string()]);
        let r = redactor_for_logs(&settings, &[]).unwrap();
        assert!(!r.redact_str("write to ada@example.com").contains("ada@"));
    }

    /// A writer into a shared buffer, for a local subscriber.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn capture(format: LogFormat, emit: impl FnOnce()) -> String {
        let buffer = Buffer::default();
        let sink = buffer.clone();
        let lines = ServerLines {
            format,
            redactor: Arc::new(redactor_for_logs(&redact::Settings::default(), &[]).unwrap()),
        };
        let subscriber = tracing_subscriber::fmt()
            .event_format(lines)
            .with_writer(move || sink.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, emit);
        String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn json_lines_are_objects_with_redacted_values() {
        let out = capture(LogFormat::Json, || {
            tracing::info!(
                status = 422u16,
                latency_ms = 1.5,
                ok = false,
                error = %"invalid type: string \"ada@example.com\", expected a boolean",
                "request"
            );
        });
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 1, "{out}");
        let line: Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["message"], "request");
        assert_eq!(line["status"], 422);
        assert_eq!(line["latency_ms"], 1.5);
        assert_eq!(line["ok"], false);
        assert!(line["timestamp"].as_str().unwrap().ends_with('Z'));
        let error = line["error"].as_str().unwrap();
        assert!(!error.contains("ada@"), "{error}");
        assert!(error.contains("expected a boolean"), "{error}");
    }

    /// Formats one request event with `format` and returns the line without its timestamp.
    fn request_line<F>(format: F, user_agent: &str, error: Option<&str>, latency_ms: f64) -> String
    where
        F: for<'w> FormatEvent<Registry, tracing_subscriber::fmt::format::DefaultFields>
            + Send
            + Sync
            + 'static,
    {
        let buffer = Buffer::default();
        let sink = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .event_format(format)
            .with_writer(move || sink.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(
                target: ACCESS_TARGET,
                method = %"POST",
                route = %"/v1/chat",
                status = 200u16,
                latency_ms,
                session_id = Some("01a2196a-d181-70c6-b4f5-38926ffd5aea"),
                client_ip = Some("127.0.0.0".to_string()),
                user_agent,
                error,
                "request"
            );
        });
        let line = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let (_timestamp, rest) = line.split_once(' ').unwrap();
        rest.to_string()
    }

    /// Renders a request line with plugctl's writer.
    struct RequestLine;

    impl<S, N> FormatEvent<S, N> for RequestLine
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
        N: for<'a> FormatFields<'a> + 'static,
    {
        fn format_event(
            &self,
            _: &FmtContext<'_, S, N>,
            writer: Writer<'_>,
            event: &Event<'_>,
        ) -> std::fmt::Result {
            write_request_line(writer, event)
        }
    }

    proptest::proptest! {
        /// The request line reads exactly as tracing's own text format would write it, quotes,
        /// escapes and all.
        #[test]
        fn request_lines_read_as_tracing_writes_them(
            user_agent in proptest::prelude::any::<String>(),
            error in proptest::option::of("[ -~\\t\\n\"\\\\é😀\\u{7f}\\u{200b}]{0,40}"),
            latency_us in 0u64..100_000_000,
        ) {
            let latency_ms = latency_us as f64 / 1000.0;
            let tracing_line = request_line(
                Format::default().with_ansi(false).with_target(false),
                &user_agent,
                error.as_deref(),
                latency_ms,
            );
            let plugctl_line = request_line(RequestLine, &user_agent, error.as_deref(), latency_ms);
            proptest::prop_assert_eq!(plugctl_line, tracing_line);
        }
    }

    #[test]
    fn a_request_line_is_one_line() {
        let line = request_line(
            RequestLine,
            "agent\nINFO forged line",
            Some("a \"quote\""),
            1.5,
        );
        assert_eq!(line.lines().count(), 1, "{line}");
        assert!(
            line.starts_with(" INFO request method=POST route=/v1/chat status=200 latency_ms=1.5 "),
            "{line}"
        );
        assert!(
            line.contains(r#"user_agent="agent\nINFO forged line""#),
            "{line}"
        );
        assert!(line.contains(r#"error="a \"quote\"""#), "{line}");
    }

    #[test]
    fn text_lines_are_redacted_too() {
        let out = capture(LogFormat::Text, || {
            tracing::warn!(card = "4111 1111 1111 1111", "paid by ada@example.com");
        });
        assert!(out.contains("WARN"), "{out}");
        assert!(!out.contains("ada@"), "{out}");
        assert!(!out.contains("4111 1111 1111 1111"), "{out}");
        assert!(out.contains("[REDACTED:CARD]"), "{out}");
    }
}
