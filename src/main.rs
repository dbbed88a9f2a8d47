//! The `vvcheck` command: parse the command line, run, map the outcome to an exit code.

fn main() {
    std::process::exit(vvcheck::cli::main());
}
