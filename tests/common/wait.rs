//! Waiting for something to become true. Every wait in the tests is [`wait_until`]: look,
//! and look again a little later, until the look says done or time is up; then panic naming
//! what was awaited and what the last look saw.

use std::fmt::Display;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::{Stream, StreamExt};

/// How often [`wait_until`] looks.
pub const EVERY: Duration = Duration::from_millis(200);

/// Look every 200 ms, for at most `within`, until `look` returns `Ok`; return what it
/// returned. While it is not so yet, `look` returns `Err(what it saw)`: the panic after
/// `within` shows the last one, after `what`.
pub async fn wait_until<T, E: Display>(
    within: Duration,
    what: impl Display,
    look: impl AsyncFnMut() -> Result<T, E>,
) -> T {
    wait_until_every(EVERY, within, what, look).await
}

/// [`wait_until`], looking every `every`.
pub async fn wait_until_every<T, E: Display>(
    every: Duration,
    within: Duration,
    what: impl Display,
    mut look: impl AsyncFnMut() -> Result<T, E>,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        let seen = match look().await {
            Ok(done) => return done,
            Err(seen) => seen,
        };
        if Instant::now() >= deadline {
            panic!("waited {within:?} for {what}; last seen: {seen}");
        }
        tokio::time::sleep(every).await;
    }
}

/// Read a server-sent event stream until what has arrived so far satisfies `done`; return it.
pub async fn read_events_until(
    events: &mut (impl Stream<Item = reqwest::Result<Bytes>> + Unpin),
    within: Duration,
    what: impl Display,
    done: impl Fn(&str) -> bool,
) -> String {
    let mut read = String::new();
    wait_until_every(Duration::ZERO, within, what, async || {
        if let Ok(next) = tokio::time::timeout(EVERY, events.next()).await {
            let chunk = next
                .expect("the event stream open")
                .expect("an event chunk");
            read.push_str(&String::from_utf8_lossy(&chunk));
        }
        if done(&read) {
            Ok(read.clone())
        } else {
            Err(format!("{read:?}"))
        }
    })
    .await
}

/// Wait, blocking the thread, until a peer the test started accepts connections on `port`
/// (for peers' constructors, which are not async); the panic shows the peer's `log`.
pub fn wait_listening(port: u16, what: &str, log: impl Fn() -> String) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not listen on {port}; log:\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
