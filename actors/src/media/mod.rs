//! GStreamer media work: plans and pipelines. Everything here runs on GStreamer's or
//! tokio's blocking threads, never on an actix arbiter.

pub mod snapshot;

/// Initialise GStreamer once per process. Errors name what is missing.
pub fn init() -> Result<(), gstreamer::glib::Error> {
    gstreamer::init()
}

/// Trust the certificate authorities in `extra_ca_pem` for RTMPS, beside the system store.
///
/// rtmp2sink verifies certificates through GLib's TLS backend, whose default database is the
/// system store; it has no per-element CA setting. So the process-wide default database is
/// replaced by a bundle of the system store plus the extra authorities, written to
/// `bundle_path`. Call once at start-up, before any output runs.
pub fn trust_extra_ca(
    extra_ca_pem: &std::path::Path,
    bundle_path: &std::path::Path,
) -> Result<(), String> {
    use gio::prelude::*;
    let extra = std::fs::read_to_string(extra_ca_pem)
        .map_err(|e| format!("reading the RTMPS CA file {}: {e}", extra_ca_pem.display()))?;
    if !extra.contains("BEGIN CERTIFICATE") {
        return Err(format!(
            "the RTMPS CA file {} holds no PEM certificate",
            extra_ca_pem.display()
        ));
    }
    let system = [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
    ]
    .iter()
    .find_map(|p| std::fs::read_to_string(p).ok())
    .unwrap_or_default();
    std::fs::write(bundle_path, format!("{system}\n{extra}\n"))
        .map_err(|e| format!("writing {}: {e}", bundle_path.display()))?;
    let db = gio::TlsFileDatabase::new(bundle_path)
        .map_err(|e| format!("loading {}: {e}", bundle_path.display()))?;
    gio::TlsBackend::default().set_default_database(Some(&db));
    Ok(())
}
