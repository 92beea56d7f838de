//! `vistterstream serve`: start everything, and shut it all down cleanly on SIGTERM/SIGINT.
//!
//! Shutdown order: stop accepting requests (in-flight ones get a grace period, event
//! streams end), stop the camera actors and wait for their RTSP TEARDOWNs, close the
//! database. All within 5 s.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{App, HttpServer, middleware, web};
use anyhow::Context;
use tokio::sync::watch;
use vistterstream_actors::Runtime;
use vistterstream_actors::supervisor::Shutdown;

use crate::app::AppState;
use crate::auth::password;
use crate::config::Config;
use crate::secrets::SecretBox;
use crate::store::{self, users};

pub fn run(config: Config) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(serve(config))
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let config = Arc::new(config);
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating the data directory {}", config.data_dir.display()))?;
    vistterstream_actors::media::init()
        .context("initialising GStreamer (is it installed? run scripts/setup.sh)")?;
    let metrics = crate::metrics::install().context("installing the metrics recorder")?;
    let secrets = SecretBox::open_or_create(&config.data_dir)?;
    let pool = store::open(&config.data_dir).await?;
    first_run_admin(&pool).await?;
    // Compute the decoy hash for unknown-user logins now, on a blocking thread, rather than
    // on an arbiter during the first such login.
    tokio::task::spawn_blocking(|| {
        password::dummy_hash();
    })
    .await
    .context("preparing the login decoy hash")?;

    if let Some(ca) = &config.outputs.rtmps_ca_file {
        vistterstream_actors::media::trust_extra_ca(
            ca,
            &config.data_dir.join("rtmps-ca-bundle.pem"),
        )
        .map_err(anyhow::Error::msg)
        .context("outputs.rtmps_ca_file")?;
        tracing::info!(file = %ca.display(), "extra certificate authorities trusted for RTMPS");
    }
    let runtime = Runtime::start();
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let url_allow = config.assets.allow_networks().map_err(anyhow::Error::msg)?;
    let state = web::Data::new(AppState::new(
        config.clone(),
        pool.clone(),
        secrets,
        runtime.clone(),
        metrics,
        shutdown_rx,
        url_allow,
    )?);
    let started = state.reconcile_cameras().await?;
    tracing::info!(cameras = started, data_dir = %config.data_dir.display(), "cameras started");
    let outputs_started = state.reconcile_outputs().await?;
    tracing::info!(outputs = outputs_started, "outputs started");
    // Snapshot retention: at start-up and every hour, so expired snapshots go even when
    // nothing new is captured.
    actix_web::rt::spawn(crate::assets_refresh::run(state.clone().into_inner()));
    // Recording retention: every minute (segments arrive continuously).
    let rec_state = state.clone();
    actix_web::rt::spawn(async move {
        let mut every_minute = tokio::time::interval(Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            let dir = rec_state.recordings_dir();
            let policy = rec_state.config.recordings.clone();
            let max_age = Duration::from_secs(u64::from(policy.retention_days.max(1)) * 86_400);
            let max_total = policy.max_total_mib.saturating_mul(1024 * 1024);
            match tokio::task::spawn_blocking(move || {
                crate::recordings::prune(&dir, max_age, max_total)
            })
            .await
            {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => tracing::info!(deleted = n, "recording retention applied"),
                Ok(Err(e)) => tracing::warn!(error = %e, "recording retention"),
                Err(e) => tracing::warn!(error = %e, "recording retention task"),
            }
        }
    });
    let prune_state = state.clone();
    actix_web::rt::spawn(async move {
        let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            if let Err(e) = crate::http::snapshots::prune(&prune_state).await {
                tracing::warn!(error = %e, "snapshot retention");
            }
        }
    });

    let app_state = state.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(app_state.clone())
            .wrap(middleware::from_fn(crate::metrics::http_metrics))
            .wrap(
                middleware::DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("X-Frame-Options", "DENY"))
                    .add(("Referrer-Policy", "same-origin")),
            )
            .configure(crate::http::configure)
    })
    .disable_signals()
    .shutdown_timeout(config.http.shutdown_grace_secs)
    .bind(config.listen)
    .with_context(|| format!("listening on {}", config.listen))?
    .run();
    let handle = server.handle();
    tracing::info!(listen = %config.listen, "VistterStream {} serving on http://{}", env!("CARGO_PKG_VERSION"), config.listen);

    let server_task = actix_web::rt::spawn(server);
    wait_for_signal().await;
    tracing::info!("shutting down");
    let shutdown_started = std::time::Instant::now();
    let _ = shutdown_tx.send(true);
    handle.stop(true).await;
    let _ = server_task.await;
    // Outputs first (their RTMP sessions end cleanly and recordings are finalized), then
    // the cameras they read from. The desired state in the database is left as it is, so
    // the outputs come back running after the restart.
    if tokio::time::timeout(
        Duration::from_millis(2000),
        runtime
            .outputs
            .send(vistterstream_actors::output::StopAllOutputs),
    )
    .await
    .is_err()
    {
        tracing::warn!("outputs did not stop before the shutdown deadline");
    }
    let _ = runtime
        .ptz
        .send(vistterstream_actors::ptz::ShutdownPtz)
        .await;
    if let Err(e) = runtime
        .supervisor
        .send(Shutdown {
            timeout: Duration::from_secs(2),
        })
        .await
    {
        tracing::warn!(error = %e, "supervisor shutdown");
    }
    pool.close().await;
    tracing::info!(
        took_ms = shutdown_started.elapsed().as_millis() as u64,
        "shutdown complete"
    );
    actix_web::rt::System::current().stop();
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// First run: no user exists. Create `admin` with `VISTTER_ADMIN_PASSWORD`, or generate a
/// password and print it once (to the console, not the log). Never touches existing users.
async fn first_run_admin(pool: &sqlx::SqlitePool) -> anyhow::Result<()> {
    if users::count(pool).await.context("counting users")? > 0 {
        return Ok(());
    }
    let (password, generated) = match std::env::var("VISTTER_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (password::generate(), true),
    };
    let hash = tokio::task::spawn_blocking({
        let password = password.clone();
        move || password::hash(&password)
    })
    .await
    .context("hashing the admin password")??;
    users::insert(pool, "admin", &hash, "admin")
        .await
        .context("creating the admin user")?;
    if generated {
        eprintln!(
            "\n  First run: created user 'admin' with password: {password}\n  \
             It is shown only now. Change it after logging in.\n"
        );
    }
    tracing::info!(generated, "first run: created the admin user");
    Ok(())
}
