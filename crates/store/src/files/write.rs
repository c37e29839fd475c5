//! Writing a file: a fresh temp file, fsynced, renamed into place, the directory fsynced.

use super::*;

/// Hashes and stores `bytes`, returning the hex SHA-256. Blocking.
pub(super) fn write_blocking(root: &Path, bytes: &[u8]) -> Result<String, FileError> {
    let sha256 = hex(&Sha256::digest(bytes));
    let (dir_name, file_name) = sha256.split_at(2);
    let dir = root.join(dir_name);
    let target = dir.join(file_name);

    // Already stored (content-addressed): refresh its age and stop.
    if refresh_existing(&target, bytes.len() as u64)? {
        return Ok(sha256);
    }

    let tmp_dir = root.join(TMP_DIR);
    std::fs::create_dir_all(&tmp_dir)?;
    let (tmp_path, mut tmp) = create_temp(&tmp_dir)?;
    let result = (|| -> std::io::Result<()> {
        tmp.write_all(bytes)?;
        tmp.sync_all()?;
        drop(tmp);
        if !dir.is_dir() {
            std::fs::create_dir_all(&dir)?;
            sync_dir(root)?;
        }
        if refresh_existing(&target, bytes.len() as u64)? {
            // Someone stored the same content meanwhile.
            std::fs::remove_file(&tmp_path)?;
            return Ok(());
        }
        std::fs::rename(&tmp_path, &target)?;
        sync_dir(&dir)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp_path);
        return Err(FileError::Io(e));
    }
    Ok(sha256)
}

/// If `target` exists with the expected size, sets its modification time to now and returns
/// true. A file of another size (which atomic writes should make impossible) is treated as
/// absent so the fresh copy replaces it.
pub(super) fn refresh_existing(target: &Path, size: u64) -> std::io::Result<bool> {
    let file = match OpenOptions::new().write(true).open(target) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    if file.metadata()?.len() != size {
        tracing::warn!(path = %target.display(), "stored evidence has the wrong size; rewriting");
        return Ok(false);
    }
    file.set_modified(SystemTime::now())?;
    Ok(true)
}

/// Creates a new, uniquely named temp file in `tmp_dir` (never reusing an existing one).
pub(super) fn create_temp(tmp_dir: &Path) -> std::io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let pid = std::process::id();
    for _ in 0..100 {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = tmp_dir.join(format!("{pid}-{nanos}-{n}{TMP_SUFFIX}"));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        ErrorKind::AlreadyExists,
        "could not create a unique temp file",
    ))
}

/// Makes a directory's entries (a rename, a new subdirectory) durable.
#[cfg(unix)]
pub(super) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Directories cannot be opened for fsync here; NTFS journals metadata itself.
#[cfg(not(unix))]
pub(super) fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}
