//! Where a camera's stream is: the RTSP location (composed into a URL in one place, never
//! with credentials), parsing of full URLs, and the rule that credentials never travel in a
//! stored URL.

use std::fmt;

use url::Url;

/// The longest path (with query) a camera URL may have.
pub(super) const MAX_PATH: usize = 1024;

/// A camera's stream address without credentials: stored as its parts, shown and logged as
/// [`RtspLocation::url`].
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RtspLocation {
    /// `rtsp` (RTSP over TLS is refused by validation for now).
    pub scheme: String,
    /// Lower-case host name, IPv4 address or `[IPv6]`.
    pub host: String,
    pub port: u16,
    /// Path and query; starts with `/`.
    pub path: String,
}

impl RtspLocation {
    /// The stream URL without credentials (safe to show and log).
    pub fn url(&self) -> String {
        format!("{}://{}:{}{}", self.scheme, self.host, self.port, self.path)
    }
}

impl fmt::Display for RtspLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url())
    }
}

/// What a full `rtsp://` URL gives: where the stream is, and the credentials it carried.
pub(super) struct ParsedRtsp {
    pub location: RtspLocation,
    pub username: Option<String>,
    pub password: Option<String>,
}

/// Split a full camera URL into its location and credentials (percent-decoded).
pub(super) fn parse_rtsp_url(raw: &str) -> Result<ParsedRtsp, String> {
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
        location: RtspLocation {
            scheme,
            host,
            port,
            path,
        },
        username,
        password,
    })
}

pub(super) fn parse_snapshot_url(raw: &str) -> Result<String, String> {
    let mut url = Url::parse(raw).map_err(|e| format!("is not a valid URL ({e})"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err("must start with http:// or https://".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("has no host".into());
    }
    if url.port() == Some(0) {
        return Err("has port 0; the port must be between 1 and 65535".into());
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
pub(super) fn credential_in_url(path_and_query: &str) -> Option<String> {
    let query = path_and_query.split_once('?').map(|(_, q)| q).unwrap_or("");
    query
        .split('&')
        .filter_map(|kv| kv.split_once('=').map(|(k, _)| k).or(Some(kv)))
        .map(|k| k.to_ascii_lowercase())
        .find(|k| CREDENTIAL_PARAMS.contains(&k.as_str()))
}
