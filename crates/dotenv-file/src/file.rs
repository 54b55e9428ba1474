//! The `.env` file on disk: reading it, and editing it where it is.

use std::ffi::OsStr;
use std::fs::{File, Metadata};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::edit::{EditError, edited_with_notes};
use crate::note::Note;
use crate::parse::line_of;
use crate::temporary::Temporary;
use crate::values::EnvFile;

/// Symlinks followed before giving up, as the kernel's own limit.
const MAX_SYMLINKS: usize = 40;

/// Why a `.env` file could not be read. Never quotes the file's content, which holds secrets.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("cannot read {}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O failure.
        source: std::io::Error,
    },
    /// A device node, directory, FIFO or socket is at the path (or at the end of its symlinks): reading it could
    /// wait forever (a FIFO) or never end (`/dev/zero`).
    #[error(
        "{} is {what}, not a regular file: pass the path of credere-backend's .env file (a symlink to it is fine)",
        .path.display()
    )]
    NotARegularFile {
        /// The path given.
        path: PathBuf,
        /// What it is, e.g. "a FIFO (named pipe)".
        what: &'static str,
    },
    /// python-dotenv (and so credere-backend) cannot decode the file either.
    #[error("{}: line {line} is not UTF-8 text; save the file as UTF-8", .path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// The 1-based line of the first byte that is not UTF-8.
        line: usize,
    },
}

/// Reads and parses the `.env` file at `path`, which must be a regular file (a symlink counts as its target).
pub fn read(path: &Path) -> Result<EnvFile, ReadError> {
    let metadata = std::fs::metadata(path).map_err(|source| ReadError::Io {
        path: path.to_owned(),
        source,
    })?;
    if !metadata.is_file() {
        return Err(ReadError::NotARegularFile {
            path: path.to_owned(),
            what: describe(&metadata),
        });
    }
    read_text(path).map(|text| EnvFile::parse(&text))
}

fn read_text(path: &Path) -> Result<String, ReadError> {
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io {
        path: path.to_owned(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|error| {
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        ReadError::NotUtf8 {
            path: path.to_owned(),
            line: line_of(std::str::from_utf8(valid).unwrap_or_default(), valid.len()),
        }
    })
}

/// Why `--write-env` refuses or fails. Nothing was changed when it is returned: the file is either as it
/// was or, after the rename, completely written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A device node, directory, FIFO or socket is at the path (or at the end of its symlinks).
    #[error(
        "{} is {what}, not a regular file: pass the path of credere-backend's .env file (a symlink to it is fine)",
        .path.display()
    )]
    NotARegularFile {
        /// The path, after following symlinks.
        path: PathBuf,
        /// What it is, e.g. "a directory".
        what: &'static str,
    },
    /// The path ends with `/`, so it names a directory, not the file to write.
    #[error(
        "{} ends with `/`, so it names a directory: pass the .env file's path without the trailing slash",
        .path.display()
    )]
    TrailingSlash {
        /// The path given.
        path: PathBuf,
    },
    /// The file has other hard links: the edit replaces it, so they would keep the old content.
    #[error(
        "{} has {links} hard links: the edit writes a new file and renames it over this one, so the other links \
         would keep the old content. Replace them with symlinks to this file (find them with `find / -samefile \
         {}`), then run again",
        .path.display(),
        .path.display()
    )]
    HardLinked {
        /// The file, after following symlinks.
        path: PathBuf,
        /// How many names it has.
        links: u64,
    },
    /// The file is immutable or append-only (`chattr +i` / `+a`): it cannot be replaced.
    #[error(
        "{} cannot be replaced: it is immutable or append-only (see `lsattr`); remove the attribute with \
         `chattr -i` (or `-a`) as root, or pass another file",
        .path.display()
    )]
    Immutable {
        /// The file, after following symlinks.
        path: PathBuf,
        /// The refusal to open it for writing.
        source: std::io::Error,
    },
    /// The directory the file would be created in does not exist.
    #[error("the directory {} does not exist: create it, or correct the path", .directory.display())]
    MissingDirectory {
        /// The directory.
        directory: PathBuf,
    },
    /// A new file cannot be created beside the target (read-only, no permission, not a directory).
    #[error(
        "cannot create a file in {} (the .env is replaced by a new file written beside it, so its directory \
         must be writable)",
        .directory.display()
    )]
    DirectoryNotWritable {
        /// The directory.
        directory: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// The new file cannot be given the old one's owner and group.
    #[error(
        "cannot give the new {} the owner and group of the old one (uid {uid}, gid {gid}), which \
         credere-backend may need to read it; run as root or as the file's owner",
        .path.display()
    )]
    CannotKeepOwner {
        /// The file.
        path: PathBuf,
        /// Its owner.
        uid: u32,
        /// Its group.
        gid: u32,
        /// The failure.
        source: std::io::Error,
    },
    /// The symlinks at the path never end.
    #[error("{}: more than {MAX_SYMLINKS} symlinks (a loop?)", .path.display())]
    SymlinkLoop {
        /// The path given.
        path: PathBuf,
    },
    /// The existing file cannot be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The existing file cannot be edited safely, or a value cannot be written.
    #[error("{}", .path.display())]
    Edit {
        /// The file.
        path: PathBuf,
        /// Why.
        source: EditError,
    },
    /// Other processes kept changing the file while it was being edited.
    #[error(
        "{} kept changing while it was being edited (another process writes it without taking its lock); \
         nothing was changed: stop that process, then run again",
        .path.display()
    )]
    KeptChanging {
        /// The path given.
        path: PathBuf,
    },
    /// Inspecting or writing failed.
    #[error("{}", .path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
}

