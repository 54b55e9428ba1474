//! Creating or updating keys in a credere-backend style `.env` file, keeping every other line as it was.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::Context;

/// Sets `values` in the `.env` text `existing`: a line assigning one of the keys (`KEY=…` or
/// `export KEY=…`) is replaced in place, keys not present are appended, every other line is kept.
pub fn updated(existing: &str, values: &[(&str, &str)]) -> String {
    let mut written = vec![false; values.len()];
    let mut lines: Vec<String> = Vec::new();
    for line in existing.lines() {
        let assigned = line
            .trim_start()
            .trim_start_matches("export ")
            .split_once('=')
            .map(|(key, _)| key.trim());
        match values.iter().position(|(key, _)| Some(*key) == assigned) {
            Some(index) if !written[index] => {
                lines.push(format!("{}={}", values[index].0, quoted(values[index].1)));
                written[index] = true;
            }
            // A later duplicate of a key already written would override it when read: drop it.
            Some(_) => {}
            None => lines.push(line.to_owned()),
        }
    }
    for ((key, value), done) in values.iter().zip(written) {
        if !done {
            lines.push(format!("{key}={}", quoted(value)));
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// Values with characters a dotenv reader treats specially are double-quoted.
fn quoted(value: &str) -> String {
    if value
        .chars()
        .all(|character| character.is_ascii_alphanumeric() || "-_./:+=@,".contains(character))
    {
        value.to_owned()
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Writes `values` into the `.env` file at `path` (created if missing), readable by its owner only
/// (mode 0600). The new content is written to a temporary file beside it and renamed over it, so a
/// failure never leaves a half-written file.
pub fn write(path: &Path, values: &[(&str, &str)]) -> anyhow::Result<()> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => return Err(error).with_context(|| format!("reading {}", path.display())),
    };
    let directory = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temporary = directory.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|name| name.to_str()).unwrap_or("env"),
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temporary)
            .with_context(|| format!("creating {}", temporary.display()))?;
        file.write_all(updated(&existing, values).as_bytes())?;
        file.sync_all()?;
        std::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o600))?;
        std::fs::rename(&temporary, path).with_context(|| format!("replacing {}", path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::updated;

    #[test]
    fn replaces_in_place_appends_the_missing_and_keeps_the_rest() {
        let before = "# Credere\nDATABASE_URL=postgresql:///credere\nCOGNITO_POOL_ID=old\n\nexport AWS_REGION=eu-west-1\nOTHER=1";
        let after = updated(
            before,
            &[
                ("COGNITO_POOL_ID", "us-east-1_x"),
                ("AWS_REGION", "us-east-1"),
                ("COGNITO_CLIENT_ID", "abc"),
            ],
        );
        assert_eq!(
            after,
            "# Credere\nDATABASE_URL=postgresql:///credere\nCOGNITO_POOL_ID=us-east-1_x\n\nAWS_REGION=us-east-1\nOTHER=1\nCOGNITO_CLIENT_ID=abc\n"
        );
    }

    #[test]
    fn empty_file_gets_every_key_and_duplicates_collapse() {
        assert_eq!(updated("", &[("A", "1"), ("B", "2")]), "A=1\nB=2\n");
        assert_eq!(updated("A=0\nA=9\n", &[("A", "1")]), "A=1\n");
    }

    #[test]
    fn special_characters_are_quoted() {
        assert_eq!(updated("", &[("S", "a b#\"c")]), "S=\"a b#\\\"c\"\n");
        assert_eq!(updated("", &[("S", "abc+/=")]), "S=abc+/=\n");
    }

    #[test]
    fn a_key_that_merely_starts_like_another_is_not_touched() {
        assert_eq!(
            updated("AWS_REGION_OLD=x\n", &[("AWS_REGION", "y")]),
            "AWS_REGION_OLD=x\nAWS_REGION=y\n"
        );
    }
}
