//! The operator's console: the Vite build of `web/` (`web/dist`), embedded in the binary so
//! the appliance stays one file and works offline. Hashed assets are cached for good; every
//! other path that is not the API answers the console's page (it routes in the browser). A
//! checkout where the console was not built still serves a page saying how to build it.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, ResponseError, get};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "web/dist"]
#[allow_missing = true]
struct Console;

/// Scripts and styles come from the appliance only; pictures and video also from blobs
/// (previews); the event stream and the preview WebSockets go to the appliance itself.
const POLICY: &str = "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; \
                      style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; \
                      object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

/// What a checkout without a built console serves instead.
const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>VistterStream</title></head><body style=\"font-family:sans-serif;background:#111;\
color:#eee;padding:2rem\"><h1>VistterStream</h1><p>The console has not been built in this \
checkout. Build it with <code>make ui</code> (or <code>cd web &amp;&amp; npm ci &amp;&amp; npm \
run build</code>), then rebuild the appliance.</p><p>The API works without it: \
<a style=\"color:#8cf\" href=\"/api/docs/\">/api/docs/</a>.</p></body></html>";

fn page() -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "no-cache"))
        .insert_header((CONTENT_SECURITY_POLICY, POLICY));
    match Console::get("index.html") {
        Some(file) => response.body(file.data.into_owned()),
        None => response.body(NOT_BUILT),
    }
}

/// The console's page, its assets, and its routes (`/cameras`, `/outputs/3`, …).
#[get("/{path:.*}")]
pub async fn console(req: HttpRequest) -> HttpResponse {
    let path = req.match_info().query("path");
    if path.starts_with("api/") {
        return super::error::ApiError::not_found(format!("no such endpoint: GET /{path}"))
            .error_response();
    }
    match Console::get(path).filter(|_| !path.is_empty() && path != "index.html") {
        Some(file) => {
            // Vite names every built asset by its content hash.
            let cache = if path.starts_with("assets/") {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            HttpResponse::Ok()
                .insert_header((CONTENT_TYPE, file.metadata.mimetype()))
                .insert_header((CACHE_CONTROL, cache))
                .body(file.data.into_owned())
        }
        None => page(),
    }
}
