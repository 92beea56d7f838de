//! ONVIF implementation of [`PtzDevice`], on the `oxvif` crate (decision 0006).
//!
//! Connecting (PTZ-1): the ONVIF port from the camera record, else 8899, 8000, 80 in turn;
//! `GetSystemDateAndTime` first (it needs no credentials) to learn the camera's clock offset,
//! which then dates every WS-Security UsernameToken digest (a Pi without RTC, a camera
//! without NTP: frigate#12352); `GetCapabilities` for the media and PTZ service addresses
//! (`GetServices` only as a fallback: real devices get its namespaces wrong); `GetProfiles`
//! for the media profile. Every call is bounded by the spec's call timeout (5 s).
//!
//! Replies are checked to be namespace-well-formed before `oxvif` reads them: its parser
//! matches local names, so a cheap camera's reply with undeclared prefixes (ipycam) would
//! otherwise pass for success.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::FutureExt;
use futures::future::BoxFuture;
use oxvif::transport::{HttpTransport, Transport, TransportError};
use oxvif::{OnvifClient, OnvifError};
use url::Url;

use super::device::{
    DeviceDescription, DevicePreset, MoveState, PtzConnector, PtzDevice, PtzReading, PtzVector,
};
use super::error::PtzError;
use super::spec::{PtzQuirks, PtzSpec};

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

/// One connected ONVIF PTZ camera.
pub struct OnvifPtz {
    client: OnvifClient,
    description: DeviceDescription,
    quirks: PtzQuirks,
    timeout: Duration,
}

/// Subcode of the SOAP fault [`StrictTransport`] puts in place of a malformed reply.
const MALFORMED_SUBCODE: &str = "vistter:MalformedReply";

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
        Ok(Self {
            client,
            description,
            quirks: spec.quirks,
            timeout,
        })
    }

    fn ptz(&self) -> Caller<'_> {
        Caller {
            timeout: self.timeout,
            url: &self.description.ptz_url,
        }
    }

    fn profile(&self) -> &str {
        &self.description.profile_token
    }
}

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

/// The innermost cause of an error chain ("Connection refused (os error 111)").
fn last_cause(detail: &str) -> &str {
    detail.rsplit(": ").next().unwrap_or(detail)
}

fn device_url(host: &str, port: u16) -> String {
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]") // IPv6 literal
    } else {
        host.to_string()
    };
    format!("http://{host}:{port}/onvif/device_service")
}

