//! The browser UI. For now a single live-view page (cameras with live snapshots and states
//! over server-sent events), embedded in the binary so the appliance stays one file and
//! works offline. The full UI (UI-1) will replace it.

use actix_web::{HttpResponse, get};

const INDEX: &str = include_str!("../../web/index.html");

#[get("/")]
pub async fn index() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; \
             script-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
        ))
        .body(INDEX)
}
