//! `cargo xtask`: the maintainer commands of the Credere Cognito workspace (the `xtask` library does the work).

fn main() -> std::process::ExitCode {
    xtask::run()
}
