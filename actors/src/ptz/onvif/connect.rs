//! Finding and connecting an ONVIF camera (PTZ-1): the production [`OnvifConnector`], the
//! port fallback, the clock offset, the service addresses and the media profile, ending in a
//! connected [`OnvifPtz`]. The order of the calls, and why, is in the module doc
//! (`onvif/mod.rs`).

use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use oxvif::OnvifClient;
use oxvif::transport::HttpTransport;
use url::Url;

use super::device::OnvifPtz;
use super::faults::{Caller, last_cause};
use super::strict_xml::StrictTransport;
use crate::ptz::device::{DeviceDescription, PtzConnector, PtzDevice};
use crate::ptz::error::PtzError;
use crate::ptz::spec::PtzSpec;

/// The production connector.
#[derive(Clone, Copy, Debug, Default)]
pub struct OnvifConnector;

impl PtzConnector for OnvifConnector {
    fn connect(&self, spec: PtzSpec) -> BoxFuture<'static, Result<Arc<dyn PtzDevice>, PtzError>> {
        async move {
            let device = OnvifPtz::connect(&spec).await?;
            Ok(Arc::new(device) as Arc<dyn PtzDevice>)
        }
        .boxed()
    }
}

// Connecting is this file's job, so `OnvifPtz::connect` is defined here; `device.rs` holds
// what a connected camera does.
impl OnvifPtz {
    pub async fn connect(spec: &PtzSpec) -> Result<Self, PtzError> {
        let timeout = spec.timing.call_timeout;
        let (client, device_url, offset) = find_device(spec).await?;
        let client = client.with_utc_offset(offset);
        let call = Caller {
            timeout,
            url: &device_url,
        };
        let caps = call
            .run("GetCapabilities", client.get_capabilities())
            .await?;
        let base = Url::parse(&device_url).ok();
        let rebase = |x: &str| rebase_xaddr(x, base.as_ref());
        let mut media_url = caps.media.url.as_deref().map(rebase);
        let mut ptz_url = caps.ptz.url.as_deref().map(rebase);
        if media_url.is_none() || ptz_url.is_none() {
            // Fallback only: GetServices namespaces are often wrong (onvif-server announces
            // PTZ under ver10), so match loosely.
            if let Ok(services) = call.run("GetServices", client.get_services()).await {
                for s in services {
                    let ns = s.namespace.to_ascii_lowercase();
                    if ptz_url.is_none() && ns.contains("/ptz/") {
                        ptz_url = Some(rebase(&s.url));
                    } else if media_url.is_none() && ns.contains("/media/") {
                        media_url = Some(rebase(&s.url));
                    }
                }
            }
        }
        let media_url = media_url.ok_or_else(|| {
            PtzError::NotPtz(format!("ONVIF device at {device_url} has no media service"))
        })?;
        let ptz_url = ptz_url.ok_or_else(|| {
            PtzError::NotPtz(format!("ONVIF device at {device_url} has no PTZ service"))
        })?;
        let media_call = Caller {
            timeout,
            url: &media_url,
        };
        let profiles = media_call
            .run("GetProfiles", client.get_profiles(&media_url))
            .await?;
        let candidates: Vec<(String, bool)> = profiles
            .iter()
            .map(|p| (p.token.clone(), p.ptz_config_token.is_some()))
            .collect();
        let profile_token = choose_profile(&candidates, spec.profile_token.as_deref())?;
        // Identity is nice to have; a camera that refuses it still moves.
        let info = call
            .run("GetDeviceInformation", client.get_device_info())
            .await
            .ok();
        let description = DeviceDescription {
            device_url,
            media_url,
            ptz_url,
            profile_token,
            manufacturer: info
                .as_ref()
                .map(|i| i.manufacturer.clone())
                .unwrap_or_default(),
            model: info.as_ref().map(|i| i.model.clone()).unwrap_or_default(),
            firmware: info.map(|i| i.firmware_version).unwrap_or_default(),
            clock_offset_s: offset,
        };
        Ok(Self::new(client, description, spec.quirks, timeout))
    }
}

