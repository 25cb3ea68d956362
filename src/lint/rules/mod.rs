//! Every lint rule, one per file, and the registry that lists them in code order.

use super::Rule;

/// Every rule, in code order.
pub static ALL: &[&dyn Rule] = &[];
