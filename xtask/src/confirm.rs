//! Asking a person before a change: the one prompt every command that can change production uses.

use std::io::{BufRead, IsTerminal, Write};

/// Asks `question` on the terminal (on stderr, so stdout stays the command's output): whether the answer was
/// `yes`, or `None` when stdin is not a terminal.
pub fn ask_yes(question: &str) -> anyhow::Result<Option<bool>> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Ok(None);
    }
    eprint!("{question}");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    Ok(Some(answer.trim() == "yes"))
}

/// Goes on only when `question` is answered `yes` at a terminal; without a terminal, fails with
/// `without_terminal`, which names `--yes`. Every refusal ends "nothing was changed".
pub fn confirm(question: &str, without_terminal: &str) -> anyhow::Result<()> {
    match ask_yes(question)? {
        Some(true) => Ok(()),
        Some(false) => anyhow::bail!("not confirmed; nothing was changed"),
        None => anyhow::bail!("{without_terminal}"),
    }
}
