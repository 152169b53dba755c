fn main() -> std::process::ExitCode {
    ado_entra::cli::main()
}
