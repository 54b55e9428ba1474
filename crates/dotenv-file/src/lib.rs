//! credere-backend's `.env` as python-dotenv reads it, and edits that keep it so.
//!
//! Owns: reading a `.env` exactly as python-dotenv's `dotenv_values` does ([`EnvFile`]: `export`, comments,
//! quotes, escapes, multi-line values, CRLF, `${NAME}` interpolation, the last assignment winning), the
//! pure edit that sets keys in such a text ([`edited`]), notes: values kept in comment lines `# KEY=value`
//! that python-dotenv skips ([`Note`], read by [`EnvFile::note`]), and editing the file where it is ([`write()`],
//! [`write_with_notes`],
//! checked beforehand by [`check_writable`]; [`abandon_edits`] removes the temporary files of edits in
//! progress, for a signal handler), through an owner-only [`Temporary`] file renamed into place, which other
//! files that must reach the disk whole (`user-export`'s) use too.
//!
//! Invariant: what [`EnvFile::values`] returns is what python-dotenv returns for the same text and
//! environment (the differential tests against python-dotenv itself are the specification); an edit
//! changes only the values and notes it sets (an assignment of a note's key becomes the note), reads back
//! through python-dotenv as exactly those values (notes are comments to it), and reaches the disk whole or not
//! at all, in the file a symlink points to, with its owner and group. Edits take turns
//! on a `flock` of the file's directory, and a change another process made since the file was read is kept
//! (the edit is made again from the new text). No error or log quotes the file's content: it holds secrets.
//!
//! Must not depend on: the other workspace crates, the AWS SDK or a database; the parser, the
//! interpolation and the edit do no I/O.
//!
//! ```
//! use dotenv_file::EnvFile;
//!
//! let text = "export DATABASE_URL=postgresql://db/credere  # comment\nURL=${DATABASE_URL}?x=$y\n";
//! let values = EnvFile::parse(text).values(|_| None);
//! assert_eq!(values[1].0, "URL");
//! assert_eq!(values[1].1.value.as_deref(), Some("postgresql://db/credere?x=$y"));
//!
//! let edited = dotenv_file::edited(text, &[("COGNITO_POOL_ID", "us-east-1_Ab")])?;
//! assert_eq!(edited, format!("{text}COGNITO_POOL_ID=us-east-1_Ab\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod edit;
mod file;
mod note;
mod parse;
mod temporary;
mod values;

pub use edit::{EditError, edited};
pub use file::{ReadError, WriteError, check_writable, read, write, write_with_notes};
pub use note::Note;
pub use temporary::{Temporary, abandon_edits};
pub use values::{EnvFile, Setting};
