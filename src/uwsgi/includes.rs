//! The options that read more uWSGI options from another file or source, as uWSGI 2.0 has them
//! (`uwsgi_opt_load*` in `core/uwsgi.c`, `ini-paste` in the Python plugin).
//!
//! `zergcfg build` cannot see into any of them and refuses them in galaxy.yml; `zergcfg lint`
//! reads the YAML ones ([`Follow`]) and says which it could not read (ZC308).

/// What lint reads of an include option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follow {
    /// `yaml`, `yml`: a section of a YAML file (`file[:section]`, `uwsgi` by default).
    YamlSection,
    /// `include`, `inherit`: a file in the format its extension says; lint reads a `.yml` or
    /// `.yaml` one.
    ByExtension,
    /// A format lint does not read, named for messages (`an INI file`).
    Never(&'static str),
}

/// One option that reads options from elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncludeOption {
    /// The option name.
    pub name: &'static str,
    /// What lint reads of it.
    pub follow: Follow,
    /// Whether uWSGI reads it the moment it meets it, in place and with its value's
    /// placeholders left as written; `inherit` is read after the file's own options, once
    /// placeholders are expanded (seen with 2.0.21 and 2.0.31: `inherit: %(f)` loads the file
    /// `f` names, `include: %(f)` looks for a file named `%(f)`).
    pub immediate: bool,
}

const fn include(name: &'static str, follow: Follow) -> IncludeOption {
    IncludeOption { name, follow, immediate: true }
}

/// Every option of uWSGI 2.0 that reads options from another file or source.
pub const INCLUDE_OPTIONS: &[IncludeOption] = &[
    include("yaml", Follow::YamlSection),
    include("yml", Follow::YamlSection),
    include("include", Follow::ByExtension),
    IncludeOption { name: "inherit", follow: Follow::ByExtension, immediate: false },
    include("ini", Follow::Never("an INI file")),
    include("json", Follow::Never("a JSON file")),
    include("js", Follow::Never("a JSON file")),
    include("xml", Follow::Never("an XML file")),
    include("xmlconfig", Follow::Never("an XML file")),
    include("config", Follow::Never("uWSGI's pluggable configuration system")),
    include("ini-paste", Follow::Never("a paste.deploy INI file")),
    include("ini-paste-logged", Follow::Never("a paste.deploy INI file")),
];

/// The include option of this name, if it is one.
pub fn include_option(key: &str) -> Option<&'static IncludeOption> {
    INCLUDE_OPTIONS.iter().find(|o| o.name == key)
}

/// Whether an option reads options from elsewhere.
pub fn is_include(key: &str) -> bool {
    include_option(key).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uwsgi::option_table;

    #[test]
    fn every_loader_of_the_option_table_is_an_include() {
        // uWSGI 2.0.21's `--help`: "load config from ini/yaml/json/xml file", "include the
        // specified file as immediate configuration", "use the specified file as config
        // template", "load configuration using the pluggable system", and the Python plugin's
        // "load a paste.deploy config file containing uwsgi section".
        for option in INCLUDE_OPTIONS {
            assert!(option_table::lookup(option.name).is_some(), "{}", option.name);
        }
        let loaders = ["ini", "yaml", "yml", "json", "js", "xml", "xmlconfig", "config"];
        assert!(loaders.iter().all(|name| is_include(name)));
        assert!(!is_include("inject-before") && !is_include("fallback-config"));
        assert_eq!(include_option("inherit").map(|o| o.immediate), Some(false));
        assert_eq!(include_option("yaml").map(|o| o.follow), Some(Follow::YamlSection));
        assert!(matches!(include_option("ini").map(|o| o.follow), Some(Follow::Never(_))));
    }
}
