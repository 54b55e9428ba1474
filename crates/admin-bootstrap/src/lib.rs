//! The first-admin workflow (being written).
