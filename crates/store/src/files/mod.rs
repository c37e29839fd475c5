//! Evidence files (佐证材料): the bytes behind an item's attachments, stored on disk under the data
//! directory and never in the database. The database row only holds the file's SHA-256, its size,
//! kind and sanitised name.
//!
//! This module owns three guarantees:
//!
//! - **Content-addressed.** A file is named by the SHA-256 of its bytes and lives at
//!   `root/ab/cdef…` (the first two hex digits are a fan-out directory, the other 62 the file
//!   name). The same content uploaded twice is stored once; a name that is not 64 lowercase hex
//!   digits never becomes a path ([`FileStore::path_of`]), so there is no path traversal.
//! - **Atomic and durable.** [`FileStore::put`] writes to a fresh temp file in `root/tmp`, fsyncs
//!   it, renames it into place and fsyncs the directory, so a crash leaves either the whole file
//!   or nothing under its name. Callers write the file *before* committing the row that
//!   references it.
//! - **Swept.** [`FileStore::sweep`] removes stored files no row references once they are older
//!   than a grace period (so a file written just before its row commits is never removed), and
//!   stale temp files left by crashes. Re-uploading existing content refreshes its modification
//!   time, so a deduplicated file gets the same grace period as a new one.
//!
//! What may be stored is decided by *content*, never by name: [`sniff`] recognises the allowed
//! kinds by their magic bytes (and, for zip containers, by their entry names); anything else,
//! notably HTML, SVG, XML and scripts, is refused. A declared extension that names another kind
//! than the content is refused as a mismatch. Serving (`Content-Disposition: attachment`,
//! `X-Content-Type-Options: nosniff`, [`StoredFile::content_type`]) is the web layer's job.

mod names;
mod sniff;
mod sweep;
mod write;

use names::*;
use sniff::*;
use sweep::*;
use write::*;

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// Longest name [`sanitise_name`] returns, in characters.
const MAX_NAME_CHARS: usize = 200;
/// Name of the temp directory under the root.
const TMP_DIR: &str = "tmp";
/// Suffix of temp files, so they are recognisable in `root/tmp`.
const TMP_SUFFIX: &str = ".part";

/// Where evidence files live: `root/ab/cdef…` by SHA-256, temp files in `root/tmp`.
#[derive(Debug, Clone)]
pub struct FileStore {
    pub(super) root: PathBuf,
}

/// What [`FileStore::put`] accepts: a size limit and the allowed kinds (checked by content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Largest accepted file, in bytes.
    pub max_bytes: u64,
    /// Kinds accepted, as detected by [`sniff`].
    pub allowed: Vec<Kind>,
}

impl Default for Policy {
    /// 50 MiB and every [`Kind`].
    fn default() -> Self {
        Self {
            max_bytes: 50 * 1024 * 1024,
            allowed: Kind::ALL.to_vec(),
        }
    }
}

