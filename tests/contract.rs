//! The OpenAPI document is a contract: schemathesis (pinned in tests/contract/requirements.txt,
//! installed by scripts/setup.sh) generates requests from it, valid and invalid, and checks
//! every answer against what the document states: statuses, content types, schemas, that
//! valid input is accepted and invalid input refused. It runs in a network namespace with
//! only loopback (tests/contract/run.sh says how and what it leaves out).

use std::path::PathBuf;
use std::process::Command;

#[test]
fn the_api_keeps_its_openapi_contract() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let schemathesis = root.join("target/peers/schemathesis/bin/schemathesis");
    assert!(
        schemathesis.exists(),
        "{} is missing: run scripts/setup.sh (or `make setup`)",
        schemathesis.display()
    );
    let report = tempfile::tempdir().expect("a temporary report directory");
    let output = Command::new("unshare")
        .args(["--map-root-user", "--net", "bash"])
        .arg(root.join("tests/contract/run.sh"))
        .arg(env!("CARGO_BIN_EXE_vistterstream"))
        .arg(&schemathesis)
        .arg(report.path())
        .output()
        .expect("unshare (util-linux) runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let log = std::fs::read_to_string(report.path().join("appliance.log")).unwrap_or_default();
    assert!(
        output.status.success(),
        "schemathesis found contract violations ({}):\n{stdout}\n{stderr}\nappliance log tail:\n{}",
        output.status,
        log.lines()
            .rev()
            .take(40)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // It did check something: both passes ran and reported their operations.
    assert!(
        stdout.contains("contract: pass main") && stdout.contains("contract: pass users"),
        "both passes ran:\n{stdout}"
    );
    assert!(
        stdout.contains("passed"),
        "schemathesis reported results:\n{stdout}"
    );
}
