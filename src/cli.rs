//! Command line: `vistterstream serve [--config F] [--listen ADDR] [--data-dir DIR] …`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Config, FlagOverrides, LogFormat};

#[derive(Parser, Debug)]
#[command(
    name = "vistterstream",
    version,
    about = "Camera-to-live broadcast appliance"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the appliance: camera ingest, API, UI, metrics.
    Serve(ServeArgs),
    /// Print the effective configuration (defaults < file < environment < flags) as TOML.
    Config(ServeArgs),
    /// Print the OpenAPI document of the REST API (what `/api/v1/openapi.json` serves).
    Openapi,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// TOML configuration file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
    /// Directory for the database, secret key and media [default: ./data].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Log output format [default: pretty].
    #[arg(long, value_enum)]
    pub log_format: Option<LogFormat>,
    /// Log filter, e.g. `info` or `debug,hyper=info` [default: info].
    #[arg(long, value_name = "FILTER")]
    pub log_level: Option<String>,
}

impl ServeArgs {
    pub fn load(&self) -> Result<Config, Box<figment::Error>> {
        let flags = FlagOverrides {
            listen: self.listen,
            data_dir: self.data_dir.clone(),
            log_format: self.log_format,
            log_level: self.log_level.clone(),
        };
        Config::load(self.config.as_deref(), &flags)
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let args = match &cli.command {
        Command::Serve(args) | Command::Config(args) => args,
        Command::Openapi => return print_openapi(),
    };
    let config = match args.load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("vistterstream: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Config(_) => match toml::to_string_pretty(&config) {
            Ok(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("vistterstream: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Openapi => print_openapi(),
        Command::Serve(_) => {
            crate::logging::init(config.log_format, &config.log_level);
            match crate::serve::run(config) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "vistterstream stopped");
                    eprintln!("vistterstream: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn print_openapi() -> ExitCode {
    match crate::http::openapi::document_json() {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("vistterstream: the OpenAPI document: {e}");
            ExitCode::FAILURE
        }
    }
}
