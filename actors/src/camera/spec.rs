//! What the shell tells the runtime about a camera.

use std::fmt;
use std::time::Duration;

use url::Url;

/// Everything a CameraActor needs to keep one camera's stream alive.
///
/// `url` never carries credentials: they travel separately so that the URL can be logged
/// and shown anywhere. `Debug` redacts the password.
#[derive(Clone, PartialEq, Eq)]
pub struct CameraSpec {
    pub id: i64,
    pub name: String,
    pub url: Url,
    pub username: Option<String>,
    pub password: Option<String>,
    /// No frame for this long means the camera stalled: drop the session and reconnect.
    pub stall_timeout: Duration,
    /// DESCRIBE + SETUP + PLAY + first frame must complete within this.
    pub connect_timeout: Duration,
}

impl CameraSpec {
    /// Whether a change from `self` to `other` needs a new RTSP session.
    pub fn needs_reconnect(&self, other: &CameraSpec) -> bool {
        self.url != other.url
            || self.username != other.username
            || self.password != other.password
            || self.connect_timeout != other.connect_timeout
    }

    pub(crate) fn credentials(&self) -> Option<retina::client::Credentials> {
        match (&self.username, &self.password) {
            (Some(u), p) if !u.is_empty() => Some(retina::client::Credentials {
                username: u.clone(),
                password: p.clone().unwrap_or_default(),
            }),
            _ => None,
        }
    }
}

impl fmt::Debug for CameraSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CameraSpec")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("url", &self.url.as_str())
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("stall_timeout", &self.stall_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> CameraSpec {
        CameraSpec {
            id: 1,
            name: "door".into(),
            url: Url::parse("rtsp://10.0.0.5:554/stream1").unwrap(),
            username: Some("admin".into()),
            password: Some("hunter2".into()),
            stall_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(10),
        }
    }

    #[test]
    fn debug_never_shows_the_password() {
        let text = format!("{:?}", spec());
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("<redacted>"));
    }

    #[test]
    fn renaming_does_not_reconnect_but_a_new_password_does() {
        let a = spec();
        let mut b = a.clone();
        b.name = "front door".into();
        assert!(!a.needs_reconnect(&b));
        b.password = Some("other".into());
        assert!(a.needs_reconnect(&b));
    }
}
