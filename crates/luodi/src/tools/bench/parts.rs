//! The parts of the benchmark, each measuring one figure family.

use super::*;

/// What the parts measure with: the services, the server's address, a signed-in office and the
/// orgs of each level.
pub(super) struct Bench<'a> {
    pub(super) svc: &'a Services,
    pub(super) opts: &'a BenchOptions,
    pub(super) lv: Levels,
    pub(super) base: String,
    pub(super) office: reqwest::Client,
    /// Requests per latency figure.
    pub(super) samples: usize,
}

impl Bench<'_> {
    /// Scope roll-ups of the four levels, in-process and over HTTP.
    pub(super) async fn rollup(&self, rep: &mut Report) -> anyhow::Result<()> {
        let (svc, lv, base, office, samples) =
            (self.svc, &self.lv, &self.base, &self.office, self.samples);
        let cid = lv.campaign_id;
        println!("\nscope roll-up (p50 / p99):");
        for (label, id, name) in &lv.orgs {
            let mut ms = Vec::new();
            for _ in 0..samples {
                let t0 = Instant::now();
                luodi_service::items::rollup(svc, &Actor::cli(), *id, Some(cid), None).await?;
                ms.push(t0.elapsed().as_secs_f64() * 1000.0);
            }
            rep.lat(
                format!("roll-up in-process, {label} ({name})"),
                lat(ms),
                None,
            );
            let l = timed_get(
                office,
                &format!("{base}/api/v1/orgs/{id}/rollup?campaign_id={cid}"),
                samples,
            )
            .await?;
            rep.lat(format!("roll-up over HTTP, {label}"), l, Some(10.0));
        }
        Ok(())
    }

    /// A filtered ledger page of each level, in-process and over HTTP.
    pub(super) async fn ledger(&self, rep: &mut Report) -> anyhow::Result<()> {
        let (svc, lv, base, office, samples) =
            (self.svc, &self.lv, &self.base, &self.office, self.samples);
        let cid = lv.campaign_id;
        println!(
            "\nledger page: 50 rows, scope + light red + in progress, by deadline (p50 / p99):"
        );
        for (label, id, _) in &lv.orgs {
            let mut ms = Vec::new();
            for _ in 0..samples {
                let t0 = Instant::now();
                luodi_service::items::list(
                    svc,
                    &Actor::cli(),
                    ItemQuery {
                        within: Some(*id),
                        filter: ItemFilter {
                            campaign_id: Some(cid),
                            light: Some("red".into()),
                            statuses: vec!["in_progress".into()],
                            ..Default::default()
                        },
                        sort: ItemSort::DueOn,
                    },
                    Page::new(1, 50),
                )
                .await?;
                ms.push(t0.elapsed().as_secs_f64() * 1000.0);
            }
            rep.lat(format!("ledger page in-process, {label}"), lat(ms), None);
            let l = timed_get(
                office,
                &format!("{base}/api/v1/items?within={id}&campaign_id={cid}&light=red&status=in_progress&sort=due_on&per_page=50"),
                samples,
            )
            .await?;
            rep.lat(format!("ledger page over HTTP, {label}"), l, Some(20.0));
        }
        Ok(())
    }

    /// The dashboard of the province and a city over HTTP.
    pub(super) async fn dashboard(&self, rep: &mut Report) -> anyhow::Result<()> {
        let (lv, base, office, samples) = (&self.lv, &self.base, &self.office, self.samples);
        let cid = lv.campaign_id;
        for (label, id, _) in lv.orgs.iter().take(2) {
            let l = timed_get(
                office,
                &format!("{base}/api/v1/dashboard?org_id={id}&campaign_id={cid}"),
                samples / 3,
            )
            .await?;
            rep.lat(format!("dashboard over HTTP, {label}"), l, None);
        }
        Ok(())
    }

    /// Durable item creates and transitions at 1, 8 and 32 clients.
    pub(super) async fn writes(&self, rep: &mut Report) -> anyhow::Result<()> {
        let (lv, base, office) = (&self.lv, &self.base, &self.office);
        let load_secs = if self.opts.quick { 2.0 } else { 5.0 };
        println!(
            "\ndurable writes over HTTP (SQLite synchronous=FULL; PostgreSQL synchronous_commit on):"
        );
        for clients in [1usize, 8, 32] {
            let (creates, transitions, errors) =
                write_load(office, base, lv, clients, load_secs).await?;
            rep.row(
                format!("item creates/s, {clients} clients"),
                format!("{creates:.0}/s"),
                "",
            );
            let target = if clients == 8 {
                format!("≥ 500/s {}", mark(transitions >= 500.0))
            } else {
                String::new()
            };
            rep.row(
                format!("item transitions/s, {clients} clients"),
                format!("{transitions:.0}/s"),
                target,
            );
            if errors > 0 {
                rep.notes
                    .push(format!("{errors} write errors at {clients} clients"));
            }
        }
        Ok(())
    }

    /// The province's weekly bulletin, in a child process for its peak memory.
    pub(super) async fn bulletin(&self, rep: &mut Report) -> anyhow::Result<()> {
        let url = &self.opts.database_url;
        println!("\nthe province's weekly bulletin (a child process):");
        let exe = std::env::current_exe()?;
        let out = tokio::process::Command::new(exe)
            .args(["bench-bulletin", "--database", url])
            .env("LUODI_LOG", "warn")
            .output()
            .await?;
        let text = String::from_utf8_lossy(&out.stdout);
        // Its answer is its last line (log lines may come before it).
        let answer = text
            .lines()
            .rev()
            .find(|l| l.starts_with('{'))
            .unwrap_or("");
        let v: Value = serde_json::from_str(answer).with_context(|| {
            format!(
                "bench-bulletin: {}{}",
                text,
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
        let ms = v["ms"].as_f64().unwrap_or(f64::NAN);
        let peak = v["peak_kib"].as_u64().unwrap_or(0);
        rep.row(
            format!(
                "province bulletin ({} units ranked, {} reports), wall",
                v["units"], v["reports"]
            ),
            format!("{ms:.0} ms"),
            format!("≤ 1000 ms {}", mark(ms <= 1000.0)),
        );
        rep.row(
            "province bulletin, peak RSS of the process",
            mib(peak),
            format!("≤ 512 MiB {}", mark(peak <= 512 * 1024)),
        );
        Ok(())
    }

    /// A ledger import over HTTP, as a background job, until it is done.
    pub(super) async fn import(&self, rep: &mut Report, server: &Server) -> anyhow::Result<()> {
        let (svc, opts, base, office) = (self.svc, self.opts, &self.base, &self.office);
        let cid = self.lv.campaign_id;
        println!("\nledger import over HTTP (.xlsx, a background job, until done):");
        let codes: Vec<(String, String)> = {
            let mut c = svc.db().read().await?;
            luodi_store::db::fetch_all(
                c.conn(),
                Sql::new("SELECT code, name FROM orgs WHERE kind = ")
                    .arg("unit")
                    .push(" ORDER BY id LIMIT 500"),
            )
            .await?
        };
        let rows = opts.import_rows;
        let bytes = ledger_xlsx(rows, &codes)?;
        let size = bytes.len();
        let t0 = Instant::now();
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("ledger.xlsx"),
        );
        let r = office
            .post(format!(
                "{base}/api/v1/items/import?campaign_id={cid}&async=true"
            ))
            .multipart(form)
            .send()
            .await?;
        let status = r.status();
        let v: Value = r.json().await.unwrap_or_default();
        let job = v["job_id"]
            .as_u64()
            .with_context(|| format!("import not started: {status} {v}"))?;
        let result = loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let v: Value = office
                .get(format!("{base}/api/v1/jobs/{job}"))
                .send()
                .await?
                .json()
                .await?;
            if matches!(v["phase"].as_str(), Some("done" | "failed")) {
                break v;
            }
        };
        let secs = t0.elapsed().as_secs_f64();
        let target = if result["phase"] != "done" {
            // Reported, not fatal: the load figures below still matter.
            eprintln!(
                "the import failed; the server's log ends:\n{}",
                server.log_tail(20)
            );
            format!("✗ failed: {}", result["error"])
        } else if rows >= 100_000 {
            format!("≤ 20 s {}", mark(secs <= 20.0))
        } else {
            String::new()
        };
        rep.row(
            format!(
                "import of a {rows}-row ledger .xlsx ({:.1} MB)",
                size as f64 / 1e6
            ),
            format!("{secs:.1} s"),
            target,
        );
        Ok(())
    }

    /// The ledger and the dashboard under `wrk`; returns the server's highest sampled memory.
    pub(super) async fn load(&self, rep: &mut Report, pid: &str) -> anyhow::Result<u64> {
        let (opts, lv, base) = (self.opts, &self.lv, &self.base);
        let cid = lv.campaign_id;
        let token = self.wrk_token().await?;
        println!("\nHTTP under load (wrk, 64 connections, 2 threads):");
        let wrk_secs = if opts.quick { 5 } else { 15 };
        let city = lv.orgs.get(1).or(lv.orgs.first()).map(|o| o.1).unwrap_or(1);
        let mut peak_load = 0u64;
        for (label, path, target) in [
            (
                "ledger page (city, red, in progress)",
                format!("/api/v1/items?within={city}&campaign_id={cid}&light=red&status=in_progress&sort=due_on&per_page=50"),
                Some(2000.0),
            ),
            (
                "dashboard (province)",
                format!("/api/v1/dashboard?org_id=1&campaign_id={cid}"),
                None,
            ),
        ]
        {
            let sampler = {
                let pid = pid.to_owned();
                tokio::spawn(async move {
                    let mut peak = 0;
                    for _ in 0..(wrk_secs * 5) {
                        peak = peak.max(memory_kib(&pid).0);
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                    peak
                })
            };
            match wrk(&format!("{base}{path}"), &token, wrk_secs).await {
                Ok((rps, p99, errors, _)) => {
                    let t = match target {
                        Some(t) => format!("≥ {t}/s, no errors {}", mark(rps >= t && errors == 0)),
                        None => String::new(),
                    };
                    rep.row(
                        format!("{label}: requests/s, p99, errors"),
                        format!("{rps:.0}/s, {p99:.1} ms, {errors}"),
                        t,
                    );
                }
                Err(e) => {
                    if std::env::var("CI").as_deref() == Ok("true") {
                        return Err(e);
                    }
                    rep.row(format!("{label}: wrk"), "not run", format!("{e:#}"));
                }
            }
            peak_load = peak_load.max(sampler.await.unwrap_or(0));
        }
        Ok(peak_load)
    }

    /// A token of its own for wrk, which cannot sign in.
    async fn wrk_token(&self) -> anyhow::Result<String> {
        let base = &self.base;
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        c.post(format!("{base}/login"))
            .form(&[
                ("username", "office"),
                ("password", crate::tools::demo::data::DEMO_PASSWORD),
            ])
            .send()
            .await?;
        let v: Value = c
            .post(format!("{base}/api/v1/me/tokens"))
            .json(&json!({ "name": "wrk" }))
            .send()
            .await?
            .json()
            .await?;
        Ok(v["token"].as_str().unwrap_or_default().to_owned())
    }
}