/// The kinds of evidence luodi stores, as recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// PDF (`%PDF-`).
    Pdf,
    /// PNG image.
    Png,
    /// JPEG image.
    Jpeg,
    /// GIF image.
    Gif,
    /// WebP image.
    Webp,
    /// Word document (OOXML zip with `word/`).
    Docx,
    /// Excel workbook (OOXML zip with `xl/`).
    Xlsx,
    /// PowerPoint presentation (OOXML zip with `ppt/`).
    Pptx,
    /// Legacy Office file in an OLE2 compound document: `.doc`, `.xls` or `.ppt`.
    Doc,
    /// OFD, the Chinese fixed-layout e-document format (a zip with `OFD.xml`).
    Ofd,
    /// Any other zip archive.
    Zip,
    /// Plain UTF-8 text that does not look like markup or script.
    Txt,
    /// Plain UTF-8 text declared as `.csv`.
    Csv,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Kind; 13] = [
        Kind::Pdf,
        Kind::Png,
        Kind::Jpeg,
        Kind::Gif,
        Kind::Webp,
        Kind::Docx,
        Kind::Xlsx,
        Kind::Pptx,
        Kind::Doc,
        Kind::Ofd,
        Kind::Zip,
        Kind::Txt,
        Kind::Csv,
    ];

    /// A short lowercase name, stable for storing in the database (`"pdf"`, `"docx"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pdf => "pdf",
            Kind::Png => "png",
            Kind::Jpeg => "jpeg",
            Kind::Gif => "gif",
            Kind::Webp => "webp",
            Kind::Docx => "docx",
            Kind::Xlsx => "xlsx",
            Kind::Pptx => "pptx",
            Kind::Doc => "doc",
            Kind::Ofd => "ofd",
            Kind::Zip => "zip",
            Kind::Txt => "txt",
            Kind::Csv => "csv",
        }
    }

    /// The inverse of [`Kind::as_str`].
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The `Content-Type` to serve this kind with.
    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Png => "image/png",
            Kind::Jpeg => "image/jpeg",
            Kind::Gif => "image/gif",
            Kind::Webp => "image/webp",
            Kind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Kind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Kind::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            Kind::Doc => "application/msword",
            Kind::Ofd => "application/ofd",
            Kind::Zip => "application/zip",
            Kind::Txt => "text/plain; charset=utf-8",
            Kind::Csv => "text/csv; charset=utf-8",
        }
    }

    /// The usual file extension (without the dot).
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            other => other.as_str(),
        }
    }

    /// The kind a file extension (without the dot, any case) names, if any.
    pub fn from_extension(ext: &str) -> Option<Kind> {
        let kind = match ext.to_ascii_lowercase().as_str() {
            "pdf" => Kind::Pdf,
            "png" => Kind::Png,
            "jpg" | "jpeg" | "jpe" | "jfif" => Kind::Jpeg,
            "gif" => Kind::Gif,
            "webp" => Kind::Webp,
            "docx" => Kind::Docx,
            "xlsx" => Kind::Xlsx,
            "pptx" => Kind::Pptx,
            "doc" | "xls" | "ppt" => Kind::Doc,
            "ofd" => Kind::Ofd,
            "zip" => Kind::Zip,
            "txt" => Kind::Txt,
            "csv" => Kind::Csv,
            _ => return None,
        };
        Some(kind)
    }
}

/// A file accepted by [`FileStore::put`]: what the referencing row should record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// SHA-256 of the content, 64 lowercase hex digits; the file's name in the store.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Kind detected from the content.
    pub kind: Kind,
    /// `Content-Type` to serve it with.
    pub content_type: &'static str,
    /// The declared name, sanitised by [`sanitise_name`]. When the declared extension names no
    /// known kind (e.g. `run.bat` holding text), the kind's extension is appended
    /// (`run.bat.txt`), so a downloaded file never opens as something it is not.
    pub file_name: String,
}

/// What a [`FileStore::sweep`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Files removed: unreferenced stored files past the grace period and stale temp files.
    pub removed: usize,
    /// Stored files kept: referenced, or younger than the grace period.
    pub kept: usize,
    /// Bytes freed by the removals.
    pub bytes_freed: u64,
}

/// Why a file was refused or could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file is larger than the policy allows.
    #[error("file is larger than the limit of {max} bytes")]
    TooLarge {
        /// The limit, in bytes.
        max: u64,
    },
    /// The file has no content.
    #[error("file is empty")]
    Empty,
    /// The content is not of an allowed kind.
    #[error("file type not allowed (detected: {detected})")]
    NotAllowed {
        /// What the content looked like.
        detected: &'static str,
    },
    /// The declared extension names another kind than the content.
    #[error("file is named .{declared} but its content is {detected}")]
    Mismatch {
        /// The declared extension, lowercase, without the dot.
        declared: String,
        /// The kind detected from the content ([`Kind::as_str`]).
        detected: &'static str,
    },
    /// A file-system error.
    #[error("file storage error: {0}")]
    Io(#[from] std::io::Error),
    /// No stored file has this hash (or the hash is malformed).
    #[error("file not found")]
    NotFound,
}

impl FileStore {
    /// Opens (creating if needed) a store at `root`, with its `root/tmp` directory.
    pub fn new(root: impl Into<PathBuf>) -> std::io::Result<FileStore> {
        let root = root.into();
        std::fs::create_dir_all(root.join(TMP_DIR))?;
        Ok(FileStore { root })
    }

