//! The plan: everything `build` would write, computed in memory from zerg.toml, galaxy.yml and
//! the main job conf. `build` writes it, `diff` compares it with what is installed. Nothing is
//! written until the whole plan exists, so bad input leaves every file as it was.

mod agreement;
mod galaxy_paths;
mod galaxy_section;
pub mod handlers;
mod layout;
mod options;

use std::path::{Path, PathBuf};

use minijinja::context;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::galaxy::GalaxyYml;
use crate::jobconf::restarter::HandlerName;
use crate::jobconf::{self, JobConf};
use crate::paths;
use crate::render::render;
use crate::secrets::{Kind, Secrets};
use crate::source::{ReadError, Source};
use crate::uwsgi::magic::ConfigFile;

pub use galaxy_paths::{galaxy_config_dir, job_conf, main_job_conf, main_job_conf_from};
pub use handlers::handler_names;
pub use layout::SetBy;
pub use options::{Line, Public, Sections, public_address, sections};

/// File name of the pool vassal.
pub const POOL_FILE: &str = "vassal-zergpool.yml";
/// File name of zergling A's vassal.
pub const ZERGLING_FILE: &str = "vassal-zergling.yml";
/// File name of the restarter's uWSGI and Galaxy config.
pub const RESTARTER_FILE: &str = "galaxy-restarter.yml";

/// What a generated file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// `vassals/vassal-zergpool.yml`.
    Pool,
    /// `vassals/vassal-zergling.yml`.
    Zergling,
    /// `config/galaxy-restarter.yml`.
    Restarter,
    /// `config/job_conf-restarter.xml`.
    RestarterJobConf,
}

impl Role {
    /// How the file is written: the restarter's job conf is XML, the rest uWSGI YAML.
    pub fn kind(self) -> Kind {
        match self {
            Role::RestarterJobConf => Kind::Xml,
            Role::Pool | Role::Zergling | Role::Restarter => Kind::Yaml,
        }
    }
}

/// Who may read a file once written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// World-readable (0644 when new): a vassal whose content holds no secret.
    Public,
    /// Owner only (0600), or owner and `group` (0640): never world-readable.
    Secret {
        /// The group that may read it.
        group: Option<String>,
    },
}

/// One file the plan would write.
#[derive(Debug, Clone)]
pub struct PlannedFile {
    /// What it is.
    pub role: Role,
    /// Where it lives on the target machine.
    pub target: PathBuf,
    /// Where it is written (under `--root` when given).
    pub on_disk: PathBuf,
    /// Its full content.
    pub content: String,
    /// Who may read it.
    pub access: Access,
}

/// Everything `build` would write and the commands to run afterwards.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The four files, pool first.
    pub files: Vec<PlannedFile>,
    /// Starts the Emperor (once, as the Galaxy user).
    pub emperor_command: String,
    /// Restarts Galaxy without downtime, as the Galaxy user.
    pub restart_command: String,
    /// Zergling A's handler names.
    pub handlers: Vec<HandlerName>,
    /// The installed files read.
    pub inputs: Vec<PathBuf>,
    /// galaxy.yml's uWSGI options left out of the zerglings, each with the reason.
    pub dropped: Vec<options::Dropped>,
    /// The secret values of the files read and planned, to be kept out of everything printed.
    pub secrets: Secrets,
}

/// Maps a target path to where it is on disk: under `root` when given.
pub fn on_disk(root: Option<&Path>, target: &Path) -> PathBuf {
    match root {
        Some(root) => root.join(target.strip_prefix("/").unwrap_or(target)),
        None => target.to_path_buf(),
    }
}

impl Plan {
    /// Computes the plan for `config`, reading installed files under `root` when given.
    ///
    /// # Errors
    /// Any input that is missing, malformed or would break the dance, with its position.
    pub fn compute(config: &Config, root: Option<&Path>) -> Result<Self> {
        let mut secrets = Secrets::default();
        let plan = Self::compute_into(config, root, &mut secrets);
        // An error about one file must not show a secret of another read before it.
        plan.map_err(|e| e.hiding(&secrets))
    }

