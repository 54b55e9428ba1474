//! SIGINT (Ctrl-C), SIGTERM and SIGHUP (a closed terminal). ctrlc allows one handler a process: each command
//! that must not simply die installs one of these two.

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;

/// The exit code of a run stopped by a signal, as a shell reports SIGINT.
pub const EXIT_CODE: u8 = 130;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// For commands that outlive the step they run and clean up after it (`sandbox`, `test`): a signal only
/// makes [`interrupted`] true.
pub fn record() -> anyhow::Result<()> {
    ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst)).context(HANDLER)
}

/// Whether a signal came since [`record`].
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// For commands that edit a `.env` (`provision --write-env`) or write a file of users (`users export`): a signal
/// removes the temporary files in progress, which hold the whole new file with its secret or personal data, and
/// ends the process with [`EXIT_CODE`]. The file stays as it was, or completely written.
pub fn remove_temporary_files_and_exit() -> anyhow::Result<()> {
    ctrlc::set_handler(|| {
        dotenv_file::abandon_edits();
        eprintln!("\nInterrupted; no temporary file left behind.");
        std::process::exit(EXIT_CODE.into());
    })
    .context(HANDLER)
}

const HANDLER: &str = "installing the handler of Ctrl-C, SIGTERM and SIGHUP";
