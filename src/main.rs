use clap::Parser;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let cli = eduflow::config::Cli::parse();
    eduflow::telemetry::init(cli.log_format);
    match eduflow::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
