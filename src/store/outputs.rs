//! Output rows: the settings (typed, with their destination links in order), the desired
//! state, and the queries cascades need.

use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::types::Json;
use sqlx::{FromRow, Row, Sqlite, SqlitePool};
use vistterstream_actors::output::OutputProfile;

use super::error::{Result, found};
use crate::domain::output::{OutputSettings, RecordingSettings};
use crate::domain::time::now;

#[derive(Clone, Debug, FromRow)]
pub struct OutputRow {
    pub id: i64,
    #[sqlx(flatten)]
    pub settings: OutputSettings,
    /// Desired state: whether the output should be on air (kept across restarts).
    pub running: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// The settings columns of an output row (and its destination ids, as a JSON array).
impl<'r> FromRow<'r, SqliteRow> for OutputSettings {
    fn from_row(row: &'r SqliteRow) -> sqlx::Result<Self> {
        let json = |column: &str| -> sqlx::Result<Vec<i64>> {
            Ok(row.try_get::<Json<Vec<i64>>, _>(column)?.0)
        };
        Ok(Self {
            name: row.try_get("name")?,
            mode: row.try_get("mode")?,
            profile: OutputProfile {
                width: row.try_get("width")?,
                height: row.try_get("height")?,
                fps: row.try_get("fps")?,
                video_bitrate_kbps: row.try_get("video_bitrate_kbps")?,
                keyframe_interval_s: row.try_get("keyframe_interval_s")?,
                audio_bitrate_kbps: row.try_get("audio_bitrate_kbps")?,
                x264_preset: row.try_get("x264_preset")?,
            },
            encoder: row.try_get("encoder")?,
            destination_ids: json("destination_ids")?,
            camera_id: row.try_get("camera_id")?,
            standby_camera_ids: json("standby_camera_ids")?,
            slate_text: row.try_get("slate_text")?,
            slate_asset_id: row.try_get("slate_asset_id")?,
            recording: RecordingSettings {
                enabled: row.try_get("recording_enabled")?,
                segment_seconds: row.try_get("recording_segment_secs")?,
            },
        })
    }
}

/// Every column of an output, its destination ids (in order) as a JSON array.
const SELECT: &str = "SELECT o.*, (
        SELECT json_group_array(destination_id) FROM (
            SELECT destination_id FROM output_destinations WHERE output_id = o.id
            ORDER BY position)
    ) AS destination_ids FROM outputs o";

pub async fn list(pool: &SqlitePool) -> Result<Vec<OutputRow>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY o.id")))
            .fetch_all(pool)
            .await?,
    )
}

pub async fn get(pool: &SqlitePool, id: i64) -> Result<Option<OutputRow>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE o.id = ?")))
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

async fn must_get(pool: &SqlitePool, id: i64) -> Result<OutputRow> {
    found(get(pool, id).await?, "output", id)
}

/// Outputs that publish to a destination (id, name).
pub async fn using_destination(
    pool: &SqlitePool,
    destination_id: i64,
) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT o.id, o.name FROM outputs o JOIN output_destinations d ON d.output_id = o.id
         WHERE d.destination_id = ? ORDER BY o.id",
    )
    .bind(destination_id)
    .fetch_all(pool)
    .await?)
}

async fn write_links(
    tx: &mut sqlx::SqliteConnection,
    output_id: i64,
    destination_ids: &[i64],
) -> Result<()> {
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

type Query<'q> = sqlx::query::QueryScalar<'q, Sqlite, i64, SqliteArguments>;

/// Binds the settings columns, in the order both statements below list them.
fn bind<'q>(query: Query<'q>, o: &'q OutputSettings) -> Query<'q> {
    let p = &o.profile;
    query
        .bind(&o.name)
        .bind(o.mode)
        .bind(p.width)
        .bind(p.height)
        .bind(p.fps)
        .bind(p.video_bitrate_kbps)
        .bind(p.keyframe_interval_s)
        .bind(p.audio_bitrate_kbps)
        .bind(&p.x264_preset)
        .bind(o.encoder)
        .bind(o.camera_id)
        .bind(Json(&o.standby_camera_ids))
        .bind(&o.slate_text)
        .bind(o.recording.enabled)
        .bind(o.recording.segment_seconds)
        .bind(o.slate_asset_id)
        .bind(now())
}

/// A new output, stopped.
pub async fn insert(pool: &SqlitePool, o: &OutputSettings) -> Result<OutputRow> {
    let mut tx = pool.begin().await?;
    let id: i64 = bind(
        sqlx::query_scalar(
            "INSERT INTO outputs (name, mode, width, height, fps, video_bitrate_kbps,
                keyframe_interval_s, audio_bitrate_kbps, x264_preset, encoder, camera_id,
                standby_camera_ids, slate_text, recording_enabled, recording_segment_secs,
                slate_asset_id, updated_at, created_at, running)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id",
        ),
        o,
    )
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    write_links(&mut tx, id, &o.destination_ids).await?;
    tx.commit().await?;
    must_get(pool, id).await
}

