//! Destinations (OUT-1): where programs are published. The stream key is write-only: stored
//! sealed, never returned; URLs are shown with the key masked. A change reaches the running
//! outputs that publish there at once.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit;
use super::context::Context;
use super::error::{Result, ServiceError};
use super::lookup;
use super::output_runtime;
use crate::auth::Principal;
use crate::domain::destination::{
    DestinationInput, Platform, ValidDestination, masked_publish_url, validate,
};
use crate::domain::double_option;
use crate::store::destinations::{self, DestinationRow, DestinationWrite};
use crate::store::outputs;

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
        platform: row.platform,
        server_url: row.server_url,
        has_stream_key: has_key,
        enabled: row.enabled,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

fn to_write(
    ctx: &Context,
    d: &ValidDestination,
    stored_key: Option<Vec<u8>>,
) -> Result<DestinationWrite> {
    Ok(DestinationWrite {
        name: d.name.clone(),
        platform: d.platform,
        server_url: d.server_url.clone(),
        stream_key_enc: ctx.reseal(d.stream_key.as_deref(), stored_key)?,
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

pub async fn list(ctx: &Context) -> Result<Vec<DestinationView>> {
    Ok(destinations::list(&ctx.pool)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

pub async fn get(ctx: &Context, id: i64) -> Result<DestinationView> {
    Ok(view(lookup::destination(ctx, id).await?))
}

pub async fn create(
    ctx: &Context,
    who: &Principal,
    input: DestinationInput,
) -> Result<DestinationView> {
    let valid = validate(&input, false).map_err(ServiceError::Invalid)?;
    let row = destinations::insert(&ctx.pool, &to_write(ctx, &valid, None)?).await?;
    audit::record(
        ctx,
        who,
        "destination.create",
        Some(format!("destination:{}", row.id)),
        Some(audit_detail(&valid)),
    )
    .await?;
    Ok(view(row))
}

/// Partial update; absent fields keep their value, `"stream_key": null` removes the key.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DestinationPatch {
    pub name: Option<String>,
    pub platform: Option<Platform>,
    pub server_url: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(write_only)]
    pub stream_key: Option<Option<String>>,
    pub enabled: Option<bool>,
}

pub async fn update(
    ctx: &Context,
    who: &Principal,
    id: i64,
    patch: DestinationPatch,
) -> Result<DestinationView> {
    let row = lookup::destination(ctx, id).await?;
    let input = DestinationInput {
        name: patch.name.unwrap_or_else(|| row.name.clone()),
        platform: Some(patch.platform.unwrap_or(row.platform)),
        // Changing the platform without a URL moves to the new platform's preset.
        server_url: patch
            .server_url
            .or_else(|| patch.platform.is_none().then(|| row.server_url.clone())),
        stream_key: patch.stream_key.map(|k| k.unwrap_or_default()),
        enabled: Some(patch.enabled.unwrap_or(row.enabled)),
    };
    let valid = validate(&input, row.stream_key_enc.is_some()).map_err(ServiceError::Invalid)?;
    let write = to_write(ctx, &valid, row.stream_key_enc)?;
    let row = destinations::update(&ctx.pool, id, &write)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("destination {id} does not exist")))?;
    // Running outputs publishing here reconnect with the new URL or key at once.
    output_runtime::reapply_using(ctx, row.id).await?;
    audit::record(
        ctx,
        who,
        "destination.update",
        Some(format!("destination:{}", row.id)),
        Some(audit_detail(&valid)),
    )
    .await?;
    Ok(view(row))
}

/// Delete a destination no output publishes to (else 409 naming them).
pub async fn delete(ctx: &Context, who: &Principal, id: i64) -> Result<()> {
    let row = lookup::destination(ctx, id).await?;
    let users = outputs::using_destination(&ctx.pool, row.id).await?;
    if !users.is_empty() {
        let names: Vec<String> = users
            .iter()
            .map(|(id, name)| format!("{name} (output {id})"))
            .collect();
        return Err(ServiceError::Conflict(format!(
            "destination {} is used by {}; remove it from those outputs first",
            row.id,
            names.join(", ")
        )));
    }
    destinations::delete(&ctx.pool, row.id).await?;
    audit::record(
        ctx,
        who,
        "destination.delete",
        Some(format!("destination:{}", row.id)),
        Some(serde_json::json!({"name": row.name})),
    )
    .await
}
