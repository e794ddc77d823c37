//! The `tend` binary: parse the command line, then serve or run a tool.

fn main() -> std::process::ExitCode {
    tend::cli::main()
}
