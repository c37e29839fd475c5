//! Small instance-wide settings (key → text).

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::Sql;

pub async fn get(c: Conn<'_>, key: &str) -> StoreResult<Option<String>> {
    let row: Option<(String,)> = db::fetch_optional(
        c,
        Sql::new("SELECT value FROM settings WHERE key = ").arg(key),
    )
    .await?;
    Ok(row.map(|r| r.0))
}

pub async fn set(c: Conn<'_>, key: &str, value: &str) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("INSERT INTO settings (key, value) VALUES (")
            .arg(key)
            .push(", ")
            .arg(value)
            .push(") ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
    )
    .await?;
    Ok(())
}
