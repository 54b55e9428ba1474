//! The testkit integration tests, one binary: a module per area.

mod fidelity;
mod harness;
