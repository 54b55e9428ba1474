//! The cognito integration tests, one binary: a module per area. The `refuse_on_drift` example holds its own test.

mod full_state;
mod partitions;
mod published_answers;
