//! Sweeping: stored files no row references once past their grace period, and stale temp files.

use super::*;

/// A stored file old enough to be removed if nothing references it.
pub(super) struct Candidate {
    pub(super) sha256: String,
    pub(super) path: PathBuf,
}

/// What the directory scan found.
pub(super) struct Scan {
    /// Old stored files, to be checked against the references.
    pub(super) candidates: Vec<Candidate>,
    /// Young stored files (kept) and stale temp files (removed).
    pub(super) report: SweepReport,
}

/// Walks the fan-out directories, collecting old stored files and counting young ones, and
/// removes stale temp files. Blocking.
pub(super) fn scan_blocking(root: &Path, older_than: Duration) -> std::io::Result<Scan> {
    let mut scan = Scan {
        candidates: Vec::new(),
        report: SweepReport::default(),
    };
    let now = SystemTime::now();
    for dir in std::fs::read_dir(root)? {
        let dir = dir?;
        let dir_name = dir.file_name();
        let Some(dir_name) = dir_name.to_str() else {
            continue;
        };
        if dir_name == TMP_DIR {
            sweep_temp(&dir.path(), now, older_than, &mut scan.report)?;
            continue;
        }
        if dir_name.len() != 2 || !dir_name.bytes().all(is_lower_hex) || !dir.file_type()?.is_dir()
        {
            continue;
        }
        for entry in std::fs::read_dir(dir.path())? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            let sha256 = format!("{dir_name}{name}");
            if !is_sha256_hex(&sha256) {
                continue;
            }
            let meta = match entry.metadata() {
                Ok(m) => m,
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            if !meta.is_file() {
                continue;
            }
            if is_old(&meta, now, older_than) {
                scan.candidates.push(Candidate {
                    sha256,
                    path: entry.path(),
                });
            } else {
                scan.report.kept += 1;
            }
        }
    }
    Ok(scan)
}

/// Removes temp files at least `older_than` old (left behind by crashed writes).
pub(super) fn sweep_temp(
    tmp_dir: &Path,
    now: SystemTime,
    older_than: Duration,
    report: &mut SweepReport,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(tmp_dir)? {
        let entry = entry?;
        let meta = match entry.metadata() {
            Ok(m) => m,
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        if !meta.is_file() || !is_old(&meta, now, older_than) {
            continue;
        }
        match std::fs::remove_file(entry.path()) {
            Ok(()) => {
                report.removed += 1;
                report.bytes_freed += meta.len();
            }
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Removes unreferenced old files, re-checking each one's age first: a `put` of the same content
/// since the scan refreshed it and it must stay. Blocking.
pub(super) fn remove_blocking(
    doomed: Vec<Candidate>,
    older_than: Duration,
) -> std::io::Result<SweepReport> {
    let mut report = SweepReport::default();
    for c in doomed {
        let meta = match std::fs::metadata(&c.path) {
            Ok(m) => m,
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        if !is_old(&meta, SystemTime::now(), older_than) {
            report.kept += 1;
            continue;
        }
        match std::fs::remove_file(&c.path) {
            Ok(()) => {
                tracing::info!(sha256 = %c.sha256, bytes = meta.len(), "swept unreferenced evidence");
                report.removed += 1;
                report.bytes_freed += meta.len();
            }
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}

/// Whether the file was last modified at least `older_than` before `now` (a modification time
/// in the future counts as young).
pub(super) fn is_old(meta: &std::fs::Metadata, now: SystemTime, older_than: Duration) -> bool {
    match meta.modified() {
        Ok(modified) => now
            .duration_since(modified)
            .map(|age| age >= older_than)
            .unwrap_or(false),
        // Without a modification time there is no way to know; keep it.
        Err(_) => false,
    }
}
