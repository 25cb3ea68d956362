//! The integration tests of zergcfg, in one binary: CLI transcripts that pin exit codes and exact
//! output, the behaviour of `build` on disk, uWSGI's own reading of the generated files, and the
//! zero-downtime restart with real uWSGI processes.

// Tests report skips and progress on stderr, as test output.
#![allow(clippy::print_stderr, clippy::print_stdout)]

mod build;
mod build_galaxy;
mod build_robustness;
mod e2e;
mod known_bad;
mod lint_docs;
mod lint_formats;
mod lint_robustness;
mod lint_special_files;
mod output;
mod precommit;
mod secrets;
mod support;
mod transcripts;
mod uwsgi_reads;
