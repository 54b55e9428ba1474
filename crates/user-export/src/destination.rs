//! Where an export goes: checked before any call, written to an owner-only temporary file beside it, and renamed
//! into place only once whole (`dotenv_file::Temporary`, which a signal handler removes with
//! `dotenv_file::abandon_edits`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use pool_spec::Shown;

/// A file an export may be written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    path: PathBuf,
    directory: PathBuf,
    replace: bool,
}

/// Why a file cannot be written. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum DestinationError {
    /// The path names no file (empty, or ends in `..` or `/`).
    #[error("{} names no file: give a file's path, e.g. users.jsonl", Shown(&.0.display().to_string()))]
    NoFileName(PathBuf),
    /// Its directory does not exist.
    #[error("the directory {} does not exist: create it first, or write the file elsewhere", Shown(&.0.display().to_string()))]
    NoDirectory(PathBuf),
    /// A file is there already, and replacing was not asked for.
    #[error(
        "{} exists already, and an export never replaces a file unless asked to (it may be the last good \
         backup): choose another name, or ask for it to be replaced",
        Shown(&.0.display().to_string())
    )]
    Exists(PathBuf),
    /// A directory is there.
    #[error("{} is a directory: give a file's path inside it", Shown(&.0.display().to_string()))]
    IsDirectory(PathBuf),
    /// Writing failed.
    #[error("writing {} failed", Shown(&.path.display().to_string()))]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl Destination {
    /// Checks that `path` can take an export: its directory exists, and no file is there unless `replace`.
    /// Makes no change.
    pub fn check(path: &Path, replace: bool) -> Result<Self, DestinationError> {
        let name = path
            .file_name()
            .ok_or_else(|| DestinationError::NoFileName(path.to_owned()))?;
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        };
        if !directory.is_dir() {
            return Err(DestinationError::NoDirectory(directory));
        }
        let path = directory.join(name);
        match std::fs::symlink_metadata(&path) {
            Ok(metadata) if metadata.is_dir() => return Err(DestinationError::IsDirectory(path)),
            Ok(_) if !replace => return Err(DestinationError::Exists(path)),
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(DestinationError::Io { path, source }),
        }
        Ok(Self {
            path,
            directory,
            replace,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Creates the new owner-only (0600) temporary file beside the destination, which [`Pending::commit`] writes
    /// and renames into place: done before any call, so that a directory that cannot take the file is found
    /// before anything is read. Dropped, or on a signal (`dotenv_file::abandon_edits`), it is removed.
    pub fn open(&self) -> Result<Pending<'_>, DestinationError> {
        let name = self.path.file_name().unwrap_or_default();
        let temporary =
            dotenv_file::Temporary::create_in(&self.directory, name).map_err(|source| DestinationError::Io {
                path: self.directory.clone(),
                source,
            })?;
        Ok(Pending {
            destination: self,
            temporary,
        })
    }
}

/// The temporary file of a [`Destination`], not yet in place.
pub struct Pending<'a> {
    destination: &'a Destination,
    temporary: dotenv_file::Temporary,
}

impl Pending<'_> {
    /// Runs `write` on the temporary file, flushes it to disk, and renames it into place; on any error the
    /// temporary file is removed and the destination is as it was. A file created at the destination since
    /// [`Destination::check`] is not replaced unless replacing was asked for.
    pub fn commit(self, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), DestinationError> {
        let Destination {
            path,
            directory,
            replace,
        } = self.destination;
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| DestinationError::Io { path, source }
        };
        let mut out = BufWriter::new(self.temporary.file());
        write(&mut out).and_then(|()| out.flush()).map_err(io(path))?;
        drop(out);
        self.temporary.file().sync_all().map_err(io(path))?;
        self.temporary.rename_to(path, *replace).map_err(|source| {
            if source.kind() == std::io::ErrorKind::AlreadyExists {
                DestinationError::Exists(path.clone())
            } else {
                io(path)(source)
            }
        })?;
        File::open(directory)
            .and_then(|directory| directory.sync_all())
            .map_err(io(directory))
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn entries(directory: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(directory)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_an_owner_only_file_whole_and_leaves_nothing_beside_it() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("users.jsonl");
        let destination = Destination::check(&path, false).unwrap();
        let pending = destination.open().unwrap();
        assert_eq!(
            entries(directory.path()).len(),
            1,
            "the temporary file, beside the destination"
        );
        pending.commit(|out| out.write_all(b"whole\n")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "whole\n");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(entries(directory.path()), ["users.jsonl"]);
    }

    #[test]
    fn a_failed_write_leaves_no_file_and_an_existing_one_as_it_was() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("users.jsonl");
        std::fs::write(&path, "the last good backup\n").unwrap();
        let destination = Destination::check(&path, true).unwrap();
        let failed = destination.open().unwrap().commit(|out| {
            out.write_all(b"half")?;
            Err(std::io::Error::other("the disk is full"))
        });
        assert!(matches!(failed, Err(DestinationError::Io { .. })), "{failed:?}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "the last good backup\n");
        assert_eq!(entries(directory.path()), ["users.jsonl"]);
        // Opened and dropped (the export failed): nothing is left either.
        drop(destination.open().unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "the last good backup\n");
        assert_eq!(entries(directory.path()), ["users.jsonl"]);
    }

    #[test]
    fn refuses_an_existing_file_a_directory_and_a_missing_directory_before_writing() {
        let directory = tempfile::tempdir().unwrap();
        let existing = directory.path().join("users.jsonl");
        std::fs::write(&existing, "kept\n").unwrap();
        assert!(
            matches!(Destination::check(&existing, false), Err(DestinationError::Exists(path)) if path == existing)
        );
        assert!(Destination::check(&existing, true).is_ok());
        assert!(matches!(
            Destination::check(directory.path(), true),
            Err(DestinationError::IsDirectory(_))
        ));
        let missing = directory.path().join("missing").join("users.jsonl");
        assert!(matches!(
            Destination::check(&missing, false),
            Err(DestinationError::NoDirectory(path)) if path == directory.path().join("missing")
        ));
        assert!(matches!(
            Destination::check(Path::new(""), false),
            Err(DestinationError::NoFileName(_))
        ));
        assert_eq!(std::fs::read_to_string(&existing).unwrap(), "kept\n");
    }

    #[test]
    fn a_file_made_after_the_check_is_not_replaced_unless_asked() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("users.jsonl");
        let destination = Destination::check(&path, false).unwrap();
        std::fs::write(&path, "made meanwhile\n").unwrap();
        let written = destination.open().unwrap().commit(|out| out.write_all(b"new\n"));
        assert!(matches!(written, Err(DestinationError::Exists(_))), "{written:?}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "made meanwhile\n");
        assert_eq!(entries(directory.path()), ["users.jsonl"]);
    }
}
