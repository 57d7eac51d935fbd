//! The `confbot` executable: parse the command line, run (which starts logging), exit with a code.

use clap::Parser;

fn main() {
    let cli = confbot::cli::Cli::parse();
    let code = match confbot::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
        }
    };
    std::process::exit(code);
}
