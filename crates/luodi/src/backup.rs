//! `luodi backup` and `luodi restore`: the database and the evidence files, with a manifest of
//! SM3 checksums sealed by an HMAC-SM3 under the audit key.
//!
//! SQLite: `VACUUM INTO` writes a consistent copy while luodi keeps serving. PostgreSQL:
//! `pg_dump --format=custom` (and `pg_restore`). Evidence files are content-addressed, so
//! copying them after the database keeps every file a row of the copy points at.
//!
//! A restore reads and checks everything first (the manifest's MAC, then every file's size and
//! SM3, and that no file was added) and only then touches the data directory; the database it
//! replaces is kept beside it.

use crate::config::Config;
use hmac::{KeyInit, Mac};
use sm3::{Digest, Sm3};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = "MANIFEST";
const SQLITE_FILE: &str = "luodi.db";
const PG_FILE: &str = "luodi.pgdump";
const FILES_DIR: &str = "files";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Io(String),
    #[error("the backup's manifest is missing or unreadable: {0}")]
    Manifest(String),
    #[error("the manifest's MAC does not match: the manifest was changed, or the audit key is not the one the backup was made with")]
    ManifestMac,
    #[error("{path}: {problem}; the backup was changed or damaged, nothing was restored")]
    Tampered { path: String, problem: String },
    #[error("the backup is of a {found} database, this luodi runs on {expected}")]
    Backend { found: String, expected: String },
    #[error("{0}")]
    Tool(String),
}

fn io(what: &str, p: &Path, e: std::io::Error) -> BackupError {
    BackupError::Io(format!("{what} {}: {e}", p.display()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SM3 and size of a file, read in pieces.
fn sm3_of(p: &Path) -> Result<(String, u64), BackupError> {
    let mut f = std::fs::File::open(p).map_err(|e| io("cannot read", p, e))?;
    let mut h = Sm3::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| io("cannot read", p, e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(&buf[..n]);
    }
    Ok((hex(&h.finalize()), size))
}

fn manifest_mac(key: &[u8], body: &str) -> String {
    let mut m = match hmac::Hmac::<Sm3>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    m.update(b"luodi.backup.manifest.v1\n");
    m.update(body.as_bytes());
    hex(&m.finalize().into_bytes())
}

/// Every regular file under `root`, as paths relative to it with `/` separators, sorted.
fn walk(root: &Path) -> Result<Vec<String>, BackupError> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io("cannot list", &d, e)),
        };
        for e in entries {
            let e = e.map_err(|e| io("cannot list", &d, e))?;
            let p = e.path();
            let t = e.file_type().map_err(|e| io("cannot stat", &p, e))?;
            if t.is_dir() {
                stack.push(p);
            } else if t.is_file() {
                let rel = p.strip_prefix(root).map_err(|_| {
                    BackupError::Io(format!("{} escapes {}", p.display(), root.display()))
                })?;
                out.push(
                    rel.components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/"),
                );
            }
        }
    }
    out.sort();
    Ok(out)
}

fn sqlite_path(cfg: &Config) -> Result<PathBuf, BackupError> {
    let rest = cfg
        .database_url
        .strip_prefix("sqlite://")
        .or_else(|| cfg.database_url.strip_prefix("sqlite:"))
        .ok_or_else(|| BackupError::Io("not a SQLite URL".into()))?;
    Ok(PathBuf::from(rest.split('?').next().unwrap_or(rest)))
}

fn is_sqlite(cfg: &Config) -> bool {
    cfg.database_url.starts_with("sqlite:")
}

/// What a backup holds.
#[derive(Debug)]
pub struct Made {
    pub files: usize,
    pub bytes: u64,
}

