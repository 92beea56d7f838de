//! Camera records (CAM-1): validation, vendor profiles, URL composition.

use serde::{Deserialize, Serialize};
use url::Url;
use utoipa::ToSchema;

use super::{FieldError, Validation, check_text};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CameraKind {
    #[default]
    Fixed,
    Ptz,
}

impl CameraKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CameraKind::Fixed => "fixed",
            CameraKind::Ptz => "ptz",
        }
    }

    pub fn parse(s: &str) -> Self {
        if s == "ptz" {
            CameraKind::Ptz
        } else {
            CameraKind::Fixed
        }
    }
}

/// Vendor profile: pre-fills the RTSP path and port and the ONVIF port.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    Reolink,
    Sunba,
    Hikvision,
    Dahua,
    Amcrest,
    #[default]
    Generic,
}

/// What a vendor profile fills in when the form leaves it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VendorDefaults {
    pub rtsp_port: u16,
    pub path: &'static str,
    pub onvif_port: u16,
}

impl Vendor {
    pub const ALL: [Vendor; 6] = [
        Vendor::Reolink,
        Vendor::Sunba,
        Vendor::Hikvision,
        Vendor::Dahua,
        Vendor::Amcrest,
        Vendor::Generic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Reolink => "reolink",
            Vendor::Sunba => "sunba",
            Vendor::Hikvision => "hikvision",
            Vendor::Dahua => "dahua",
            Vendor::Amcrest => "amcrest",
            Vendor::Generic => "generic",
        }
    }

    pub fn parse(s: &str) -> Self {
        Vendor::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .unwrap_or_default()
    }

    /// Main-stream defaults, from the vendors' documentation and the existing system.
    pub fn defaults(self) -> VendorDefaults {
        match self {
            Vendor::Reolink => VendorDefaults {
                rtsp_port: 554,
                path: "/Preview_01_main",
                onvif_port: 8000,
            },
            // Sunba's native path embeds the credentials; its ONVIF stream URI (port 8899)
            // is the reliable source, so the generic path is only a starting point.
            Vendor::Sunba => VendorDefaults {
                rtsp_port: 554,
                path: "/stream0",
                onvif_port: 8899,
            },
            Vendor::Hikvision => VendorDefaults {
                rtsp_port: 554,
                path: "/Streaming/Channels/101",
                onvif_port: 80,
            },
            Vendor::Dahua | Vendor::Amcrest => VendorDefaults {
                rtsp_port: 554,
                path: "/cam/realmonitor?channel=1&subtype=0",
                onvif_port: 80,
            },
            Vendor::Generic => VendorDefaults {
                rtsp_port: 554,
                path: "/stream1",
                onvif_port: 80,
            },
        }
    }
}

/// A camera as the API receives it on create (and, merged with the stored one, on update).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CameraInput {
    /// 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[serde(default)]
    pub kind: CameraKind,
    #[serde(default)]
    pub vendor: Vendor,
    /// Full URL, `rtsp://[user:pass@]host[:port]/path`. Give either this or `host`
    /// (with optional `port` and `path`). Credentials in it are moved to
    /// `username`/`password` and never stored in the URL.
    #[schema(example = "rtsp://192.168.1.20:554/stream1")]
    pub rtsp_url: Option<String>,
    pub host: Option<String>,
    #[schema(minimum = 1, maximum = 65535)]
    pub port: Option<u16>,
    /// Starts with `/`; may carry a query.
    pub path: Option<String>,
    pub username: Option<String>,
    /// Write-only: stored encrypted, never returned.
    #[schema(write_only)]
    pub password: Option<String>,
    #[schema(minimum = 1, maximum = 65535)]
    pub onvif_port: Option<u16>,
    /// ONVIF media profile token for PTZ; absent = the first profile with a PTZ configuration.
    #[schema(max_length = 64)]
    pub onvif_profile: Option<String>,
    /// Per-camera PTZ workarounds.
    #[serde(default)]
    pub ptz_quirks: Vec<PtzQuirk>,
    /// HTTP(S) URL returning a JPEG; credentials in it are stripped.
    pub snapshot_url: Option<String>,
    pub enabled: Option<bool>,
}

