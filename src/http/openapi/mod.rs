//! The OpenAPI 3.1 document of the API: derived by utoipa from the handlers' annotations
//! (every `/api/v1` operation, the health and metrics endpoints, the security schemes),
//! then completed with what annotations cannot say: the error responses every operation
//! shares ([`problems`]) and the input rules across fields ([`rules`]).

mod operation_ids;
mod problems;
mod rules;

use std::sync::LazyLock;

use serde_json::Value;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    assets, audit, auth, cameras, destinations, discovery, events, health, live, outputs, overlays,
    presets, ptz, recordings, schedules, snapshots, timeline_runs, timeline_transfer, timelines,
    tokens, users,
};

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
    live::camera_live,
    live::output_live,
    discovery::discover,
    ptz::move_continuous,
    ptz::stop,
    ptz::absolute,
    ptz::relative,
    ptz::status,
    presets::list_presets,
    presets::capture,
    presets::get_preset,
    presets::update_preset,
    presets::delete_preset,
    presets::goto_preset,
    presets::test_preset,
    presets::preset_thumbnail,
    presets::export_presets,
    presets::import_presets,
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
    timelines::list,
    timelines::create,
    timelines::get_one,
    timelines::replace,
    timelines::update,
    timelines::copy,
    timelines::remove,
    timeline_transfer::import_timeline,
    timeline_transfer::export_timeline,
    schedules::list_schedules,
    schedules::create_schedule,
    schedules::get_schedule,
    schedules::replace_schedule,
    schedules::update_schedule,
    schedules::delete_schedule,
    schedules::run_schedule_now,
    schedules::stop_schedule,
    timeline_runs::start_timeline,
    timeline_runs::stop_timeline,
    timeline_runs::pause_timeline,
    timeline_runs::resume_timeline,
    timeline_runs::seek_timeline,
    timeline_runs::skip_timeline,
    timeline_runs::pin_timeline,
    timeline_runs::timeline_status,
    timeline_runs::timeline_history,
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
    overlays::list_overlays,
    overlays::replace_overlays,
    overlays::update_overlay,
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
        (name = "timelines", description = "Timelines: cameras, presets and overlays over time"),
        (name = "schedules", description = "Schedules: weekly windows that play timelines on an output"),
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

pub use problems::METHODS;

/// The document served at `/api/v1/openapi.json` and `/api/docs`, built once.
pub fn document() -> &'static Value {
    static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
        // Serializing utoipa's own model cannot fail (string keys, no non-finite floats);
        // a `null` document would fail the contract tests at once.
        let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null);
        problems::declare_problem_responses(&mut doc);
        rules::declare_input_rules(&mut doc);
        operation_ids::make_operation_ids_unique(&mut doc);
        doc
    });
    &DOCUMENT
}

/// The document as the console's API client is generated from it (`web/openapi.json`,
/// `vistterstream openapi`): pretty JSON, keys in a stable order.
pub fn document_json() -> serde_json::Result<String> {
    serde_json::to_string_pretty(document())
}

#[cfg(test)]
mod tests {
    /// The console's typed client is generated from `web/openapi.json`: a change to the API
    /// must regenerate it (`make openapi`), so a change that breaks the console breaks its
    /// build instead of its users.
    #[test]
    fn the_consoles_copy_of_the_document_is_current() {
        let committed = include_str!("../../../web/openapi.json");
        let current = super::document_json().expect("the document serializes");
        assert!(
            committed.trim_end() == current.trim_end(),
            "web/openapi.json is stale: run `make openapi` and rebuild the console (make ui)"
        );
    }

    #[test]
    fn the_served_document_has_unique_operation_ids() {
        let mut seen = std::collections::HashSet::new();
        for op in super::operation_ids::operations(super::document()) {
            let id = op["operationId"].as_str().unwrap_or_default();
            assert!(seen.insert(id.to_owned()), "operationId {id} repeats");
        }
        assert!(seen.len() > 50, "only {} operations seen", seen.len());
    }
}