fn client_for(url: &str, username: Option<&str>, password: Option<&str>) -> OnvifClient {
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
pub fn rebase_xaddr(xaddr: &str, device: Option<&Url>) -> String {
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
pub fn choose_profile(
    profiles: &[(String, bool)],
    wanted: Option<&str>,
) -> Result<String, PtzError> {
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

fn move_state(text: &str, operation: &'static str) -> Result<MoveState, PtzError> {
    match text.trim().to_ascii_uppercase().as_str() {
        "IDLE" => Ok(MoveState::Idle),
        "MOVING" => Ok(MoveState::Moving),
        "UNKNOWN" | "" => Ok(MoveState::Unknown),
        other => Err(PtzError::Malformed {
            operation,
            detail: format!("move status {other:?} is not IDLE, MOVING or UNKNOWN"),
        }),
    }
}

/// Bounds a call and turns its error into a [`PtzError`] naming the operation and URL.
struct Caller<'a> {
    timeout: Duration,
    url: &'a str,
}

impl Caller<'_> {
    async fn run<T>(
        &self,
        operation: &'static str,
        call: impl Future<Output = Result<T, OnvifError>>,
    ) -> Result<T, PtzError> {
        match tokio::time::timeout(self.timeout, call).await {
            Err(_) => Err(PtzError::Timeout {
                operation,
                url: self.url.to_string(),
                after: self.timeout,
            }),
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(classify(operation, self.url, self.timeout, e)),
        }
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

pub(crate) fn classify(
    operation: &'static str,
    url: &str,
    timeout: Duration,
    e: OnvifError,
) -> PtzError {
    use oxvif::soap::SoapError;
    let url = url.to_string();
    match e {
        OnvifError::Transport(TransportError::Http(e)) if e.is_timeout() => PtzError::Timeout {
            operation,
            url,
            after: timeout,
        },
        OnvifError::Transport(TransportError::Http(e)) => PtzError::Unreachable {
            operation,
            url,
            detail: chain(&e.without_url()),
        },
        OnvifError::Transport(TransportError::HttpStatus { status, .. })
            if status == 401 || status == 403 =>
        {
            PtzError::Auth {
                operation,
                url,
                detail: format!("HTTP {status}"),
            }
        }
        OnvifError::Transport(TransportError::HttpStatus { status, .. }) => PtzError::Fault {
            operation,
            code: format!("HTTP {status}"),
            reason: "the device answered with an HTTP error".into(),
        },
        OnvifError::Soap(SoapError::Fault {
            code,
            reason,
            subcode,
            ..
        }) => {
            if subcode.as_deref() == Some(MALFORMED_SUBCODE) {
                return PtzError::Malformed {
                    operation,
                    detail: reason,
                };
            }
            let all = format!("{code} {} {reason}", subcode.as_deref().unwrap_or_default())
                .to_ascii_lowercase();
            if all.contains("notauthorized")
                || all.contains("not authorized")
                || all.contains("authenticat")
                || all.contains("unauthorized")
            {
                PtzError::Auth {
                    operation,
                    url,
                    detail: reason,
                }
            } else {
                PtzError::Fault {
                    operation,
                    code: subcode.unwrap_or(code),
                    reason,
                }
            }
        }
        OnvifError::Soap(other) => PtzError::Malformed {
            operation,
            detail: other.to_string(),
        },
        OnvifError::InvalidArgument(detail) => PtzError::Fault {
            operation,
            code: "InvalidArgument".into(),
            reason: detail,
        },
    }
}

/// Passes requests to the HTTP transport and checks that each reply is well-formed XML with
/// every prefix declared; a reply that is not becomes a SOAP fault with
/// [`MALFORMED_SUBCODE`], which [`classify`] reports as [`PtzError::Malformed`].
struct StrictTransport(HttpTransport);

#[async_trait]
impl Transport for StrictTransport {
    async fn soap_post(
        &self,
        url: &str,
        action: &str,
        body: String,
    ) -> Result<String, TransportError> {
        let reply = self.0.soap_post(url, action, body).await?;
        match namespace_problem(&reply) {
            None => Ok(reply),
            Some(problem) => Ok(malformed_fault(&problem)),
        }
    }
}

/// `None` if `xml` is namespace-well-formed, else what is wrong with it.
pub fn namespace_problem(xml: &str) -> Option<String> {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    let mut reader = quick_xml::NsReader::from_str(xml);
    let mut seen_element = false;
    loop {
        match reader.read_resolved_event() {
            Ok((ns, Event::Start(e))) | Ok((ns, Event::Empty(e))) => {
                if let ResolveResult::Unknown(prefix) = ns {
                    return Some(format!(
                        "element <{}> uses the undeclared namespace prefix {:?}",
                        e.name().as_ref(),
                        prefix
                    ));
                }
                seen_element = true;
            }
            Ok((_, Event::Eof)) => {
                return (!seen_element).then(|| "the reply is empty".to_string());
            }
            Ok(_) => {}
            Err(e) => return Some(format!("not well-formed XML: {e}")),
        }
    }
}

fn malformed_fault(problem: &str) -> String {
    let text = problem
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" \
         xmlns:vistter=\"urn:vistterstream\"><s:Body><s:Fault>\
         <s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>{MALFORMED_SUBCODE}</s:Value>\
         </s:Subcode></s:Code><s:Reason><s:Text xml:lang=\"en\">{text}</s:Text></s:Reason>\
         </s:Fault></s:Body></s:Envelope>"
    )
}

impl PtzDevice for OnvifPtz {
    fn describe(&self) -> &DeviceDescription {
        &self.description
    }

    fn continuous_move(&self, v: PtzVector) -> BoxFuture<'_, Result<(), PtzError>> {
        async move {
            self.ptz()
                .run(
                    "ContinuousMove",
                    self.client.ptz_continuous_move(
                        &self.description.ptz_url,
                        self.profile(),
                        v.pan,
                        v.tilt,
                        v.zoom,
                    ),
                )
                .await
        }
        .boxed()
    }

    fn stop(&self) -> BoxFuture<'_, Result<(), PtzError>> {
        async move {
            if self.quirks.stop_by_zero_velocity {
                return self.continuous_move(PtzVector::default()).await;
            }
            self.ptz()
                .run(
                    "Stop",
                    self.client
                        .ptz_stop(&self.description.ptz_url, self.profile()),
                )
                .await
        }
        .boxed()
    }

    fn absolute_move(&self, p: PtzVector) -> BoxFuture<'_, Result<(), PtzError>> {
        async move {
            self.ptz()
                .run(
                    "AbsoluteMove",
                    self.client.ptz_absolute_move(
                        &self.description.ptz_url,
                        self.profile(),
                        p.pan,
                        p.tilt,
                        p.zoom,
                    ),
                )
                .await
        }
        .boxed()
    }

    fn relative_move(&self, d: PtzVector) -> BoxFuture<'_, Result<(), PtzError>> {
        async move {
            self.ptz()
                .run(
                    "RelativeMove",
                    self.client.ptz_relative_move(
                        &self.description.ptz_url,
                        self.profile(),
                        d.pan,
                        d.tilt,
                        d.zoom,
                    ),
                )
                .await
        }
        .boxed()
    }

    fn status(&self) -> BoxFuture<'_, Result<PtzReading, PtzError>> {
        async move {
            let s = self
                .ptz()
                .run(
                    "GetStatus",
                    self.client
                        .ptz_get_status(&self.description.ptz_url, self.profile()),
                )
                .await?;
            let position = match (s.pan, s.tilt) {
                (Some(pan), Some(tilt)) if !self.quirks.ignore_position => {
                    Some(PtzVector::new(pan, tilt, s.zoom.unwrap_or(0.0)))
                }
                _ => None,
            };
            Ok(PtzReading {
                position,
                pan_tilt: move_state(&s.pan_tilt_status, "GetStatus")?,
                zoom: move_state(&s.zoom_status, "GetStatus")?,
            })
        }
        .boxed()
    }

    fn set_preset<'a>(
        &'a self,
        name: &'a str,
        token: Option<&'a str>,
    ) -> BoxFuture<'a, Result<String, PtzError>> {
        async move {
            let token = self
                .ptz()
                .run(
                    "SetPreset",
                    self.client.ptz_set_preset(
                        &self.description.ptz_url,
                        self.profile(),
                        Some(name),
                        token,
                    ),
                )
                .await?;
            if token.trim().is_empty() {
                return Err(PtzError::Malformed {
                    operation: "SetPreset",
                    detail: "the camera returned an empty preset token".into(),
                });
            }
            Ok(token)
        }
        .boxed()
    }

    fn goto_preset<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<(), PtzError>> {
        async move {
            self.ptz()
                .run(
                    "GotoPreset",
                    self.client
                        .ptz_goto_preset(&self.description.ptz_url, self.profile(), token),
                )
                .await
        }
        .boxed()
    }

    fn remove_preset<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<(), PtzError>> {
        async move {
            self.ptz()
                .run(
                    "RemovePreset",
                    self.client
                        .ptz_remove_preset(&self.description.ptz_url, self.profile(), token),
                )
                .await
        }
        .boxed()
    }

    fn presets(&self) -> BoxFuture<'_, Result<Vec<DevicePreset>, PtzError>> {
        async move {
            let presets = self
                .ptz()
                .run(
                    "GetPresets",
                    self.client
                        .ptz_get_presets(&self.description.ptz_url, self.profile()),
                )
                .await?;
            Ok(presets
                .into_iter()
                .map(|p| DevicePreset {
                    token: p.token,
                    name: p.name,
                    position: p
                        .pan_tilt
                        .map(|(pan, tilt)| PtzVector::new(pan, tilt, p.zoom.unwrap_or(0.0))),
                })
                .collect())
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undeclared_prefixes_are_found() {
        let ipycam = r#"<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><ptz:StopResponse/></s:Body></s:Envelope>"#;
        let problem = namespace_problem(ipycam).unwrap_or_default();
        assert!(problem.contains("ptz"), "{problem}");
        let good = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><tptz:StopResponse xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl"/></s:Body></s:Envelope>"#;
        assert_eq!(namespace_problem(good), None);
        assert!(namespace_problem("<a><b></a>").is_some());
        assert!(namespace_problem("").is_some());
    }

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

    #[test]
    fn move_states_outside_the_enumeration_are_malformed() {
        assert_eq!(move_state("IDLE", "GetStatus").ok(), Some(MoveState::Idle));
        assert_eq!(move_state("", "GetStatus").ok(), Some(MoveState::Unknown));
        let err = move_state("{{pan_tilt_status}}", "GetStatus").err();
        assert_eq!(err.map(|e| e.code()), Some("ptz_malformed_reply"));
    }

    #[test]
    fn authentication_faults_are_told_apart() {
        let e = classify(
            "GetStatus",
            "http://127.0.0.1:1/onvif/ptz_service",
            Duration::from_secs(5),
            OnvifError::Soap(oxvif::soap::SoapError::Fault {
                code: "env:Sender".into(),
                reason: "Authentication failed".into(),
                subcode: None,
                detail: None,
            }),
        );
        assert_eq!(e.code(), "ptz_auth");
    }
}
