//! Every route of the appliance: the UI page, health and metrics, `/api/v1` behind the
//! authentication middleware (problem+json for unknown routes and bad paths or queries),
//! the OpenAPI document and its browsable docs.

use actix_web::{HttpResponse, web};
use utoipa_swagger_ui::SwaggerUi;

use super::error::ApiError;
use super::{
    assets, audit, auth, cameras, destinations, discovery, events, fallback, health, live, openapi,
    outputs, overlays, presets, ptz, recordings, schedules, snapshots, timeline_runs,
    timeline_transfer, timelines, tokens, ui, users,
};

/// Every route of the appliance.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PathConfig::default().error_handler(|e, req| {
        // `PATCH /cameras/test` reaches `PATCH /cameras/{id}`: a literal path with other
        // methods is a 405, not a bad id.
        fallback::method_not_allowed(req)
            .unwrap_or_else(|| ApiError::BadRequest {
                code: "invalid_path",
                detail: format!("invalid path parameter: {e}"),
                field: None,
            })
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
    .service(health::healthz)
    .service(health::readyz)
    .service(health::metrics)
    .service(
        web::scope("/api/v1")
            .wrap(actix_web::middleware::from_fn(super::guard::authenticate))
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
            .service(live::camera_live)
            .service(discovery::discover)
            .service(ptz::move_continuous)
            .service(ptz::stop)
            .service(ptz::absolute)
            .service(ptz::relative)
            .service(ptz::status)
            // literal paths before `{id}` ones
            .service(presets::export_presets)
            .service(presets::import_presets)
            .service(presets::list_presets)
            .service(presets::capture)
            .service(presets::get_preset)
            .service(presets::update_preset)
            .service(presets::delete_preset)
            .service(presets::goto_preset)
            .service(presets::test_preset)
            .service(presets::preset_thumbnail)
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
            .service(timelines::list)
            .service(timelines::create)
            .service(timeline_transfer::import_timeline)
            .service(timeline_transfer::export_timeline)
            .service(timelines::get_one)
            .service(timelines::replace)
            .service(timelines::update)
            .service(timelines::copy)
            .service(timelines::remove)
            .service(schedules::list_schedules)
            .service(schedules::create_schedule)
            .service(schedules::get_schedule)
            .service(schedules::replace_schedule)
            .service(schedules::update_schedule)
            .service(schedules::delete_schedule)
            .service(schedules::run_schedule_now)
            .service(schedules::stop_schedule)
            .service(timeline_runs::start_timeline)
            .service(timeline_runs::stop_timeline)
            .service(timeline_runs::pause_timeline)
            .service(timeline_runs::resume_timeline)
            .service(timeline_runs::seek_timeline)
            .service(timeline_runs::skip_timeline)
            .service(timeline_runs::pin_timeline)
            .service(timeline_runs::timeline_status)
            .service(timeline_runs::timeline_history)
            .service(outputs::stop_all)
            .service(outputs::list)
            .service(outputs::create)
            .service(outputs::get_one)
            .service(outputs::update)
            .service(outputs::remove)
            .service(outputs::start)
            .service(outputs::stop)
            .service(outputs::cut)
            .service(live::output_live)
            .service(recordings::list)
            .service(assets::list)
            .service(assets::create)
            .service(assets::get_one)
            .service(assets::preview)
            .service(assets::remove)
            .service(overlays::list_overlays)
            .service(overlays::replace_overlays)
            .service(overlays::update_overlay)
            .service(recordings::download)
            .service(recordings::remove)
            .service(events::stream)
            .service(audit::list)
            .route("/openapi.json", web::get().to(openapi_json))
            // Credentials were checked by then: 405 for a known path, else 404.
            .default_service(web::to(fallback::unmatched)),
    )
    .service(
        SwaggerUi::new("/api/docs/{_:.*}")
            .external_url_unchecked("/api/docs/openapi.json", openapi::document().clone()),
    )
    // Last: every other GET is the console (its assets, or its page for its own routes).
    .service(ui::console)
    // Any other method on a path outside the API: 405 on health and metrics, else 404.
    .default_service(web::to(fallback::unmatched));
}

async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(openapi::document())
}
