//! SIGINT (Ctrl-C), SIGTERM and SIGHUP (a closed terminal). ctrlc allows one handler a process: each command
//! that must not simply die installs one of these two.

use std::sync::Mutex;
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

/// Whether a [`CriticalSection`] is open, and whether a signal came during it.
static CRITICAL: Mutex<Critical> = Mutex::new(Critical {
    open: false,
    signalled: false,
});

struct Critical {
    open: bool,
    signalled: bool,
}

/// For commands that edit a `.env` (`provision --write-env`, `rotate-secret`) or write a file of users (`users
/// export`): a signal removes the temporary files in progress, which hold the whole new file with its secret or
/// personal data, and ends the process with [`EXIT_CODE`]. The file stays as it was, or completely written. Inside
/// a [`CriticalSection`] the signal is only recorded, and the section's owner stops once its work has landed.
pub fn remove_temporary_files_and_exit() -> anyhow::Result<()> {
    ctrlc::set_handler(|| {
        let mut critical = CRITICAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if critical.open {
            critical.signalled = true;
            eprintln!("\nInterrupted: stopping once the new secret is in the .env.");
            return;
        }
        dotenv_file::abandon_edits();
        eprintln!("\nInterrupted; no temporary file left behind.");
        std::process::exit(EXIT_CODE.into());
    })
    .context(HANDLER)
}

/// Work a signal must not cut short (from adding a secret until the `.env` holds its value, the only copy): while
/// it is open, a signal under [`remove_temporary_files_and_exit`]'s handler is recorded instead of ending the
/// process. Closed by [`CriticalSection::close`], or when dropped (an error ends the work anyway).
#[must_use = "the section closes when dropped"]
pub struct CriticalSection(());

impl CriticalSection {
    /// Opens the section.
    pub fn open() -> Self {
        CRITICAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner).open = true;
        CriticalSection(())
    }

    /// Closes the section: whether a signal came while it was open.
    pub fn close(self) -> bool {
        let mut critical = CRITICAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        critical.open = false;
        std::mem::take(&mut critical.signalled)
    }
}

impl Drop for CriticalSection {
    fn drop(&mut self) {
        CRITICAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner).open = false;
    }
}

const HANDLER: &str = "installing the handler of Ctrl-C, SIGTERM and SIGHUP";