/// Replace an output's settings (not its desired state).
pub async fn update(pool: &SqlitePool, id: i64, o: &OutputSettings) -> Result<OutputRow> {
    let mut tx = pool.begin().await?;
    let updated: Option<i64> = bind(
        sqlx::query_scalar(
            "UPDATE outputs SET name = ?, mode = ?, width = ?, height = ?, fps = ?,
                video_bitrate_kbps = ?, keyframe_interval_s = ?, audio_bitrate_kbps = ?,
                x264_preset = ?, encoder = ?, camera_id = ?, standby_camera_ids = ?,
                slate_text = ?, recording_enabled = ?, recording_segment_secs = ?,
                slate_asset_id = ?, updated_at = ?
             WHERE id = ? RETURNING id",
        ),
        o,
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    found(updated, "output", id)?;
    write_links(&mut tx, id, &o.destination_ids).await?;
    tx.commit().await?;
    must_get(pool, id).await
}

pub async fn set_running(pool: &SqlitePool, id: i64, running: bool) -> Result<OutputRow> {
    let updated: Option<i64> = sqlx::query_scalar(
        "UPDATE outputs SET running = ?, updated_at = ? WHERE id = ? RETURNING id",
    )
    .bind(running)
    .bind(now())
    .bind(id)
    .fetch_optional(pool)
    .await?;
    found(updated, "output", id)?;
    must_get(pool, id).await
}

/// Emergency stop: every output's desired state off. Returns the ids that were running.
pub async fn stop_all(pool: &SqlitePool) -> Result<Vec<i64>> {
    let mut ids: Vec<i64> = sqlx::query_scalar(
        "UPDATE outputs SET running = 0, updated_at = ? WHERE running = 1 RETURNING id",
    )
    .bind(now())
    .fetch_all(pool)
    .await?;
    ids.sort_unstable();
    Ok(ids)
}

/// The camera on air.
pub async fn set_camera(pool: &SqlitePool, id: i64, camera_id: i64) -> Result<OutputRow> {
    let updated: Option<i64> = sqlx::query_scalar(
        "UPDATE outputs SET camera_id = ?, updated_at = ? WHERE id = ? RETURNING id",
    )
    .bind(camera_id)
    .bind(now())
    .bind(id)
    .fetch_optional(pool)
    .await?;
    found(updated, "output", id)?;
    must_get(pool, id).await
}

pub async fn delete(pool: &SqlitePool, id: i64) -> Result<()> {
    let deleted = sqlx::query("DELETE FROM outputs WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()
        > 0;
    found(deleted.then_some(()), "output", id)
}

/// Outputs whose slate shows this asset.
pub async fn with_slate_asset(pool: &SqlitePool, asset_id: i64) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM outputs WHERE slate_asset_id = ? ORDER BY id")
            .bind(asset_id)
            .fetch_all(pool)
            .await?,
    )
}

/// Outputs with this camera on air.
pub async fn with_camera_on_air(pool: &SqlitePool, camera_id: i64) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM outputs WHERE camera_id = ? ORDER BY id")
            .bind(camera_id)
            .fetch_all(pool)
            .await?,
    )
}

/// Destinations of an output that are enabled.
pub async fn enabled_destination_count(pool: &SqlitePool, output_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM output_destinations od JOIN destinations d ON d.id = od.destination_id
         WHERE od.output_id = ? AND d.enabled = 1",
    )
    .bind(output_id)
    .fetch_one(pool)
    .await?)
}

/// A camera was deleted: drop it from every output's standby list (the `camera_id` column
/// is cleared by its foreign key). Returns the outputs that changed.
pub async fn forget_camera(pool: &SqlitePool, camera_id: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "UPDATE outputs SET standby_camera_ids = (
             SELECT COALESCE(json_group_array(value), '[]') FROM json_each(outputs.standby_camera_ids)
             WHERE value != ?1)
         WHERE EXISTS (SELECT 1 FROM json_each(outputs.standby_camera_ids) WHERE value = ?1)
         RETURNING id",
    )
    .bind(camera_id)
    .fetch_all(pool)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_standby(standby: Vec<i64>) -> OutputSettings {
        OutputSettings {
            name: "o".into(),
            standby_camera_ids: standby,
            ..OutputSettings::default()
        }
    }

    #[tokio::test]
    async fn a_deleted_camera_leaves_the_standby_lists() {
        let pool = crate::store::open_memory().await.unwrap();
        let a = insert(&pool, &with_standby(vec![3, 5, 7])).await.unwrap();
        let b = insert(&pool, &with_standby(vec![7])).await.unwrap();
        let c = insert(&pool, &with_standby(vec![1])).await.unwrap();
        let changed = forget_camera(&pool, 7).await.unwrap();
        assert_eq!(changed, vec![a.id, b.id]);
        let standby = |id| {
            let pool = pool.clone();
            async move {
                get(&pool, id)
                    .await
                    .unwrap()
                    .unwrap()
                    .settings
                    .standby_camera_ids
            }
        };
        assert_eq!(standby(a.id).await, vec![3, 5]);
        assert!(standby(b.id).await.is_empty());
        assert_eq!(standby(c.id).await, vec![1]);
    }

    #[tokio::test]
    async fn settings_and_destination_order_round_trip() {
        let pool = crate::store::open_memory().await.unwrap();
        for name in ["a", "b", "c"] {
            sqlx::query(
                "INSERT INTO destinations (name, platform, server_url, enabled, created_at, updated_at)
                 VALUES (?, 'custom', 'rtmp://h/app', 1, '', '')",
            )
            .bind(name)
            .execute(&pool)
            .await
            .unwrap();
        }
        let mut settings = with_standby(vec![]);
        settings.destination_ids = vec![3, 1, 2];
        let row = insert(&pool, &settings).await.unwrap();
        assert_eq!(row.settings, settings);
        settings.destination_ids = vec![2];
        settings.profile.fps = 25;
        let row = update(&pool, row.id, &settings).await.unwrap();
        assert_eq!(row.settings, settings);
        assert!(matches!(
            update(&pool, 99, &settings).await,
            Err(crate::store::StoreError::NotFound {
                what: "output",
                id: 99
            })
        ));
    }
}
