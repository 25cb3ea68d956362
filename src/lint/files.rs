//! The files a lint run looks at, each with its role in the dance and its parsed forms, parsed
//! once and shared by every rule.

use crate::jobconf::{self, JobConf, JobConfError};
use crate::secrets::{Kind, Secrets};
use crate::source::Source;
use crate::uwsgi::{self, SectionError, UwsgiOption};
use crate::yaml::{self, Document, YamlError};

/// The part a file plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// `vassal-zergpool.yml`: the pool holding the public address.
    Pool,
    /// `vassal-zergling.yml`: zergling A, web workers and handler mules.
    Zergling,
    /// `galaxy-restarter.yml`: zergling B, web workers only, with a `galaxy:` section.
    Restarter,
    /// The installed `galaxy.yml`.
    GalaxyConfig,
    /// The main job conf, zergling A's.
    JobConf,
    /// The restarter's job conf.
    RestarterJobConf,
    /// Another file in the vassals directory (which the Emperor would start all the same).
    Other,
}

impl Role {
    /// Whether files of this role are YAML read by uWSGI.
    pub fn is_uwsgi_yaml(self) -> bool {
        matches!(self, Role::Pool | Role::Zergling | Role::Restarter | Role::GalaxyConfig)
    }

    /// The role a file's canonical name gives it (`vassal-zergpool.yml`, `galaxy.yml`,
    /// `job_conf-restarter.xml`, ...), if the name is one of them.
    pub fn from_file_name(name: &str) -> Option<Role> {
        match name {
            "vassal-zergpool.yml" | "vassal-zergpool.yaml" => Some(Role::Pool),
            "vassal-zergling.yml" | "vassal-zergling.yaml" => Some(Role::Zergling),
            "galaxy-restarter.yml" | "galaxy-restarter.yaml" => Some(Role::Restarter),
            "galaxy.yml" | "galaxy.yaml" => Some(Role::GalaxyConfig),
            "job_conf-restarter.xml" => Some(Role::RestarterJobConf),
            "job_conf.xml" => Some(Role::JobConf),
            _ => None,
        }
    }

    /// The role in words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Role::Pool => "the zergpool vassal",
            Role::Zergling => "zergling A's vassal",
            Role::Restarter => "the restarter (zergling B)",
            Role::GalaxyConfig => "galaxy.yml",
            Role::JobConf => "the main job conf",
            Role::RestarterJobConf => "the restarter's job conf",
            Role::Other => "a file outside the dance",
        }
    }

    /// Whether files of this role are job confs.
    pub fn is_job_conf(self) -> bool {
        matches!(self, Role::JobConf | Role::RestarterJobConf)
    }

    /// How files of this role are written, where it says (a file outside the dance is read as
    /// its content says).
    pub fn kind(self) -> Option<Kind> {
        if self.is_uwsgi_yaml() {
            Some(Kind::Yaml)
        } else if self.is_job_conf() {
            Some(Kind::Xml)
        } else {
            None
        }
    }
}

/// One file with its role and parsed forms.
#[derive(Debug, Clone)]
pub struct LintFile {
    /// Its part in the dance.
    pub role: Role,
    /// Whether the role was guessed from the content rather than given.
    pub role_assumed: bool,
    /// The text.
    pub source: Source,
    /// For YAML roles: the documents, or why the file is not YAML.
    pub yaml: Option<Result<Vec<Document>, YamlError>>,
    /// For YAML roles: the `uwsgi:` section's options, when the file has a readable one.
    pub uwsgi: Option<Result<Vec<UwsgiOption>, SectionError>>,
    /// For job conf roles: the model, or why it cannot be read.
    pub job_conf: Option<Result<JobConf, JobConfError>>,
    /// Why the file could not be read at all (missing, a directory, not UTF-8); its text is
    /// empty then, and its parsed forms hold the same failure so that rules skip it.
    pub read_error: Option<String>,
}

impl LintFile {
    /// Parses `source` as a file of `role`.
    pub fn new(role: Role, role_assumed: bool, source: Source) -> Self {
        let source = match role.kind() {
            Some(kind) => source.with_kind(kind),
            None => source,
        };
        let mut file = Self {
            role,
            role_assumed,
            source,
            yaml: None,
            uwsgi: None,
            job_conf: None,
            read_error: None,
        };
        if role.is_uwsgi_yaml() {
            file.read_uwsgi_section();
        } else if role.is_job_conf() {
            file.job_conf = Some(jobconf::read(&file.source));
        }
        file
    }

