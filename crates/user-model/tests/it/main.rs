//! The user-model integration tests, one binary: a module per area, and `support` for what they share.

mod migrations;
mod model;
mod support;
