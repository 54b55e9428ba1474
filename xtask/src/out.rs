//! Standard output, the one way every command prints its result ([`outln!`], [`stdout`]).
//!
//! A reader that left (`provision --check | head -3`, `db setup | true`: the pipe is closed, a write fails with
//! EPIPE) ends the output, not the work: the rest is dropped, an apply goes on, and the command exits with the code
//! it documents. Any other write failure (a full disk under a redirect) is reported once, when the command ends
//! ([`finish`]), and makes it exit 1; the work is not cut short either.

use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a write met a closed pipe: nothing more is written.
static READER_LEFT: AtomicBool = AtomicBool::new(false);

/// The first write failure other than the reader leaving.
static FAILED: OnceLock<io::Error> = OnceLock::new();

/// Prints a line on stdout, as `println!` would, except that it neither panics nor fails (see the module doc).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        // `Stdout` never returns an error: it keeps it for `finish`.
        let _ = ::std::writeln!($crate::out::stdout(), $($arg)*);
    }};
}
pub(crate) use outln;

/// Stdout for `write!` and writers such as `serde_json::to_writer`; its writes always succeed.
pub(crate) fn stdout() -> Stdout {
    Stdout
}

/// Standard output whose failures are kept, never returned (see the module doc).
#[derive(Debug)]
pub(crate) struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !READER_LEFT.load(Ordering::Relaxed) {
            keep(io::stdout().lock().write_all(buf));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !READER_LEFT.load(Ordering::Relaxed) {
            keep(io::stdout().lock().flush());
        }
        Ok(())
    }
}

fn keep(result: io::Result<()>) {
    match result {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => READER_LEFT.store(true, Ordering::Relaxed),
        Err(error) => {
            let _ = FAILED.set(error);
        }
    }
}

/// The exit code of a command that ended with `code`: the same, unless writing its output failed for another
/// reason than the reader leaving, which is then reported.
pub(crate) fn finish(code: ExitCode) -> ExitCode {
    let _ = stdout().flush();
    match FAILED.get() {
        None => code,
        Some(error) => {
            eprintln!("error: writing to stdout failed: {error}");
            ExitCode::FAILURE
        }
    }
}
