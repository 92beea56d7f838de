//! A browser script run by a test (tests/browser/*.mjs under Node, driving Debian's Chromium
//! with playwright-core), in lockstep over stdin/stdout: the script prints `TAG detail` after
//! each step (`ERROR …` when it fails) and waits for a line before it goes on; the test checks
//! each step's detail against the appliance and the peers in between.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

/// A browser script, step by step: it prints `TAG detail` after each step and waits for a
/// line before it goes on.
pub struct Browser {
    child: Child,
    stdin: ChildStdin,
    out: Lines<BufReader<ChildStdout>>,
}

impl Browser {
    pub fn start(script: &str, args: &[&str]) -> Self {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
        for package in ["playwright-core", "axe-core"] {
            assert!(
                dir.join("node_modules").join(package).is_dir(),
                "{package} missing: run ./scripts/setup.sh"
            );
        }
        let mut child = tokio::process::Command::new("node")
            .arg(dir.join(script))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("starting node");
        let stdin = child.stdin.take().expect("stdin");
        let out = BufReader::new(child.stdout.take().expect("stdout")).lines();
        Self { child, stdin, out }
    }

    /// The next line, which must be `tag`; its detail.
    pub async fn expect(&mut self, tag: &str) -> String {
        let line = tokio::time::timeout(Duration::from_secs(120), self.out.next_line())
            .await
            .unwrap_or_else(|_| panic!("browser: no {tag} within 120 s"))
            .expect("browser output")
            .unwrap_or_else(|| panic!("browser ended before {tag}"));
        let (got, detail) = line.split_once(' ').unwrap_or((&line, ""));
        assert_eq!(got, tag, "browser said {line}");
        detail.to_string()
    }

    pub async fn json(&mut self, tag: &str) -> Value {
        let detail = self.expect(tag).await;
        serde_json::from_str(&detail).unwrap_or_else(|e| panic!("{tag} {detail}: {e}"))
    }

    /// Let the script go on.
    pub async fn next(&mut self) {
        self.stdin
            .write_all(b"next\n")
            .await
            .expect("to the browser");
    }

    pub async fn finish(mut self) {
        let status = tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .expect("the browser exits")
            .expect("browser status");
        assert!(status.success(), "browser script: {status}");
    }
}

/// What a person watching a player sees it do: playback time and decoded frames advance and
/// the picture has content (a blank frame varies by nothing).
pub fn assert_plays(seen: &Value, what: &str) {
    let f = |k: &str| seen[k].as_f64().unwrap_or(f64::NAN);
    assert_eq!(seen["phase"], "playing", "{what}: {seen}");
    assert!(f("t1") >= f("t0") + 1.0, "{what}: time stands: {seen}");
    assert!(
        f("frames1") >= f("frames0") + 10.0,
        "{what}: no new frames: {seen}"
    );
    assert!(f("width") > 0.0 && f("height") > 0.0, "{what}: {seen}");
    assert!(f("variance") > 100.0, "{what}: a blank picture: {seen}");
}
