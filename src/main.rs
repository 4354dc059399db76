//! The `factsheet` command: everything lives in the library.

fn main() -> std::process::ExitCode {
    factsheet::cli::main()
}
