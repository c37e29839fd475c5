//! The server child process, its memory, and the clients that measure it over HTTP.

use super::*;

/// The server child: killed when dropped.
pub(super) struct Server {
    pub(super) child: tokio::process::Child,
    pub(super) pid: u32,
    pub(super) base: String,
    pub(super) dir: tempfile::TempDir,
}

impl Server {
    /// The last lines the server logged (warnings and errors), to show beside a failure.
    pub(super) fn log_tail(&self, lines: usize) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        let all: Vec<&str> = log.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    pub(super) async fn start(database_url: &str) -> anyhow::Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let dir = tempfile::tempdir()?;
        let exe = std::env::current_exe()?;
        let child = tokio::process::Command::new(exe)
            .args(["serve", "--database", database_url, "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(dir.path())
            .env("LUODI_LOG", "warn")
            // All the load comes from this one address, as it would from a reverse proxy
            // (which is exempt): wrk's 64 connections beside the measuring clients' own.
            .env("LUODI_CONNECTIONS_PER_ADDRESS", "1024")
            .stdout(std::fs::File::create(dir.path().join("server.log"))?)
            .kill_on_drop(true)
            .spawn()
            .context("cannot start luodi serve")?;
        let pid = child.id().context("the server exited at once")?;
        let base = format!("http://127.0.0.1:{port}");
        let c = reqwest::Client::new();
        let t0 = Instant::now();
        loop {
            if let Ok(r) = c.get(format!("{base}/healthz")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            if t0.elapsed() > Duration::from_secs(300) {
                anyhow::bail!("luodi serve did not answer /healthz within 5 minutes");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        println!(
            "  server pid {pid} on {base}, ready in {:.1} s",
            t0.elapsed().as_secs_f64()
        );
        Ok(Server {
            child,
            pid,
            base,
            dir,
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// A process's resident and peak memory in KiB, from /proc.
pub(super) fn memory_kib(pid: &str) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

pub(super) fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

/// A client with a bearer token of `username` (signed in with the demo password).
pub(super) async fn token_client(base: &str, username: &str) -> anyhow::Result<reqwest::Client> {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let r = c
        .post(format!("{base}/login"))
        .form(&[
            ("username", username),
            ("password", crate::tools::demo::data::DEMO_PASSWORD),
        ])
        .send()
        .await?;
    anyhow::ensure!(
        r.status().is_redirection(),
        "cannot sign in as {username}: {}",
        r.status()
    );
    let r = c
        .post(format!("{base}/api/v1/me/tokens"))
        .json(&json!({ "name": "bench" }))
        .send()
        .await?;
    let v: Value = r.json().await?;
    let token = v["token"]
        .as_str()
        .context("no token in the answer")?
        .to_owned();
    let mut h = reqwest::header::HeaderMap::new();
    h.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse()?,
    );
    Ok(reqwest::Client::builder()
        .default_headers(h)
        .pool_max_idle_per_host(64)
        .build()?)
}

pub(super) async fn timed_get(c: &reqwest::Client, url: &str, n: usize) -> anyhow::Result<Lat> {
    let mut ms = Vec::with_capacity(n);
    for _ in 0..n {
        let t0 = Instant::now();
        let r = c.get(url).send().await?;
        let ok = r.status().is_success();
        let status = r.status();
        r.bytes().await?;
        ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(ok, "GET {url}: {status}");
    }
    Ok(lat(ms))
}
