//! Asset pictures (AS-1): content sniffing and decoding of uploads, URL images fetched with
//! an SSRF guard applied at fetch time, and the in-memory cache of decoded pictures.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use ipnet::IpNet;
use vistterstream_actors::output::Raster;

use crate::domain::asset::PictureFacts;

/// Largest picture accepted (width or height), against decompression bombs.
pub const MAX_DIMENSION: u32 = 4096;

/// The image type from the content's first bytes; the name and the declared type are not
/// trusted.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, image::ImageFormat)> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", image::ImageFormat::Png))
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(("image/jpeg", image::ImageFormat::Jpeg))
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(("image/webp", image::ImageFormat::WebP))
    } else {
        None
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub mime: &'static str,
    pub raster: Arc<Raster>,
}

impl Decoded {
    /// What is stored about the picture, `size_bytes` long as a file.
    pub fn facts(&self, size_bytes: usize) -> PictureFacts {
        PictureFacts {
            mime: self.mime.to_string(),
            width: self.raster.width,
            height: self.raster.height,
            size_bytes,
        }
    }
}

/// Check and decode a PNG, JPEG or WebP picture into RGBA. Blocking (CPU): call it from a
/// blocking thread.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    let (mime, format) =
        sniff(bytes).ok_or("is not a PNG, JPEG or WebP image (checked by its content)")?;
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|e| format!("could not be decoded as {mime}: {e}"))?;
    let rgba = image.to_rgba8();
    Ok(Decoded {
        mime,
        raster: Arc::new(Raster {
            width: rgba.width(),
            height: rgba.height(),
            rgba: Bytes::from(rgba.into_raw()),
        }),
    })
}

/// Addresses a fetched URL must never reach: this machine, link-local (which holds cloud
/// metadata services at 169.254.169.254 and fd00:ec2::254), unspecified, multicast,
/// broadcast — also in their IPv4-mapped IPv6 forms.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.octets() == [100, 100, 100, 200] // Alibaba Cloud metadata
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_forbidden(IpAddr::V4(v4));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (v6.segments()[0] & 0xffc0) == 0xfe80 // link-local
                || v6.segments() == [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254] // AWS metadata
        }
    }
}

/// Whether the guard lets `ip` through: not forbidden, or inside an operator's allowlist.
pub fn allowed(ip: IpAddr, allow: &[IpNet]) -> bool {
    !is_forbidden(ip) || allow.iter().any(|n| n.contains(&ip))
}

/// A DNS resolver that drops forbidden addresses, so the check happens on the address the
/// connection will actually use (a name that resolves to 127.0.0.1 at fetch time is refused
/// even if it pointed elsewhere when the asset was saved).
struct GuardedResolver {
    allow: Arc<Vec<IpNet>>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let ok: Vec<SocketAddr> = all
                .iter()
                .copied()
                .filter(|a| allowed(a.ip(), &allow))
                .collect();
            if ok.is_empty() {
                let shown: Vec<String> = all.iter().map(|a| a.ip().to_string()).collect();
                return Err(format!(
                    "refused: {host} resolves to {} (loopback, link-local or metadata addresses are not fetched)",
                    shown.join(", ")
                )
                .into());
            }
            Ok(Box::new(ok.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// An IP-literal host in a URL is not resolved, so it is checked here (also for redirects).
fn check_literal(url: &url::Url, allow: &[IpNet]) -> Result<(), String> {
    let ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        _ => return Ok(()),
    };
    if allowed(ip, allow) {
        Ok(())
    } else {
        Err(format!(
            "refused: {ip} is a loopback, link-local or metadata address"
        ))
    }
}

/// The client URL images are fetched with: guarded resolver and redirects, short timeouts,
/// and no proxy (a proxy would resolve the name itself, past the guard).
pub fn fetch_client(allow: Vec<IpNet>) -> Result<reqwest::Client, reqwest::Error> {
    let allow = Arc::new(allow);
    let for_redirects = allow.clone();
    reqwest::Client::builder()
        .no_proxy()
        .dns_resolver(GuardedResolver { allow })
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 3 {
                return attempt.error("too many redirects");
            }
            match check_literal(attempt.url(), &for_redirects) {
                Ok(()) => attempt.follow(),
                Err(e) => attempt.error(e),
            }
        }))
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .build()
}

