//! `/api/v1/destinations` (OUT-1): where programs are published. The stream key is
//! write-only: stored sealed, never returned; URLs are shown with the key masked.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, Problem};
use super::json::ValidJson;
use crate::app::AppState;
use crate::auth::{AsOperator, Principal};
use crate::domain::destination::{
    DestinationInput, Platform, ValidDestination, masked_publish_url, validate,
};
use crate::store::audit;
use crate::store::destinations::{self, DestinationRow, DestinationWrite};

type State = web::Data<AppState>;

#[derive(Serialize, ToSchema)]
pub struct DestinationView {
    pub id: i64,
    pub name: String,
    pub platform: Platform,
    /// Ingest URL without the key.
    pub server_url: String,
    /// The URL a publisher uses, with the key masked: `rtmps://…/live2/****`.
    pub publish_url_masked: String,
    pub has_stream_key: bool,
    pub enabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

fn view(row: DestinationRow) -> DestinationView {
    let has_key = row.stream_key_enc.is_some();
    DestinationView {
        publish_url_masked: masked_publish_url(&row.server_url, has_key),
        id: row.id,
        name: row.name,
        platform: Platform::parse(&row.platform),
        server_url: row.server_url,
        has_stream_key: has_key,
        enabled: row.enabled,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

async fn load(state: &AppState, id: i64) -> Result<DestinationRow, ApiError> {
    destinations::get(&state.pool, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("destination {id} does not exist")))
}

fn to_write(
    state: &AppState,
    d: &ValidDestination,
    stored_key: Option<Vec<u8>>,
) -> Result<DestinationWrite, ApiError> {
    let stream_key_enc = state
        .reseal(d.stream_key.as_deref(), stored_key)
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(DestinationWrite {
        name: d.name.clone(),
        platform: d.platform.as_str().into(),
        server_url: d.server_url.clone(),
        stream_key_enc,
        enabled: d.enabled,
    })
}

fn audit_detail(d: &ValidDestination) -> serde_json::Value {
    serde_json::json!({
        "name": d.name,
        "platform": d.platform.as_str(),
        "server_url": d.server_url,
        "stream_key_changed": d.stream_key.is_some(),
    })
}

#[utoipa::path(tag = "destinations", responses((status = 200, body = [DestinationView])), security(("bearer" = []), ("cookie" = [])))]
#[get("/destinations")]
pub async fn list(
    state: State,
    _who: Principal,
) -> Result<web::Json<Vec<DestinationView>>, ApiError> {
    Ok(web::Json(
        destinations::list(&state.pool)
            .await?
            .into_iter()
            .map(view)
            .collect(),
    ))
}

#[utoipa::path(tag = "destinations", params(("id" = i64, Path, description = "destination id")), responses((status = 200, body = DestinationView), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/destinations/{id}")]
pub async fn get_one(
    state: State,
    _who: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<DestinationView>, ApiError> {
    Ok(web::Json(view(load(&state, *id).await?)))
}

#[utoipa::path(tag = "destinations", request_body = DestinationInput, responses((status = 201, body = DestinationView), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/destinations")]
pub async fn create(
    state: State,
    who: AsOperator,
    body: ValidJson<DestinationInput>,
) -> Result<HttpResponse, ApiError> {
    let valid = validate(&body.0, false).map_err(ApiError::Validation)?;
    let row = destinations::insert(&state.pool, &to_write(&state, &valid, None)?).await?;
    audit::record(
        &state.pool,
        who.audit_user(),
        "destination.create",
        Some(format!("destination:{}", row.id)),
        Some(audit_detail(&valid)),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/destinations/{}", row.id)))
        .json(view(row)))
}

/// Partial update; absent fields keep their value, `"stream_key": null` removes the key.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DestinationPatch {
    pub name: Option<String>,
    pub platform: Option<Platform>,
    pub server_url: Option<String>,
    #[serde(default, deserialize_with = "super::cameras::double_option")]
    #[schema(write_only)]
    pub stream_key: Option<Option<String>>,
    pub enabled: Option<bool>,
}

#[utoipa::path(tag = "destinations", params(("id" = i64, Path, description = "destination id")), request_body = DestinationPatch, responses((status = 200, body = DestinationView), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[patch("/destinations/{id}")]
pub async fn update(
    state: State,
    who: AsOperator,
    id: web::Path<i64>,
    body: ValidJson<DestinationPatch>,
) -> Result<web::Json<DestinationView>, ApiError> {
    let row = load(&state, *id).await?;
    let patch = body.0;
    let platform = patch.platform.unwrap_or(Platform::parse(&row.platform));
    let input = DestinationInput {
        name: patch.name.unwrap_or_else(|| row.name.clone()),
        platform: Some(platform),
        // Changing the platform without a URL moves to the new platform's preset.
        server_url: patch
            .server_url
            .or_else(|| (patch.platform.is_none()).then(|| row.server_url.clone())),
        stream_key: patch.stream_key.map(|k| k.unwrap_or_default()),
        enabled: Some(patch.enabled.unwrap_or(row.enabled)),
    };
    let valid = validate(&input, row.stream_key_enc.is_some()).map_err(ApiError::Validation)?;
    let write = to_write(&state, &valid, row.stream_key_enc.clone())?;
    let row = destinations::update(&state.pool, row.id, &write)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("destination {id} does not exist")))?;
    // Running outputs publishing here reconnect with the new URL or key at once.
    state
        .reapply_outputs_using(row.id)
        .await
        .map_err(ApiError::Internal)?;
    audit::record(
        &state.pool,
        who.audit_user(),
        "destination.update",
        Some(format!("destination:{}", row.id)),
        Some(audit_detail(&valid)),
    )
    .await?;
    Ok(web::Json(view(row)))
}

#[utoipa::path(tag = "destinations", params(("id" = i64, Path, description = "destination id")), responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[delete("/destinations/{id}")]
pub async fn remove(
    state: State,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, *id).await?;
    let users = crate::store::outputs::using_destination(&state.pool, row.id).await?;
    if !users.is_empty() {
        let names: Vec<String> = users
            .iter()
            .map(|(id, name)| format!("{name} (output {id})"))
            .collect();
        return Err(ApiError::Conflict(format!(
            "destination {} is used by {}; remove it from those outputs first",
            row.id,
            names.join(", ")
        )));
    }
    destinations::delete(&state.pool, row.id).await?;
    audit::record(
        &state.pool,
        who.audit_user(),
        "destination.delete",
        Some(format!("destination:{}", row.id)),
        Some(serde_json::json!({"name": row.name})),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