/// A PTZ workaround for a camera that does not follow ONVIF to the letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PtzQuirk {
    /// The camera rejects Stop: stop with a zero-velocity ContinuousMove.
    StopByZeroVelocity,
    /// The camera's reported position is unusable: recall presets by token only.
    IgnorePosition,
}

impl PtzQuirk {
    pub fn as_str(self) -> &'static str {
        match self {
            PtzQuirk::StopByZeroVelocity => "stop_by_zero_velocity",
            PtzQuirk::IgnorePosition => "ignore_position",
        }
    }

    /// Parse the stored comma-separated list (unknown names are dropped).
    pub fn parse_list(stored: &str) -> Vec<PtzQuirk> {
        stored
            .split(',')
            .filter_map(|q| match q.trim() {
                "stop_by_zero_velocity" => Some(PtzQuirk::StopByZeroVelocity),
                "ignore_position" => Some(PtzQuirk::IgnorePosition),
                _ => None,
            })
            .collect()
    }

    pub fn join(quirks: &[PtzQuirk]) -> String {
        quirks
            .iter()
            .map(|q| q.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The result of validation: everything normalised, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidCamera {
    pub name: String,
    pub kind: CameraKind,
    pub vendor: Vendor,
    pub scheme: String,
    pub host: String,
    pub port: u16,
    pub path: String,
    pub username: Option<String>,
    /// `None` = no password given (keep the stored one on update); `Some("")` = clear.
    pub password: Option<String>,
    pub onvif_port: Option<u16>,
    pub onvif_profile: Option<String>,
    pub ptz_quirks: Vec<PtzQuirk>,
    pub snapshot_url: Option<String>,
    pub enabled: bool,
}

const MAX_PATH: usize = 1024;
const MAX_CREDENTIAL: usize = 256;

/// Validate and normalise a camera. Every problem is reported with its field.
pub fn validate(input: &CameraInput) -> Result<ValidCamera, Vec<FieldError>> {
    let mut v = Validation::default();
    let name = check_text(&mut v, "name", &input.name, 1, 100);
    let defaults = input.vendor.defaults();

    let mut username = input
        .username
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_string);
    let mut password = input.password.clone();

    let (scheme, host, port, path) = match (&input.rtsp_url, &input.host) {
        (Some(_), Some(_)) => {
            v.error(
                "rtsp_url",
                "give either rtsp_url or host/port/path, not both",
            );
            (String::new(), String::new(), 0, String::new())
        }
        (Some(raw), None) => {
            if input.port.is_some() || input.path.is_some() {
                v.error(
                    "rtsp_url",
                    "give either rtsp_url or host/port/path, not both",
                );
            }
            match parse_rtsp_url(raw) {
                Ok(parsed) => {
                    if username.is_none() {
                        username = parsed.username;
                    }
                    if password.is_none() {
                        password = parsed.password;
                    }
                    (parsed.scheme, parsed.host, parsed.port, parsed.path)
                }
                Err(message) => {
                    v.error("rtsp_url", message);
                    (String::new(), String::new(), 0, String::new())
                }
            }
        }
        (None, Some(host)) => {
            let host = host.trim();
            if host.is_empty() {
                v.error("host", "must not be empty");
            } else if host.len() > 253
                || url::Host::parse(host).is_err()
                || (host.contains(['@', ':']) && !host.starts_with('['))
            {
                v.error("host", "must be a host name or an IP address");
            }
            let port = input.port.unwrap_or(defaults.rtsp_port);
            if port == 0 {
                v.error("port", "must be between 1 and 65535");
            }
            let path = input
                .path
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .unwrap_or(defaults.path);
            let path = if path.starts_with('/') {
                path.to_string()
            } else {
                format!("/{path}")
            };
            if path.len() > MAX_PATH {
                v.error("path", format!("must be at most {MAX_PATH} characters"));
            } else if path.chars().any(|c| c.is_control() || c.is_whitespace()) {
                v.error("path", "must not contain spaces or control characters");
            }
            ("rtsp".to_string(), host.to_ascii_lowercase(), port, path)
        }
        (None, None) => {
            v.error(
                "host",
                "give rtsp_url, or host (with optional port and path)",
            );
            (String::new(), String::new(), 0, String::new())
        }
    };

    if let Some(u) = &username {
        if u.chars().count() > MAX_CREDENTIAL {
            v.error(
                "username",
                format!("must be at most {MAX_CREDENTIAL} characters"),
            );
        } else if u.chars().any(char::is_control) {
            v.error("username", "must not contain control characters");
        }
    }
    if let Some(p) = &password
        && p.chars().count() > MAX_CREDENTIAL
    {
        v.error(
            "password",
            format!("must be at most {MAX_CREDENTIAL} characters"),
        );
    }

    let onvif_port = match input.onvif_port {
        Some(0) => {
            v.error("onvif_port", "must be between 1 and 65535");
            None
        }
        Some(p) => Some(p),
        None if input.kind == CameraKind::Ptz => Some(defaults.onvif_port),
        None => None,
    };

    let onvif_profile = input
        .onvif_profile
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string);
    if let Some(p) = &onvif_profile
        && (p.chars().count() > 64 || p.chars().any(char::is_control))
    {
        v.error(
            "onvif_profile",
            "must be an ONVIF token: at most 64 characters, no control characters",
        );
    }
    let mut ptz_quirks = input.ptz_quirks.clone();
    ptz_quirks.dedup();

    if let Some(param) = credential_in_url(&path) {
        v.error(
            if input.rtsp_url.is_some() {
                "rtsp_url"
            } else {
                "path"
            },
            format!("carries a credential ({param}=…); give it in username/password instead"),
        );
    }

    let snapshot_url = match input
        .snapshot_url
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(raw) => match parse_snapshot_url(raw) {
            Ok(u) => Some(u),
            Err(message) => {
                v.error("snapshot_url", message);
                None
            }
        },
    };

    v.finish(ValidCamera {
        name,
        kind: input.kind,
        vendor: input.vendor,
        scheme,
        host,
        port,
        path,
        username,
        password,
        onvif_port,
        onvif_profile,
        ptz_quirks,
        snapshot_url,
        enabled: input.enabled.unwrap_or(true),
    })
}