    /// [`Plan::compute`], adding the secrets of each file to `secrets` as soon as it is read.
    fn compute_into(config: &Config, root: Option<&Path>, secrets: &mut Secrets) -> Result<Self> {
        let galaxy_source = read_input(
            config,
            None,
            &on_disk(root, &config.galaxy_config),
            &SetBy::ZergToml(["layout", "galaxy_config"]),
            "zergcfg renders both zerglings from the installed galaxy.yml; install it first or \
             point `layout.galaxy_config` in zerg.toml at it",
        )?;
        let galaxy = GalaxyYml::parse(galaxy_source.with_kind(Kind::Yaml))?;
        secrets.extend(&galaxy.source.secrets());
        let (job_conf_target, job_conf_set_by) = main_job_conf(config, &galaxy, root);
        layout::check(config, &galaxy, (&job_conf_target, &job_conf_set_by), root)?;

        let job_conf_path = on_disk(root, &job_conf_target);
        let job_conf = read_job_conf(config, &galaxy, &job_conf_path, &job_conf_set_by)?;
        secrets.extend(&job_conf.source.secrets());

        let public = public_address(config, &galaxy)?;
        agreement::check(config, &galaxy, &public)?;
        let handlers = handler_names(&galaxy, &job_conf)?;
        let galaxy_file = ConfigFile::new(&crate::galaxy::real_target(root, &config.galaxy_config));
        let sections = sections(config, &galaxy, &public, &galaxy_file)?;

        let restarter_target = config.config_dir.join(RESTARTER_FILE);
        let binary = config.uwsgi_binary.display().to_string();
        let vassals = config.vassals.display().to_string();
        // The Emperor runs as Galaxy's user too: its vassals' master FIFOs accept writes from
        // their own user only, and the restarter is started as that user.
        let mut emperor = vec!["sudo", "-u", &config.user, &binary];
        emperor.extend(["--emperor", &vassals, "--emperor-wrapper", &binary]);
        let freq = config.emperor_freq.map(|f| f.to_string());
        if let Some(freq) = &freq {
            emperor.extend(["--emperor-freq", freq]);
        }
        let emperor_command = paths::shell_command(&emperor);
        let restarter_path = restarter_target.display().to_string();
        let restart_command =
            paths::shell_command(&["sudo", "-u", &config.user, &binary, "--yaml", &restarter_path]);

        let handler_ids: Vec<String> = handlers.iter().map(|h| h.id.clone()).collect();
        let pool = render(
            "vassal-zergpool.yml.j2",
            &context! { options => minijinja::Value::from(minijinja::value::Serde(&sections.pool)), address => public.address },
        )?;
        let zergling = render(
            "vassal-zergling.yml.j2",
            &context! { options => minijinja::Value::from(minijinja::value::Serde(&sections.zergling)), handlers => handler_ids.clone() },
        )?;
        let restarter = render(
            "galaxy-restarter.yml.j2",
            &context! {
                options => minijinja::Value::from(minijinja::value::Serde(&sections.restarter)),
                restart_command => restart_command.clone(),
                job_conf => config.restarter_job_conf.display().to_string(),
                galaxy_section => galaxy_section::restarter_galaxy_section(config, &galaxy)?,
            },
        )?;
        let header = render(
            "job_conf-restarter-header.xml.j2",
            &context! {
                job_conf => comment_safe(&job_conf_target.display().to_string()),
                job_conf_name => comment_safe(&file_name(&job_conf_target)),
                handlers => handler_ids,
            },
        )?;
        let restarter_job_conf =
            jobconf::restarter::render_restarter(&job_conf, &handlers, header.trim_end())
                .map_err(|e| job_conf_error(&job_conf.source, &e))?;

        let contents = [
            (Role::Pool, config.vassals.join(POOL_FILE), pool),
            (Role::Zergling, config.vassals.join(ZERGLING_FILE), zergling),
            (Role::Restarter, restarter_target, restarter),
            (Role::RestarterJobConf, config.restarter_job_conf.clone(), restarter_job_conf),
        ];
        for (role, _, content) in &contents {
            secrets.add(role.kind(), content);
        }
        // A file holding a secret (the restarter's `galaxy:` section, a vassal given
        // `env: AWS_SECRET_ACCESS_KEY=...` by galaxy.yml's `uwsgi:` section) is kept from
        // other users.
        let files = contents
            .into_iter()
            .map(|(role, target, content)| {
                let holds_secret = role == Role::Restarter
                    || role == Role::RestarterJobConf
                    || !secrets.spans(role.kind(), &content).is_empty();
                let access = if holds_secret {
                    Access::Secret { group: config.group.clone() }
                } else {
                    Access::Public
                };
                PlannedFile { role, on_disk: on_disk(root, &target), target, content, access }
            })
            .collect();

        Ok(Self {
            files,
            emperor_command,
            restart_command,
            handlers,
            inputs: vec![galaxy.source.path.clone(), job_conf_path],
            dropped: sections.dropped,
            secrets: secrets.clone(),
        })
    }
}

fn read_job_conf(
    config: &Config,
    galaxy: &GalaxyYml,
    path: &Path,
    set_by: &SetBy,
) -> Result<JobConf> {
    let help = "the restarter's job conf is built from the main job conf; install it, or set \
                `layout.job_conf` in zerg.toml (or `job_config_file` in galaxy.yml) to its path";
    let source = read_input(config, Some(galaxy), path, set_by, help)?.with_kind(Kind::Xml);
    jobconf::read(&source).map_err(|e| job_conf_error(&source, &e))
}

