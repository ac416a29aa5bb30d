//! Progress bars on stderr, drawn only when a person is watching.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Printer;

/// A byte-counting bar for `total` bytes, or a hidden one when stderr is not a terminal, the user
/// asked for quiet, or the work is too small to take about a second (`min_total`).
pub fn bytes(printer: &Printer, total: u64, min_total: u64, message: &str) -> ProgressBar {
    if !printer.progress_allowed() || total < min_total {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        )
        .expect("the template is valid"),
    );
    bar.set_message(message.to_string());
    bar
}

/// A spinner with a message that the caller updates (live figures of a running load test), or a
/// hidden one when stderr is not a terminal or the user asked for quiet.
pub fn spinner(printer: &Printer, message: &str) -> ProgressBar {
    if !printer.progress_allowed() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
            .expect("the template is valid"),
    );
    bar.set_message(message.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    bar
}
