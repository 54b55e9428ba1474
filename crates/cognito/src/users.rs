//! Cognito users (owned by the admin-bootstrap work).
