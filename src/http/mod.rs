//! The HTTP surface: JSON REST under `/api/v1` (one module per resource), health, metrics,
//! the OpenAPI document and its browsable docs.

pub mod assets;
pub mod audit;
pub mod auth;
pub mod cameras;
pub mod destinations;
pub mod discovery;
pub mod error;
pub mod events;
pub mod health;
pub mod json;
pub mod outputs;
pub mod ptz;
pub mod recordings;
pub mod snapshots;
pub mod tokens;
pub mod ui;
pub mod users;

use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use error::ApiError;

/// The `/api/v1` routes (nested under that prefix in [`ApiDoc`]).
#[derive(OpenApi)]
#[openapi(paths(
    auth::login,
    auth::logout,
    auth::me,
    auth::change_password,
    users::list,
    users::get_one,
    users::create,
    users::update,
    users::remove,
    tokens::list,
    tokens::create,
    tokens::revoke,
    cameras::list,
    cameras::get_one,
    cameras::create,
    cameras::update,
    cameras::remove,
    cameras::test_unsaved,
    cameras::test_saved,
    cameras::live_snapshot,
    discovery::discover,
    ptz::move_continuous,
    ptz::stop,
    ptz::absolute,
    ptz::relative,
    ptz::status,
    ptz::list_presets,
    ptz::capture,
    ptz::get_preset,
    ptz::update_preset,
    ptz::delete_preset,
    ptz::goto_preset,
    ptz::test_preset,
    ptz::preset_thumbnail,
    ptz::export_presets,
    ptz::import_presets,
    snapshots::capture,
    snapshots::list,
    snapshots::get_one,
    snapshots::image,
    snapshots::remove,
    destinations::list,
    destinations::get_one,
    destinations::create,
    destinations::update,
    destinations::remove,
    outputs::list,
    outputs::get_one,
    outputs::create,
    outputs::update,
    outputs::remove,
    outputs::start,
    outputs::stop,
    outputs::cut,
    outputs::stop_all,
    recordings::list,
    assets::list,
    assets::create,
    assets::get_one,
    assets::preview,
    assets::remove,
    outputs::list_overlays,
    outputs::replace_overlays,
    outputs::update_overlay,
    recordings::download,
    recordings::remove,
    events::stream,
    audit::list,
))]
struct V1Api;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "VistterStream appliance API",
        description = "Cameras, snapshots, users and tokens of a VistterStream appliance. \
                       Errors are application/problem+json naming the offending field.",
        license(name = "MIT")
    ),
    paths(health::healthz, health::readyz, health::metrics),
    nest((path = "/api/v1", api = V1Api)),
    modifiers(&SecurityAddon),
    tags(
        (name = "auth", description = "Login sessions"),
        (name = "users", description = "User administration (admin)"),
        (name = "tokens", description = "Scoped API tokens"),
        (name = "cameras", description = "Cameras, connection tests, live snapshots, health"),
        (name = "ptz", description = "PTZ control: continuous, absolute and relative moves, status"),
        (name = "presets", description = "PTZ presets: capture, recall (settled), test, import/export"),
        (name = "snapshots", description = "Stored snapshots with retention"),
        (name = "destinations", description = "Where programs are published (RTMP/RTMPS)"),
        (name = "assets", description = "Asset library: uploaded pictures, URL images, text, clocks"),
        (name = "recordings", description = "MP4 segments recorded from outputs"),
        (name = "outputs", description = "Always-on programs and relays: start, stop, cut, emergency stop"),
        (name = "events", description = "Server-sent state changes"),
        (name = "audit", description = "Audit log"),
        (name = "system", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// Every route of the appliance.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PathConfig::default().error_handler(|e, _| {
        ApiError::BadRequest {
            code: "invalid_path",
            detail: format!("invalid path parameter: {e}"),
            field: None,
        }
        .into()
    }))
    .app_data(web::QueryConfig::default().error_handler(|e, _| {
        ApiError::BadRequest {
            code: "invalid_query",
            detail: format!("invalid query: {e}"),
            field: None,
        }
        .into()
    }))
    .service(ui::index)
    .service(health::healthz)
    .service(health::readyz)
    .service(health::metrics)
    .service(
        web::scope("/api/v1")
            .wrap(actix_web::middleware::from_fn(
                crate::auth::principal::authenticate,
            ))
            .service(auth::login)
            .service(auth::logout)
            .service(auth::me)
            .service(auth::change_password)
            .service(users::list)
            .service(users::create)
            .service(users::get_one)
            .service(users::update)
            .service(users::remove)
            .service(tokens::list)
            .service(tokens::create)
            .service(tokens::revoke)
            .service(cameras::list)
            .service(cameras::create)
            // literal paths before `{id}` ones
            .service(cameras::test_unsaved)
            .service(cameras::get_one)
            .service(cameras::update)
            .service(cameras::remove)
            .service(cameras::test_saved)
            .service(cameras::live_snapshot)
            .service(discovery::discover)
            .service(ptz::move_continuous)
            .service(ptz::stop)
            .service(ptz::absolute)
            .service(ptz::relative)
            .service(ptz::status)
            // literal paths before `{id}` ones
            .service(ptz::export_presets)
            .service(ptz::import_presets)
            .service(ptz::list_presets)
            .service(ptz::capture)
            .service(ptz::get_preset)
            .service(ptz::update_preset)
            .service(ptz::delete_preset)
            .service(ptz::goto_preset)
            .service(ptz::test_preset)
            .service(ptz::preset_thumbnail)
            .service(snapshots::capture)
            .service(snapshots::list)
            .service(snapshots::get_one)
            .service(snapshots::image)
            .service(snapshots::remove)
            .service(destinations::list)
            .service(destinations::create)
            .service(destinations::get_one)
            .service(destinations::update)
            .service(destinations::remove)
            .service(outputs::stop_all)
            .service(outputs::list)
            .service(outputs::create)
            .service(outputs::get_one)
            .service(outputs::update)
            .service(outputs::remove)
            .service(outputs::start)
            .service(outputs::stop)
            .service(outputs::cut)
            .service(recordings::list)
            .service(assets::list)
            .service(assets::create)
            .service(assets::get_one)
            .service(assets::preview)
            .service(assets::remove)
            .service(outputs::list_overlays)
            .service(outputs::replace_overlays)
            .service(outputs::update_overlay)
            .service(recordings::download)
            .service(recordings::remove)
            .service(events::stream)
            .service(audit::list)
            .route("/openapi.json", web::get().to(openapi_json))
            .default_service(web::to(api_not_found)),
    )
    .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/docs/openapi.json", ApiDoc::openapi()));
}

async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

/// Unknown `/api/v1` routes (credentials were checked by then): a problem+json 404.
async fn api_not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "no such endpoint: {} {}",
        req.method(),
        req.path()
    )))
}
