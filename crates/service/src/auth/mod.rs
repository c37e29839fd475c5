//! Signing in and out, sessions, API tokens, and one's own password. Secrets are random 256-bit
//! values; only their SHA-256 is stored. Passwords are hashed with argon2id.

mod attempts;
mod own;
mod principals;
mod second_factor;
mod sign_in;

use attempts::*;
pub use own::*;
pub use principals::*;
pub use second_factor::*;
pub use sign_in::*;

use crate::audit::{self, Change};
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::{DateTime, Utc};
use luodi_domain::lockout::LoginState;
use luodi_domain::role::{Binding, Role};
use luodi_domain::{password, totp, Validation};
use luodi_store::users::User;
use luodi_store::{sessions, users, Conn};
use rand_core::{OsRng, RngCore};
use std::collections::HashMap;

pub use crate::secrets::{hash_password, random_hex, random_password, sha256_hex, verify_password};

/// Loads an account's role bindings as domain bindings with their scope paths.
pub async fn bindings(c: Conn<'_>, user_id: i64) -> ServiceResult<Vec<Binding>> {
    Ok(users::bindings(c, user_id)
        .await?
        .into_iter()
        .filter_map(|b| {
            let role = Role::parse(&b.role)?;
            let scope_path = match (b.org_id, b.org_path) {
                (None, _) => "/".to_owned(),
                (Some(_), Some(p)) => p,
                (Some(_), None) => return None,
            };
            Some(Binding {
                role,
                org_id: b.org_id,
                scope_path,
            })
        })
        .collect())
}

/// On first start with no accounts: one system administrator with a random one-time password,
/// returned so that it can be printed once. Only its hash is stored.
pub async fn bootstrap_admin(svc: &Services) -> ServiceResult<Option<(String, String)>> {
    let mut tx = svc.db.begin().await?;
    if users::count(tx.conn()).await? > 0 {
        return Ok(None);
    }
    let pw = random_password();
    let now = svc.now();
    let created = users::create(
        tx.conn(),
        &users::NewUser {
            username: "admin",
            display_name: "系统管理员",
            org_id: None,
            password_hash: &hash_password(&pw)?,
            must_change_password: true,
            locale: "zh-CN",
        },
        now,
    )
    .await;
    let id = match created {
        Ok(id) => id,
        // Several instances started together on a new database: another one made it first.
        Err(luodi_store::StoreError::Unique(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    users::add_binding(tx.conn(), id, Role::SystemAdmin.as_str(), None, None, now).await?;
    audit::record::<(), serde_json::Value>(
        svc,
        tx.conn(),
        &Actor::cli(),
        Change {
            action: "user.bootstrap",
            object_type: "user",
            object_id: Some(id.to_string()),
            org_path: None,
            before: None,
            after: Some(&serde_json::json!({ "username": "admin", "role": "system_admin" })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(("admin".to_owned(), pw)))
}
