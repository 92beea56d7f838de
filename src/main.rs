fn main() -> std::process::ExitCode {
    vistterstream::cli::main()
}
