//! The file an edit writes before renaming it over the target, and the record of those in progress, so that
//! a signal handler can remove them (they hold the whole new file, secrets included) before the process ends.
//! Public for other files that must reach the disk whole or not at all and hold what no one else may read
//! (`user-export`'s files of users).

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The directories of the temporary files in progress.
static IN_PROGRESS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn in_progress() -> MutexGuard<'static, Vec<PathBuf>> {
    IN_PROGRESS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Removes the temporary files of the edits in progress (every [`Temporary`] of this process), and keeps every
/// edit from making another or renaming one over its target: the `.env` files, and any other file written
/// through a [`Temporary`], stay as they are (as they were, or completely written).
/// For a handler of SIGINT, SIGTERM or SIGHUP that ends the process next: an edit of this process that
/// reaches this point afterwards waits there until the process ends.
pub fn abandon_edits() {
    let in_progress = in_progress();
    for directory in in_progress.iter() {
        // Removed already if its edit has just ended.
        let _ = std::fs::remove_dir_all(directory);
    }
    std::mem::forget(in_progress);
}

/// A new, owner-only file named as the target (so that whatever ignore rule covers the target, such as
/// credere-backend's `.gitignore` line `.env`, covers it too), alone in a new owner-only directory beside the
/// target, `NAME.XXXXXX.tmp`. Removed with its directory when dropped, or by [`abandon_edits`].
pub struct Temporary {
    directory: Option<tempfile::TempDir>,
    path: PathBuf,
    file: File,
}

impl Temporary {
    /// Creates it beside a target named `name` in `directory`.
    pub fn create_in(directory: &Path, name: &OsStr) -> std::io::Result<Self> {
        let mut in_progress = in_progress();
        let mut prefix = OsString::from(name);
        prefix.push(".");
        let own = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".tmp")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .tempdir_in(directory)?;
        let path = own.path().join(name);
        let file = File::options().write(true).create_new(true).mode(0o600).open(&path)?;
        in_progress.push(own.path().to_owned());
        Ok(Self {
            directory: Some(own),
            path,
            file,
        })
    }

    /// The open file, to write to.
    pub fn file(&self) -> &File {
        &self.file
    }

    /// Renames it to `target`, replacing what is there, or only when nothing is (`replace` false).
    pub fn rename_to(self, target: &Path, replace: bool) -> std::io::Result<()> {
        let in_progress = in_progress();
        let renamed = if replace {
            std::fs::rename(&self.path, target)
        } else {
            // A hard link is never made over an existing file; the temporary name goes with the directory.
            std::fs::hard_link(&self.path, target)
        };
        drop(in_progress);
        drop(self);
        renamed
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        let mut in_progress = in_progress();
        if let Some(directory) = self.directory.take() {
            in_progress.retain(|path| path != directory.path());
            drop(directory);
        }
    }
}
