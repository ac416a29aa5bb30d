//! The `plugctl` executable: parse the command line, run it, turn the outcome into an exit code.

use std::process::ExitCode;

use clap::Parser;
use plugctl::cli::{self, Cli};

// mimalloc rather than glibc's malloc: `serve` allocates and frees small buffers on two worker
// threads for every request, and glibc's arenas spent about a sixth of the server's CPU time in
// malloc/free (perf, POST /v1/chat under load); mimalloc's thread-local free lists cost less.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::install_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // clap prints help/version (exit 0) and usage errors (exit 2) in its own format.
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    // Only the binary builds a runtime; commands that do no I/O concurrency never await.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            cli::report_startup_error(&e);
            return ExitCode::FAILURE;
        }
    };
    ExitCode::from(runtime.block_on(cli::run(cli)).code())
}
