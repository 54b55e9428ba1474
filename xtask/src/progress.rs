//! The progress bars of long work on users (`users export`, `audit`, `users import`), on stderr: users read, of how
//! many the pool reported, or users written, of how many the plan writes, the rate and the time left. Drawn only when stderr is a terminal and the output is text, so no
//! script or JSON reader ever meets it.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of users read, or nothing.
pub struct UsersRead(Option<ProgressBar>);

impl UsersRead {
    /// A bar on stderr when `text_output` and stderr is a terminal; else nothing.
    pub fn on_stderr(text_output: bool) -> Self {
        Self(bar(text_output, "read"))
    }

    /// Takes the bar off the terminal, before the result is printed.
    pub fn clear(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl cognito::ScanProgress for UsersRead {
    fn expect(&self, users: u64) {
        // Drawn now, before the first page arrives; a pool that reports no user gets no bar (setting a length
        // draws) unless users turn up.
        if let (Some(bar), 1..) = (&self.0, users) {
            bar.set_length(users);
            bar.tick();
        }
    }

    fn read(&self, users: usize) {
        // The scan reads sixteen parts, most of them empty in a small pool: an empty page changes nothing, so it
        // draws nothing (each would redraw the same frame).
        if let (Some(bar), 1..) = (&self.0, users) {
            bar.inc(users as u64);
        }
    }
}

/// A bar of users written, or nothing.
pub struct UsersWritten(Option<ProgressBar>);

impl UsersWritten {
    /// A bar on stderr when `text_output` and stderr is a terminal; else nothing.
    pub fn on_stderr(text_output: bool) -> Self {
        Self(bar(text_output, "written"))
    }
}

impl user_import::ImportProgress for UsersWritten {
    fn expect(&self, users: usize) {
        if let Some(bar) = &self.0 {
            bar.set_length(users as u64);
            bar.tick();
        }
    }

    fn written(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }
}

impl Drop for UsersWritten {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// A bar of users `done` on stderr when `text_output` and stderr is a terminal.
fn bar(text_output: bool, done: &str) -> Option<ProgressBar> {
    if !text_output || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{wide_bar}} {{human_pos}}/{{human_len}} users {done}, {{per_sec}}, {{eta}} left"
        ))
        .expect("a valid template"),
    );
    Some(bar)
}

impl Drop for UsersRead {
    /// An error ends the command with a message on stderr: the bar is gone before it.
    fn drop(&mut self) {
        self.clear();
    }
}
