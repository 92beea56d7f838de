//! Destinations (OUT-1): platform presets, ingest URL validation, stream key rules.

use serde::{Deserialize, Serialize};
use url::Url;
use utoipa::ToSchema;

use super::{FieldError, Validation, check_text};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(rename_all = "lowercase")]
pub enum Platform {
    Youtube,
    Facebook,
    Twitch,
    Custom,
}

impl Platform {
    pub const ALL: [Platform; 4] = [
        Platform::Youtube,
        Platform::Facebook,
        Platform::Twitch,
        Platform::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Youtube => "youtube",
            Platform::Facebook => "facebook",
            Platform::Twitch => "twitch",
            Platform::Custom => "custom",
        }
    }

    /// The platform's primary ingest, used when `server_url` is left out. RTMPS where the
    /// platform offers it (YouTube, Facebook require or prefer it; Twitch accepts it).
    pub fn default_server_url(self) -> Option<&'static str> {
        match self {
            Platform::Youtube => Some("rtmps://a.rtmp.youtube.com:443/live2"),
            Platform::Facebook => Some("rtmps://live-api-s.facebook.com:443/rtmp"),
            Platform::Twitch => Some("rtmps://live.twitch.tv:443/app"),
            Platform::Custom => None,
        }
    }

    /// Platforms that only accept TLS ingest.
    pub fn requires_rtmps(self) -> bool {
        self == Platform::Facebook
    }
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DestinationInput {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    pub platform: Option<Platform>,
    /// `rtmp://` or `rtmps://` ingest URL without the stream key; default: the platform's.
    #[schema(example = "rtmps://a.rtmp.youtube.com:443/live2")]
    pub server_url: Option<String>,
    /// Write-only: stored encrypted, never returned or logged.
    #[schema(write_only)]
    pub stream_key: Option<String>,
    pub enabled: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidDestination {
    pub name: String,
    pub platform: Platform,
    pub server_url: String,
    /// `None` = keep the stored key (update); `Some` = set it.
    pub stream_key: Option<String>,
    pub enabled: bool,
}

const MAX_KEY: usize = 512;

pub fn validate(
    input: &DestinationInput,
    has_stored_key: bool,
) -> Result<ValidDestination, Vec<FieldError>> {
    let mut v = Validation::default();
    let name = check_text(&mut v, "name", &input.name, 1, 100);
    let platform = input.platform.unwrap_or(Platform::Custom);
    let server_url = match input
        .server_url
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(raw) => match parse_server_url(raw, platform) {
            Ok(u) => u,
            Err(m) => {
                v.error("server_url", m);
                String::new()
            }
        },
        None => match platform.default_server_url() {
            Some(u) => u.to_string(),
            None => {
                v.error("server_url", "is required for a custom destination");
                String::new()
            }
        },
    };
    let stream_key = input
        .stream_key
        .as_deref()
        .map(str::trim)
        .map(str::to_string);
    match stream_key.as_deref() {
        Some("") if platform != Platform::Custom => v.error("stream_key", "must not be empty"),
        Some(k) if k.chars().count() > MAX_KEY => v.error(
            "stream_key",
            format!("must be at most {MAX_KEY} characters"),
        ),
        Some(k)
            if k.chars()
                .any(|c| c.is_control() || c.is_whitespace() || c == '/') =>
        {
            v.error(
                "stream_key",
                "must not contain spaces, slashes or control characters",
            )
        }
        None if !has_stored_key && platform != Platform::Custom => v.error(
            "stream_key",
            format!("is required for {}", platform.as_str()),
        ),
        _ => {}
    }
    v.finish(ValidDestination {
        name,
        platform,
        server_url,
        stream_key,
        enabled: input.enabled.unwrap_or(true),
    })
}

