//! Probing hosts for RTSP on the vendors' usual paths (CAM-5).
//!
//! Bounded on purpose: at most 256 addresses (a /24), short timeouts, a concurrency limit,
//! and one DESCRIBE per candidate path. A camera answering 401 before it looks at the path
//! (most do) is reported as "needs credentials" unless the request brought some.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::domain::camera::Vendor;

/// Paths tried on every open RTSP port, with the vendor they identify.
pub fn vendor_paths() -> Vec<(Option<Vendor>, &'static str)> {
    let mut paths: Vec<(Option<Vendor>, &'static str)> = [
        Vendor::Hikvision,
        Vendor::Dahua,
        Vendor::Reolink,
        Vendor::Sunba,
    ]
    .into_iter()
    .map(|v| (Some(v), v.defaults().path))
    .collect();
    // Amcrest shares Dahua's path.
    paths.extend([
        (Some(Vendor::Reolink), "/h264Preview_01_main"),
        (None, "/stream1"),
        (None, "/live"),
        (None, "/h264"),
        (None, "/live.sdp"),
        (None, "/cam1"),
    ]);
    paths
}

/// Largest range probed: a /24.
pub const MAX_HOSTS: usize = 256;

/// Addresses in `target` (one address or an IPv4 CIDR of at most /24), or why not.
pub fn hosts(target: &str) -> Result<Vec<IpAddr>, String> {
    let target = target.trim();
    if let Ok(ip) = target.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let net: ipnet::IpNet = target
        .parse()
        .map_err(|_| "must be an IP address or a CIDR range such as 192.168.1.0/24".to_string())?;
    match net {
        // `hosts()` leaves out the network and broadcast addresses of ranges that have them.
        ipnet::IpNet::V4(v4) if v4.prefix_len() >= 24 => Ok(v4.hosts().map(IpAddr::V4).collect()),
        ipnet::IpNet::V4(v4) => Err(format!(
            "/{} holds {} addresses; at most a /24 ({MAX_HOSTS}) is probed",
            v4.prefix_len(),
            1u64 << (32 - u32::from(v4.prefix_len()))
        )),
        ipnet::IpNet::V6(_) => Err("IPv6 ranges are not probed; give one address".into()),
    }
}

/// What one host:port said.
#[derive(Clone, Debug, PartialEq)]
pub struct RtspHost {
    pub address: IpAddr,
    pub port: u16,
    /// Paths that answered 200 (after authenticating when credentials were given), else the
    /// paths that answered 401 when the server answered 404 for others.
    pub streams: Vec<(Option<Vendor>, String)>,
    /// No path answered 200: the server wants (other) credentials.
    pub auth_required: bool,
    /// `Server:` header, a hint at the vendor.
    pub server: Option<String>,
}

pub struct ScanSettings {
    pub ports: Vec<u16>,
    pub credentials: Option<(String, String)>,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub concurrency: usize,
}

/// Probe every address × port; returns the hosts that speak RTSP.
pub async fn scan(addresses: Vec<IpAddr>, settings: Arc<ScanSettings>) -> Vec<RtspHost> {
    let limit = Arc::new(tokio::sync::Semaphore::new(
        settings.concurrency.clamp(1, 128),
    ));
    let mut tasks = tokio::task::JoinSet::new();
    for address in addresses {
        for &port in &settings.ports {
            let limit = limit.clone();
            let settings = settings.clone();
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await.ok()?;
                probe_host(SocketAddr::new(address, port), &settings).await
            });
        }
    }
    let mut found = Vec::new();
    while let Some(done) = tasks.join_next().await {
        if let Ok(Some(host)) = done {
            found.push(host);
        }
    }
    found.sort_by_key(|h| (h.address, h.port));
    found
}

async fn probe_host(addr: SocketAddr, s: &ScanSettings) -> Option<RtspHost> {
    // A closed port or a silent host costs one connect timeout.
    let first = tokio::time::timeout(s.connect_timeout, TcpStream::connect(addr))
        .await
        .ok()?
        .ok()?;
    drop(first);
    let mut host = RtspHost {
        address: addr.ip(),
        port: addr.port(),
        streams: Vec::new(),
        auth_required: false,
        server: None,
    };
    let mut spoke_rtsp = false;
    let mut unauthorized = Vec::new();
    let paths = vendor_paths();
    for (vendor, path) in &paths {
        let url = format!("rtsp://{}{path}", host_port(addr));
        let Some(reply) = describe(addr, &url, path, s).await else {
            continue;
        };
        spoke_rtsp = true;
        if host.server.is_none() {
            host.server = reply.server.clone();
        }
        match reply.status {
            200 => host.streams.push((*vendor, path.to_string())),
            401 => unauthorized.push((*vendor, path.to_string())),
            _ => {}
        }
    }
    if !spoke_rtsp {
        return None;
    }
    host.auth_required = host.streams.is_empty() && !unauthorized.is_empty();
    // A server that answers 404 for some paths and 401 for others has told us which paths
    // exist: those are the streams, behind credentials. One that answers 401 to everything
    // has told us nothing about paths.
    if host.streams.is_empty() && unauthorized.len() < paths.len() {
        host.streams = unauthorized;
    }
    Some(host)
}

