//! Timelines (TL-1): stored, listed, replaced, patched, copied and deleted. Every write is
//! validated as a whole against the cameras, presets and assets stored at that moment; the
//! warnings (a preset change on the camera on air) come back with the timeline.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit;
use super::context::Context;
use super::error::{Result, ServiceError};
use super::lookup;
use super::timeline_runtime;
use crate::auth::Principal;
use crate::domain::timeline::{
    BroadcastInput, References, TimelineInput, TrackInput, ValidTimeline, validate, warnings,
};
use crate::domain::{FieldError, double_option};
use crate::store::timelines::{self, CueReference, TimelineRow, TimelineWrite};
use crate::store::{assets, cameras, presets};
use crate::store::{schedules, timeline_runs};

#[derive(Serialize, ToSchema)]
pub struct Timeline {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub duration_s: f64,
    #[serde(rename = "loop")]
    pub looping: bool,
    pub tracks: Vec<TrackInput>,
    pub broadcast: Option<BroadcastInput>,
    /// What an operator should know but does not stop the timeline (e.g. a preset change on
    /// the camera on air: viewers see the move), by field path.
    pub warnings: Vec<FieldError>,
    pub created_at: String,
    pub updated_at: String,
}

fn view(row: TimelineRow) -> Timeline {
    let tracks = row.tracks.0;
    Timeline {
        warnings: warnings(&tracks),
        id: row.id,
        name: row.name,
        description: row.description,
        duration_s: row.duration_s,
        looping: row.looping,
        tracks,
        broadcast: row.broadcast.map(|b| b.0),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

fn to_write(valid: ValidTimeline) -> TimelineWrite {
    let t = valid.input;
    TimelineWrite {
        name: t.name,
        description: t.description.filter(|d| !d.is_empty()),
        duration_s: t.duration_s,
        looping: t.looping,
        tracks: t.tracks,
        broadcast: t.broadcast,
    }
}

/// The cameras, presets and assets a timeline may name, as stored now.
async fn references(ctx: &Context) -> Result<References> {
    Ok(References {
        cameras: cameras::list(&ctx.pool)
            .await?
            .iter()
            .map(|c| c.id)
            .collect(),
        presets: presets::owners(&ctx.pool).await?.into_iter().collect(),
        assets: assets::list(&ctx.pool)
            .await?
            .iter()
            .map(|a| a.id)
            .collect(),
    })
}

async fn check(ctx: &Context, input: &TimelineInput) -> Result<ValidTimeline> {
    validate(input, &references(ctx).await?).map_err(ServiceError::Invalid)
}

fn audit_detail(t: &TimelineWrite) -> serde_json::Value {
    serde_json::json!({"name": t.name, "duration_s": t.duration_s, "tracks": t.tracks.len()})
}

pub async fn list(ctx: &Context) -> Result<Vec<Timeline>> {
    Ok(timelines::list(&ctx.pool)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

pub async fn get(ctx: &Context, id: i64) -> Result<Timeline> {
    Ok(view(lookup::timeline(ctx, id).await?))
}

pub async fn create(ctx: &Context, who: &Principal, input: TimelineInput) -> Result<Timeline> {
    let write = to_write(check(ctx, &input).await?);
    let row = timelines::insert(&ctx.pool, &write).await?;
    let target = Some(format!("timeline:{}", row.id));
    audit::record(
        ctx,
        who,
        "timeline.create",
        target,
        Some(audit_detail(&write)),
    )
    .await?;
    Ok(view(row))
}

/// PUT: the whole timeline anew.
pub async fn replace(
    ctx: &Context,
    who: &Principal,
    id: i64,
    input: TimelineInput,
) -> Result<Timeline> {
    lookup::timeline(ctx, id).await?;
    let write = to_write(check(ctx, &input).await?);
    let row = timelines::update(&ctx.pool, id, &write)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("timeline {id} does not exist")))?;
    // On air: the change plays from the same position at once.
    timeline_runtime::refresh(ctx, id).await?;
    let target = Some(format!("timeline:{id}"));
    audit::record(
        ctx,
        who,
        "timeline.update",
        target,
        Some(audit_detail(&write)),
    )
    .await?;
    Ok(view(row))
}

/// Partial update: absent fields keep their value; `null` clears the description or the
/// broadcast metadata. The result is validated as a whole.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimelinePatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub description: Option<Option<String>>,
    #[schema(exclusive_minimum = 0, maximum = 86400)]
    pub duration_s: Option<f64>,
    #[serde(rename = "loop")]
    pub looping: Option<bool>,
    pub tracks: Option<Vec<TrackInput>>,
    #[serde(default, deserialize_with = "double_option")]
    pub broadcast: Option<Option<BroadcastInput>>,
}

pub async fn update(
    ctx: &Context,
    who: &Principal,
    id: i64,
    patch: TimelinePatch,
) -> Result<Timeline> {
    let row = lookup::timeline(ctx, id).await?;
    let input = TimelineInput {
        name: patch.name.unwrap_or(row.name),
        description: patch.description.unwrap_or(row.description),
        duration_s: patch.duration_s.unwrap_or(row.duration_s),
        looping: patch.looping.unwrap_or(row.looping),
        tracks: patch.tracks.unwrap_or(row.tracks.0),
        broadcast: patch.broadcast.unwrap_or(row.broadcast.map(|b| b.0)),
    };
    replace(ctx, who, id, input).await
}

/// A copy named "<name> (copy)", "<name> (copy 2)", … whichever is free.
pub async fn copy(ctx: &Context, who: &Principal, id: i64) -> Result<Timeline> {
    let row = lookup::timeline(ctx, id).await?;
    let base: String = row.name.chars().take(90).collect();
    let mut name = format!("{base} (copy)");
    let mut n = 2;
    while timelines::name_taken(&ctx.pool, &name).await? {
        name = format!("{base} (copy {n})");
        n += 1;
    }
    let write = TimelineWrite {
        name,
        description: row.description,
        duration_s: row.duration_s,
        looping: row.looping,
        tracks: row.tracks.0,
        broadcast: row.broadcast.map(|b| b.0),
    };
    let copy = timelines::insert(&ctx.pool, &write).await?;
    let target = Some(format!("timeline:{}", copy.id));
    let detail = serde_json::json!({"name": write.name, "copied_from": id});
    audit::record(ctx, who, "timeline.copy", target, Some(detail)).await?;
    Ok(view(copy))
}

pub async fn delete(ctx: &Context, who: &Principal, id: i64) -> Result<()> {
    let row = lookup::timeline(ctx, id).await?;
    ServiceError::used_by_schedules(
        &schedules::using_timeline(&ctx.pool, id).await?,
        &format!("timeline {id} is played by"),
        "take it out of them first",
    )?;
    if let Some(run) = timeline_runs::active_for_timeline(&ctx.pool, id).await? {
        timeline_runtime::end(ctx, &run, "deleted").await?;
    }
    timelines::delete(&ctx.pool, id).await?;
    let target = Some(format!("timeline:{id}"));
    let detail = serde_json::json!({"name": row.name});
    audit::record(ctx, who, "timeline.delete", target, Some(detail)).await
}

/// A 409 naming the timelines that use a camera, preset or asset about to be deleted.
pub async fn refuse_if_used(ctx: &Context, what: CueReference, id: i64) -> Result<()> {
    let users = timelines::using(&ctx.pool, what, id).await?;
    if users.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = users
        .iter()
        .map(|(id, name)| format!("{name} (timeline {id})"))
        .collect();
    let thing = match what {
        CueReference::Camera => "camera",
        CueReference::Preset => "preset",
        CueReference::Asset => "asset",
    };
    Err(ServiceError::Conflict(format!(
        "{thing} {id} is used by {}; remove it from those timelines first",
        names.join(", ")
    )))
}
