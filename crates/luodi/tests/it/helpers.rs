//! Test harness: luodi on a random port with a fresh database each — a SQLite file in a temp
//! dir, or (with `LUODI_TEST_BACKEND=postgres`) a fresh schema in the PostgreSQL at
//! `LUODI_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`).

#![allow(dead_code)]

use luodi::config::{Config, Layer};
use luodi::startup::{self, Application};
use luodi_service::Services;
use luodi_store::db::DbOptions;
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;

pub const PW: &str = luodi::tools::demo::data::DEMO_PASSWORD;

pub fn pg_url() -> String {
    std::env::var("LUODI_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub fn backend_is_postgres() -> bool {
    std::env::var("LUODI_TEST_BACKEND").is_ok_and(|b| b == "postgres")
}

pub struct TestApp {
    pub base: String,
    pub svc: Services,
    pub dir: tempfile::TempDir,
    pub config: Config,
    pg_schema: Option<String>,
}

/// Drops a test schema, from any context (a fresh thread with its own runtime).
pub fn drop_pg_schema(schema: String) {
    let _ = std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async {
            use sqlx::Connection;
            if let Ok(mut c) = sqlx::PgConnection::connect(&pg_url()).await {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP SCHEMA IF EXISTS {schema} CASCADE"
                )))
                .execute(&mut c)
                .await;
            }
        });
    })
    .join();
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(s) = self.pg_schema.take() {
            drop_pg_schema(s);
        }
    }
}

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// A fresh PostgreSQL schema; returns its name.
pub async fn fresh_pg_schema() -> String {
    use sqlx::Connection;
    let schema = unique("t");
    let mut c = sqlx::PgConnection::connect(&pg_url())
        .await
        .expect("PostgreSQL must be reachable for the PostgreSQL suite");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut c)
        .await
        .expect("create schema");
    schema
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with_clock(std::sync::Arc::new(luodi_domain::SystemClock)).await
    }

    /// With a clock the test moves.
    pub async fn spawn_with_clock(clock: std::sync::Arc<dyn luodi_domain::Clock>) -> TestApp {
        Self::spawn_with(clock, Layer::default()).await
    }

    /// With a clock the test moves and settings over the defaults (`extra`).
    pub async fn spawn_with(
        clock: std::sync::Arc<dyn luodi_domain::Clock>,
        extra: Layer,
    ) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut layer = Layer {
            listen: Some("127.0.0.1:0".into()),
            data_dir: Some(dir.path().to_path_buf()),
            // The second factor of the administrators has tests of its own (totp.rs); elsewhere
            // they sign in with a password alone.
            totp_for_admins: Some(false),
            ..Default::default()
        }
        .merge(extra);
        let mut opts = DbOptions {
            max_connections: 8,
            ..Default::default()
        };
        if backend_is_postgres() {
            layer.database_url = Some(pg_url());
            opts.pg_schema = Some(fresh_pg_schema().await);
        }
        let pg_schema = opts.pg_schema.clone();
        let config = Config::resolve(layer, "luodi.db").expect("config");
        let db = startup::open_db(&config, &opts).await.expect("open db");
        let app = Application::build_with_clock(&config, db, clock)
            .await
            .expect("build");
        let base = format!("http://{}", app.addr());
        let svc = app.services.clone();
        tokio::spawn(async move {
            let _ = app.run(std::future::pending()).await;
        });
        TestApp {
            base,
            svc,
            dir,
            config,
            pg_schema,
        }
    }

    /// Another instance's services on the same database (its own pool), with `clock`.
    pub async fn second_instance(
        &self,
        clock: std::sync::Arc<dyn luodi_domain::Clock>,
    ) -> Services {
        let opts = DbOptions {
            max_connections: 8,
            pg_schema: self.pg_schema.clone(),
            ..Default::default()
        };
        let db = startup::open_db(&self.config, &opts)
            .await
            .expect("second pool");
        startup::services(db, &self.config, clock).expect("services")
    }

    /// With the demo data (the article's province, campaign and accounts).
    pub async fn seeded() -> TestApp {
        let app = Self::spawn().await;
        luodi::tools::demo::seed(&app.svc).await.expect("seed");
        app
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client signed in through the login form (session cookie).
    pub async fn login(&self, username: &str, password: &str) -> Client {
        let (c, r) = self.sign_in(username, password).await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "login of {username} should redirect"
        );
        c
    }

    /// Posts the login form from a new client that keeps cookies: the client and the answer
    /// (redirects not followed), whatever it is.
    pub async fn sign_in(&self, username: &str, password: &str) -> (Client, Response) {
        let c = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let r = c
            .post(self.url("/login"))
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .expect("login");
        (c, r)
    }

    /// An API token of the client's account, and a client that sends it (no cookies): the
    /// client and the token's id.
    pub async fn bearer(&self, c: &Client, name: &str) -> (Client, i64) {
        let (s, v) = json(
            c.post(self.url("/api/v1/me/tokens"))
                .json(&serde_json::json!({ "name": name }))
                .send()
                .await
                .expect("token"),
        )
        .await;
        assert_eq!(s, reqwest::StatusCode::CREATED, "{v}");
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {}", v["token"].as_str().expect("token"))
                .parse()
                .expect("header"),
        );
        let b = Client::builder()
            .default_headers(h)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        (b, v["id"].as_i64().expect("token id"))
    }

    pub async fn demo(&self, username: &str) -> Client {
        self.login(username, PW).await
    }

    /// A client authenticated by an API token of `username` (created through the API).
    pub async fn token_client(&self, username: &str) -> Client {
        let c = self.demo(username).await;
        let r = c
            .post(self.url("/api/v1/me/tokens"))
            .json(&serde_json::json!({ "name": "test" }))
            .send()
            .await
            .expect("token");
        assert_eq!(r.status(), StatusCode::CREATED);
        let token = r.json::<Value>().await.expect("json")["token"]
            .as_str()
            .expect("token")
            .to_owned();
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse().expect("header"),
        );
        Client::builder()
            .default_headers(h)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    pub fn anon(&self) -> Client {
        Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    pub async fn org_id(&self, code: &str) -> i64 {
        luodi_service::orgs::get_by_code(&self.svc, &luodi_service::Actor::cli(), code)
            .await
            .expect("org by code")
            .id
    }

    pub async fn user_id(&self, username: &str) -> i64 {
        let mut c = self.svc.db().read().await.expect("read");
        luodi_store::users::get_by_username(c.conn(), username)
            .await
            .expect("query")
            .expect("user")
            .id
    }

    /// Row counts (and the sum of org versions) that a refused request must leave unchanged.
    pub async fn snapshot(&self) -> Vec<i64> {
        let mut c = self.svc.db().read().await.expect("read");
        let mut out = Vec::new();
        for sql in [
            "SELECT COUNT(*) FROM orgs",
            "SELECT COUNT(*) FROM users",
            "SELECT COUNT(*) FROM role_bindings",
            "SELECT COUNT(*) FROM campaigns",
            "SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM orgs",
            "SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM users",
        ] {
            out.push(
                luodi_store::db::scalar_i64(c.conn(), luodi_store::Sql::new(sql))
                    .await
                    .expect("count"),
            );
        }
        out
    }

    /// Audit records of changes, sign-ins and downloads: the records of refused requests
    /// aside (every refusal is recorded too; see trail.rs).
    pub async fn audit_count(&self) -> i64 {
        let mut c = self.svc.db().read().await.expect("read");
        luodi_store::db::scalar_i64(
            c.conn(),
            luodi_store::Sql::new(
                "SELECT COUNT(*) FROM audit_log WHERE action NOT LIKE 'request.refused%'",
            ),
        )
        .await
        .expect("count")
    }
}

/// The JSON body of a response, with its status.
pub async fn json(r: Response) -> (StatusCode, Value) {
    let s = r.status();
    let v = r.json::<Value>().await.unwrap_or(Value::Null);
    (s, v)
}