struct ParsedRtsp {
    scheme: String,
    host: String,
    port: u16,
    path: String,
    username: Option<String>,
    password: Option<String>,
}

fn parse_rtsp_url(raw: &str) -> Result<ParsedRtsp, String> {
    let raw = raw.trim();
    if raw.len() > MAX_PATH + 300 {
        return Err("is too long".into());
    }
    let url = Url::parse(raw).map_err(|e| format!("is not a valid URL ({e})"))?;
    let scheme = url.scheme().to_string();
    if scheme == "rtsps" {
        return Err("rtsps:// (RTSP over TLS) is not supported yet; use rtsp://".into());
    }
    if scheme != "rtsp" {
        return Err(format!("must start with rtsp:// (got {scheme}://)"));
    }
    let host = match url.host() {
        Some(url::Host::Domain(d)) if !d.is_empty() => d.to_ascii_lowercase(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
        _ => return Err("has no host".into()),
    };
    let port = match url.port() {
        Some(0) => return Err("has port 0; the port must be between 1 and 65535".into()),
        Some(p) => p,
        None => 554,
    };
    let mut path = url.path().to_string();
    if path.is_empty() {
        path.push('/');
    }
    if let Some(q) = url.query() {
        path.push('?');
        path.push_str(q);
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let username = (!url.username().is_empty()).then(|| decode(url.username()));
    let password = url.password().map(decode);
    Ok(ParsedRtsp {
        scheme,
        host,
        port,
        path,
        username,
        password,
    })
}

fn parse_snapshot_url(raw: &str) -> Result<String, String> {
    let mut url = Url::parse(raw).map_err(|e| format!("is not a valid URL ({e})"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err("must start with http:// or https://".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("has no host".into());
    }
    if let Some(param) = credential_in_url(&format!("?{}", url.query().unwrap_or(""))) {
        return Err(format!(
            "carries a credential ({param}=…); give it in username/password instead (Digest or Basic is used)"
        ));
    }
    // Credentials belong in the camera's username/password, never in a stored URL.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    Ok(url.to_string())
}

/// Query parameter names that carry credentials in some vendors' URLs.
const CREDENTIAL_PARAMS: &[&str] = &[
    "user", "username", "usr", "pass", "password", "pwd", "passwd", "token", "auth",
];

/// Credentials must travel in `username`/`password` (sealed, never shown), not inside a URL
/// that is stored in clear, returned by the API and written to logs.
fn credential_in_url(path_and_query: &str) -> Option<String> {
    let query = path_and_query.split_once('?').map(|(_, q)| q).unwrap_or("");
    query
        .split('&')
        .filter_map(|kv| kv.split_once('=').map(|(k, _)| k).or(Some(kv)))
        .map(|k| k.to_ascii_lowercase())
        .find(|k| CREDENTIAL_PARAMS.contains(&k.as_str()))
}

/// The stream URL without credentials (safe to show and log).
pub fn rtsp_url(scheme: &str, host: &str, port: u16, path: &str) -> String {
    format!("{scheme}://{host}:{port}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str) -> CameraInput {
        CameraInput {
            name: name.into(),
            ..Default::default()
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn host_form_uses_vendor_defaults() {
        let c = validate(&CameraInput {
            host: Some("192.168.1.20".into()),
            vendor: Vendor::Hikvision,
            kind: CameraKind::Ptz,
            ..input("Gate")
        })
        .unwrap();
        assert_eq!(
            rtsp_url(&c.scheme, &c.host, c.port, &c.path),
            "rtsp://192.168.1.20:554/Streaming/Channels/101"
        );
        assert_eq!(c.onvif_port, Some(80));
        let c = validate(&CameraInput {
            host: Some("cam.local".into()),
            vendor: Vendor::Reolink,
            ..input("x")
        })
        .unwrap();
        assert_eq!(c.path, "/Preview_01_main");
        assert_eq!(
            c.onvif_port, None,
            "fixed cameras get no ONVIF port unless given"
        );
    }

    #[test]
    fn url_form_moves_percent_encoded_credentials_out_of_the_url() {
        let c = validate(&CameraInput {
            rtsp_url: Some("rtsp://admin:p%40ss%3Aw%2Frd%23!@10.0.0.5:8554/live?ch=1".into()),
            ..input("Door")
        })
        .unwrap();
        assert_eq!(c.username.as_deref(), Some("admin"));
        assert_eq!(c.password.as_deref(), Some("p@ss:w/rd#!"));
        assert_eq!(
            rtsp_url(&c.scheme, &c.host, c.port, &c.path),
            "rtsp://10.0.0.5:8554/live?ch=1"
        );
    }

    #[test]
    fn explicit_credentials_win_over_url_ones() {
        let c = validate(&CameraInput {
            rtsp_url: Some("rtsp://a:b@h/x".into()),
            username: Some("u".into()),
            password: Some("p".into()),
            ..input("x")
        })
        .unwrap();
        assert_eq!(
            (c.username.as_deref(), c.password.as_deref()),
            (Some("u"), Some("p"))
        );
        assert_eq!(c.port, 554);
    }

    #[test]
    fn bad_input_names_each_field() {
        let e = validate(&CameraInput {
            host: Some("h".into()),
            port: Some(0),
            ..input("  ")
        })
        .unwrap_err();
        assert_eq!(fields(&e), vec!["name", "port"]);
        let e = validate(&CameraInput {
            rtsp_url: Some("http://h/x".into()),
            ..input("a")
        })
        .unwrap_err();
        assert_eq!(fields(&e), vec!["rtsp_url"]);
        assert!(e[0].message.contains("rtsp://"));
        let e = validate(&CameraInput {
            rtsp_url: Some("rtsps://h/x".into()),
            ..input("a")
        })
        .unwrap_err();
        assert!(e[0].message.contains("not supported"));
        let e = validate(&CameraInput {
            rtsp_url: Some("rtsp:///nohost".into()),
            ..input("a")
        })
        .unwrap_err();
        assert_eq!(fields(&e), vec!["rtsp_url"]);
        let e = validate(&CameraInput {
            rtsp_url: Some("not a url".into()),
            ..input("a")
        })
        .unwrap_err();
        assert_eq!(fields(&e), vec!["rtsp_url"]);
        let e = validate(&input("a")).unwrap_err();
        assert_eq!(fields(&e), vec!["host"]);
        let e = validate(&CameraInput {
            host: Some("h".into()),
            rtsp_url: Some("rtsp://h/".into()),
            ..input("a")
        })
        .unwrap_err();
        assert_eq!(fields(&e), vec!["rtsp_url"]);
        let e = validate(&CameraInput {
            host: Some("bad host/".into()),
            ..input("a")
        })
        .unwrap_err();
        assert_eq!(fields(&e), vec!["host"]);
        let e = validate(&CameraInput {
            host: Some("h".into()),
            snapshot_url: Some("ftp://h/x".into()),
            ..input("a")
        })
        .unwrap_err();
        assert_eq!(fields(&e), vec!["snapshot_url"]);
        let e = validate(&CameraInput {
            host: Some("h".into()),
            name: "x".repeat(101),
            ..input("a")
        })
        .unwrap_err();
        assert_eq!(fields(&e), vec!["name"]);
    }

    #[test]
    fn credentials_in_queries_are_refused() {
        let e = validate(&CameraInput {
            rtsp_url: Some("rtsp://h/live?user=a&password=b".into()),
            ..input("a")
        })
        .unwrap_err();
        assert_eq!(fields(&e), vec!["rtsp_url"]);
        let e = validate(&CameraInput {
            host: Some("h".into()),
            path: Some("/x?pwd=1".into()),
            ..input("a")
        })
        .unwrap_err();
        assert_eq!(fields(&e), vec!["path"]);
        let e = validate(&CameraInput {
            host: Some("h".into()),
            snapshot_url: Some("http://h/cgi-bin/api.cgi?cmd=Snap&user=admin&password=x".into()),
            ..input("a")
        })
        .unwrap_err();
        assert_eq!(fields(&e), vec!["snapshot_url"]);
        assert!(
            validate(&CameraInput {
                host: Some("h".into()),
                vendor: Vendor::Dahua,
                ..input("a")
            })
            .is_ok(),
            "channel=1&subtype=0 is fine"
        );
    }

    #[test]
    fn snapshot_url_credentials_are_stripped() {
        let c = validate(&CameraInput {
            host: Some("h".into()),
            snapshot_url: Some("http://admin:secret@h/cgi-bin/snap.jpg".into()),
            ..input("a")
        })
        .unwrap();
        assert_eq!(c.snapshot_url.as_deref(), Some("http://h/cgi-bin/snap.jpg"));
    }

    #[test]
    fn vendor_names_round_trip() {
        for v in Vendor::ALL {
            assert_eq!(Vendor::parse(v.as_str()), v);
        }
    }
}