fn parse_server_url(raw: &str, platform: Platform) -> Result<String, String> {
    if raw.len() > 1024 {
        return Err("is too long".into());
    }
    let url = Url::parse(raw).map_err(|e| format!("is not a valid URL ({e})"))?;
    match url.scheme() {
        "rtmp" if platform.requires_rtmps() => {
            return Err(format!("{} accepts only rtmps://", platform.as_str()));
        }
        "rtmp" | "rtmps" => {}
        other => {
            return Err(format!(
                "must start with rtmp:// or rtmps:// (got {other}://)"
            ));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("has no host".into());
    }
    if url.port() == Some(0) {
        return Err("has port 0".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials; put the key in stream_key".into());
    }
    if url.fragment().is_some() {
        return Err("must not have a #fragment".into());
    }
    let path = url.path().trim_matches('/');
    if path.is_empty() {
        return Err("needs the application path, e.g. rtmp://host/live".into());
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// The full ingest URL a publisher connects to: server URL + "/" + key.
pub fn publish_url(server_url: &str, stream_key: Option<&str>) -> String {
    match stream_key.filter(|k| !k.is_empty()) {
        Some(k) => format!("{}/{k}", server_url.trim_end_matches('/')),
        None => server_url.to_string(),
    }
}

/// The same URL as it may be shown or logged: the key replaced by asterisks.
pub fn masked_publish_url(server_url: &str, has_key: bool) -> String {
    if has_key {
        format!("{}/****", server_url.trim_end_matches('/'))
    } else {
        server_url.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, platform: Platform) -> DestinationInput {
        DestinationInput {
            name: name.into(),
            platform: Some(platform),
            ..Default::default()
        }
    }

    #[test]
    fn platform_presets_fill_the_server() {
        let d = validate(
            &DestinationInput {
                stream_key: Some("abcd-efgh".into()),
                ..input("yt", Platform::Youtube)
            },
            false,
        )
        .unwrap();
        assert_eq!(d.server_url, "rtmps://a.rtmp.youtube.com:443/live2");
        assert_eq!(
            publish_url(&d.server_url, d.stream_key.as_deref()),
            "rtmps://a.rtmp.youtube.com:443/live2/abcd-efgh"
        );
        assert_eq!(
            masked_publish_url(&d.server_url, true),
            "rtmps://a.rtmp.youtube.com:443/live2/****"
        );
    }

    #[test]
    fn bad_urls_and_keys_name_the_field() {
        let field = |i: DestinationInput| {
            validate(&i, false)
                .unwrap_err()
                .iter()
                .map(|e| e.field.clone())
                .collect::<Vec<_>>()
        };
        let custom = |url: &str| DestinationInput {
            server_url: Some(url.into()),
            stream_key: Some("k".into()),
            ..input("c", Platform::Custom)
        };
        assert_eq!(field(custom("rtmp:///live")), vec!["server_url"]);
        assert_eq!(field(custom("rtmp://")), vec!["server_url"]);
        assert_eq!(field(custom("http://host/live")), vec!["server_url"]);
        assert_eq!(field(custom("rtmp://host")), vec!["server_url"]);
        assert_eq!(
            field(custom("rtmp://user:pw@host/live")),
            vec!["server_url"]
        );
        assert_eq!(
            field(DestinationInput {
                server_url: Some("rtmp://live-api-s.facebook.com/rtmp".into()),
                stream_key: Some("k".into()),
                ..input("fb", Platform::Facebook)
            }),
            vec!["server_url"]
        );
        assert_eq!(field(input("yt", Platform::Youtube)), vec!["stream_key"]);
        assert_eq!(
            field(DestinationInput {
                stream_key: Some("has space".into()),
                ..input("yt", Platform::Youtube)
            }),
            vec!["stream_key"]
        );
        assert_eq!(
            field(DestinationInput {
                name: String::new(),
                ..input("", Platform::Custom)
            }),
            vec!["name", "server_url"]
        );
    }

    #[test]
    fn an_update_may_keep_the_stored_key() {
        assert!(validate(&input("yt", Platform::Youtube), true).is_ok());
    }
}
