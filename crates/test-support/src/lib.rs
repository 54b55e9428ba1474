//! Dev-only (`publish = false`, a dev-dependency of the crates whose tests use it): what the integration tests of
//! several crates share. One test's world (a database made from credere-backend's DDL, a pool of its own in the
//! emulator behind a recording proxy, and direct looks at both), the filters over recorded calls, running a built
//! binary with one clean environment, polling, and the check that no piece of a secret was printed.
//!
//! The services themselves (PostgreSQL, moto, the proxy) are `testkit`'s; this crate only composes them.

mod process;
mod world;

pub use process::{Run, Terminal, clean_command, clean_std_command, on_terminal, run, run_with_stdout_closed};
pub use world::*;

use std::time::Duration;

/// Polls `done` until it holds; fails the test after a minute, which only a broken condition takes.
pub async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Asserts that no 4-character piece of any of `secrets` shows in `printed` (`what` names the output in the failure).
#[track_caller]
pub fn assert_no_secret_fragment(what: &str, printed: &str, secrets: &[&str]) {
    assert_no_secret_piece(what, printed, secrets, 4);
}

/// [`assert_no_secret_fragment`] with pieces of `chars` characters: for random secrets (a client secret) beside
/// random IDs in the output, where a 4-character piece matches by chance in about one run of three.
#[track_caller]
pub fn assert_no_secret_piece(what: &str, printed: &str, secrets: &[&str], chars: usize) {
    for secret in secrets {
        let chars_of_secret: Vec<char> = secret.chars().collect();
        for window in chars_of_secret.windows(chars) {
            let piece: String = window.iter().collect();
            assert!(
                !printed.contains(&piece),
                "{what}: {piece:?} of a password was printed:\n{printed}"
            );
        }
    }
}
