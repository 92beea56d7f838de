//! Camera discovery (CAM-5): WS-Discovery on a chosen interface plus an RTSP probe of a host
//! or a range, merged into candidates that can be added as cameras with one call.

pub mod scan;
pub mod wsd;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::camera::{CameraKind, Vendor};
use crate::domain::{FieldError, Validation};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryRequest {
    /// Run a WS-Discovery probe (default true).
    pub onvif: Option<bool>,
    /// Interface name (`eth0`) or IPv4 address the probe leaves by; default: the configured
    /// one, else the first up, non-loopback IPv4 interface.
    pub interface: Option<String>,
    /// How long to listen for answers, 200–10000 ms (default 2000).
    #[schema(minimum = 200, maximum = 10000)]
    pub timeout_ms: Option<u64>,
    /// Probe a host or a range (at most a /24) for RTSP on known vendor paths.
    pub scan: Option<ScanRequest>,
    /// Credentials to try on what is found (ONVIF device information, RTSP paths behind
    /// authentication). Never returned.
    pub username: Option<String>,
    #[schema(write_only)]
    pub password: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanRequest {
    /// One address, or an IPv4 CIDR range of at most 256 addresses (/24).
    #[schema(example = "192.168.1.0/24")]
    pub target: String,
    /// RTSP ports to try (default [554]); 1 to 4 of them.
    #[schema(min_items = 1, max_items = 4)]
    pub ports: Option<Vec<u16>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DiscoveryReport {
    pub interface: Option<InterfaceView>,
    pub probes_sent: u32,
    pub replies: u32,
    pub hosts_scanned: usize,
    pub candidates: Vec<Candidate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InterfaceView {
    pub name: String,
    pub address: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Candidate {
    pub address: String,
    pub vendor: Option<Vendor>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    /// ONVIF `name` scope, or the manufacturer's.
    pub name: Option<String>,
    /// ONVIF device service address (WS-Discovery).
    pub onvif_url: Option<String>,
    /// RTSP streams that answered (no credentials in them).
    pub rtsp_urls: Vec<String>,
    /// Ports where an RTSP server answered.
    pub rtsp_ports: Vec<u16>,
    /// An RTSP server that wants credentials before it reveals its paths.
    pub rtsp_auth_required: bool,
    /// The device reported a PTZ service (needs credentials to know).
    pub ptz: Option<bool>,
    /// ws-discovery | rtsp-scan
    pub sources: Vec<String>,
    /// A stored camera already at this address and port, if any.
    pub existing_camera_id: Option<i64>,
    /// A body for `POST /api/v1/cameras` (add `password`): one call adds the camera.
    pub camera: serde_json::Value,
}

/// Validated request.
pub struct Plan {
    pub onvif: bool,
    pub interface: Option<String>,
    pub wait: Duration,
    pub scan_hosts: Vec<IpAddr>,
    pub ports: Vec<u16>,
    pub credentials: Option<(String, String)>,
}

pub fn validate(r: &DiscoveryRequest) -> Result<Plan, Vec<FieldError>> {
    let mut v = Validation::default();
    let timeout = r.timeout_ms.unwrap_or(2000);
    if !(200..=10_000).contains(&timeout) {
        v.error("timeout_ms", "must be between 200 and 10000");
    }
    let mut scan_hosts = Vec::new();
    let mut ports = vec![554];
    if let Some(s) = &r.scan {
        match scan::hosts(&s.target) {
            Ok(h) => scan_hosts = h,
            Err(e) => v.error("scan.target", e),
        }
        if let Some(p) = &s.ports {
            if p.is_empty() || p.len() > 4 || p.contains(&0) {
                v.error("scan.ports", "give 1 to 4 ports between 1 and 65535");
            }
            ports = p.clone();
            ports.dedup();
        }
    }
    let onvif = r.onvif.unwrap_or(true);
    if !onvif && r.scan.is_none() {
        v.error("scan", "nothing to do: enable onvif or give a scan target");
    }
    let credentials = r
        .username
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|u| (u.to_string(), r.password.clone().unwrap_or_default()));
    v.finish(Plan {
        onvif,
        interface: r.interface.clone().filter(|i| !i.trim().is_empty()),
        wait: Duration::from_millis(timeout),
        scan_hosts,
        ports,
        credentials,
    })
}

/// The interface a probe leaves by: by name or address, IPv4, up.
pub fn resolve_interface(wanted: Option<&str>) -> Result<(String, Ipv4Addr), String> {
    let interfaces =
        if_addrs::get_if_addrs().map_err(|e| format!("cannot list network interfaces: {e}"))?;
    let v4: Vec<(String, Ipv4Addr, bool)> = interfaces
        .iter()
        .filter_map(|i| match &i.addr {
            if_addrs::IfAddr::V4(a) => Some((i.name.clone(), a.ip, i.is_loopback())),
            _ => None,
        })
        .collect();
    match wanted {
        Some(w) => {
            let w = w.trim();
            v4.iter()
                .find(|(name, ip, _)| name == w || ip.to_string() == w)
                .map(|(n, ip, _)| (n.clone(), *ip))
                .ok_or_else(|| {
                    format!(
                        "no IPv4 interface {w:?}; this appliance has {}",
                        v4.iter()
                            .map(|(n, ip, _)| format!("{n} ({ip})"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
        }
        None => v4
            .iter()
            .find(|(_, _, loopback)| !loopback)
            .map(|(n, ip, _)| (n.clone(), *ip))
            .ok_or_else(|| "no non-loopback IPv4 interface to probe from".to_string()),
    }
}

/// What the camera store knows: (host, port) → camera id.
pub type KnownCameras = BTreeMap<(String, u16), i64>;

/// Run the discovery. `ws_port` is the WS-Discovery UDP port (3702).
pub async fn run(
    plan: Plan,
    interface: Option<(String, Ipv4Addr)>,
    ws_port: u16,
    concurrency: usize,
    known: KnownCameras,
) -> std::io::Result<DiscoveryReport> {
    let mut report = DiscoveryReport {
        interface: interface.as_ref().map(|(n, ip)| InterfaceView {
            name: n.clone(),
            address: ip.to_string(),
        }),
        probes_sent: 0,
        replies: 0,
        hosts_scanned: plan.scan_hosts.len(),
        candidates: Vec::new(),
    };
    let credentials = plan.credentials.clone();
    let scan_settings = Arc::new(scan::ScanSettings {
        ports: plan.ports.clone(),
        credentials: plan.credentials.clone(),
        connect_timeout: Duration::from_millis(700),
        request_timeout: Duration::from_millis(1500),
        concurrency,
    });
    let probing = async {
        match (&interface, plan.onvif) {
            (Some((_, ip)), true) => wsd::probe(*ip, ws_port, plan.wait).await.map(Some),
            _ => Ok(None),
        }
    };
    let scanning = scan::scan(plan.scan_hosts.clone(), scan_settings);
    let (probed, scanned) = tokio::join!(probing, scanning);

    let mut by_address: BTreeMap<String, Candidate> = BTreeMap::new();
    if let Some(probe) = probed? {
        report.probes_sent = probe.probes_sent;
        report.replies = probe.replies;
        for found in probe.devices {
            let xaddr = found.xaddrs.iter().find(|x| x.starts_with("http")).cloned();
            let address = xaddr
                .as_deref()
                .and_then(|x| url::Url::parse(x).ok())
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_default();
            if address.is_empty() {
                continue;
            }
            let mut c = empty_candidate(&address);
            c.name = found.scope("name");
            c.model = found.scope("hardware");
            c.onvif_url = xaddr.clone();
            c.sources.push("ws-discovery".into());
            if let (Some(x), Some((user, password))) = (&xaddr, &credentials) {
                match vistterstream_actors::ptz::describe_device(
                    x,
                    Some(user),
                    Some(password),
                    Duration::from_secs(3),
                )
                .await
                {
                    Ok(d) => {
                        c.manufacturer = Some(d.manufacturer).filter(|m| !m.is_empty());
                        if !d.model.is_empty() {
                            c.model = Some(d.model);
                        }
                        c.ptz = Some(d.ptz);
                        c.rtsp_urls.extend(d.stream_uri);
                    }
                    Err(e) => {
                        tracing::info!(device = %x, error = %e, "discovered device not described")
                    }
                }
            }
            by_address.insert(address, c);
        }
    }
    for host in scanned {
        let address = host.address.to_string();
        let c = by_address
            .entry(address.clone())
            .or_insert_with(|| empty_candidate(&address));
        if !c.sources.iter().any(|s| s == "rtsp-scan") {
            c.sources.push("rtsp-scan".into());
        }
        c.rtsp_ports.push(host.port);
        let host_port = match host.address {
            IpAddr::V6(ip) => format!("[{ip}]:{}", host.port),
            IpAddr::V4(ip) => format!("{ip}:{}", host.port),
        };
        for (vendor, path) in &host.streams {
            let url = format!("rtsp://{host_port}{path}");
            if !c.rtsp_urls.contains(&url) {
                c.rtsp_urls.push(url);
            }
            if c.vendor.is_none() {
                c.vendor = *vendor;
            }
        }
        c.rtsp_auth_required |= host.auth_required;
        if c.manufacturer.is_none() {
            c.manufacturer = host.server.clone();
        }
    }
    for (_, mut c) in by_address {
        c.camera = camera_body(&c, credentials.as_ref().map(|(u, _)| u.as_str()));
        c.existing_camera_id = existing(&c, &known);
        report.candidates.push(c);
    }
    Ok(report)
}

fn empty_candidate(address: &str) -> Candidate {
    Candidate {
        address: address.to_string(),
        vendor: None,
        manufacturer: None,
        model: None,
        name: None,
        onvif_url: None,
        rtsp_urls: Vec::new(),
        rtsp_ports: Vec::new(),
        rtsp_auth_required: false,
        ptz: None,
        sources: Vec::new(),
        existing_camera_id: None,
        camera: serde_json::Value::Null,
    }
}

fn existing(c: &Candidate, known: &KnownCameras) -> Option<i64> {
    let from_urls = c.rtsp_urls.iter().find_map(|u| {
        let url = url::Url::parse(u).ok()?;
        let host = url.host_str()?.trim_matches(['[', ']']).to_string();
        known.get(&(host, url.port().unwrap_or(554))).copied()
    });
    from_urls.or_else(|| {
        c.rtsp_ports
            .iter()
            .find_map(|p| known.get(&(c.address.clone(), *p)).copied())
    })
}

/// The `POST /api/v1/cameras` body for a candidate.
fn camera_body(c: &Candidate, username: Option<&str>) -> serde_json::Value {
    let vendor = c.vendor.unwrap_or_default();
    let label = c
        .name
        .clone()
        .or_else(|| c.model.clone())
        .unwrap_or_else(|| format!("Camera {}", c.address));
    let mut body = serde_json::json!({
        "name": label.chars().take(100).collect::<String>(),
        "kind": if c.ptz == Some(true) { CameraKind::Ptz } else { CameraKind::Fixed },
        "vendor": vendor,
    });
    match c.rtsp_urls.first() {
        Some(url) => body["rtsp_url"] = url.clone().into(),
        None => body["host"] = c.address.clone().into(),
    }
    if let Some(port) = c
        .onvif_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.port_or_known_default())
    {
        body["onvif_port"] = port.into();
    }
    if let Some(u) = username {
        body["username"] = u.into();
    }
    body
}
