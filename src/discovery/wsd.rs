//! WS-Discovery (ONVIF NetworkVideoTransmitter / Device probes) on one chosen interface.
//!
//! The probe leaves by the interface the operator names, never by whatever the routing
//! table prefers: `IP_MULTICAST_IF` is pinned to that interface's address and the TTL is 1
//! (WS-Discovery is link-local). Replies are matched to our probes by `RelatesTo` and
//! de-duplicated by endpoint address (devices repeat their answers, as SOAP-over-UDP says
//! they should, and answer both probe types).

use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Duration;

use quick_xml::events::Event;
use socket2::{Domain, Protocol, Socket, Type};

pub const GROUP: Ipv4Addr = Ipv4Addr::new(239, 255, 255, 250);

/// One device that answered.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Found {
    /// `urn:uuid:...`: the device's stable identity.
    pub endpoint: String,
    pub types: Vec<String>,
    pub scopes: Vec<String>,
    pub xaddrs: Vec<String>,
}

impl Found {
    /// A scope value such as `onvif://www.onvif.org/name/<value>`, percent-decoded.
    pub fn scope(&self, kind: &str) -> Option<String> {
        let prefix = format!("onvif://www.onvif.org/{kind}/");
        self.scopes.iter().find_map(|s| {
            s.strip_prefix(&prefix).map(|v| {
                percent_encoding::percent_decode_str(v)
                    .decode_utf8_lossy()
                    .into_owned()
            })
        })
    }
}

#[derive(Clone, Debug, Default)]
pub struct ProbeReport {
    pub probes_sent: u32,
    pub replies: u32,
    pub devices: Vec<Found>,
}

/// The two probes ONVIF clients send: `Types` is an AND match, so devices that advertise
/// only `tds:Device` are missed by an NVT-only probe.
pub fn probe_message(message_id: &str, types: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" \
xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" \
xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" \
xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\" \
xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\">\
<s:Header><a:Action s:mustUnderstand=\"1\">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>\
<a:MessageID>{message_id}</a:MessageID>\
<a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>\
<a:To s:mustUnderstand=\"1\">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header>\
<s:Body><d:Probe><d:Types>{types}</d:Types></d:Probe></s:Body></s:Envelope>"
    )
}

