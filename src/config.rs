//! Configuration: defaults < TOML file (`--config`) < `VISTTER_*` environment < CLI flags.
//!
//! Every field has a default, so the appliance runs with no file at all. Nested keys map to
//! the environment with a double underscore: `VISTTER_CAMERAS__STALL_TIMEOUT_SECS=8`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the HTTP API and UI listen on.
    pub listen: SocketAddr,
    /// Holds the SQLite database, the secret key, snapshots and (later) recordings.
    pub data_dir: PathBuf,
    pub log_format: LogFormat,
    /// `tracing` filter, e.g. `info` or `info,vistterstream_actors=debug`.
    pub log_level: String,
    pub cameras: CameraConfig,
    pub snapshots: SnapshotConfig,
    pub auth: AuthConfig,
    pub http: HttpConfig,
    pub outputs: OutputConfig,
    pub recordings: RecordingConfig,
    pub assets: AssetConfig,
    pub ptz: PtzConfig,
    pub discovery: DiscoveryConfig,
    pub schedules: ScheduleConfig,
}

/// The schedules' clock. Real time unless a simulated start is given: then the schedules
/// see time begin there when the appliance starts and run `simulated_rate` times as fast (a
/// drill of next Saturday's show, or a test of a window opening and closing). Timelines
/// themselves always run in real time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScheduleConfig {
    /// RFC 3339, e.g. "2026-03-29T00:59:50+01:00"; empty = real time.
    pub simulated_start: String,
    /// Simulated seconds per real second (with `simulated_start`), 0.1–3600.
    pub simulated_rate: f64,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        Self {
            simulated_start: String::new(),
            simulated_rate: 1.0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PtzConfig {
    /// Every ONVIF call is abandoned after this.
    pub call_timeout_ms: u64,
    /// How often a connected PTZ camera is checked (GetStatus); a lost camera is noticed
    /// within this.
    pub health_interval_ms: u64,
    /// GetStatus polling while waiting for a move to settle.
    pub settle_poll_ms: u64,
    /// Upper bound of a settle wait (goto, absolute/relative moves with `wait`).
    pub settle_timeout_ms: u64,
    /// A continuous move is stopped after this unless it gives a shorter timeout.
    pub move_watchdog_ms: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscoveryConfig {
    /// Interface (name or IPv4 address) WS-Discovery probes leave by when a request names
    /// none; empty = the first up, non-loopback IPv4 interface.
    pub interface: String,
    /// UDP port of WS-Discovery (3702 everywhere; tests use their own).
    pub ws_discovery_port: u16,
    /// Concurrent connections of an RTSP scan.
    pub scan_concurrency: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CameraConfig {
    /// No frame for this long = stalled; the session is dropped and reopened.
    pub stall_timeout_secs: u64,
    /// DESCRIBE/SETUP/PLAY and the first frame must complete within this.
    pub connect_timeout_secs: u64,
    /// Bound of a connection test.
    pub test_timeout_secs: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SnapshotConfig {
    /// Stored snapshots older than this many days (at least 1) are deleted.
    pub retention_days: u32,
    /// At most this many stored snapshots per camera (the oldest go first).
    pub max_per_camera: u32,
    /// A live snapshot is reused for this long (many viewers, one decode).
    pub cache_ms: u64,
    pub jpeg_quality: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Lifetime of a login session (cookie and its bearer token).
    pub session_ttl_hours: u32,
    /// Failed-or-not login attempts allowed per client address per minute.
    pub login_attempts_per_minute: u32,
    /// Mark the session cookie `Secure` (set when the UI is served over HTTPS).
    pub secure_cookie: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Largest JSON request body accepted.
    pub json_limit_bytes: usize,
    /// Seconds in-flight requests get to finish at shutdown.
    pub shutdown_grace_secs: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    /// No picture from the camera on air for this long → the slate.
    pub slate_after_ms: u64,
    /// PEM bundle of extra certificate authorities trusted for RTMPS ingests (added to the
    /// system store), e.g. for a private ingest with its own CA.
    pub rtmps_ca_file: Option<PathBuf>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecordingConfig {
    /// Recordings older than this many days are deleted.
    pub retention_days: u32,
    /// The oldest recordings go once all of them together exceed this many MiB.
    pub max_total_mib: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AssetConfig {
    /// Largest uploaded picture, and largest URL image fetched.
    pub max_upload_bytes: usize,
    /// Networks URL images may be fetched from although the SSRF guard refuses them
    /// (loopback, link-local), e.g. `["127.0.0.1/32"]` for a picture served on this machine.
    pub url_allow_networks: Vec<String>,
}

impl Default for AssetConfig {
    fn default() -> Self {
        Self {
            max_upload_bytes: 10 * 1024 * 1024,
            url_allow_networks: vec![],
        }
    }
}

impl AssetConfig {
    /// The allowlist, parsed; an invalid entry is an error naming it.
    pub fn allow_networks(&self) -> Result<Vec<ipnet::IpNet>, String> {
        self.url_allow_networks
            .iter()
            .map(|n| {
                n.parse::<ipnet::IpNet>()
                    .or_else(|_| n.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        format!(
                            "assets.url_allow_networks: `{n}` is not an address or CIDR network"
                        )
                    })
            })
            .collect()
    }
}

impl Default for OutputConfig {
    fn default() -> Self {
        Self {
            slate_after_ms: 1000,
            rtmps_ca_file: None,
        }
    }
}

impl Default for RecordingConfig {
    fn default() -> Self {
        Self {
            retention_days: 7,
            max_total_mib: 20 * 1024,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            log_format: LogFormat::Pretty,
            log_level: "info".into(),
            cameras: CameraConfig::default(),
            snapshots: SnapshotConfig::default(),
            auth: AuthConfig::default(),
            http: HttpConfig::default(),
            outputs: OutputConfig::default(),
            recordings: RecordingConfig::default(),
            assets: AssetConfig::default(),
            ptz: PtzConfig::default(),
            discovery: DiscoveryConfig::default(),
            schedules: ScheduleConfig::default(),
        }
    }
}

impl Default for PtzConfig {
    fn default() -> Self {
        Self {
            call_timeout_ms: 5_000,
            health_interval_ms: 10_000,
            settle_poll_ms: 200,
            settle_timeout_ms: 10_000,
            move_watchdog_ms: 30_000,
        }
    }
}

impl Default for DiscoveryConfig {
    fn default() -> Self {
        Self {
            interface: String::new(),
            ws_discovery_port: 3702,
            scan_concurrency: 32,
        }
    }
}

impl Default for CameraConfig {
    fn default() -> Self {
        Self {
            stall_timeout_secs: 5,
            connect_timeout_secs: 10,
            test_timeout_secs: 10,
        }
    }
}

impl Default for SnapshotConfig {
    fn default() -> Self {
        Self {
            retention_days: 30,
            max_per_camera: 200,
            cache_ms: 1000,
            jpeg_quality: 85,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            session_ttl_hours: 24 * 7,
            login_attempts_per_minute: 10,
            secure_cookie: false,
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            json_limit_bytes: 64 * 1024,
            shutdown_grace_secs: 2,
        }
    }
}

/// Values given as CLI flags: the top layer.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FlagOverrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_level: Option<String>,
}

/// Environment variables that are not configuration keys.
const NON_CONFIG_ENV: &[&str] = &["admin_password"];

impl Config {
    /// Layer the sources: defaults, the TOML file, `VISTTER_*` variables, then flags.
    pub fn load(file: Option<&Path>, flags: &FlagOverrides) -> Result<Config, Box<figment::Error>> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(Box::new(figment::Error::from(format!(
                    "config file {} does not exist",
                    file.display()
                ))));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        figment
            .merge(Env::prefixed("VISTTER_").split("__").ignore(NON_CONFIG_ENV))
            .merge(Serialized::defaults(flags))
            .extract()
            .map_err(Box::new)
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's Jail API returns figment::Error
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn defaults_need_no_file() {
        Jail::expect_with(|_| {
            let c = Config::load(None, &FlagOverrides::default()).map_err(|e| *e)?;
            assert_eq!(c, Config::default());
            assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
            assert_eq!(c.data_dir, PathBuf::from("./data"));
            Ok(())
        });
    }

    #[test]
    fn layers_override_in_order() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "vistter.toml",
                "listen = \"127.0.0.1:9000\"\ndata_dir = \"/from/file\"\nlog_level = \"debug\"\n\
                 [cameras]\nstall_timeout_secs = 7\nconnect_timeout_secs = 11",
            )?;
            jail.set_env("VISTTER_DATA_DIR", "/from/env");
            jail.set_env("VISTTER_CAMERAS__STALL_TIMEOUT_SECS", "9");
            jail.set_env("VISTTER_ADMIN_PASSWORD", "not-a-config-key");
            let flags = FlagOverrides {
                data_dir: Some("/from/flag".into()),
                ..Default::default()
            };
            let c = Config::load(Some(Path::new("vistter.toml")), &flags).map_err(|e| *e)?;
            assert_eq!(c.listen.to_string(), "127.0.0.1:9000"); // file
            assert_eq!(c.log_level, "debug"); // file
            assert_eq!(c.cameras.connect_timeout_secs, 11); // file
            assert_eq!(c.cameras.stall_timeout_secs, 9); // env beats file
            assert_eq!(c.data_dir, PathBuf::from("/from/flag")); // flag beats env
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors_naming_the_key() {
        Jail::expect_with(|jail| {
            jail.create_file("bad.toml", "lisen = \"127.0.0.1:1\"")?;
            let e =
                Config::load(Some(Path::new("bad.toml")), &FlagOverrides::default()).unwrap_err();
            assert!(e.to_string().contains("lisen"), "{e}");
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("VISTTER_LISTEN", "not-an-address");
            let e = Config::load(None, &FlagOverrides::default()).unwrap_err();
            assert!(
                format!("{e}").contains("listen") || format!("{e:?}").contains("listen"),
                "{e}"
            );
            Ok(())
        });
    }

    #[test]
    fn missing_config_file_is_an_error() {
        let e = Config::load(
            Some(Path::new("/nonexistent/vistter.toml")),
            &FlagOverrides::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("does not exist"));
    }
}