/// Fetch a URL image's bytes (at most `max_bytes`).
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    allow: &[IpNet],
    max_bytes: usize,
) -> Result<Bytes, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("invalid URL: {e}"))?;
    check_literal(&parsed, allow)?;
    let response = client.get(parsed).send().await.map_err(|e| {
        // reqwest wraps the resolver's refusal; show the innermost cause.
        let mut cause: &dyn std::error::Error = &e;
        while let Some(inner) = cause.source() {
            cause = inner;
        }
        format!("fetching failed: {cause}")
    })?;
    if !response.status().is_success() {
        return Err(format!("the server answered {}", response.status()));
    }
    let mut body = Vec::new();
    let mut response = response;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("reading the image: {e}"))?
    {
        if body.len() + chunk.len() > max_bytes {
            return Err(format!("the image is larger than {max_bytes} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

/// Where an asset's picture is kept (uploads, and the last good fetch of a URL image).
pub fn picture_path(dir: &Path, asset_id: i64) -> PathBuf {
    dir.join(format!("{asset_id}.img"))
}

/// Decoded pictures by asset id, so outputs start without decoding files again.
#[derive(Default)]
pub struct PictureCache(Mutex<HashMap<i64, Arc<Raster>>>);

impl PictureCache {
    pub fn get(&self, id: i64) -> Option<Arc<Raster>> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    }

    pub fn put(&self, id: i64, raster: Arc<Raster>) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, raster);
    }

    pub fn forget(&self, id: i64) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_goes_by_content() {
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\nrest").map(|s| s.0),
            Some("image/png")
        );
        assert_eq!(
            sniff(&[0xff, 0xd8, 0xff, 0xe0]).map(|s| s.0),
            Some("image/jpeg")
        );
        assert_eq!(
            sniff(b"RIFF\0\0\0\0WEBPVP8 ").map(|s| s.0),
            Some("image/webp")
        );
        assert_eq!(sniff(b"this is a text file named logo.png"), None);
        assert!(
            decode(b"\x89PNG\r\n\x1a\ntruncated")
                .unwrap_err()
                .contains("could not be decoded")
        );
    }

    #[test]
    fn the_guard_refuses_this_machine_and_metadata_addresses() {
        for bad in [
            "127.0.0.1",
            "127.8.9.1",
            "::1",
            "169.254.169.254",
            "fe80::1",
            "0.0.0.0",
            "::ffff:127.0.0.1",
            "fd00:ec2::254",
            "100.100.100.200",
            "224.0.0.1",
        ] {
            assert!(is_forbidden(bad.parse().unwrap()), "{bad}");
        }
        for good in ["192.168.1.10", "10.0.0.5", "8.8.8.8", "2001:db8::1"] {
            assert!(!is_forbidden(good.parse().unwrap()), "{good}");
        }
        let allow: Vec<IpNet> = vec!["127.0.0.1/32".parse().unwrap()];
        assert!(allowed("127.0.0.1".parse().unwrap(), &allow));
        assert!(!allowed("127.0.0.2".parse().unwrap(), &allow));
        assert!(
            check_literal(
                &url::Url::parse("http://169.254.169.254/latest").unwrap(),
                &allow
            )
            .is_err()
        );
        assert!(
            check_literal(&url::Url::parse("http://[::1]:8080/x.png").unwrap(), &allow).is_err()
        );
        assert!(
            check_literal(
                &url::Url::parse("http://127.0.0.1:8080/x.png").unwrap(),
                &allow
            )
            .is_ok()
        );
    }
}