/// The file an edit goes to, after following symlinks.
struct Target {
    file: PathBuf,
    directory: PathBuf,
    existing: Option<Existing>,
}

struct Existing {
    text: String,
    metadata: Metadata,
}

impl Target {
    /// Follows symlinks from `path`; the end must be a regular file or nothing, in a directory that exists.
    fn resolve(path: &Path) -> Result<Self, WriteError> {
        if path.as_os_str().as_encoded_bytes().ends_with(b"/") {
            return Err(WriteError::TrailingSlash { path: path.to_owned() });
        }
        let mut file = path.to_owned();
        for _ in 0..MAX_SYMLINKS {
            let directory = match file.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
                _ => PathBuf::from("."),
            };
            let io = |source| WriteError::Io {
                path: file.clone(),
                source,
            };
            match std::fs::symlink_metadata(&file) {
                Ok(metadata) if metadata.file_type().is_symlink() => {
                    file = directory.join(std::fs::read_link(&file).map_err(io)?);
                }
                Ok(metadata) if metadata.is_file() => {
                    if metadata.nlink() > 1 {
                        return Err(WriteError::HardLinked {
                            path: file,
                            links: metadata.nlink(),
                        });
                    }
                    refuse_immutable(&file)?;
                    let text = read_text(&file)?;
                    let existing = Some(Existing { text, metadata });
                    return Ok(Self {
                        file,
                        directory,
                        existing,
                    });
                }
                Ok(metadata) => {
                    return Err(WriteError::NotARegularFile {
                        what: describe(&metadata),
                        path: file,
                    });
                }
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                    return match std::fs::metadata(&directory) {
                        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                            Err(WriteError::MissingDirectory { directory })
                        }
                        _ => Ok(Self {
                            file,
                            directory,
                            existing: None,
                        }),
                    };
                }
                Err(error) => return Err(io(error)),
            }
        }
        Err(WriteError::SymlinkLoop { path: path.to_owned() })
    }

    /// An empty file for the new content beside the target, readable by its owner only, which can be
    /// renamed over it; removed when dropped.
    fn new_file(&self) -> Result<Temporary, WriteError> {
        let name = self.file.file_name().unwrap_or(OsStr::new(".env"));
        let temporary =
            Temporary::create_in(&self.directory, name).map_err(|source| WriteError::DirectoryNotWritable {
                directory: self.directory.clone(),
                source,
            })?;
        if let Some(existing) = &self.existing {
            let (uid, gid) = (existing.metadata.uid(), existing.metadata.gid());
            std::os::unix::fs::fchown(temporary.file(), Some(uid), Some(gid)).map_err(|source| {
                WriteError::CannotKeepOwner {
                    path: self.file.clone(),
                    uid,
                    gid,
                    source,
                }
            })?;
            // Tightened to owner-only, never loosened: 0644 becomes 0600, 0400 stays 0400.
            let mode = existing.metadata.mode() & 0o600;
            temporary
                .file()
                .set_permissions(std::fs::Permissions::from_mode(mode))
                .map_err(|source| self.io(source))?;
        }
        Ok(temporary)
    }

    fn io(&self, source: std::io::Error) -> WriteError {
        WriteError::Io {
            path: self.file.clone(),
            source,
        }
    }

    /// Whether the file is still the one the edit was made from, byte for byte (or still absent); when it is, it
    /// stays open, so that what is appended to it until the rename can be carried over.
    fn still_reads(&self) -> Result<Unchanged, WriteError> {
        let Some(existing) = &self.existing else {
            return match std::fs::symlink_metadata(&self.file) {
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Unchanged::StillAbsent),
                Err(error) => Err(self.io(error)),
                Ok(_) => Ok(Unchanged::No),
            };
        };
        let mut file = match File::open(&self.file) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Unchanged::No),
            Err(error) => return Err(self.io(error)),
        };
        let now = file.metadata().map_err(|source| self.io(source))?;
        if (now.dev(), now.ino()) != (existing.metadata.dev(), existing.metadata.ino()) {
            return Ok(Unchanged::No);
        }
        let mut text = Vec::new();
        file.read_to_end(&mut text).map_err(|source| self.io(source))?;
        if text != existing.text.as_bytes() {
            return Ok(Unchanged::No);
        }
        Ok(Unchanged::Yes(Replaced {
            file,
            read: text.len() as u64,
        }))
    }

    fn text(&self) -> &str {
        self.existing.as_ref().map_or("", |existing| &existing.text)
    }

    fn edited(&self, values: &[(&str, &str)], notes: &[Note]) -> Result<String, WriteError> {
        edited_with_notes(self.text(), values, notes).map_err(|source| WriteError::Edit {
            path: self.file.clone(),
            source,
        })
    }
}

