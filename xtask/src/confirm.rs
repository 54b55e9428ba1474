//! Asking a person before a change: the one prompt every command that can change production uses, and the
//! rule that what they confirmed is what gets applied (planned again after the yes, asked again if it moved).

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

/// How a command shows a plan of type `P` and asks about it.
pub struct Confirmation<'a, P> {
    /// The plan as a person reads it (whole lines).
    pub show: &'a dyn Fn(&P) -> String,
    /// The question, ending "Type yes to continue: ".
    pub question: &'a dyn Fn(&P) -> String,
    /// Whether the plan changes anything; a fresh plan that does not is shown and needs no yes.
    pub changes_anything: &'a dyn Fn(&P) -> bool,
    /// The refusal when stdin is not a terminal; it names `--yes` and ends "Nothing was changed".
    pub without_terminal: &'a str,
}

/// Whether what the command prints on stdout reaches the person at the terminal (not a file or a pipe).
pub fn stdout_on_screen() -> bool {
    std::io::stdout().is_terminal()
}

/// Asks for a yes to `plan` and returns the plan that was confirmed and is still current. The plan is shown on
/// stderr, where the question is, unless `on_screen` (stdout already showed it at the terminal). After the yes
/// the command's own read path runs again (`replan`); when the fresh plan differs in anything (the whole plan
/// with what it was made from is compared, not a count), nothing is written: the fresh plan is shown and asked
/// about. A yes therefore never applies a plan made from a state that has since moved.
pub async fn confirm_current<P: PartialEq>(
    mut plan: P,
    mut on_screen: bool,
    how: &Confirmation<'_, P>,
    mut replan: impl AsyncFnMut() -> anyhow::Result<P>,
) -> anyhow::Result<P> {
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("{}", how.without_terminal);
    }
    loop {
        if !on_screen {
            eprint!("{}", (how.show)(&plan));
        }
        confirm(&(how.question)(&plan), how.without_terminal)?;
        let fresh = replan().await?;
        if fresh == plan {
            return Ok(plan);
        }
        eprintln!("What this plan was made from changed while you were deciding; nothing was changed. The plan now:");
        plan = fresh;
        on_screen = false;
        if !(how.changes_anything)(&plan) {
            eprint!("{}", (how.show)(&plan));
            return Ok(plan);
        }
    }
}
