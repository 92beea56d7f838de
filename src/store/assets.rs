//! Asset rows and the overlay layers that use them.

use sqlx::SqlitePool;

use crate::domain::asset::{Asset, Overlay, PictureFacts, ValidAsset};

use super::error::Result;
use crate::domain::time::now;

pub async fn list(pool: &SqlitePool) -> Result<Vec<Asset>> {
    Ok(sqlx::query_as("SELECT * FROM assets ORDER BY id")
        .fetch_all(pool)
        .await?)
}

pub async fn get(pool: &SqlitePool, id: i64) -> Result<Option<Asset>> {
    Ok(sqlx::query_as("SELECT * FROM assets WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

/// A new asset; an uploaded picture with what decoding it found.
pub async fn insert(
    pool: &SqlitePool,
    a: &ValidAsset,
    picture: Option<&PictureFacts>,
) -> Result<Asset> {
    let now = now();
    Ok(sqlx::query_as(
        "INSERT INTO assets (name, kind, mime, width, height, size_bytes, url, refresh_secs, text,
            font_size, color, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
    )
    .bind(&a.name)
    .bind(a.kind)
    .bind(picture.map(|p| p.mime.as_str()))
    .bind(picture.map(|p| p.width))
    .bind(picture.map(|p| p.height))
    .bind(picture.map(|p| p.size_bytes as i64))
    .bind(&a.url)
    .bind(a.refresh_secs)
    .bind(&a.text)
    .bind(a.font_size)
    .bind(&a.color)
    .bind(&now)
    .bind(&now)
    .fetch_one(pool)
    .await?)
}

/// Record a URL image fetch: success (with the new picture's facts) or the error.
pub async fn record_fetch(
    pool: &SqlitePool,
    id: i64,
    result: std::result::Result<&PictureFacts, &str>,
) -> Result<()> {
    match result {
        Ok(p) => {
            sqlx::query(
                "UPDATE assets SET mime = ?, width = ?, height = ?, size_bytes = ?,
                    last_fetch_at = ?, last_error = NULL WHERE id = ?",
            )
            .bind(&p.mime)
            .bind(p.width)
            .bind(p.height)
            .bind(p.size_bytes as i64)
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

pub async fn delete(pool: &SqlitePool, id: i64) -> Result<bool> {
    Ok(sqlx::query("DELETE FROM assets WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()
        > 0)
}

pub async fn overlays(pool: &SqlitePool, output_id: i64) -> Result<Vec<Overlay>> {
    Ok(
        sqlx::query_as("SELECT * FROM output_overlays WHERE output_id = ? ORDER BY z, id")
            .bind(output_id)
            .fetch_all(pool)
            .await?,
    )
}

/// Outputs with a layer showing this asset.
pub async fn outputs_using(pool: &SqlitePool, asset_id: i64) -> Result<Vec<i64>> {
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
    layers: &[Overlay],
) -> Result<Vec<Overlay>> {
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
) -> Result<Option<Overlay>> {
    Ok(sqlx::query_as(
        "UPDATE output_overlays SET visible = COALESCE(?, visible), opacity = COALESCE(?, opacity)
         WHERE output_id = ? AND id = ? RETURNING *",
    )
    .bind(visible)
    .bind(opacity)
    .bind(output_id)
    .bind(layer_id)
    .fetch_optional(pool)
    .await?)
}