/// Reads an installed file zergcfg takes as input. A file that cannot be read is reported at
/// the setting its path comes from (a zerg.toml key, or galaxy.yml's line), when one is
/// written down; a file that is not UTF-8 at its first byte that is not.
fn read_input(
    config: &Config,
    galaxy: Option<&GalaxyYml>,
    path: &Path,
    set_by: &SetBy,
    help: &str,
) -> Result<Source> {
    let (code, what) = match galaxy {
        None => ("zergcfg::galaxy", "galaxy.yml"),
        Some(_) => ("zergcfg::jobconf", "the main job conf"),
    };
    match Source::read_text(path) {
        Ok(source) => Ok(source),
        Err(ReadError::NotUtf8 { source, offset }) => {
            Err(Error::not_utf8(code, &source, offset, what))
        }
        Err(ReadError::Io(e)) => {
            let message = Error::io(code, path, "read", &e).message().to_string();
            let located = match (set_by, galaxy) {
                (SetBy::GalaxyYml(span), Some(galaxy)) => Some(Error::at(
                    code,
                    &galaxy.source,
                    span.clone(),
                    message,
                    format!("{what}'s path comes from here"),
                )),
                (SetBy::ZergToml(keys), _) => config.origin(keys).map(|origin| {
                    let label = if origin.own {
                        format!("{what}'s path")
                    } else {
                        format!("{what} is under this")
                    };
                    Error::at(code, &config.source, origin.span, message, label)
                }),
                (SetBy::GalaxyYml(_), None) => None,
            };
            Err(located.unwrap_or_else(|| Error::io(code, path, "read", &e)).with_help(help))
        }
    }
}

fn job_conf_error(source: &Source, e: &jobconf::JobConfError) -> Error {
    Error::at("zergcfg::jobconf", source, e.span.clone(), e.message.clone(), "here")
        .with_help(e.help.clone())
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into())
}

/// XML comments may not contain `--`.
fn comment_safe(text: &str) -> String {
    text.replace("--", "- -")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_http_router_address_becomes_the_pools_and_the_zerglings_speak_http() {
        let config = Config::parse(Source::new("zerg.toml", "")).unwrap();
        let text = "uwsgi:\n  http: :8080\n  mule: a.py\n  farm: job-handlers:1\n";
        let galaxy = GalaxyYml::parse(Source::new("galaxy.yml", text)).unwrap();
        let public = public_address(&config, &galaxy).unwrap();
        assert_eq!(public.address, ":8080");
        assert_eq!(public.protocol, crate::config::Protocol::Http);

        let file = ConfigFile::new(Path::new("/srv/galaxy/config/galaxy.yml"));
        let sections = sections(&config, &galaxy, &public, &file).unwrap();
        let line = |key: &str, value: &str| Line { key: key.into(), value: value.into() };
        assert!(sections.pool.contains(&line("zergpool", "/srv/galaxy/var/zergpool.sock::8080")));
        assert!(sections.zergling.contains(&line("protocol", "http")));
        assert!(!sections.zergling.iter().any(|l| l.key == "http"));
    }

    #[test]
    fn a_hand_written_dance_in_galaxy_yml_is_replaced_by_the_generated_one() {
        let config = Config::parse(Source::new("zerg.toml", "")).unwrap();
        let text = "uwsgi:\n  socket: 127.0.0.1:8080\n  master-fifo: /tmp/a.fifo\n  \
                    if-exists: /tmp/b.fifo\n  hook-accepting1-once: writefifo:/tmp/b.fifo q\n  \
                    endif: if-exists\n  if-env: HOME\n  processes: 2\n  endif: if-env\n  \
                    mule: a.py\n  farm: job-handlers:1\n";
        let galaxy = GalaxyYml::parse(Source::new("galaxy.yml", text)).unwrap();
        let public = public_address(&config, &galaxy).unwrap();
        let file = ConfigFile::new(Path::new("/srv/galaxy/config/galaxy.yml"));
        let sections = sections(&config, &galaxy, &public, &file).unwrap();

        let keys: Vec<&str> = sections.zergling.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(keys.iter().filter(|k| **k == "hook-accepting1-once").count(), 1);
        assert_eq!(keys.iter().filter(|k| **k == "if-exists").count(), 1);
        assert_eq!(keys.iter().filter(|k| **k == "master-fifo").count(), 1);
        assert!(keys.contains(&"if-env"), "a block guarding kept lines stays: {keys:?}");
        assert_eq!(sections.dropped.len(), 5, "{:?}", sections.dropped);
    }

    #[test]
    fn targets_move_under_the_root() {
        let target = Path::new("/srv/galaxy/vassals/a.yml");
        assert_eq!(on_disk(None, target), target);
        assert_eq!(
            on_disk(Some(Path::new("/tmp/x")), target),
            Path::new("/tmp/x/srv/galaxy/vassals/a.yml")
        );
    }
}
