//! What every use case reaches: the store, the media runtime, the secrets, the
//! configuration and the appliance's caches. Built once at start-up; the HTTP layer holds it
//! but never looks inside (its fields are the service layer's own).

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use metrics_exporter_prometheus::PrometheusHandle;
use sqlx::SqlitePool;
use tokio::sync::watch;
use vistterstream_actors::Runtime;
use vistterstream_actors::media::snapshot::Jpeg;

use super::error::ServiceError;
use super::schedule_clock::ScheduleClock;
use crate::config::Config;
use crate::pictures::PictureCache;
use crate::secrets::SecretBox;

pub struct Context {
    pub(super) config: Arc<Config>,
    pub(super) pool: SqlitePool,
    pub(super) secrets: SecretBox,
    pub(super) runtime: Runtime,
    pub(super) metrics: PrometheusHandle,
    pub(super) login_limiter: DefaultKeyedRateLimiter<IpAddr>,
    /// Recent live snapshots per camera: many viewers, one decode.
    pub(super) snapshot_cache: Mutex<HashMap<i64, (Instant, Jpeg)>>,
    /// Flips to `true` at shutdown so long-lived responses (SSE) end.
    shutdown: watch::Receiver<bool>,
    /// For cameras' HTTP snapshot URLs.
    pub(super) http: reqwest::Client,
    /// Decoded asset pictures.
    pub(super) pictures: PictureCache,
    /// For URL images: SSRF-guarded.
    pub(super) asset_client: reqwest::Client,
    pub(super) url_allow: Vec<ipnet::IpNet>,
    /// One lock per output: "change the row, then apply it to the runtime" runs as one step,
    /// so concurrent requests (a stop and an overlay change, a cut and a PATCH) cannot undo
    /// each other.
    output_locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    /// When this appliance started serving (its uptime in the System page and `/readyz`).
    pub(super) started_at: Instant,
    /// What time the schedules see (real, or simulated for drills and tests).
    pub(super) schedule_clock: ScheduleClock,
}

impl Context {
    pub fn new(
        config: Arc<Config>,
        pool: SqlitePool,
        secrets: SecretBox,
        runtime: Runtime,
        metrics: PrometheusHandle,
        shutdown: watch::Receiver<bool>,
    ) -> anyhow::Result<Self> {
        let per_minute = NonZeroU32::new(config.auth.login_attempts_per_minute.max(1))
            .unwrap_or(NonZeroU32::MIN);
        let url_allow = config.assets.allow_networks().map_err(anyhow::Error::msg)?;
        let schedule_clock =
            ScheduleClock::from_config(&config.schedules).map_err(anyhow::Error::msg)?;
        let asset_client = crate::pictures::fetch_client(url_allow.clone())
            .context("building the HTTP client for URL images")?;
        Ok(Self {
            login_limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            config,
            pool,
            secrets,
            runtime,
            metrics,
            snapshot_cache: Mutex::new(HashMap::new()),
            shutdown,
            http: vistterstream_actors::camera::http_snapshot::client(),
            pictures: PictureCache::default(),
            asset_client,
            url_allow,
            output_locks: Mutex::new(HashMap::new()),
            started_at: Instant::now(),
            schedule_clock,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Turns `true` when the appliance shuts down.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.clone()
    }

    /// Stop the media runtime (outputs, PTZ, cameras, in that order) and close the database.
    pub async fn shut_down(&self, per_kind: Duration) {
        self.runtime.shutdown(per_kind).await;
        self.pool.close().await;
    }

    /// The sealed value to store for a write-only secret field: `None` given keeps the stored
    /// one, an empty string clears it, anything else is sealed anew.
    pub(super) fn reseal(
        &self,
        given: Option<&str>,
        stored: Option<Vec<u8>>,
    ) -> Result<Option<Vec<u8>>, ServiceError> {
        match given {
            None => Ok(stored),
            Some("") => Ok(None),
            Some(secret) => self
                .secrets
                .seal(secret)
                .map(Some)
                .map_err(|e| ServiceError::Internal(anyhow::Error::new(e).context("sealing"))),
        }
    }

    /// A sealed secret, opened; `what` names it in the error ("camera 3's password").
    pub(super) fn unseal(
        &self,
        sealed: Option<&[u8]>,
        what: impl FnOnce() -> String,
    ) -> anyhow::Result<Option<String>> {
        sealed
            .map(|s| self.secrets.open(s))
            .transpose()
            .with_context(|| format!("unsealing {}", what()))
    }

    pub(super) fn snapshots_dir(&self) -> PathBuf {
        self.config.data_dir.join("snapshots")
    }

    pub(super) fn presets_dir(&self) -> PathBuf {
        self.config.data_dir.join("presets")
    }

    pub(super) fn recordings_dir(&self) -> PathBuf {
        self.config.data_dir.join("recordings")
    }

    pub(super) fn assets_dir(&self) -> PathBuf {
        self.config.data_dir.join("assets")
    }

    /// Hold while changing an output's row and applying it.
    pub(super) async fn lock_output(&self, output_id: i64) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = self
            .output_locks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(output_id)
            .or_default()
            .clone();
        lock.lock_owned().await
    }

    /// Drop a camera's cached live snapshot (its settings changed, or it is gone).
    pub(super) fn forget_snapshot(&self, camera_id: i64) {
        self.snapshot_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&camera_id);
    }
}
