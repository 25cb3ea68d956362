//! Every lint rule, one per file, and the registry that lists them in code order.

pub mod farm_out_of_range;
pub mod galaxy_section_not_yaml;
pub mod if_block_structure;
pub mod malformed_hook;
pub mod malformed_zergpool;
pub mod mule_reload_mercy_too_short;
pub mod non_vassal_in_vassals_dir;
pub mod relative_path_without_chdir;
pub mod syntax;
pub mod unknown_option;
pub mod unportable_yaml;

use super::Rule;

/// Every rule, in code order.
pub static ALL: &[&dyn Rule] = &[
    &if_block_structure::IfBlockStructure,
    &unportable_yaml::UnportableYaml,
    &galaxy_section_not_yaml::GalaxySectionNotYaml,
    &unknown_option::UnknownOption,
    &farm_out_of_range::FarmOutOfRange,
    &malformed_zergpool::MalformedZergpool,
    &malformed_hook::MalformedHook,
    &relative_path_without_chdir::RelativePathWithoutChdir,
    &non_vassal_in_vassals_dir::NonVassalInVassalsDir,
    &mule_reload_mercy_too_short::MuleReloadMercyTooShort,
];