/// The ProbeMatches of one reply, with the `RelatesTo` they answer. Local names only: the
/// prefixes devices use vary wildly.
pub fn parse_probe_matches(xml: &str) -> (Option<String>, Vec<Found>) {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut path: Vec<String> = Vec::new();
    let mut relates_to = None;
    let mut found = Vec::new();
    let mut current: Option<Found> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_string();
                if name == "ProbeMatch" {
                    current = Some(Found::default());
                }
                path.push(name);
            }
            Ok(Event::End(e)) => {
                if e.local_name().as_ref() == "ProbeMatch"
                    && let Some(f) = current.take()
                {
                    found.push(f);
                }
                path.pop();
            }
            Ok(Event::Text(t)) => {
                let text = t.xml10_content().trim().to_string();
                let words = || text.split_whitespace().map(str::to_string).collect();
                match (path.last().map(String::as_str), current.as_mut()) {
                    (Some("RelatesTo"), _) => relates_to = Some(text.clone()),
                    (Some("Address"), Some(f)) => f.endpoint = text.clone(),
                    (Some("Types"), Some(f)) => f.types = words(),
                    (Some("Scopes"), Some(f)) => f.scopes = words(),
                    (Some("XAddrs"), Some(f)) => f.xaddrs = words(),
                    _ => {}
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    (relates_to, found)
}

/// Probe from `interface` (its IPv4 address) to the WS-Discovery group on `port`, and
/// collect answers until `wait` has passed.
pub async fn probe(interface: Ipv4Addr, port: u16, wait: Duration) -> std::io::Result<ProbeReport> {
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    socket.bind(&SocketAddr::from(SocketAddrV4::new(interface, 0)).into())?;
    socket.set_multicast_if_v4(&interface)?;
    socket.set_multicast_ttl_v4(1)?;
    socket.set_multicast_loop_v4(true)?;
    socket.set_nonblocking(true)?;
    let socket = tokio::net::UdpSocket::from_std(socket.into())?;
    let group = SocketAddr::from(SocketAddrV4::new(GROUP, port));

    let mut ids = HashSet::new();
    let mut report = ProbeReport::default();
    for types in ["dn:NetworkVideoTransmitter", "tds:Device"] {
        let id = format!("urn:uuid:{}", uuid_v4());
        socket
            .send_to(probe_message(&id, types).as_bytes(), group)
            .await?;
        ids.insert(id);
        report.probes_sent += 1;
    }

    let deadline = tokio::time::Instant::now() + wait;
    let mut seen = HashSet::new();
    let mut buf = vec![0u8; 65_536];
    loop {
        let received = tokio::time::timeout_at(deadline, socket.recv_from(&mut buf)).await;
        let Ok(Ok((len, _from))) = received else {
            if received.is_err() {
                break; // waited long enough
            }
            continue;
        };
        let text = String::from_utf8_lossy(&buf[..len]);
        let (relates_to, matches) = parse_probe_matches(&text);
        if !relates_to.is_some_and(|r| ids.contains(&r)) {
            continue; // an answer to somebody else's probe
        }
        report.replies += 1;
        for m in matches {
            if m.endpoint.is_empty() || !seen.insert(m.endpoint.clone()) {
                if let Some(existing) = report.devices.iter_mut().find(|d| d.endpoint == m.endpoint)
                {
                    for x in m.xaddrs {
                        if !existing.xaddrs.contains(&x) {
                            existing.xaddrs.push(x);
                        }
                    }
                }
                continue;
            }
            report.devices.push(m);
        }
    }
    Ok(report)
}

/// A random v4 UUID, for message ids.
fn uuid_v4() -> String {
    let b: [u8; 16] = rand::random();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        u16::from_be_bytes([b[4], b[5]]),
        u16::from_be_bytes([b[6], b[7]]) & 0x0fff,
        (u16::from_be_bytes([b[8], b[9]]) & 0x3fff) | 0x8000,
        u64::from_be_bytes([0, 0, b[10], b[11], b[12], b[13], b[14], b[15]])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_matches_are_read_whatever_the_prefixes() {
        let reply = r#"<?xml version="1.0"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsdd="http://schemas.xmlsoap.org/ws/2005/04/discovery"><SOAP-ENV:Header><wsa:RelatesTo>urn:uuid:1</wsa:RelatesTo></SOAP-ENV:Header><SOAP-ENV:Body><wsdd:ProbeMatches><wsdd:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:cam-1</wsa:Address></wsa:EndpointReference><wsdd:Types>dn:NetworkVideoTransmitter</wsdd:Types><wsdd:Scopes>onvif://www.onvif.org/name/Dock%20Cam onvif://www.onvif.org/hardware/P2</wsdd:Scopes><wsdd:XAddrs>http://10.0.0.9:8899/onvif/device_service</wsdd:XAddrs></wsdd:ProbeMatch></wsdd:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>"#;
        let (relates, found) = parse_probe_matches(reply);
        assert_eq!(relates.as_deref(), Some("urn:uuid:1"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].endpoint, "urn:uuid:cam-1");
        assert_eq!(found[0].scope("name").as_deref(), Some("Dock Cam"));
        assert_eq!(found[0].scope("hardware").as_deref(), Some("P2"));
        assert_eq!(
            found[0].xaddrs,
            ["http://10.0.0.9:8899/onvif/device_service"]
        );
    }

    #[test]
    fn garbage_yields_nothing() {
        assert_eq!(parse_probe_matches("<<not xml").1, vec![]);
    }

    #[test]
    fn message_ids_are_uuids() {
        let id = uuid_v4();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }
}
