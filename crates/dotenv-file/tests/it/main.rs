//! The dotenv-file integration tests, one binary: a module per area.

mod concurrency;
mod file_system;
mod python_dotenv;
