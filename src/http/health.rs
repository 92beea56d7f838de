//! Liveness, readiness and the Prometheus scrape endpoint (outside `/api/v1`, no auth:
//! load balancers, systemd and Prometheus call them).

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
}

/// The process is up and serving.
#[utoipa::path(tag = "system", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

#[derive(Serialize, ToSchema)]
pub struct Ready {
    pub ready: bool,
    pub database: bool,
    pub runtime: bool,
}

/// Ready to serve: the database answers and the media runtime is alive.
#[utoipa::path(tag = "system", responses((status = 200, body = Ready), (status = 503, body = Ready)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let database = sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(&state.pool)
        .await
        .is_ok();
    let runtime = state.runtime.supervisor.connected() && !*state.shutdown.borrow();
    let ready = Ready {
        ready: database && runtime,
        database,
        runtime,
    };
    if ready.ready {
        HttpResponse::Ok().json(ready)
    } else {
        HttpResponse::ServiceUnavailable().json(ready)
    }
}

/// Prometheus text exposition of every metric.
#[utoipa::path(tag = "system", responses((status = 200, content_type = "text/plain; version=0.0.4", description = "Prometheus metrics")))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    crate::metrics::refresh_camera_gauges(&state);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}
