use clap::Parser;

fn main() {
    api::telemetry::init();
    let cli = api::cli::Cli::parse();
    match api::cli::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::exit(1);
        }
    }
}