/// Refuses a file the kernel will not let anyone replace. Opening it for writing (without truncating: nothing
/// changes) fails with EPERM, not EACCES, exactly when it is immutable or append-only; a file that is merely
/// read-only can still be replaced by the rename, so EACCES is no refusal.
fn refuse_immutable(file: &Path) -> Result<(), WriteError> {
    const EPERM: i32 = 1;
    match std::fs::OpenOptions::new().write(true).open(file) {
        Err(source) if source.raw_os_error() == Some(EPERM) => Err(WriteError::Immutable {
            path: file.to_owned(),
            source,
        }),
        _ => Ok(()),
    }
}

fn describe(metadata: &Metadata) -> &'static str {
    let kind = metadata.file_type();
    if kind.is_dir() {
        "a directory"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "of an unknown kind"
    }
}

/// Checks, without changing anything, that [`write()`] can edit the `.env` at `path`: it is absent or a
/// regular file (a symlink counts as its target), readable, UTF-8 and free of statements python-dotenv
/// skips; its directory exists and accepts a new file; and that file can be given the old one's owner and
/// group. Call it before doing anything the file is meant to record.
pub fn check_writable(path: &Path) -> Result<(), WriteError> {
    let target = Target::resolve(path)?;
    target.edited(&[], &[])?;
    target.new_file()?;
    Ok(())
}

/// Sets `values` (key, value) in the `.env` at `path`, where it is: a symlink is followed and its target
/// edited; the file keeps its owner and group, and its mode loses any group and other bits (a new file is
/// 0600). Each key's assignments get the new value, missing keys are appended, and every other byte stays
/// (see [`edited`](crate::edited)). The new content goes to a temporary file in the target's directory, which
/// is flushed to disk and renamed over the target, and the directory is flushed; on any error the
/// temporary file is removed and the target is as it was.
///
/// Concurrent changes are not lost: the rename happens under an exclusive `flock` of the target's
/// directory (other runs wait for it; the file itself is replaced by every edit, so its own lock would not
/// last) and only if the file is still the one read, with the same bytes; else the edit is made again from
/// the new text, keeping the lock. What a process that takes no lock (`echo >> .env`) appends between that last
/// check and the rename reaches the replaced file, and is carried onto the end of the new one. Only a process that
/// keeps the file open across the rename and writes after it is done writes into the replaced file, as with
/// any editor that saves by renaming.
pub fn write(path: &Path, values: &[(&str, &str)]) -> Result<(), WriteError> {
    write_with_notes(path, values, &[])
}

