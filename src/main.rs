fn main() -> std::process::ExitCode {
    lockgate::run(std::env::args_os())
}
