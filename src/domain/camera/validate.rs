//! A camera as an operator gives it (CAM-1), checked field by field and normalised.

use serde::Deserialize;
use utoipa::ToSchema;

use super::kinds::{CameraKind, PtzQuirk};
use super::location::{
    MAX_PATH, RtspLocation, credential_in_url, parse_rtsp_url, parse_snapshot_url,
};
use super::vendor::Vendor;
use crate::domain::{FieldError, Validation, check_text};

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

/// The result of validation: everything normalised, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidCamera {
    pub name: String,
    pub kind: CameraKind,
    pub vendor: Vendor,
    pub location: RtspLocation,
    pub username: Option<String>,
    /// `None` = no password given (keep the stored one on update); `Some("")` = clear.
    pub password: Option<String>,
    pub onvif_port: Option<u16>,
    pub onvif_profile: Option<String>,
    pub ptz_quirks: Vec<PtzQuirk>,
    pub snapshot_url: Option<String>,
    pub enabled: bool,
}

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

    let nowhere = || RtspLocation {
        scheme: String::new(),
        host: String::new(),
        port: 0,
        path: String::new(),
    };
    let location = match (&input.rtsp_url, &input.host) {
        (Some(_), Some(_)) => {
            v.error(
                "rtsp_url",
                "give either rtsp_url or host/port/path, not both",
            );
            nowhere()
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
                    parsed.location
                }
                Err(message) => {
                    v.error("rtsp_url", message);
                    nowhere()
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
            RtspLocation {
                scheme: "rtsp".to_string(),
                host: host.to_ascii_lowercase(),
                port,
                path,
            }
        }
        (None, None) => {
            v.error(
                "host",
                "give rtsp_url, or host (with optional port and path)",
            );
            nowhere()
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
    let ptz_quirks = crate::domain::unique(&input.ptz_quirks);

    if let Some(param) = credential_in_url(&location.path) {
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
        location,
        username,
        password,
        onvif_port,
        onvif_profile,
        ptz_quirks,
        snapshot_url,
        enabled: input.enabled.unwrap_or(true),
    })
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
            c.location.url(),
            "rtsp://192.168.1.20:554/Streaming/Channels/101"
        );
        assert_eq!(c.onvif_port, Some(80));
        let c = validate(&CameraInput {
            host: Some("cam.local".into()),
            vendor: Vendor::Reolink,
            ..input("x")
        })
        .unwrap();
        assert_eq!(c.location.path, "/Preview_01_main");
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
        assert_eq!(c.location.url(), "rtsp://10.0.0.5:8554/live?ch=1");
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
        assert_eq!(c.location.port, 554);
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
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{}\"", v.as_str()));
            assert_eq!(serde_json::from_str::<Vendor>(&json).unwrap(), v);
        }
    }
}
