//! Asset rows and the overlay layers that use them.

use serde::Serialize;
use sqlx::{FromRow, SqlitePool};
use utoipa::ToSchema;

use super::now;

/// An asset, as stored and as the API shows it.
#[derive(Clone, Debug, FromRow, Serialize, ToSchema)]
pub struct AssetRow {
    pub id: i64,
    pub name: String,
    /// image | url_image | text | clock
    pub kind: String,
    /// Detected from the content (image, url_image once fetched).
    pub mime: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub size_bytes: Option<i64>,
    pub url: Option<String>,
    pub refresh_secs: Option<i64>,
    pub text: Option<String>,
    pub font_size: i64,
    pub color: String,
    pub last_fetch_at: Option<String>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Clone, Debug, Default)]
pub struct AssetWrite {
    pub name: String,
    pub kind: String,
    pub mime: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub size_bytes: Option<i64>,
    pub url: Option<String>,
    pub refresh_secs: Option<i64>,
    pub text: Option<String>,
    pub font_size: i64,
    pub color: String,
}

pub async fn list(pool: &SqlitePool) -> sqlx::Result<Vec<AssetRow>> {
    sqlx::query_as("SELECT * FROM assets ORDER BY id")
        .fetch_all(pool)
        .await
}

pub async fn get(pool: &SqlitePool, id: i64) -> sqlx::Result<Option<AssetRow>> {
    sqlx::query_as("SELECT * FROM assets WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn insert(pool: &SqlitePool, a: &AssetWrite) -> sqlx::Result<AssetRow> {
    let now = now();
    sqlx::query_as(
        "INSERT INTO assets (name, kind, mime, width, height, size_bytes, url, refresh_secs, text,
            font_size, color, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
    )
    .bind(&a.name)
    .bind(&a.kind)
    .bind(&a.mime)
    .bind(a.width)
    .bind(a.height)
    .bind(a.size_bytes)
    .bind(&a.url)
    .bind(a.refresh_secs)
    .bind(&a.text)
    .bind(a.font_size)
    .bind(&a.color)
    .bind(&now)
    .bind(&now)
    .fetch_one(pool)
    .await
}

/// Record a URL image fetch: success (with the new picture's facts) or the error.
pub async fn record_fetch(
    pool: &SqlitePool,
    id: i64,
    result: Result<(&str, i64, i64, i64), &str>,
) -> sqlx::Result<()> {
    match result {
        Ok((mime, width, height, size)) => {
            sqlx::query(
                "UPDATE assets SET mime = ?, width = ?, height = ?, size_bytes = ?,
                    last_fetch_at = ?, last_error = NULL WHERE id = ?",
            )
            .bind(mime)
            .bind(width)
            .bind(height)
            .bind(size)
            .bind(now())
            .bind(id)
            .execute(pool)
            .await?;
        }
        Err(e) => {
            sqlx::query("UPDATE assets SET last_error = ? WHERE id = ?")
                .bind(e)
                .bind(id)
                .execute(pool)
                .await?;
        }
    }
    Ok(())
}

pub async fn delete(pool: &SqlitePool, id: i64) -> sqlx::Result<bool> {
    Ok(sqlx::query("DELETE FROM assets WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()
        > 0)
}

/// One overlay layer of an output.
#[derive(Clone, Debug, FromRow, Serialize, ToSchema)]
pub struct OverlayRow {
    pub id: i64,
    pub output_id: i64,
    pub asset_id: i64,
    pub x: f64,
    pub y: f64,
    pub width: Option<f64>,
    pub height: Option<f64>,
    pub opacity: f64,
    pub z: i64,
    pub visible: bool,
}

pub async fn overlays(pool: &SqlitePool, output_id: i64) -> sqlx::Result<Vec<OverlayRow>> {
    sqlx::query_as("SELECT * FROM output_overlays WHERE output_id = ? ORDER BY z, id")
        .bind(output_id)
        .fetch_all(pool)
        .await
}

/// Outputs with a layer showing this asset.
pub async fn outputs_using(pool: &SqlitePool, asset_id: i64) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT DISTINCT output_id FROM output_overlays WHERE asset_id = ? ORDER BY output_id",
    )
    .bind(asset_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Replace an output's layers in one transaction.
pub async fn replace_overlays(
    pool: &SqlitePool,
    output_id: i64,
    layers: &[OverlayRow],
) -> sqlx::Result<Vec<OverlayRow>> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM output_overlays WHERE output_id = ?")
        .bind(output_id)
        .execute(&mut *tx)
        .await?;
    for l in layers {
        sqlx::query(
            "INSERT INTO output_overlays (output_id, asset_id, x, y, width, height, opacity, z, visible)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(output_id)
        .bind(l.asset_id)
        .bind(l.x)
        .bind(l.y)
        .bind(l.width)
        .bind(l.height)
        .bind(l.opacity)
        .bind(l.z)
        .bind(l.visible)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    overlays(pool, output_id).await
}

pub async fn set_overlay_visible(
    pool: &SqlitePool,
    output_id: i64,
    layer_id: i64,
    visible: Option<bool>,
    opacity: Option<f64>,
) -> sqlx::Result<Option<OverlayRow>> {
    sqlx::query_as(
        "UPDATE output_overlays SET visible = COALESCE(?, visible), opacity = COALESCE(?, opacity)
         WHERE output_id = ? AND id = ? RETURNING *",
    )
    .bind(visible)
    .bind(opacity)
    .bind(output_id)
    .bind(layer_id)
    .fetch_optional(pool)
    .await
}
