//! Liveness, readiness and the Prometheus scrape endpoint (outside `/api/v1`, no auth:
//! load balancers, systemd and Prometheus call them).

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::service::Context;
use crate::service::health::{self, Readiness};

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

/// Ready to serve: the database answers and the media runtime is alive.
#[utoipa::path(tag = "system", responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
#[get("/readyz")]
pub async fn readyz(ctx: web::Data<Context>) -> HttpResponse {
    let ready = health::readiness(&ctx).await;
    if ready.ready {
        HttpResponse::Ok().json(ready)
    } else {
        HttpResponse::ServiceUnavailable().json(ready)
    }
}

/// Prometheus text exposition of every metric.
#[utoipa::path(tag = "system", responses((status = 200, content_type = "text/plain; version=0.0.4", description = "Prometheus metrics")))]
#[get("/metrics")]
pub async fn metrics(ctx: web::Data<Context>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(health::metrics_text(&ctx))
}