    /// Parses the text as YAML and reads its `uwsgi:` section, if it has one: what a file of a
    /// YAML role gets, and what a file outside the dance gets when lint checks it on its own.
    pub fn read_uwsgi_section(&mut self) {
        let parsed = yaml::parse(&self.source.text);
        if let Ok(documents) = &parsed {
            self.uwsgi = documents
                .first()
                .and_then(|d| d.root.get_last("uwsgi"))
                .map(|entry| uwsgi::options(&entry.value));
        }
        self.yaml = Some(parsed);
    }

    /// A file that could not be read: empty text, every parsed form failed with `reason`.
    pub fn unreadable(role: Role, path: impl Into<std::path::PathBuf>, reason: String) -> Self {
        let source = Source::new(path, "");
        let yaml_error = || YamlError { message: reason.clone(), span: 0..0 };
        let yaml = role.is_uwsgi_yaml().then(|| Err(yaml_error()));
        let job_conf = role
            .is_job_conf()
            .then(|| Err(JobConfError::new(reason.clone(), 0..0, "make the file readable")));
        Self {
            role,
            role_assumed: false,
            source,
            yaml,
            uwsgi: None,
            job_conf,
            read_error: Some(reason),
        }
    }

    /// Whether the file was read and parsed in the form its role needs; rules skip it when not.
    pub fn is_readable(&self) -> bool {
        self.read_error.is_none()
            && !matches!(self.yaml, Some(Err(_)))
            && !matches!(self.job_conf, Some(Err(_)))
    }

    /// The `uwsgi:` options, when the file has a readable section.
    pub fn options(&self) -> Option<&[UwsgiOption]> {
        self.uwsgi.as_ref()?.as_ref().ok().map(Vec::as_slice)
    }

    /// Every option with exactly this name, in order.
    pub fn options_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a UwsgiOption> + 'a {
        self.options().unwrap_or(&[]).iter().filter(move |o| o.key == name)
    }

    /// The job conf model, when the file is a readable job conf.
    pub fn job_conf(&self) -> Option<&JobConf> {
        self.job_conf.as_ref()?.as_ref().ok()
    }
}

/// A file of a set with its index in it.
pub type Indexed<'a> = (usize, &'a LintFile);

/// Every file of one lint run.
#[derive(Debug, Clone, Default)]
pub struct FileSet {
    /// The files, in the order they were given.
    pub files: Vec<LintFile>,
    /// The deployment's zerg.toml, when the run has one: it names each file's role and the
    /// layout (vassals directory, paths) that rules compare against.
    pub config: Option<crate::config::Config>,
}

impl FileSet {
    /// The first file with this role, with its index.
    pub fn by_role(&self, role: Role) -> Option<(usize, &LintFile)> {
        self.files.iter().enumerate().find(|(_, f)| f.role == role)
    }

    /// Zergling A and the restarter (every file of either role), with their indexes.
    pub fn zerglings(&self) -> impl Iterator<Item = (usize, &LintFile)> {
        self.files
            .iter()
            .enumerate()
            .filter(|(_, f)| matches!(f.role, Role::Zergling | Role::Restarter))
    }

    /// Zergling A and the restarter, when the set has both.
    pub fn zergling_and_restarter(&self) -> Option<(Indexed<'_>, Indexed<'_>)> {
        Some((self.by_role(Role::Zergling)?, self.by_role(Role::Restarter)?))
    }

    /// The secret values of every file of the set: a report about one file must not show the
    /// secrets of another either (a password reused in a vassal, quoted in a message).
    pub fn secrets(&self) -> Secrets {
        let mut secrets = Secrets::default();
        for file in &self.files {
            secrets.extend(&file.source.secrets());
        }
        secrets
    }

    /// Every file with this role, with their indexes.
    pub fn all_by_role(&self, role: Role) -> impl Iterator<Item = (usize, &LintFile)> {
        self.files.iter().enumerate().filter(move |(_, f)| f.role == role)
    }
}
