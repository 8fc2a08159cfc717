fn main() -> std::process::ExitCode {
    engram::cli::main()
}