/// Try the candidate ports; the first that answers GetSystemDateAndTime is the device.
async fn find_device(spec: &PtzSpec) -> Result<(OnvifClient, String, i64), PtzError> {
    let mut failures = Vec::new();
    for port in spec.ports() {
        let url = device_url(&spec.host, port);
        let client = client_for(&url, spec.username.as_deref(), spec.password.as_deref());
        let call = Caller {
            timeout: spec.timing.call_timeout,
            url: &url,
        };
        match call
            .run("GetSystemDateAndTime", client.get_system_date_and_time())
            .await
        {
            Ok(time) => {
                let offset = time.utc_unix.map(|_| time.utc_offset_secs()).unwrap_or(0);
                return Ok((client, url, offset));
            }
            // Something answered in SOAP (some cameras want credentials even for the
            // clock): this is the device; carry on without an offset.
            Err(PtzError::Fault { .. } | PtzError::Auth { .. } | PtzError::Malformed { .. }) => {
                return Ok((client, url, 0));
            }
            Err(PtzError::Unreachable { detail, .. }) => {
                failures.push(format!("port {port}: {}", last_cause(&detail)))
            }
            Err(e) => failures.push(format!("port {port}: {e}")),
        }
    }
    Err(PtzError::Unreachable {
        operation: "GetSystemDateAndTime",
        url: spec.host.clone(),
        detail: failures.join("; "),
    })
}

fn device_url(host: &str, port: u16) -> String {
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]") // IPv6 literal
    } else {
        host.to_string()
    };
    format!("http://{host}:{port}/onvif/device_service")
}

pub(super) fn client_for(url: &str, username: Option<&str>, password: Option<&str>) -> OnvifClient {
    let mut http = HttpTransport::new();
    let mut client = OnvifClient::new(url);
    if let Some(user) = username.filter(|u| !u.is_empty()) {
        let password = password.unwrap_or_default();
        http = http.with_credentials(user, password);
        client = client.with_credentials(user, password);
    }
    client.with_transport(Arc::new(StrictTransport(http)))
}

/// A camera behind NAT or a container often advertises service addresses with its own
/// idea of its host; keep the path and port it gives but use the host we reached it by.
pub(super) fn rebase_xaddr(xaddr: &str, device: Option<&Url>) -> String {
    let (Some(device), Ok(mut x)) = (device, Url::parse(xaddr)) else {
        return xaddr.to_string();
    };
    if x.host_str() != device.host_str() && x.set_host(device.host_str()).is_ok() {
        return x.to_string();
    }
    xaddr.to_string()
}

/// The configured profile (which must exist), else the first with a PTZ configuration,
/// else the first profile.
fn choose_profile(profiles: &[(String, bool)], wanted: Option<&str>) -> Result<String, PtzError> {
    if let Some(wanted) = wanted {
        return profiles
            .iter()
            .find(|(t, _)| t == wanted)
            .map(|(t, _)| t.clone())
            .ok_or_else(|| {
                PtzError::NotPtz(format!(
                    "media profile {wanted:?} not found; the camera has {}",
                    profiles
                        .iter()
                        .map(|(t, _)| format!("{t:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            });
    }
    profiles
        .iter()
        .find(|(_, ptz)| *ptz)
        .or_else(|| profiles.first())
        .map(|(t, _)| t.clone())
        .ok_or_else(|| PtzError::NotPtz("the camera has no media profile".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_is_the_configured_one_else_the_first_with_ptz() {
        let p = vec![("main".to_string(), false), ("ptz".to_string(), true)];
        assert_eq!(choose_profile(&p, None).ok(), Some("ptz".into()));
        assert_eq!(choose_profile(&p, Some("main")).ok(), Some("main".into()));
        let err = choose_profile(&p, Some("000")).err().map(|e| e.to_string());
        assert!(err.unwrap_or_default().contains("\"main\", \"ptz\""));
        assert!(choose_profile(&[], None).is_err());
    }

    #[test]
    fn service_addresses_keep_their_path_but_take_the_reached_host() {
        let device = Url::parse("http://203.0.113.7:8899/onvif/device_service").ok();
        assert_eq!(
            rebase_xaddr("http://192.168.1.64:8899/onvif/ptz", device.as_ref()),
            "http://203.0.113.7:8899/onvif/ptz"
        );
        assert_eq!(
            rebase_xaddr("http://203.0.113.7:8899/onvif/ptz", device.as_ref()),
            "http://203.0.113.7:8899/onvif/ptz"
        );
        assert_eq!(rebase_xaddr("not a url", device.as_ref()), "not a url");
    }
}
