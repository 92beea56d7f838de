//! A WS-Discovery responder for the simulated ONVIF device, confined to loopback.
//!
//! It joins the WS-Discovery multicast group on the loopback interface only (so probes sent
//! with `IP_MULTICAST_IF` = 127.0.0.1 reach it and nothing from the real network does) on a
//! port chosen by the test, and answers each Probe with a ProbeMatch naming the device's
//! XAddr, name and hardware. Like SOAP-over-UDP senders do, it sends every answer twice, so
//! the client's de-duplication is exercised.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

pub const WS_DISCOVERY_GROUP: Ipv4Addr = Ipv4Addr::new(239, 255, 255, 250);

/// A running responder. Dropping it stops it.
pub struct SimDiscovery {
    stop: Arc<AtomicBool>,
    probes: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

/// What the responder announces.
#[derive(Clone, Debug)]
pub struct Announcement {
    /// `urn:uuid:...`, stable per device.
    pub endpoint: String,
    pub xaddr: String,
    pub name: String,
    pub hardware: String,
}

impl SimDiscovery {
    /// Listen for probes to the WS-Discovery group on `port` (3702 in the real world; tests
    /// pick their own so they never meet another responder on the machine).
    pub fn start(port: u16, announcement: Announcement) -> std::io::Result<Self> {
        let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
        socket.set_reuse_address(true)?;
        // Bound to the group address, not 0.0.0.0: only datagrams sent to the group arrive.
        socket.bind(&SocketAddr::from(SocketAddrV4::new(WS_DISCOVERY_GROUP, port)).into())?;
        socket.join_multicast_v4(&WS_DISCOVERY_GROUP, &Ipv4Addr::LOCALHOST)?;
        socket.set_multicast_if_v4(&Ipv4Addr::LOCALHOST)?;
        socket.set_read_timeout(Some(Duration::from_millis(100)))?;
        let socket: std::net::UdpSocket = socket.into();
        let stop = Arc::new(AtomicBool::new(false));
        let probes = Arc::new(AtomicU64::new(0));
        let thread = {
            let stop = stop.clone();
            let probes = probes.clone();
            std::thread::Builder::new()
                .name("sim-ws-discovery".into())
                .spawn(move || serve(socket, announcement, stop, probes))?
        };
        Ok(Self {
            stop,
            probes,
            thread: Some(thread),
        })
    }

    /// Probes received so far.
    pub fn probes(&self) -> u64 {
        self.probes.load(Ordering::Relaxed)
    }
}

impl Drop for SimDiscovery {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(
    socket: std::net::UdpSocket,
    announcement: Announcement,
    stop: Arc<AtomicBool>,
    probes: Arc<AtomicU64>,
) {
    let mut buf = vec![0u8; 65_536];
    while !stop.load(Ordering::Relaxed) {
        let Ok((len, from)) = socket.recv_from(&mut buf) else {
            continue;
        };
        let msg = &buf[..len];
        if !onvif_server::discovery_is_probe(msg) {
            continue;
        }
        probes.fetch_add(1, Ordering::Relaxed);
        // Answer loopback senders only: this responder never talks to the network.
        if !from.ip().is_loopback() {
            continue;
        }
        let relates_to = message_id(msg).unwrap_or_default();
        let reply = probe_match(&relates_to, &announcement);
        for _ in 0..2 {
            let _ = socket.send_to(reply.as_bytes(), from);
        }
    }
}

fn message_id(msg: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(msg).ok()?;
    let start = text.find("MessageID>")? + "MessageID>".len();
    let end = text[start..].find('<')? + start;
    Some(text[start..end].trim().to_string())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn probe_match(relates_to: &str, a: &Announcement) -> String {
    let scope = |kind: &str, v: &str| {
        format!(
            "onvif://www.onvif.org/{kind}/{}",
            v.replace(' ', "%20").replace('&', "%26")
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">
<s:Header><a:MessageID>urn:uuid:{now:x}-sim</a:MessageID><a:RelatesTo>{relates}</a:RelatesTo><a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action></s:Header>
<s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>{endpoint}</a:Address></a:EndpointReference><d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types><d:Scopes>onvif://www.onvif.org/type/NetworkVideoTransmitter onvif://www.onvif.org/Profile/Streaming {name} {hardware}</d:Scopes><d:XAddrs>{xaddr}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></s:Body>
</s:Envelope>"#,
        now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
        relates = escape(relates_to),
        endpoint = escape(&a.endpoint),
        name = escape(&scope("name", &a.name)),
        hardware = escape(&scope("hardware", &a.hardware)),
        xaddr = escape(&a.xaddr),
    )
}