/// [`write()`], and each of `notes` written as its comment line `# KEY=value` in the same edit: over the note's
/// lines and any assignment of its key, else right after the assignment of its `after` key (see
/// [`Note`]). [`EnvFile::note`](crate::EnvFile::note) reads it back.
pub fn write_with_notes(path: &Path, values: &[(&str, &str)], notes: &[Note]) -> Result<(), WriteError> {
    let mut kept: Option<DirectoryLock> = None;
    for _ in 0..ATTEMPTS {
        let target = Target::resolve(path)?;
        let text = target.edited(values, notes)?;
        let temporary = target.new_file()?;
        temporary
            .file()
            .write_all(text.as_bytes())
            .and_then(|()| temporary.file().sync_all())
            .map_err(|source| target.io(source))?;
        let lock = match kept.take() {
            Some(lock) if lock.directory == target.directory => lock,
            _ => DirectoryLock::take(&target)?,
        };
        let replaced = match target.still_reads()? {
            Unchanged::No => {
                kept = Some(lock);
                continue;
            }
            Unchanged::StillAbsent => None,
            Unchanged::Yes(replaced) => Some(replaced),
        };
        // A file another process creates meanwhile, without the lock, is not replaced.
        match temporary.rename_to(&target.file, target.existing.is_some()) {
            Ok(()) => {
                if let Some(replaced) = replaced {
                    replaced
                        .carry_appends(&target.file)
                        .map_err(|source| target.io(source))?;
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                kept = Some(lock);
                continue;
            }
            Err(error) => return Err(target.io(error)),
        }
        drop(lock);
        return File::open(&target.directory)
            .and_then(|directory| directory.sync_all())
            .map_err(|source| WriteError::Io {
                path: target.directory.clone(),
                source,
            });
    }
    Err(WriteError::KeptChanging { path: path.to_owned() })
}

/// What [`Target::still_reads`] found.
enum Unchanged {
    /// The file is the one read, byte for byte.
    Yes(Replaced),
    /// There was no file, and there still is none.
    StillAbsent,
    /// It changed: the edit is made again.
    No,
}

/// The file an edit replaces, held open across the rename. A process that appends without the lock (`echo >>`)
/// between the last check and the rename writes to it; those bytes are carried onto the end of the new file.
struct Replaced {
    file: File,
    /// How much of it the new file already accounts for.
    read: u64,
}

impl Replaced {
    /// Appends to `target` (the new file, while the directory lock is held) what reached the replaced file after
    /// it was read, until nothing more arrives.
    fn carry_appends(mut self, target: &Path) -> std::io::Result<()> {
        loop {
            let length = self.file.metadata()?.len();
            if length <= self.read {
                return Ok(());
            }
            let mut appended = Vec::new();
            self.file.seek(SeekFrom::Start(self.read))?;
            (&self.file).take(length - self.read).read_to_end(&mut appended)?;
            let mut new = std::fs::OpenOptions::new().append(true).open(target)?;
            new.write_all(&appended)?;
            new.sync_all()?;
            self.read += appended.len() as u64;
        }
    }
}

/// Edits made again, after the file changed under them, before giving up.
const ATTEMPTS: usize = 20;

/// An exclusive `flock` of the directory an edit replaces a file in, held until dropped.
struct DirectoryLock {
    directory: PathBuf,
    _locked: File,
}

impl DirectoryLock {
    /// Waits for whoever holds it.
    fn take(target: &Target) -> Result<Self, WriteError> {
        let io = |source| WriteError::Io {
            path: target.directory.clone(),
            source,
        };
        let locked = File::open(&target.directory).map_err(io)?;
        locked.lock().map_err(io)?;
        Ok(Self {
            directory: target.directory.clone(),
            _locked: locked,
        })
    }
}
