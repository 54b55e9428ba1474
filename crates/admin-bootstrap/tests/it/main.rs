//! The admin-bootstrap integration tests, one binary: a module per area. What they share with other crates' tests
//! (the world, call filters) is `test_support`'s.

mod bad_input;
mod bootstrap;
mod database_first;
