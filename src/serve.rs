//! `vistterstream serve`: start everything, and shut it all down cleanly on SIGTERM/SIGINT.
//!
//! Shutdown order: stop accepting requests (in-flight ones get a grace period, event
//! streams end), stop the camera actors and wait for their RTSP TEARDOWNs, close the
//! database. All within 5 s.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{App, HttpServer, middleware, web};
use anyhow::Context as _;
use tokio::sync::watch;
use vistterstream_actors::Runtime;

use crate::auth::password;
use crate::config::Config;
use crate::domain::user::Role;
use crate::secrets::SecretBox;
use crate::service::{self, Context};
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
    let ctx = web::Data::new(Context::new(
        config.clone(),
        pool,
        secrets,
        runtime,
        metrics,
        shutdown_rx,
    )?);
    service::startup::start(ctx.clone().into_inner()).await?;

    let app_ctx = ctx.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(app_ctx.clone())
            .wrap(middleware::from_fn(crate::http::metrics::http_metrics))
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
    // PTZ, then the cameras the outputs read from. The desired state in the database is
    // left as it is, so the outputs come back running after the restart.
    ctx.shut_down(Duration::from_secs(2)).await;
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
    users::insert(pool, "admin", &hash, Role::Admin)
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