fn host_port(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => format!("{}:{}", a.ip(), a.port()),
        SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
    }
}

struct Reply {
    status: u16,
    server: Option<String>,
    www_authenticate: Option<String>,
}

/// DESCRIBE `url`; on a 401 with credentials at hand, once more with them.
async fn describe(addr: SocketAddr, url: &str, path: &str, s: &ScanSettings) -> Option<Reply> {
    let reply = request(addr, url, None, s).await?;
    if reply.status != 401 {
        return Some(reply);
    }
    let (Some((user, password)), Some(challenge)) = (&s.credentials, &reply.www_authenticate)
    else {
        return Some(reply);
    };
    let authorization = authorization(challenge, user, password, path)?;
    request(addr, url, Some(&authorization), s)
        .await
        .or(Some(reply))
}

fn authorization(challenge: &str, user: &str, password: &str, uri: &str) -> Option<String> {
    if challenge
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("digest")
    {
        let mut prompt = digest_auth::parse(challenge).ok()?;
        let context = digest_auth::AuthContext::new_with_method(
            user,
            password,
            uri,
            Option::<&[u8]>::None,
            digest_auth::HttpMethod(std::borrow::Cow::Borrowed("DESCRIBE")),
        );
        return prompt.respond(&context).ok().map(|a| a.to_header_string());
    }
    use base64::Engine;
    Some(format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    ))
}

async fn request(
    addr: SocketAddr,
    url: &str,
    authorization: Option<&str>,
    s: &ScanSettings,
) -> Option<Reply> {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await.ok()?;
        let mut req = format!(
            "DESCRIBE {url} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\nUser-Agent: VistterStream discovery\r\n"
        );
        if let Some(a) = authorization {
            req.push_str(&format!("Authorization: {a}\r\n"));
        }
        req.push_str("\r\n");
        stream.write_all(req.as_bytes()).await.ok()?;
        // The status line and headers are all we read (at most 8 KiB).
        let mut buf = vec![0u8; 8192];
        let mut len = 0;
        while len < buf.len() {
            let n = stream.read(&mut buf[len..]).await.ok()?;
            if n == 0 {
                break;
            }
            len += n;
            if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
        parse_reply(&String::from_utf8_lossy(&buf[..len]))
    };
    tokio::time::timeout(s.request_timeout, exchange)
        .await
        .ok()?
}

fn parse_reply(text: &str) -> Option<Reply> {
    let mut lines = text.split("\r\n");
    let status_line = lines.next()?;
    let mut parts = status_line.split_whitespace();
    if !parts.next()?.starts_with("RTSP/") {
        return None;
    }
    let status = parts.next()?.parse().ok()?;
    let mut server = None;
    let mut www_authenticate = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_string();
        match name.trim().to_ascii_lowercase().as_str() {
            "server" => server = Some(value),
            // Prefer Digest when a camera offers both.
            "www-authenticate"
                if www_authenticate.is_none()
                    || value.to_ascii_lowercase().starts_with("digest") =>
            {
                www_authenticate = Some(value)
            }
            _ => {}
        }
    }
    Some(Reply {
        status,
        server,
        www_authenticate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_bounded_to_a_slash_24() {
        assert_eq!(hosts("10.0.0.5").map(|h| h.len()), Ok(1));
        assert_eq!(hosts("192.168.1.0/24").map(|h| h.len()), Ok(254));
        assert_eq!(hosts("127.0.0.1/32").map(|h| h.len()), Ok(1));
        let err = hosts("10.0.0.0/16").err().unwrap_or_default();
        assert!(err.contains("65536") && err.contains("/24"), "{err}");
        assert!(hosts("not-an-address").is_err());
        assert!(hosts("fd00::/64").is_err());
    }

    #[test]
    fn replies_give_their_status_server_and_challenge() {
        let r = parse_reply(
            "RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nServer: Hipcam RealServer\r\n\
             WWW-Authenticate: Basic realm=\"x\"\r\nWWW-Authenticate: Digest realm=\"x\", nonce=\"n\"\r\n\r\n",
        );
        let r = r.unwrap_or(Reply {
            status: 0,
            server: None,
            www_authenticate: None,
        });
        assert_eq!(r.status, 401);
        assert_eq!(r.server.as_deref(), Some("Hipcam RealServer"));
        assert!(r.www_authenticate.unwrap_or_default().starts_with("Digest"));
        assert!(parse_reply("HTTP/1.1 200 OK\r\n\r\n").is_none());
    }

    #[test]
    fn every_vendor_path_is_tried() {
        let paths = vendor_paths();
        assert!(
            paths
                .iter()
                .any(|(v, p)| *v == Some(Vendor::Hikvision) && *p == "/Streaming/Channels/101")
        );
        assert!(paths.iter().any(|(v, _)| *v == Some(Vendor::Dahua)));
    }
}
