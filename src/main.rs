//! The `zergcfg` command: parse arguments, run the command, exit with its code.

mod cli;

fn main() {
    let code = cli::run();
    std::process::exit(code);
}
