//! The testkit integration tests, one binary: a module per area.

mod client_secrets;
mod fidelity;
mod harness;
