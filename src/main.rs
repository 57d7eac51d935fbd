//! The `confbot` executable: parse the command line, start logging, run, exit with a code.

use clap::Parser;

fn main() {
    let cli = confbot::cli::Cli::parse();
    confbot::cli::init_logging(cli.log.as_deref());
    let code = match confbot::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
        }
    };
    std::process::exit(code);
}
