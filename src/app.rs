//! Wiring: the shared state handlers see, and the bridge from stored rows to runtime specs.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use metrics_exporter_prometheus::PrometheusHandle;
use sqlx::SqlitePool;
use tokio::sync::watch;
use url::Url;
use vistterstream_actors::Runtime;
use vistterstream_actors::camera::CameraSpec;
use vistterstream_actors::media::snapshot::Jpeg;
use vistterstream_actors::ptz::{
    PtzQuirks, PtzSpec, PtzTiming, ReconcilePtz, RemovePtz, UpsertPtz,
};
use vistterstream_actors::supervisor::{ReconcileCameras, RemoveCamera, UpsertCamera};

use crate::config::Config;
use crate::domain::camera::{CameraKind, PtzQuirk, rtsp_url};
use crate::domain::destination::{masked_publish_url, publish_url};
use crate::secrets::SecretBox;
use crate::store::cameras::{self, CameraRow};
use crate::store::destinations;
use crate::store::outputs::{self, OutputRow};
use vistterstream_actors::output::{
    DestinationTarget, OutputSpec, RecordingSpec, SlateSpec, StartOutput, StopOutput,
};

pub struct AppState {
    pub config: Arc<Config>,
    pub pool: SqlitePool,
    pub secrets: SecretBox,
    pub runtime: Runtime,
    pub metrics: PrometheusHandle,
    pub login_limiter: DefaultKeyedRateLimiter<IpAddr>,
    /// Recent live snapshots per camera: many viewers, one decode.
    pub snapshot_cache: Mutex<HashMap<i64, (Instant, Jpeg)>>,
    /// Flips to `true` at shutdown so long-lived responses (SSE) end.
    pub shutdown: watch::Receiver<bool>,
    /// For cameras' HTTP snapshot URLs.
    pub http: reqwest::Client,
    /// Decoded asset pictures.
    pub pictures: crate::assets::PictureCache,
    /// For URL images: SSRF-guarded.
    pub asset_client: reqwest::Client,
    pub url_allow: Vec<ipnet::IpNet>,
    /// One lock per output: "change the row, then apply it to the runtime" runs as one step,
    /// so concurrent requests (a stop and an overlay change, a cut and a PATCH) cannot undo
    /// each other.
    output_locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

impl AppState {
    pub fn new(
        config: Arc<Config>,
        pool: SqlitePool,
        secrets: SecretBox,
        runtime: Runtime,
        metrics: PrometheusHandle,
        shutdown: watch::Receiver<bool>,
        url_allow: Vec<ipnet::IpNet>,
    ) -> anyhow::Result<Self> {
        let per_minute = NonZeroU32::new(config.auth.login_attempts_per_minute.max(1))
            .unwrap_or(NonZeroU32::MIN);
        let asset_client = crate::assets::fetch_client(url_allow.clone())
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
            pictures: crate::assets::PictureCache::default(),
            asset_client,
            url_allow,
            output_locks: Mutex::new(HashMap::new()),
        })
    }

    /// The sealed value to store for a write-only secret field: `None` given keeps the stored
    /// one, an empty string clears it, anything else is sealed anew.
    pub fn reseal(
        &self,
        given: Option<&str>,
        stored: Option<Vec<u8>>,
    ) -> Result<Option<Vec<u8>>, crate::secrets::SecretError> {
        match given {
            None => Ok(stored),
            Some("") => Ok(None),
            Some(secret) => self.secrets.seal(secret).map(Some),
        }
    }

    pub fn snapshots_dir(&self) -> PathBuf {
        self.config.data_dir.join("snapshots")
    }

    /// A stored camera's password, unsealed (RTSP and ONVIF use the same credentials).
    fn camera_password(&self, row: &CameraRow) -> anyhow::Result<Option<String>> {
        row.password_enc
            .as_deref()
            .map(|sealed| self.secrets.open(sealed))
            .transpose()
            .with_context(|| format!("camera {}: unsealing its password", row.id))
    }

    /// The runtime spec of a stored camera (password unsealed).
    pub fn camera_spec(&self, row: &CameraRow) -> anyhow::Result<CameraSpec> {
        let url = rtsp_url(&row.scheme, &row.host, row.port as u16, &row.path);
        let url = Url::parse(&url)
            .with_context(|| format!("camera {}: stored URL {url} is invalid", row.id))?;
        let password = self.camera_password(row)?;
        Ok(CameraSpec {
            id: row.id,
            name: row.name.clone(),
            url,
            username: row.username.clone(),
            password,
            stall_timeout: Duration::from_secs(self.config.cameras.stall_timeout_secs.max(1)),
            connect_timeout: Duration::from_secs(self.config.cameras.connect_timeout_secs.max(1)),
        })
    }

    /// The PTZ spec of a stored camera, if it is an enabled PTZ camera.
    pub fn ptz_spec(&self, row: &CameraRow) -> anyhow::Result<Option<PtzSpec>> {
        if !row.enabled || CameraKind::parse(&row.kind) != CameraKind::Ptz {
            return Ok(None);
        }
        let password = self.camera_password(row)?;
        let quirks = PtzQuirk::parse_list(&row.ptz_quirks);
        let c = &self.config.ptz;
        let ms = |v: u64, min: u64| Duration::from_millis(v.max(min));
        Ok(Some(PtzSpec {
            camera_id: row.id,
            host: row.host.clone(),
            onvif_port: row.onvif_port.and_then(|p| u16::try_from(p).ok()),
            username: row.username.clone(),
            password,
            profile_token: row.onvif_profile.clone(),
            quirks: PtzQuirks {
                stop_by_zero_velocity: quirks.contains(&PtzQuirk::StopByZeroVelocity),
                ignore_position: quirks.contains(&PtzQuirk::IgnorePosition),
            },
            timing: PtzTiming {
                call_timeout: ms(c.call_timeout_ms, 100),
                health_interval: ms(c.health_interval_ms, 100),
                settle_poll: ms(c.settle_poll_ms, 20),
                settle_timeout: ms(c.settle_timeout_ms, 100),
                move_watchdog: ms(c.move_watchdog_ms, 100),
            },
        }))
    }

    /// Tell the runtime about a created or changed camera: takes effect at once.
    pub fn apply_camera(&self, row: &CameraRow) -> anyhow::Result<()> {
        if row.enabled {
            let spec = self.camera_spec(row)?;
            self.runtime.supervisor.do_send(UpsertCamera(spec));
        } else {
            self.runtime.supervisor.do_send(RemoveCamera(row.id));
        }
        match self.ptz_spec(row)? {
            Some(spec) => self.runtime.ptz.do_send(UpsertPtz(spec)),
            None => self.runtime.ptz.do_send(RemovePtz(row.id)),
        }
        self.forget_snapshot(row.id);
        Ok(())
    }

    pub fn remove_camera(&self, id: i64) {
        self.runtime.supervisor.do_send(RemoveCamera(id));
        self.runtime.ptz.do_send(RemovePtz(id));
        self.forget_snapshot(id);
    }

    pub fn forget_snapshot(&self, id: i64) {
        self.snapshot_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
    }

    /// Make the runtime run exactly the enabled stored cameras (at start-up).
    pub async fn reconcile_cameras(&self) -> anyhow::Result<usize> {
        let rows = cameras::list(&self.pool).await.context("listing cameras")?;
        let mut specs = Vec::new();
        for row in rows.iter().filter(|r| r.enabled) {
            match self.camera_spec(row) {
                Ok(spec) => specs.push(spec),
                Err(e) => {
                    tracing::error!(camera = row.id, error = %format!("{e:#}"), "camera not started")
                }
            }
        }
        let n = specs.len();
        self.runtime
            .supervisor
            .send(ReconcileCameras(specs))
            .await
            .context("the supervisor did not answer")?;
        let mut ptz = Vec::new();
        for row in &rows {
            match self.ptz_spec(row) {
                Ok(Some(spec)) => ptz.push(spec),
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(camera = row.id, error = %format!("{e:#}"), "PTZ not started")
                }
            }
        }
        self.runtime
            .ptz
            .send(ReconcilePtz(ptz))
            .await
            .context("the PTZ supervisor did not answer")?;
        Ok(n)
    }

    /// Hold while changing an output's row and applying it.
    pub async fn lock_output(&self, output_id: i64) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = self
            .output_locks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(output_id)
            .or_default()
            .clone();
        lock.lock_owned().await
    }

    pub fn presets_dir(&self) -> PathBuf {
        self.config.data_dir.join("presets")
    }

    pub fn recordings_dir(&self) -> PathBuf {
        self.config.data_dir.join("recordings")
    }

    /// The runtime spec of a stored output (destination stream keys unsealed).
    pub async fn output_spec(&self, row: &OutputRow) -> anyhow::Result<OutputSpec> {
        let mut targets = Vec::new();
        for id in outputs::destination_ids(&self.pool, row.id).await? {
            let Some(d) = destinations::get(&self.pool, id).await? else {
                continue;
            };
            if !d.enabled {
                continue;
            }
            let key = d
                .stream_key_enc
                .as_deref()
                .map(|sealed| self.secrets.open(sealed))
                .transpose()
                .with_context(|| format!("destination {}: unsealing its stream key", d.id))?;
            targets.push(DestinationTarget {
                id: d.id,
                name: d.name.clone(),
                url: publish_url(&d.server_url, key.as_deref()),
                masked: masked_publish_url(&d.server_url, key.is_some()),
                secret: key.unwrap_or_default(),
            });
        }
        let settings = crate::domain::output::ValidOutput::from_row(row, vec![]);
        Ok(OutputSpec {
            id: row.id,
            name: row.name.clone(),
            mode: settings.mode,
            profile: settings.profile,
            encoder: settings.encoder,
            destinations: targets,
            camera_id: settings.camera_id,
            standby_cameras: settings.standby_camera_ids,
            slate: SlateSpec {
                text: row.slate_text.clone(),
                image_asset_id: row.slate_asset_id,
                image: match row.slate_asset_id {
                    Some(id) => self.picture(id).await,
                    None => None,
                },
            },
            recording: row.recording_enabled.then(|| RecordingSpec {
                dir: self.recordings_dir(),
                segment: Duration::from_secs(row.recording_segment_secs.max(1) as u64),
            }),
            slate_after: Duration::from_millis(self.config.outputs.slate_after_ms.max(100)),
            overlays: self.overlay_layers(row.id).await?,
        })
    }

    pub fn assets_dir(&self) -> PathBuf {
        self.config.data_dir.join("assets")
    }

    /// An asset's decoded picture: from the cache, else from its file (decoded off the
    /// arbiter). `None` when it has none yet (a URL image not fetched so far).
    pub async fn picture(
        &self,
        asset_id: i64,
    ) -> Option<Arc<vistterstream_actors::output::overlay::Raster>> {
        if let Some(r) = self.pictures.get(asset_id) {
            return Some(r);
        }
        let path = crate::assets::picture_path(&self.assets_dir(), asset_id);
        let bytes = tokio::fs::read(&path).await.ok()?;
        let decoded = tokio::task::spawn_blocking(move || crate::assets::decode(&bytes))
            .await
            .ok()?
            .ok()?;
        self.pictures.put(asset_id, decoded.raster.clone());
        Some(decoded.raster)
    }

    /// The runtime overlay layers of an output.
    pub async fn overlay_layers(
        &self,
        output_id: i64,
    ) -> anyhow::Result<Vec<vistterstream_actors::output::overlay::OverlayLayer>> {
        use vistterstream_actors::output::overlay::{LayerSource, OverlayLayer, Raster};
        let mut layers = Vec::new();
        for row in crate::store::assets::overlays(&self.pool, output_id).await? {
            let Some(asset) = crate::store::assets::get(&self.pool, row.asset_id).await? else {
                continue;
            };
            let color =
                crate::domain::asset::parse_color(&asset.color).unwrap_or([255, 255, 255, 255]);
            let size_px = asset.font_size.clamp(8, 200) as u32;
            let source = match asset.kind.as_str() {
                "text" => LayerSource::Text {
                    text: asset.text.clone().unwrap_or_default(),
                    size_px,
                    color,
                },
                "clock" => LayerSource::Clock {
                    format: asset.text.clone().unwrap_or_else(|| "%H:%M:%S".into()),
                    size_px,
                    color,
                },
                // A URL image not fetched yet shows nothing until its first fetch.
                _ => LayerSource::Image(self.picture(asset.id).await.unwrap_or_else(|| {
                    Arc::new(Raster {
                        width: 1,
                        height: 1,
                        rgba: bytes::Bytes::from_static(&[0, 0, 0, 0]),
                    })
                })),
            };
            layers.push(OverlayLayer {
                id: row.id,
                asset_id: row.asset_id,
                placement: vistterstream_actors::output::spec::OverlayPlacement {
                    x: row.x,
                    y: row.y,
                    width: row.width,
                    height: row.height,
                    opacity: row.opacity,
                    z: row.z as i32,
                    visible: row.visible,
                },
                source,
            });
        }
        Ok(layers)
    }

    /// Bring the runtime in line with a stored output: running ones are started or updated
    /// in place, the others stopped. Returns when a stop has completed.
    pub async fn apply_output(&self, row: &OutputRow) -> anyhow::Result<()> {
        if row.running {
            let spec = self.output_spec(row).await?;
            self.runtime.outputs.do_send(StartOutput(spec));
        } else {
            self.runtime
                .outputs
                .send(StopOutput {
                    output_id: row.id,
                    forget: false,
                })
                .await
                .context("the output supervisor did not answer")?;
        }
        Ok(())
    }

    /// Re-apply every running output that publishes to a destination (its URL or key changed).
    pub async fn reapply_outputs_using(&self, destination_id: i64) -> anyhow::Result<()> {
        for (id, _) in outputs::using_destination(&self.pool, destination_id).await? {
            let _guard = self.lock_output(id).await;
            if let Some(row) = outputs::get(&self.pool, id).await?
                && row.running
            {
                self.apply_output(&row).await?;
            }
        }
        Ok(())
    }

    /// Start the outputs whose desired state is running (at start-up).
    pub async fn reconcile_outputs(&self) -> anyhow::Result<usize> {
        let mut n = 0;
        for row in outputs::list(&self.pool)
            .await?
            .iter()
            .filter(|r| r.running)
        {
            match self.apply_output(row).await {
                Ok(()) => n += 1,
                Err(e) => {
                    tracing::error!(output = row.id, error = %format!("{e:#}"), "output not started")
                }
            }
        }
        Ok(n)
    }
}
