//! Storage errors. Constraint violations are told apart so services can answer 409 with a
//! message instead of a 500.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unique constraint violated: {0}")]
    Unique(String),
    #[error("foreign key constraint violated: {0}")]
    ForeignKey(String),
    #[error("database error: {0}")]
    Db(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The batch this write was part of could not be committed; nothing of it was stored.
    #[error("the write was not committed: {0}")]
    Commit(String),
    #[error("unsupported database URL (expected sqlite:// or postgres://): {0}")]
    BadUrl(String),
    #[error("not on this database: {0}")]
    Unsupported(&'static str),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e {
            let what = d
                .constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| d.message().to_owned());
            if d.is_unique_violation() {
                return StoreError::Unique(what);
            }
            if d.is_foreign_key_violation() {
                return StoreError::ForeignKey(what);
            }
        }
        StoreError::Db(e)
    }
}