/// Writes a backup of the database and the evidence files to `dir` (which must be empty or
/// new).
pub async fn backup(
    cfg: &Config,
    db: &luodi_store::Db,
    key: &[u8],
    dir: &Path,
) -> Result<Made, BackupError> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| io("cannot list", dir, e))?
            .next()
            .is_some()
    {
        return Err(BackupError::Io(format!(
            "{} is not empty; a backup goes into a new directory",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir.join(FILES_DIR)).map_err(|e| io("cannot create", dir, e))?;
    let backend;
    if is_sqlite(cfg) {
        backend = "sqlite";
        let out = dir.join(SQLITE_FILE);
        db.vacuum_into(&std::path::absolute(&out).unwrap_or(out.clone()))
            .await
            .map_err(|e| BackupError::Tool(format!("VACUUM INTO failed: {e}")))?;
    } else {
        backend = "postgres";
        let out = dir.join(PG_FILE);
        let status = std::process::Command::new("pg_dump")
            .args(["--format=custom", "--no-owner", "--file"])
            .arg(&out)
            .arg(format!("--dbname={}", cfg.database_url))
            .status()
            .map_err(|e| {
                BackupError::Tool(format!(
                    "cannot run pg_dump (is the PostgreSQL client installed?): {e}"
                ))
            })?;
        if !status.success() {
            return Err(BackupError::Tool(format!("pg_dump failed ({status})")));
        }
    }
    // Files after the database: every file a row of the copy names is already in the store.
    let src = cfg.data_dir.join(FILES_DIR);
    for rel in walk(&src)? {
        if rel.starts_with("tmp/") {
            continue;
        }
        let to = dir.join(FILES_DIR).join(&rel);
        if let Some(p) = to.parent() {
            std::fs::create_dir_all(p).map_err(|e| io("cannot create", p, e))?;
        }
        std::fs::copy(src.join(&rel), &to).map_err(|e| io("cannot copy", &to, e))?;
    }
    let schema = db
        .schema_version()
        .await
        .map_err(|e| BackupError::Tool(e.to_string()))?;
    let mut body = format!(
        "luodi-backup 1\nbackend {backend}\nschema {schema}\ncreated {}\n",
        chrono::Utc::now().to_rfc3339()
    );
    let (mut files, mut bytes) = (0, 0);
    for rel in walk(dir)? {
        let (sum, size) = sm3_of(&dir.join(&rel))?;
        body.push_str(&format!("file {sum} {size} {rel}\n"));
        files += 1;
        bytes += size;
    }
    let mac = manifest_mac(key, &body);
    let path = dir.join(MANIFEST);
    let mut f = std::fs::File::create(&path).map_err(|e| io("cannot write", &path, e))?;
    f.write_all(format!("{body}mac {mac}\n").as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| io("cannot write", &path, e))?;
    Ok(Made { files, bytes })
}

/// A checked backup: its backend and files.
#[derive(Debug)]
pub struct Checked {
    pub backend: String,
    pub schema: i64,
    pub files: Vec<String>,
}

/// Checks a backup without touching anything: the manifest's MAC, every file's size and SM3,
/// and that the directory holds nothing the manifest does not list.
pub fn check(key: &[u8], dir: &Path) -> Result<Checked, BackupError> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| BackupError::Manifest(format!("{}: {e}", path.display())))?;
    let Some((body, last)) = text.trim_end_matches('\n').rsplit_once('\n') else {
        return Err(BackupError::Manifest("too short".into()));
    };
    let body = format!("{body}\n");
    let mac = last
        .strip_prefix("mac ")
        .ok_or(BackupError::Manifest("no MAC line".into()))?;
    if manifest_mac(key, &body) != mac {
        return Err(BackupError::ManifestMac);
    }
    let mut backend = String::new();
    let mut schema = 0;
    let mut listed = Vec::new();
    for line in body.lines() {
        let mut parts = line.splitn(2, ' ');
        match (parts.next(), parts.next()) {
            (Some("luodi-backup"), Some("1")) | (Some("created"), _) => {}
            (Some("backend"), Some(b)) => backend = b.to_owned(),
            (Some("schema"), Some(s)) => schema = s.parse().unwrap_or(0),
            (Some("file"), Some(rest)) => {
                let mut f = rest.splitn(3, ' ');
                let (Some(sum), Some(size), Some(rel)) = (f.next(), f.next(), f.next()) else {
                    return Err(BackupError::Manifest(format!("bad line {line:?}")));
                };
                if rel.split('/').any(|c| c == ".." || c.is_empty()) {
                    return Err(BackupError::Manifest(format!("bad path {rel:?}")));
                }
                let (actual, actual_size) = match sm3_of(&dir.join(rel)) {
                    Ok(x) => x,
                    Err(_) => {
                        return Err(BackupError::Tampered {
                            path: rel.to_owned(),
                            problem: "missing".into(),
                        })
                    }
                };
                if actual_size.to_string() != size || actual != sum {
                    return Err(BackupError::Tampered {
                        path: rel.to_owned(),
                        problem: "its SM3 checksum does not match the manifest".into(),
                    });
                }
                listed.push(rel.to_owned());
            }
            _ => return Err(BackupError::Manifest(format!("unknown line {line:?}"))),
        }
    }
    for rel in walk(dir)? {
        if rel != MANIFEST && !listed.contains(&rel) {
            return Err(BackupError::Tampered {
                path: rel,
                problem: "not in the manifest".into(),
            });
        }
    }
    Ok(Checked {
        backend,
        schema,
        files: listed,
    })
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    pub files: usize,
    /// Where the database that was replaced now is (SQLite).
    pub kept: Option<PathBuf>,
}