    /// The store's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Checks `bytes` against `policy` and stores them, returning what the referencing row should
    /// record. Call this before committing that row.
    ///
    /// Refused: empty ([`FileError::Empty`]), too large ([`FileError::TooLarge`]), content not
    /// recognised or not allowed ([`FileError::NotAllowed`]), declared extension naming another
    /// kind ([`FileError::Mismatch`]). Content already stored is not written again; its
    /// modification time is refreshed so a sweep's grace period starts over.
    pub async fn put(
        &self,
        bytes: &[u8],
        declared_name: &str,
        policy: &Policy,
    ) -> Result<StoredFile, FileError> {
        if bytes.is_empty() {
            return Err(FileError::Empty);
        }
        let size = bytes.len() as u64;
        if size > policy.max_bytes {
            return Err(FileError::TooLarge {
                max: policy.max_bytes,
            });
        }
        let name = sanitise_name(declared_name);
        let declared_ext = extension_of(&name).map(str::to_ascii_lowercase);
        let declared_kind = declared_ext.as_deref().and_then(Kind::from_extension);

        let mut kind = sniff(bytes).ok_or(FileError::NotAllowed {
            detected: describe_unknown(bytes),
        })?;
        if kind == Kind::Txt && declared_kind == Some(Kind::Csv) {
            kind = Kind::Csv;
        }
        if let (Some(ext), Some(declared)) = (&declared_ext, declared_kind) {
            if declared != kind {
                return Err(FileError::Mismatch {
                    declared: ext.clone(),
                    detected: kind.as_str(),
                });
            }
        }
        if !policy.allowed.contains(&kind) {
            return Err(FileError::NotAllowed {
                detected: kind.as_str(),
            });
        }
        let file_name = match (&declared_ext, declared_kind) {
            (Some(_), None) => fit_name(&name, kind.extension()),
            _ => name,
        };

        let root = self.root.clone();
        let owned = bytes.to_vec();
        let sha256 = tokio::task::spawn_blocking(move || write_blocking(&root, &owned))
            .await
            .map_err(|e| FileError::Io(std::io::Error::other(e)))??;

        Ok(StoredFile {
            sha256,
            size,
            kind,
            content_type: kind.content_type(),
            file_name,
        })
    }

    /// Where the file with this hash lives (whether or not it exists), or `None` if `sha256` is
    /// not exactly 64 lowercase hex digits.
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        if !is_sha256_hex(sha256) {
            return None;
        }
        let (dir, rest) = sha256.split_at(2);
        Some(self.root.join(dir).join(rest))
    }

    /// The stored bytes for this hash; [`FileError::NotFound`] if absent or malformed.
    pub async fn read(&self, sha256: &str) -> Result<Vec<u8>, FileError> {
        let path = self.path_of(sha256).ok_or(FileError::NotFound)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == ErrorKind::NotFound => Err(FileError::NotFound),
            Err(e) => Err(FileError::Io(e)),
        }
    }

    /// Whether a file with this hash is stored.
    pub async fn exists(&self, sha256: &str) -> bool {
        match self.path_of(sha256) {
            Some(path) => tokio::fs::metadata(&path)
                .await
                .map(|m| m.is_file())
                .unwrap_or(false),
            None => false,
        }
    }

    /// Removes stored files whose hash is not in `referenced` and whose modification time is at
    /// least `older_than` ago, and temp files at least `older_than` old. Younger files are kept
    /// whatever `referenced` says, so a file written just before its row commits survives a sweep
    /// that read the references before that commit; choose a grace period longer than any
    /// upload-to-commit gap (minutes, not seconds). Fan-out directories are never removed, so a
    /// concurrent [`FileStore::put`] never loses its target directory.
    pub async fn sweep(
        &self,
        referenced: &HashSet<String>,
        older_than: Duration,
    ) -> Result<SweepReport, FileError> {
        let root = self.root.clone();
        let scan = tokio::task::spawn_blocking(move || scan_blocking(&root, older_than))
            .await
            .map_err(|e| FileError::Io(std::io::Error::other(e)))??;

        let mut report = scan.report;
        let (keep, doomed): (Vec<_>, Vec<_>) = scan
            .candidates
            .into_iter()
            .partition(|c| referenced.contains(&c.sha256));
        report.kept += keep.len();

        let removal = tokio::task::spawn_blocking(move || remove_blocking(doomed, older_than))
            .await
            .map_err(|e| FileError::Io(std::io::Error::other(e)))??;
        report.removed += removal.removed;
        report.kept += removal.kept;
        report.bytes_freed += removal.bytes_freed;
        tracing::debug!(
            removed = report.removed,
            kept = report.kept,
            bytes_freed = report.bytes_freed,
            "evidence sweep"
        );
        Ok(report)
    }
}

