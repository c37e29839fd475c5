//! The `luodi` binary: see `luodi --help`.

fn main() -> std::process::ExitCode {
    luodi::cli::main()
}
