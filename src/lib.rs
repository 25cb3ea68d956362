//! zergcfg: generate, lint and diff the uWSGI configuration of a Galaxy server that restarts
//! without downtime in Zerg mode while its job handlers run as uWSGI mules.

pub mod access;
pub mod build;
pub mod config;
pub mod diff;
pub mod error;
pub mod galaxy;
pub mod jobconf;
pub mod lint;
pub mod paths;
pub mod plan;
pub mod render;
pub mod rundirs;
pub mod secrets;
pub mod source;
pub mod suggest;
pub mod uwsgi;
pub mod write;
pub mod xml;
pub mod yaml;
