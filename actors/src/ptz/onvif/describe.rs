//! Identifying a device that discovery found (WS-Discovery): who made it, its stream URI
//! (credentials stripped) and whether it can pan and tilt, as a [`DeviceSummary`].

use std::time::Duration;

use url::Url;

use super::connect::{client_for, rebase_xaddr};
use super::faults::Caller;
use crate::ptz::error::PtzError;

/// What discovery learns from a device it may talk to (credentials given).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct DeviceSummary {
    pub manufacturer: String,
    pub model: String,
    /// RTSP URI of the first media profile (credentials stripped).
    pub stream_uri: Option<String>,
    /// The device has a PTZ service and a profile with a PTZ configuration.
    pub ptz: bool,
}

/// Identify an ONVIF device at `device_url` (from WS-Discovery): clock offset, device
/// information, stream URI, PTZ capability. Each call bounded by `timeout`.
pub async fn describe_device(
    device_url: &str,
    username: Option<&str>,
    password: Option<&str>,
    timeout: Duration,
) -> Result<DeviceSummary, PtzError> {
    let call = Caller {
        timeout,
        url: device_url,
    };
    let client = client_for(device_url, username, password);
    let offset = match call
        .run("GetSystemDateAndTime", client.get_system_date_and_time())
        .await
    {
        Ok(t) => t.utc_unix.map(|_| t.utc_offset_secs()).unwrap_or(0),
        Err(e) if e.is_connection_lost() => return Err(e),
        Err(_) => 0,
    };
    let client = client.with_utc_offset(offset);
    let info = call
        .run("GetDeviceInformation", client.get_device_info())
        .await?;
    let caps = call
        .run("GetCapabilities", client.get_capabilities())
        .await?;
    let base = Url::parse(device_url).ok();
    let mut summary = DeviceSummary {
        manufacturer: info.manufacturer,
        model: info.model,
        stream_uri: None,
        ptz: false,
    };
    if let Some(media) = caps
        .media
        .url
        .as_deref()
        .map(|x| rebase_xaddr(x, base.as_ref()))
    {
        let media_call = Caller {
            timeout,
            url: &media,
        };
        let profiles = media_call
            .run("GetProfiles", client.get_profiles(&media))
            .await?;
        summary.ptz =
            caps.ptz.url.is_some() && profiles.iter().any(|p| p.ptz_config_token.is_some());
        if let Some(first) = profiles.first()
            && let Ok(uri) = media_call
                .run("GetStreamUri", client.get_stream_uri(&media, &first.token))
                .await
        {
            summary.stream_uri = Some(strip_credentials(&uri.uri));
        }
    }
    Ok(summary)
}

fn strip_credentials(uri: &str) -> String {
    match Url::parse(uri) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => uri.to_string(),
    }
}
