//! Stored snapshots (CAM-4): capture the live picture to disk with metadata, list, fetch,
//! delete; a retention policy (age and count per camera) prunes old ones.

use actix_web::{HttpResponse, delete, get, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::error::{ApiError, Problem};
use super::json::OptionalJson;
use crate::app::AppState;
use crate::auth::{AsOperator, Principal};
use crate::store::snapshots::{self, SnapshotRow};
use crate::store::{audit, cameras};

type State = web::Data<AppState>;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaptureRequest {
    /// Free text stored with the snapshot (at most 200 characters).
    pub note: Option<String>,
    /// auto (default) | stream | http
    pub source: Option<super::cameras::SnapshotSource>,
}

/// Remove snapshot files (best effort: a missing file is already gone).
pub async fn remove_files(state: &AppState, files: Vec<String>) {
    let dir = state.snapshots_dir();
    for f in files {
        if let Err(e) = tokio::fs::remove_file(dir.join(&f)).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(file = %f, error = %e, "could not delete a snapshot file");
        }
    }
}

/// Apply the retention policy to every camera's stored snapshots.
pub async fn prune(state: &AppState) -> Result<usize, ApiError> {
    let policy = &state.config.snapshots;
    let cutoff =
        chrono::Utc::now() - chrono::Duration::days(i64::from(policy.retention_days.max(1)));
    let files = snapshots::prune(
        &state.pool,
        &crate::store::timestamp(cutoff),
        i64::from(policy.max_per_camera.max(1)),
    )
    .await?;
    let n = files.len();
    remove_files(state, files).await;
    Ok(n)
}

#[utoipa::path(
    tag = "snapshots",
    params(("id" = i64, Path, description = "camera id")),
    request_body(content = CaptureRequest, description = "optional; an empty body is fine"),
    responses((status = 201, body = SnapshotRow), (status = 404, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/{id}/snapshots")]
pub async fn capture(
    state: State,
    who: AsOperator,
    id: web::Path<i64>,
    body: OptionalJson<CaptureRequest>,
) -> Result<HttpResponse, ApiError> {
    let CaptureRequest { note, source } = body.0;
    let source = source.unwrap_or_default();
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 200) {
        return Err(ApiError::field("note", "must be at most 200 characters"));
    }
    let row = cameras::get(&state.pool, *id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("camera {id} does not exist")))?;
    let (jpeg, from) = super::cameras::current_jpeg(&state, &row, source).await?;
    let dir = state.snapshots_dir();
    tokio::fs::create_dir_all(&dir).await.map_err(|e| {
        ApiError::Internal(anyhow::Error::new(e).context(format!("creating {}", dir.display())))
    })?;
    let file_name = format!(
        "cam{}-{}-{:08x}.jpg",
        row.id,
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
        rand::random::<u32>()
    );
    let path = dir.join(&file_name);
    tokio::fs::write(&path, &jpeg.data).await.map_err(|e| {
        ApiError::Internal(anyhow::Error::new(e).context(format!("writing {}", path.display())))
    })?;
    let stored = match snapshots::insert(
        &state.pool,
        row.id,
        &file_name,
        jpeg.width,
        jpeg.height,
        jpeg.data.len(),
        from,
        note.as_deref(),
    )
    .await
    {
        Ok(s) => s,
        Err(e) => {
            remove_files(&state, vec![file_name]).await;
            return Err(e.into());
        }
    };
    audit::record(
        &state.pool,
        who.audit_user(),
        "snapshot.create",
        Some(format!("snapshot:{}", stored.id)),
        Some(serde_json::json!({"camera_id": row.id})),
    )
    .await?;
    prune(&state).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/snapshots/{}", stored.id)))
        .json(stored))
}

#[utoipa::path(
    tag = "snapshots",
    params(("id" = i64, Path, description = "camera id")),
    responses((status = 200, body = [SnapshotRow]), (status = 404, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/cameras/{id}/snapshots")]
pub async fn list(
    state: State,
    _who: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<SnapshotRow>>, ApiError> {
    cameras::get(&state.pool, *id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("camera {id} does not exist")))?;
    Ok(web::Json(
        snapshots::list_for_camera(&state.pool, *id).await?,
    ))
}

async fn load(state: &AppState, id: i64) -> Result<SnapshotRow, ApiError> {
    snapshots::get(&state.pool, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("snapshot {id} does not exist")))
}

#[utoipa::path(
    tag = "snapshots",
    params(("id" = i64, Path, description = "snapshot id")),
    responses((status = 200, body = SnapshotRow), (status = 404, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/snapshots/{id}")]
pub async fn get_one(
    state: State,
    _who: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<SnapshotRow>, ApiError> {
    Ok(web::Json(load(&state, *id).await?))
}

#[utoipa::path(
    tag = "snapshots",
    params(("id" = i64, Path, description = "snapshot id")),
    responses((status = 200, content_type = "image/jpeg", description = "the stored JPEG"), (status = 404, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/snapshots/{id}/image")]
pub async fn image(
    state: State,
    _who: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, *id).await?;
    let path = state.snapshots_dir().join(&row.file_name);
    let data = tokio::fs::read(&path).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            ApiError::NotFound(format!("the file of snapshot {id} is missing"))
        } else {
            ApiError::Internal(anyhow::Error::new(e).context(format!("reading {}", path.display())))
        }
    })?;
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header(("Cache-Control", "private, max-age=86400"))
        .body(data))
}

#[utoipa::path(
    tag = "snapshots",
    params(("id" = i64, Path, description = "snapshot id")),
    responses((status = 204), (status = 404, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[delete("/snapshots/{id}")]
pub async fn remove(
    state: State,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let row = snapshots::delete(&state.pool, *id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("snapshot {id} does not exist")))?;
    remove_files(&state, vec![row.file_name]).await;
    audit::record(
        &state.pool,
        who.audit_user(),
        "snapshot.delete",
        Some(format!("snapshot:{}", row.id)),
        None,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
