//! A camera's own HTTP snapshot URL (CAM-4): GET with Digest or Basic authentication, as the
//! camera's challenge asks, and only a real JPEG is accepted.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use url::Url;

use crate::media::snapshot::Jpeg;

/// Largest snapshot accepted (a 4K JPEG is a few MB).
const MAX_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum HttpSnapshotError {
    #[error("authentication failed: the camera rejected the username or password for {0}")]
    Auth(String),
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url} did not return a JPEG ({detail})")]
    NotJpeg { url: String, detail: String },
    #[error("fetching {url}: {detail}")]
    Fetch { url: String, detail: String },
    #[error("the camera's authentication challenge is not understood: {0}")]
    Challenge(String),
}

/// One shared client: connection reuse across snapshots of the same camera.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::limited(3))
        .user_agent(concat!("VistterStream/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

fn fetch_error(url: &Url, e: &reqwest::Error) -> HttpSnapshotError {
    // reqwest's Display includes the URL, which carries no credentials (they are stripped
    // when the camera is saved and sent only in headers).
    HttpSnapshotError::Fetch {
        url: url.to_string(),
        detail: if e.is_timeout() {
            "timed out".into()
        } else if e.is_connect() {
            "could not connect".into()
        } else {
            e.to_string()
        },
    }
}

/// The `Authorization` value answering `challenges`: Digest if offered, else Basic.
fn answer(
    challenges: &[String],
    url: &Url,
    username: &str,
    password: &str,
) -> Result<String, HttpSnapshotError> {
    if let Some(digest) = challenges
        .iter()
        .find(|c| c.trim_start().to_ascii_lowercase().starts_with("digest"))
    {
        let mut prompt =
            digest_auth::parse(digest).map_err(|e| HttpSnapshotError::Challenge(e.to_string()))?;
        let mut uri = url.path().to_string();
        if let Some(q) = url.query() {
            uri.push('?');
            uri.push_str(q);
        }
        let context = digest_auth::AuthContext::new(username, password, uri);
        let response = prompt
            .respond(&context)
            .map_err(|e| HttpSnapshotError::Challenge(e.to_string()))?;
        return Ok(response.to_header_string());
    }
    use base64::Engine;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    Ok(format!("Basic {token}"))
}

/// GET the snapshot, answering an authentication challenge once.
pub async fn fetch(
    client: &reqwest::Client,
    url: &Url,
    credentials: Option<(&str, &str)>,
    timeout: Duration,
) -> Result<Jpeg, HttpSnapshotError> {
    let first = client
        .get(url.clone())
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| fetch_error(url, &e))?;
    let response = match (first.status(), credentials) {
        (StatusCode::UNAUTHORIZED, Some((user, password))) => {
            let challenges: Vec<String> = first
                .headers()
                .get_all(WWW_AUTHENTICATE)
                .iter()
                .filter_map(|v| v.to_str().ok().map(str::to_string))
                .collect();
            let authorization = answer(&challenges, url, user, password)?;
            client
                .get(url.clone())
                .header(AUTHORIZATION, authorization)
                .timeout(timeout)
                .send()
                .await
                .map_err(|e| fetch_error(url, &e))?
        }
        _ => first,
    };
    match response.status() {
        s if s.is_success() => {}
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            return Err(HttpSnapshotError::Auth(url.to_string()));
        }
        s => {
            return Err(HttpSnapshotError::Status {
                url: url.to_string(),
                status: s.as_u16(),
            });
        }
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BYTES as u64)
    {
        return Err(HttpSnapshotError::NotJpeg {
            url: url.to_string(),
            detail: "larger than 16 MiB".into(),
        });
    }
    let body = response.bytes().await.map_err(|e| fetch_error(url, &e))?;
    if body.len() > MAX_BYTES {
        return Err(HttpSnapshotError::NotJpeg {
            url: url.to_string(),
            detail: "larger than 16 MiB".into(),
        });
    }
    // Trust the bytes, not the header: some cameras send image/jpeg error pages.
    if !body.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Err(HttpSnapshotError::NotJpeg {
            url: url.to_string(),
            detail: format!(
                "content type {}, not JPEG data",
                if content_type.is_empty() {
                    "missing"
                } else {
                    &content_type
                }
            ),
        });
    }
    let size = imagesize::blob_size(&body).map_err(|e| HttpSnapshotError::NotJpeg {
        url: url.to_string(),
        detail: e.to_string(),
    })?;
    Ok(Jpeg {
        width: size.width as u32,
        height: size.height as u32,
        data: body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_preferred_over_basic() {
        let url = Url::parse("http://cam/cgi-bin/snap.jpg?ch=1").unwrap();
        let challenges = vec![
            "Basic realm=\"cam\"".to_string(),
            "Digest realm=\"cam\", nonce=\"abc\", qop=\"auth\"".to_string(),
        ];
        let a = answer(&challenges, &url, "admin", "pw").unwrap();
        assert!(a.starts_with("Digest "), "{a}");
        assert!(a.contains("uri=\"/cgi-bin/snap.jpg?ch=1\""), "{a}");
        assert!(
            !a.contains("pw\""),
            "the password is never sent in clear with Digest"
        );
        let b = answer(&challenges[..1], &url, "admin", "pw").unwrap();
        assert_eq!(b, "Basic YWRtaW46cHc=");
    }
}
