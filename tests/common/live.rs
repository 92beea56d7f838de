//! A live preview as a client sees it: the WebSocket's JSON text frames and its fragmented
//! MP4, kept so ffprobe can read what the appliance sent.

use std::path::Path;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::Appliance;

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Open `path` (`/api/v1/cameras/1/live`) with `token`; the HTTP status on refusal.
pub async fn open(app: &Appliance, token: &str, path: &str) -> Result<Socket, u16> {
    let url = app.url(path).replacen("http://", "ws://", 1);
    let mut request = url.into_client_request().expect("a WebSocket request");
    if !token.is_empty() {
        request.headers_mut().insert(
            "Authorization",
            format!("Bearer {token}").parse().expect("a header value"),
        );
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(e) => panic!("connecting to {path}: {e}"),
    }
}

/// What arrived on a preview connection, in order.
#[derive(Default)]
pub struct Received {
    /// JSON text frames.
    pub texts: Vec<Value>,
    /// Binary frames: init segments start with `ftyp`, fragments with `moof`.
    pub binary: Vec<Vec<u8>>,
    /// When the first fragment arrived, after the connection opened.
    pub first_fragment: Option<Duration>,
}

impl Received {
    pub fn fragments(&self) -> usize {
        self.binary.iter().filter(|b| is_box(b, b"moof")).count()
    }

    pub fn inits(&self) -> usize {
        self.binary.iter().filter(|b| is_box(b, b"ftyp")).count()
    }

    /// The states the source reported, in order.
    pub fn states(&self) -> Vec<String> {
        self.texts
            .iter()
            .filter(|t| t["type"] == "state")
            .filter_map(|t| t["state"].as_str().map(str::to_string))
            .collect()
    }

    /// Everything from the `n`-th init segment on, as one fragmented MP4 file.
    pub fn write_from_init(&self, n: usize, path: &Path) {
        let start = self
            .binary
            .iter()
            .enumerate()
            .filter(|(_, b)| is_box(b, b"ftyp"))
            .nth(n)
            .map(|(i, _)| i)
            .expect("that many init segments");
        let mut out = Vec::new();
        for b in &self.binary[start..] {
            if is_box(b, b"ftyp") && !out.is_empty() {
                break;
            }
            out.extend_from_slice(b);
        }
        std::fs::write(path, out).expect("writing the captured preview");
    }
}

/// Whether `bytes` start with an MP4 box of kind `kind`.
pub fn is_box(bytes: &[u8], kind: &[u8; 4]) -> bool {
    bytes.get(4..8) == Some(kind.as_slice())
}

/// Read until `done` holds (or `within` passes, which fails the test with what came).
pub async fn read_until(
    socket: &mut Socket,
    received: &mut Received,
    within: Duration,
    what: &str,
    done: impl Fn(&Received) -> bool,
) {
    let opened = Instant::now();
    let deadline = tokio::time::Instant::now() + within;
    while !done(received) {
        let next = tokio::time::timeout_at(deadline, socket.next()).await;
        match next {
            Ok(Some(Ok(Message::Text(text)))) => received
                .texts
                .push(serde_json::from_str(&text).expect("JSON text frames")),
            Ok(Some(Ok(Message::Binary(bytes)))) => {
                if received.first_fragment.is_none() && is_box(&bytes, b"moof") {
                    received.first_fragment = Some(opened.elapsed());
                }
                received.binary.push(bytes.to_vec());
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(e))) => panic!("waiting for {what}: the socket failed: {e}"),
            Ok(None) => panic!("waiting for {what}: the appliance closed the preview"),
            Err(_) => panic!(
                "waited {within:?} for {what}; got {} fragments, {} init segments, texts {:?}",
                received.fragments(),
                received.inits(),
                received.texts
            ),
        }
    }
}
