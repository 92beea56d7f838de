//! What can go wrong in the store, as the use cases need to tell it apart: a value that
//! must be unique already is, a record another still refers to, a row that is not there,
//! a database too busy to answer; anything else is a fault.

/// The store's result.
pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A UNIQUE constraint refused the write (SQLite names the columns).
    #[error("already exists ({0})")]
    Unique(String),
    /// A FOREIGN KEY constraint refused the write or the delete.
    #[error("still referenced ({0})")]
    Referenced(String),
    /// The row to change is not there (deleted meanwhile).
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: i64 },
    /// Another writer held the database for longer than the busy timeout.
    #[error("the database is busy")]
    Busy,
    #[error("database: {0}")]
    Other(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Unique(d.message().to_string())
            }
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                StoreError::Referenced(d.message().to_string())
            }
            // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes.
            sqlx::Error::Database(d)
                if d.code()
                    .and_then(|c| c.parse::<i32>().ok())
                    .is_some_and(|c| matches!(c & 0xff, 5 | 6)) =>
            {
                StoreError::Busy
            }
            sqlx::Error::PoolTimedOut => StoreError::Busy,
            _ => StoreError::Other(e),
        }
    }
}

/// `Ok(row)`, or [`StoreError::NotFound`] naming what was looked for.
pub(super) fn found<T>(row: Option<T>, what: &'static str, id: i64) -> Result<T> {
    row.ok_or(StoreError::NotFound { what, id })
}
