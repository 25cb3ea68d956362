//! Every lint rule, one per file, and the registry that lists them in code order.

pub mod galaxy_section_not_yaml;
pub mod if_block_structure;
pub mod syntax;
pub mod unportable_yaml;

use super::Rule;

/// Every rule, in code order.
pub static ALL: &[&dyn Rule] = &[
    &if_block_structure::IfBlockStructure,
    &unportable_yaml::UnportableYaml,
    &galaxy_section_not_yaml::GalaxySectionNotYaml,
];