/// Recognises an allowed kind by content alone; `None` for anything else (including HTML, SVG,
/// XML, scripts and unknown binaries). Text is reported as [`Kind::Txt`]; [`FileStore::put`]
/// turns it into [`Kind::Csv`] when the declared name ends in `.csv`.
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    const OLE2: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    if bytes.is_empty() {
        return None;
    }
    if bytes.starts_with(b"%PDF-") {
        return Some(Kind::Pdf);
    }
    if bytes.starts_with(PNG) {
        return Some(Kind::Png);
    }
    if bytes.starts_with(b"\xFF\xD8\xFF") {
        return Some(Kind::Jpeg);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some(Kind::Gif);
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return Some(Kind::Webp);
    }
    if bytes.starts_with(OLE2) {
        return Some(Kind::Doc);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Some(sniff_zip(bytes));
    }
    if is_plain_text(bytes) {
        return Some(Kind::Txt);
    }
    None
}

/// Makes a declared file name safe to store and to put in a `Content-Disposition` header: keeps
/// only the last path component, drops control and invisible formatting characters, quotes and
/// characters Windows forbids (`<>:|?*`), trims spaces and leading/trailing dots, and cuts it to
/// 200 characters (keeping the extension). CJK and other letters are kept. Never empty: a name
/// with nothing left becomes `"file"`.
pub fn sanitise_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last.chars().filter(|&c| !is_unsafe_name_char(c)).collect();
    let trimmed = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace());
    if trimmed.is_empty() {
        return "file".to_owned();
    }
    truncate_name(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG_BYTES: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
    const PDF_BYTES: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";

    fn store() -> (tempfile::TempDir, FileStore) {
        let dir = tempfile::tempdir().expect("tempdir");
        let fs = FileStore::new(dir.path().join("evidence")).expect("store");
        (dir, fs)
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= b as u32;
            for _ in 0..8 {
                let mask = (crc & 1).wrapping_neg();
                crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
            }
        }
        !crc
    }

    /// A valid zip with stored (uncompressed) entries; `central: false` leaves out the central
    /// directory and end record, to exercise the local-header fallback.
    fn stored_zip(entries: &[(&str, &[u8])], central: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let mut cd = Vec::new();
        for (name, data) in entries {
            let offset = out.len() as u32;
            let crc = crc32(data);
            let len = data.len() as u32;
            let n = name.len() as u16;
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&20u16.to_le_bytes()); // version needed
            out.extend_from_slice(&0u16.to_le_bytes()); // flags
            out.extend_from_slice(&0u16.to_le_bytes()); // method: stored
            out.extend_from_slice(&0u32.to_le_bytes()); // time, date
            out.extend_from_slice(&crc.to_le_bytes());
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&n.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes()); // extra length
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);

            cd.extend_from_slice(b"PK\x01\x02");
            cd.extend_from_slice(&20u16.to_le_bytes()); // version made by
            cd.extend_from_slice(&20u16.to_le_bytes()); // version needed
            cd.extend_from_slice(&0u16.to_le_bytes()); // flags
            cd.extend_from_slice(&0u16.to_le_bytes()); // method
            cd.extend_from_slice(&0u32.to_le_bytes()); // time, date
            cd.extend_from_slice(&crc.to_le_bytes());
            cd.extend_from_slice(&len.to_le_bytes());
            cd.extend_from_slice(&len.to_le_bytes());
            cd.extend_from_slice(&n.to_le_bytes());
            cd.extend_from_slice(&[0; 4]); // extra, comment lengths
            cd.extend_from_slice(&[0; 4]); // disk number, internal attributes
            cd.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            cd.extend_from_slice(&offset.to_le_bytes());
            cd.extend_from_slice(name.as_bytes());
        }
        if central {
            let cd_offset = out.len() as u32;
            let count = entries.len() as u16;
            out.extend_from_slice(&cd);
            out.extend_from_slice(b"PK\x05\x06");
            out.extend_from_slice(&[0; 4]); // disk numbers
            out.extend_from_slice(&count.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            out.extend_from_slice(&(cd.len() as u32).to_le_bytes());
            out.extend_from_slice(&cd_offset.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes()); // comment length
        }
        out
    }

    fn docx_bytes() -> Vec<u8> {
        stored_zip(
            &[
                ("[Content_Types].xml", b"<Types/>"),
                ("word/document.xml", b"<w:document/>"),
            ],
            true,
        )
    }

    fn set_age(path: &Path, age: Duration) {
        let f = OpenOptions::new().write(true).open(path).expect("open");
        f.set_modified(SystemTime::now() - age).expect("set mtime");
    }

    fn count_files(dir: &Path) -> usize {
        let mut n = 0;
        for e in std::fs::read_dir(dir).expect("read_dir") {
            let e = e.expect("entry");
            if e.file_type().expect("type").is_dir() {
                n += count_files(&e.path());
            } else {
                n += 1;
            }
        }
        n
    }

    #[tokio::test]
    async fn put_read_round_trip_and_path_shape() {
        let (_d, fs) = store();
        let stored = fs
            .put(PDF_BYTES, "整改报告.pdf", &Policy::default())
            .await
            .expect("put");
        let expected = hex(&Sha256::digest(PDF_BYTES));
        assert_eq!(stored.sha256, expected);
        assert_eq!(stored.size, PDF_BYTES.len() as u64);
        assert_eq!(stored.kind, Kind::Pdf);
        assert_eq!(stored.content_type, "application/pdf");
        assert_eq!(stored.file_name, "整改报告.pdf");

        let path = fs.path_of(&stored.sha256).expect("valid hash");
        assert_eq!(
            path,
            fs.root().join(&expected[..2]).join(&expected[2..]),
            "root/ab/cdef… fan-out"
        );
        assert!(path.is_file());
        assert!(fs.exists(&stored.sha256).await);
        assert_eq!(fs.read(&stored.sha256).await.expect("read"), PDF_BYTES);
        // Nothing left behind in tmp.
        assert_eq!(count_files(&fs.root().join(TMP_DIR)), 0);
    }

    #[tokio::test]
    async fn same_content_twice_is_one_file() {
        let (_d, fs) = store();
        let a = fs
            .put(PNG_BYTES, "a.png", &Policy::default())
            .await
            .expect("put a");
        let b = fs
            .put(PNG_BYTES, "photo.PNG", &Policy::default())
            .await
            .expect("put b");
        assert_eq!(a.sha256, b.sha256);
        assert_eq!(b.file_name, "photo.PNG");
        // One stored file in total, no temp files.
        assert_eq!(count_files(fs.root()), 1);
    }

    #[tokio::test]
    async fn html_named_pdf_is_refused() {
        let (_d, fs) = store();
        let html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>";
        let err = fs
            .put(html, "report.pdf", &Policy::default())
            .await
            .expect_err("html must be refused");
        assert!(
            matches!(
                err,
                FileError::NotAllowed { .. } | FileError::Mismatch { .. }
            ),
            "{err:?}"
        );
        // Markup hidden after some text is refused too.
        let sneaky = b"hello\n<SCRIPT>alert(1)</SCRIPT>";
        assert!(matches!(
            fs.put(sneaky, "notes.txt", &Policy::default()).await,
            Err(FileError::NotAllowed { .. })
        ));
        assert_eq!(count_files(fs.root()), 0, "nothing stored");
    }

    #[tokio::test]
    async fn png_named_pdf_is_a_mismatch() {
        let (_d, fs) = store();
        let err = fs
            .put(PNG_BYTES, "scan.pdf", &Policy::default())
            .await
            .expect_err("mismatch");
        match err {
            FileError::Mismatch { declared, detected } => {
                assert_eq!(declared, "pdf");
                assert_eq!(detected, "png");
            }
            other => panic!("expected Mismatch, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn svg_is_refused() {
        let (_d, fs) = store();
        let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>x()</script></svg>";
        for name in ["logo.svg", "logo", "logo.png", "logo.txt"] {
            let err = fs
                .put(svg, name, &Policy::default())
                .await
                .expect_err("svg must be refused");
            assert!(
                matches!(err, FileError::NotAllowed { .. }),
                "{name}: {err:?}"
            );
        }
        // Also with a BOM and leading whitespace, and without the XML prologue.
        let svg2 = b"\xEF\xBB\xBF  \n<svg onload=\"x()\"></svg>";
        assert_eq!(sniff(svg2), None);
        assert_eq!(sniff(b"just text, then <Svg/>"), None);
    }

    #[tokio::test]
    async fn too_large_and_empty_are_refused() {
        let (_d, fs) = store();
        let policy = Policy {
            max_bytes: 16,
            ..Policy::default()
        };
        let err = fs
            .put(PDF_BYTES, "big.pdf", &policy)
            .await
            .expect_err("too large");
        assert!(matches!(err, FileError::TooLarge { max: 16 }), "{err:?}");
        // Exactly at the limit is fine.
        let ok = fs.put(&PDF_BYTES[..16], "small.pdf", &policy).await;
        assert!(ok.is_ok(), "{ok:?}");

        let err = fs
            .put(b"", "empty.pdf", &Policy::default())
            .await
            .expect_err("empty");
        assert!(matches!(err, FileError::Empty), "{err:?}");
        assert_eq!(Policy::default().max_bytes, 50 * 1024 * 1024);
    }

    #[tokio::test]
    async fn kinds_outside_the_policy_are_refused() {
        let (_d, fs) = store();
        let policy = Policy {
            allowed: vec![Kind::Pdf],
            ..Policy::default()
        };
        let err = fs
            .put(PNG_BYTES, "a.png", &policy)
            .await
            .expect_err("png not allowed");
        assert!(
            matches!(err, FileError::NotAllowed { detected: "png" }),
            "{err:?}"
        );
        let err = fs
            .put(b"MZ\x90\0\x03\0\0\0", "setup.exe", &Policy::default())
            .await
            .expect_err("exe");
        assert!(
            matches!(
                err,
                FileError::NotAllowed {
                    detected: "executable"
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn docx_like_zip_is_sniffed_as_docx() {
        let docx = docx_bytes();
        assert!(docx.len() < 400);
        assert_eq!(sniff(&docx), Some(Kind::Docx));
        // Only the local header (no central directory): still recognised.
        let local_only = stored_zip(&[("word/document.xml", b"<w:document/>")], false);
        assert_eq!(sniff(&local_only), Some(Kind::Docx));
    }

    #[test]
    fn sniff_recognises_every_kind_by_content() {
        let cases: Vec<(Vec<u8>, Option<Kind>)> = vec![
            (PDF_BYTES.to_vec(), Some(Kind::Pdf)),
            (PNG_BYTES.to_vec(), Some(Kind::Png)),
            (b"\xFF\xD8\xFF\xE0\0\x10JFIF\0".to_vec(), Some(Kind::Jpeg)),
            (b"GIF89a\x01\0\x01\0".to_vec(), Some(Kind::Gif)),
            (b"RIFF\x24\0\0\0WEBPVP8 ".to_vec(), Some(Kind::Webp)),
            (docx_bytes(), Some(Kind::Docx)),
            (
                stored_zip(&[("xl/workbook.xml", b"<workbook/>")], true),
                Some(Kind::Xlsx),
            ),
            (
                stored_zip(&[("ppt/presentation.xml", b"<p/>")], true),
                Some(Kind::Pptx),
            ),
            (
                stored_zip(
                    &[("OFD.xml", b"<ofd:OFD/>"), ("Doc_0/Document.xml", b"<d/>")],
                    true,
                ),
                Some(Kind::Ofd),
            ),
            (
                stored_zip(&[("photos/1.jpg", b"\xFF\xD8\xFF")], true),
                Some(Kind::Zip),
            ),
            (
                b"PK\x05\x06".iter().copied().chain([0; 18]).collect(),
                Some(Kind::Zip),
            ),
            (
                b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0".to_vec(),
                Some(Kind::Doc),
            ),
            (
                "整改进展：已完成 3 项。\n".as_bytes().to_vec(),
                Some(Kind::Txt),
            ),
            (b"\xEF\xBB\xBFa,b\n1,2\n".to_vec(), Some(Kind::Txt)),
            (b"a\0b".to_vec(), None),
            (b"\xFF\xFE\x00h\x00i".to_vec(), None),
            (b"<html><body>hi</body></html>".to_vec(), None),
            (b"   <?xml version=\"1.0\"?><a/>".to_vec(), None),
            (b"text then <!DOCTYPE html>".to_vec(), None),
            (b"\x7FELF\x02\x01\x01".to_vec(), None),
            (Vec::new(), None),
        ];
        for (i, (bytes, want)) in cases.iter().enumerate() {
            assert_eq!(sniff(bytes), *want, "case {i}");
        }
    }

    #[tokio::test]
    async fn names_and_kinds_are_reconciled() {
        let (_d, fs) = store();
        let p = Policy::default();
        // Text named .csv becomes Csv.
        let csv = fs.put(b"a,b\n1,2\n", "台账.csv", &p).await.expect("csv");
        assert_eq!(csv.kind, Kind::Csv);
        assert_eq!(csv.content_type, "text/csv; charset=utf-8");
        // Extension-less names are fine.
        let plain = fs.put(b"hello", "README", &p).await.expect("txt");
        assert_eq!(plain.kind, Kind::Txt);
        assert_eq!(plain.file_name, "README");
        assert_eq!(plain.content_type, "text/plain; charset=utf-8");
        // An unknown extension gets the content's extension appended.
        let bat = fs.put(b"del *", "run.bat", &p).await.expect("bat");
        assert_eq!(bat.kind, Kind::Txt);
        assert_eq!(bat.file_name, "run.bat.txt");
        // Legacy Office extensions all map to Doc.
        let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x01\x02";
        let xls = fs.put(ole, "台账.XLS", &p).await.expect("xls");
        assert_eq!(xls.kind, Kind::Doc);
        assert_eq!(xls.content_type, "application/msword");
        // A docx named .pdf is a mismatch; named .docx it is fine.
        assert!(matches!(
            fs.put(&docx_bytes(), "x.pdf", &p).await,
            Err(FileError::Mismatch { .. })
        ));
        let docx = fs.put(&docx_bytes(), "方案.docx", &p).await.expect("docx");
        assert_eq!(docx.kind, Kind::Docx);
        assert!(docx.content_type.ends_with("wordprocessingml.document"));
        // Text named .pdf is a mismatch.
        assert!(matches!(
            fs.put(b"plain", "fake.pdf", &p).await,
            Err(FileError::Mismatch { .. })
        ));
    }

    #[test]
    fn path_of_rejects_anything_but_lowercase_sha256() {
        let fs = FileStore {
            root: PathBuf::from("/data/evidence"),
        };
        let good = "a".repeat(64);
        assert_eq!(
            fs.path_of(&good),
            Some(PathBuf::from("/data/evidence/aa").join("a".repeat(62)))
        );
        for bad in [
            "../x".to_owned(),
            "a".repeat(63),
            "a".repeat(65),
            "A".repeat(64),
            format!("../{}", "a".repeat(61)),
            format!("{}/", "a".repeat(63)),
            format!("{}g", "a".repeat(63)),
            String::new(),
        ] {
            assert_eq!(fs.path_of(&bad), None, "{bad:?}");
        }
    }

    #[tokio::test]
    async fn read_and_exists_of_missing_or_bad_names() {
        let (_d, fs) = store();
        let missing = "0".repeat(64);
        assert!(matches!(fs.read(&missing).await, Err(FileError::NotFound)));
        assert!(matches!(
            fs.read("../../etc/passwd").await,
            Err(FileError::NotFound)
        ));
        assert!(!fs.exists(&missing).await);
        assert!(!fs.exists("..").await);
    }

    #[tokio::test]
    async fn sweep_removes_only_old_unreferenced_files_and_stale_temps() {
        let (_d, fs) = store();
        let p = Policy::default();
        let hour = Duration::from_secs(3600);
        let referenced_old = fs.put(b"kept: referenced", "a.txt", &p).await.expect("a");
        let orphan_old = fs.put(b"gone: orphan", "b.txt", &p).await.expect("b");
        let orphan_young = fs.put(b"kept: young", "c.txt", &p).await.expect("c");
        for f in [&referenced_old, &orphan_old] {
            set_age(&fs.path_of(&f.sha256).expect("path"), 2 * hour);
        }
        let stale_tmp = fs.root().join(TMP_DIR).join("1-2-3.part");
        std::fs::write(&stale_tmp, b"half written").expect("tmp");
        set_age(&stale_tmp, 2 * hour);
        let fresh_tmp = fs.root().join(TMP_DIR).join("4-5-6.part");
        std::fs::write(&fresh_tmp, b"being written").expect("tmp");

        let referenced: HashSet<String> = [referenced_old.sha256.clone()].into();
        let report = fs.sweep(&referenced, hour).await.expect("sweep");
        assert_eq!(
            report,
            SweepReport {
                removed: 2,
                kept: 2,
                bytes_freed: orphan_old.size + b"half written".len() as u64,
            }
        );
        assert!(fs.exists(&referenced_old.sha256).await);
        assert!(!fs.exists(&orphan_old.sha256).await);
        assert!(fs.exists(&orphan_young.sha256).await);
        assert!(!stale_tmp.exists());
        assert!(fresh_tmp.exists());

        // Sweeping again changes nothing.
        let again = fs.sweep(&referenced, hour).await.expect("sweep");
        assert_eq!(again.removed, 0);
        assert_eq!(again.kept, 2);
    }

    #[tokio::test]
    async fn re_uploading_old_content_restarts_its_grace_period() {
        let (_d, fs) = store();
        let hour = Duration::from_secs(3600);
        let f = fs
            .put(PDF_BYTES, "a.pdf", &Policy::default())
            .await
            .expect("put");
        let path = fs.path_of(&f.sha256).expect("path");
        set_age(&path, 2 * hour);
        // The same content arrives again for a new row that has not committed yet.
        fs.put(PDF_BYTES, "again.pdf", &Policy::default())
            .await
            .expect("put again");
        let report = fs.sweep(&HashSet::new(), hour).await.expect("sweep");
        assert_eq!(report.removed, 0);
        assert!(fs.exists(&f.sha256).await);
    }

    #[test]
    fn sanitise_name_cases() {
        assert_eq!(sanitise_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitise_name("a\"b.pdf"), "ab.pdf");
        assert_eq!(sanitise_name("整改报告.pdf"), "整改报告.pdf");
        assert_eq!(
            sanitise_name("C:\\Users\\张三\\佐证 材料.docx"),
            "佐证 材料.docx"
        );
        assert_eq!(sanitise_name("a\r\nb\t.pdf"), "ab.pdf");
        assert_eq!(sanitise_name("'x'`y`.txt"), "xy.txt");
        assert_eq!(sanitise_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(sanitise_name(".."), "file");
        assert_eq!(sanitise_name(""), "file");
        assert_eq!(sanitise_name("dir/"), "file");
        assert_eq!(sanitise_name("  .hidden. "), "hidden");
        assert_eq!(sanitise_name("a<b>c|d?e*f:g.pdf"), "abcdefg.pdf");

        let long = format!("{}.pdf", "报".repeat(300));
        let cut = sanitise_name(&long);
        assert_eq!(cut.chars().count(), 200);
        assert!(cut.ends_with("报.pdf"));
        let long_no_ext = "x".repeat(500);
        assert_eq!(sanitise_name(&long_no_ext).chars().count(), 200);
    }

    #[test]
    fn kind_names_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            assert_eq!(Kind::from_extension(k.extension()), Some(k));
            assert!(!k.content_type().is_empty());
        }
        assert_eq!(Kind::parse("exe"), None);
        assert_eq!(Kind::from_extension("JPEG"), Some(Kind::Jpeg));
        assert_eq!(Kind::from_extension("html"), None);
    }
}
