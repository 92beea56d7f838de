//! Persistence: SQLite through sqlx (WAL, foreign keys, busy timeout), migrations embedded.
//!
//! Queries are runtime-checked (`query_as` + `FromRow`) so a clean checkout builds with no
//! database present; every query is exercised by tests against a real SQLite file.

pub mod assets;
pub mod audit;
pub mod cameras;
pub mod destinations;
mod error;
pub mod outputs;
pub mod presets;
pub mod schedules;
pub mod snapshots;
pub mod timeline_runs;
pub mod timelines;
pub mod users;

pub use error::{Result, StoreError};

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub const DB_FILE: &str = "vistterstream.db";

/// Open (creating if needed) the database in `data_dir` and bring its schema up to date.
pub async fn open(data_dir: &Path) -> anyhow::Result<SqlitePool> {
    let path = data_dir.join(DB_FILE);
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .with_context(|| format!("opening the database {}", path.display()))?;
    migrate(&pool)
        .await
        .with_context(|| format!("migrating the database {}", path.display()))?;
    Ok(pool)
}

/// An in-memory database with the schema, for tests.
pub async fn open_memory() -> anyhow::Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
    // One connection: every connection to :memory: is a database of its own.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    migrate(&pool).await?;
    Ok(pool)
}

async fn migrate(pool: &SqlitePool) -> std::result::Result<(), sqlx::migrate::MigrateError> {
    sqlx::migrate!("./migrations").run(pool).await
}

/// Whether the database answers.
pub async fn ping(pool: &SqlitePool) -> bool {
    sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(pool)
        .await
        .is_ok()
}