/// Restores a checked backup into the configured database and data directory. luodi must not
/// be running on them.
pub fn restore(cfg: &Config, key: &[u8], dir: &Path) -> Result<Restored, BackupError> {
    let checked = check(key, dir)?;
    let expected = if is_sqlite(cfg) { "sqlite" } else { "postgres" };
    if checked.backend != expected {
        return Err(BackupError::Backend {
            found: checked.backend,
            expected: expected.into(),
        });
    }
    let mut kept = None;
    if is_sqlite(cfg) {
        let target = sqlite_path(cfg)?;
        if let Some(p) = target.parent() {
            std::fs::create_dir_all(p).map_err(|e| io("cannot create", p, e))?;
        }
        let tmp = target.with_extension("db.restoring");
        std::fs::copy(dir.join(SQLITE_FILE), &tmp).map_err(|e| io("cannot write", &tmp, e))?;
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| io("cannot sync", &tmp, e))?;
        if target.exists() {
            // The database replaced is kept (with its WAL) beside the new one.
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
            let old = PathBuf::from(format!("{}.before-restore-{stamp}", target.display()));
            for ext in ["", "-wal", "-shm"] {
                let from = PathBuf::from(format!("{}{ext}", target.display()));
                if from.exists() {
                    let to = PathBuf::from(format!("{}{ext}", old.display()));
                    std::fs::rename(&from, &to).map_err(|e| io("cannot move", &from, e))?;
                }
            }
            kept = Some(old);
        }
        std::fs::rename(&tmp, &target).map_err(|e| io("cannot move", &tmp, e))?;
    } else {
        let status = std::process::Command::new("pg_restore")
            .args([
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
            ])
            .arg(format!("--dbname={}", cfg.database_url))
            .arg(dir.join(PG_FILE))
            .status()
            .map_err(|e| {
                BackupError::Tool(format!(
                    "cannot run pg_restore (is the PostgreSQL client installed?): {e}"
                ))
            })?;
        if !status.success() {
            return Err(BackupError::Tool(format!("pg_restore failed ({status})")));
        }
    }
    let mut files = 0;
    let store = cfg.data_dir.join(FILES_DIR);
    for rel in checked
        .files
        .iter()
        .filter_map(|r| r.strip_prefix("files/"))
    {
        let to = store.join(rel);
        if to.exists() {
            continue; // content-addressed: the same name holds the same bytes
        }
        if let Some(p) = to.parent() {
            std::fs::create_dir_all(p).map_err(|e| io("cannot create", p, e))?;
        }
        std::fs::copy(dir.join(FILES_DIR).join(rel), &to)
            .map_err(|e| io("cannot write", &to, e))?;
        files += 1;
    }
    Ok(Restored { files, kept })
}
