//! Output rows and their destination links.

use sqlx::{FromRow, SqlitePool};

use super::now;

#[derive(Clone, Debug, FromRow)]
pub struct OutputRow {
    pub id: i64,
    pub name: String,
    pub mode: String,
    pub width: i64,
    pub height: i64,
    pub fps: i64,
    pub video_bitrate_kbps: i64,
    pub keyframe_interval_s: f64,
    pub audio_bitrate_kbps: i64,
    pub x264_preset: String,
    pub encoder: String,
    pub camera_id: Option<i64>,
    pub standby_camera_ids: String,
    pub slate_text: String,
    pub recording_enabled: bool,
    pub recording_segment_secs: i64,
    pub running: bool,
    pub slate_asset_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl OutputRow {
    pub fn standby_cameras(&self) -> Vec<i64> {
        serde_json::from_str(&self.standby_camera_ids).unwrap_or_default()
    }
}

/// Everything an insert or a full update writes (not `running`, which has its own calls).
#[derive(Clone, Debug)]
pub struct OutputWrite {
    pub name: String,
    pub mode: String,
    pub width: i64,
    pub height: i64,
    pub fps: i64,
    pub video_bitrate_kbps: i64,
    pub keyframe_interval_s: f64,
    pub audio_bitrate_kbps: i64,
    pub x264_preset: String,
    pub encoder: String,
    pub camera_id: Option<i64>,
    pub standby_camera_ids: Vec<i64>,
    pub slate_text: String,
    pub slate_asset_id: Option<i64>,
    pub recording_enabled: bool,
    pub recording_segment_secs: i64,
    pub destination_ids: Vec<i64>,
}

pub async fn list(pool: &SqlitePool) -> sqlx::Result<Vec<OutputRow>> {
    sqlx::query_as("SELECT * FROM outputs ORDER BY id")
        .fetch_all(pool)
        .await
}

pub async fn get(pool: &SqlitePool, id: i64) -> sqlx::Result<Option<OutputRow>> {
    sqlx::query_as("SELECT * FROM outputs WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn destination_ids(pool: &SqlitePool, output_id: i64) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT destination_id FROM output_destinations WHERE output_id = ? ORDER BY position",
    )
    .bind(output_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Outputs that publish to a destination (id, name).
pub async fn using_destination(
    pool: &SqlitePool,
    destination_id: i64,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT o.id, o.name FROM outputs o JOIN output_destinations d ON d.output_id = o.id
         WHERE d.destination_id = ? ORDER BY o.id",
    )
    .bind(destination_id)
    .fetch_all(pool)
    .await
}

async fn write_links(
    tx: &mut sqlx::SqliteConnection,
    output_id: i64,
    destination_ids: &[i64],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM output_destinations WHERE output_id = ?")
        .bind(output_id)
        .execute(&mut *tx)
        .await?;
    for (position, id) in destination_ids.iter().enumerate() {
        sqlx::query(
            "INSERT INTO output_destinations (output_id, destination_id, position) VALUES (?, ?, ?)",
        )
        .bind(output_id)
        .bind(id)
        .bind(position as i64)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

fn standby_json(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

pub async fn insert(pool: &SqlitePool, o: &OutputWrite) -> sqlx::Result<OutputRow> {
    let now = now();
    let mut tx = pool.begin().await?;
    let row: OutputRow = sqlx::query_as(
        "INSERT INTO outputs (name, mode, width, height, fps, video_bitrate_kbps,
            keyframe_interval_s, audio_bitrate_kbps, x264_preset, encoder, camera_id,
            standby_camera_ids, slate_text, recording_enabled, recording_segment_secs,
            running, created_at, updated_at, slate_asset_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?) RETURNING *",
    )
    .bind(&o.name)
    .bind(&o.mode)
    .bind(o.width)
    .bind(o.height)
    .bind(o.fps)
    .bind(o.video_bitrate_kbps)
    .bind(o.keyframe_interval_s)
    .bind(o.audio_bitrate_kbps)
    .bind(&o.x264_preset)
    .bind(&o.encoder)
    .bind(o.camera_id)
    .bind(standby_json(&o.standby_camera_ids))
    .bind(&o.slate_text)
    .bind(o.recording_enabled)
    .bind(o.recording_segment_secs)
    .bind(&now)
    .bind(&now)
    .bind(o.slate_asset_id)
    .fetch_one(&mut *tx)
    .await?;
    write_links(&mut tx, row.id, &o.destination_ids).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn update(
    pool: &SqlitePool,
    id: i64,
    o: &OutputWrite,
) -> sqlx::Result<Option<OutputRow>> {
    let mut tx = pool.begin().await?;
    let row: Option<OutputRow> = sqlx::query_as(
        "UPDATE outputs SET name = ?, mode = ?, width = ?, height = ?, fps = ?,
            video_bitrate_kbps = ?, keyframe_interval_s = ?, audio_bitrate_kbps = ?,
            x264_preset = ?, encoder = ?, camera_id = ?, standby_camera_ids = ?, slate_text = ?,
            recording_enabled = ?, recording_segment_secs = ?, updated_at = ?, slate_asset_id = ?
         WHERE id = ? RETURNING *",
    )
    .bind(&o.name)
    .bind(&o.mode)
    .bind(o.width)
    .bind(o.height)
    .bind(o.fps)
    .bind(o.video_bitrate_kbps)
    .bind(o.keyframe_interval_s)
    .bind(o.audio_bitrate_kbps)
    .bind(&o.x264_preset)
    .bind(&o.encoder)
    .bind(o.camera_id)
    .bind(standby_json(&o.standby_camera_ids))
    .bind(&o.slate_text)
    .bind(o.recording_enabled)
    .bind(o.recording_segment_secs)
    .bind(now())
    .bind(o.slate_asset_id)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    if row.is_some() {
        write_links(&mut tx, id, &o.destination_ids).await?;
    }
    tx.commit().await?;
    Ok(row)
}

pub async fn set_running(
    pool: &SqlitePool,
    id: i64,
    running: bool,
) -> sqlx::Result<Option<OutputRow>> {
    sqlx::query_as("UPDATE outputs SET running = ?, updated_at = ? WHERE id = ? RETURNING *")
        .bind(running)
        .bind(now())
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Emergency stop: every output's desired state off. Returns the ids that were running.
pub async fn stop_all(pool: &SqlitePool) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "UPDATE outputs SET running = 0, updated_at = ? WHERE running = 1 RETURNING id",
    )
    .bind(now())
    .fetch_all(pool)
    .await?;
    let mut ids: Vec<i64> = rows.into_iter().map(|r| r.0).collect();
    ids.sort_unstable();
    Ok(ids)
}

pub async fn set_camera(
    pool: &SqlitePool,
    id: i64,
    camera_id: i64,
) -> sqlx::Result<Option<OutputRow>> {
    sqlx::query_as("UPDATE outputs SET camera_id = ?, updated_at = ? WHERE id = ? RETURNING *")
        .bind(camera_id)
        .bind(now())
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn delete(pool: &SqlitePool, id: i64) -> sqlx::Result<bool> {
    Ok(sqlx::query("DELETE FROM outputs WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()
        > 0)
}

/// Outputs whose slate shows this asset.
pub async fn with_slate_asset(pool: &SqlitePool, asset_id: i64) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM outputs WHERE slate_asset_id = ? ORDER BY id")
            .bind(asset_id)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Outputs with this camera on air.
pub async fn with_camera_on_air(pool: &SqlitePool, camera_id: i64) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM outputs WHERE camera_id = ? ORDER BY id")
            .bind(camera_id)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Destinations of an output that are enabled.
pub async fn enabled_destination_count(pool: &SqlitePool, output_id: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM output_destinations od JOIN destinations d ON d.id = od.destination_id
         WHERE od.output_id = ? AND d.enabled = 1",
    )
    .bind(output_id)
    .fetch_one(pool)
    .await?;
    Ok(n)
}

/// A camera was deleted: drop it from every output's standby list (the `camera_id` column
/// is cleared by its foreign key). Returns the outputs that changed.
pub async fn forget_camera(pool: &SqlitePool, camera_id: i64) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "UPDATE outputs SET standby_camera_ids = (
             SELECT COALESCE(json_group_array(value), '[]') FROM json_each(outputs.standby_camera_ids)
             WHERE value != ?1)
         WHERE EXISTS (SELECT 1 FROM json_each(outputs.standby_camera_ids) WHERE value = ?1)
         RETURNING id",
    )
    .bind(camera_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_deleted_camera_leaves_the_standby_lists() {
        let pool = crate::store::open_memory().await.unwrap();
        let write = |standby: Vec<i64>| OutputWrite {
            name: "o".into(),
            mode: "program".into(),
            width: 1280,
            height: 720,
            fps: 30,
            video_bitrate_kbps: 3000,
            keyframe_interval_s: 2.0,
            audio_bitrate_kbps: 128,
            x264_preset: "ultrafast".into(),
            encoder: "auto".into(),
            camera_id: None,
            standby_camera_ids: standby,
            slate_text: String::new(),
            slate_asset_id: None,
            recording_enabled: false,
            recording_segment_secs: 300,
            destination_ids: vec![],
        };
        let a = insert(&pool, &write(vec![3, 5, 7])).await.unwrap();
        let b = insert(&pool, &write(vec![7])).await.unwrap();
        let c = insert(&pool, &write(vec![1])).await.unwrap();
        let changed = forget_camera(&pool, 7).await.unwrap();
        assert_eq!(changed, vec![a.id, b.id]);
        assert_eq!(
            get(&pool, a.id).await.unwrap().unwrap().standby_cameras(),
            vec![3, 5]
        );
        assert!(
            get(&pool, b.id)
                .await
                .unwrap()
                .unwrap()
                .standby_cameras()
                .is_empty()
        );
        assert_eq!(
            get(&pool, c.id).await.unwrap().unwrap().standby_cameras(),
            vec![1]
        );
    }
}
