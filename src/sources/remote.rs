//! Exports fetched from a URL (a `data` entry such as `https://pretalx.example/democon/schedule/export/schedule.json`):
//! which URLs are accepted, how they are shown in logs, where the last good copy and its
//! validators live on disk, and the backoff after a failed fetch. Plain data and files only;
//! the fetching itself is `services::sync`.
//!
//! The copy is an ordinary export file, so [`super::load`] reads it exactly as it reads a
//! local one: the same format detection, the same import, the same validation.

use std::fmt;
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::catalogue::write::write_atomically;
use crate::import;

/// A URL an export is fetched from. `Debug` and `Display` show the scheme, host, port and path
/// only: a query string or user info may hold an access token, and this value is logged.
#[derive(Clone, PartialEq, Eq)]
pub struct ExportUrl(url::Url);

impl ExportUrl {
    /// Reads a `data` entry that names a URL. Only `https://` is accepted, except `http://` to
    /// a loopback host (`127.0.0.0/8`, `::1`, `localhost`): a local proxy or a test server,
    /// where nothing crosses a network unencrypted.
    pub fn parse(text: &str) -> Result<ExportUrl, String> {
        let url = url::Url::parse(text.trim()).map_err(|e| format!("“{}” is not a URL ({e})", shown(text)))?;
        match url.scheme() {
            "https" if url.host().is_some() => Ok(ExportUrl(url)),
            "http" if is_loopback(&url) => Ok(ExportUrl(url)),
            "http" => Err(format!(
                "{} is plain http: exports are fetched over https:// only (http:// only from a loopback host)",
                ExportUrl(url)
            )),
            other => Err(format!("{}: the scheme {other}:// is not fetched; use an https:// URL", shown(text))),
        }
    }

    /// The whole URL, secrets included: for the one place that sends the request.
    pub fn expose(&self) -> &url::Url {
        &self.0
    }
}

/// True for `http://` URLs confbot may fetch: loopback hosts only.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// A text that failed to parse as a URL, cut before anything that may be a secret.
fn shown(text: &str) -> &str {
    let text = text.trim();
    text.split(['?', '#', '@']).next().unwrap_or(text)
}

impl fmt::Display for ExportUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = self.0.host_str().unwrap_or("");
        match self.0.port() {
            Some(port) => write!(f, "{}://{host}:{port}{}", self.0.scheme(), self.0.path()),
            None => write!(f, "{}://{host}{}", self.0.scheme(), self.0.path()),
        }
    }
}

impl fmt::Debug for ExportUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExportUrl({self})")
    }
}

/// One URL source with its place on disk: `<cache>/<host>-<hash>/` holds the last good copy,
/// named after the URL's last path segment (an importer names a Sessionize conference after
/// its file, as it would for a local file), and `validators.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub url: ExportUrl,
    dir: PathBuf,
    name: String,
}

/// The HTTP validators of the copy on disk, sent back as `If-None-Match` and
/// `If-Modified-Since`, so that an unchanged export costs a 304 and no body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Remote {
    /// `url`'s place under the cache folder `cache`. The folder name is stable across runs
    /// and releases (FNV-1a of the whole URL, so two URLs differing only in a token do not share
    /// a copy) and shows the host, not the secrets.
    pub fn new(url: ExportUrl, cache: &Path) -> Remote {
        let host: String = url.0.host_str().unwrap_or("host").chars().map(safe).collect();
        let dir = cache.join(format!("{host}-{:016x}", crate::daily::fnv1a(url.0.as_str())));
        let last = url.0.path_segments().and_then(|mut s| s.next_back()).unwrap_or("");
        let mut name: String = last.chars().map(safe).collect::<String>().trim_start_matches('.').to_owned();
        if name.is_empty() {
            name = "export".into();
        }
        // A copy is an export, never a catalogue: the loader must not read it as TOML.
        if Path::new(&name).extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) {
            name.push_str(".export");
        }
        Remote { url, dir, name }
    }

    /// The last good copy, loaded like a local export file.
    pub fn copy(&self) -> PathBuf {
        self.dir.join(&self.name)
    }

    /// Where a fetched body waits while it is validated: the same file name (so the importer
    /// names things the same), in a folder beside the copy.
    pub fn staging(&self) -> PathBuf {
        self.dir.join("new").join(&self.name)
    }

    fn validators_path(&self) -> PathBuf {
        self.dir.join("validators.json")
    }

    /// True once a good copy is on disk.
    pub fn has_copy(&self) -> bool {
        self.copy().is_file()
    }

    /// The copy's bytes, if there is one (bounded like every export read).
    pub fn read_copy(&self) -> Option<Vec<u8>> {
        import::limits::read_text(&self.copy(), import::limits::FILE_MAX).ok().map(String::into_bytes)
    }

    /// The validators saved with the copy; none when there is no copy or the file is unreadable
    /// (the next fetch is then unconditional, which is always safe).
    pub fn validators(&self) -> Validators {
        if !self.has_copy() {
            return Validators::default();
        }
        import::limits::read_text(&self.validators_path(), 64 * 1024)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Writes `bytes` where [`Remote::staging`] says, for validation before it is adopted.
    pub fn stage(&self, bytes: &[u8]) -> io::Result<PathBuf> {
        let staging = self.staging();
        std::fs::create_dir_all(self.dir.join("new"))?;
        write_atomically(&staging, bytes)?;
        Ok(staging)
    }

    /// Removes the staged body (after it was adopted or refused).
    pub fn unstage(&self) {
        let _ = std::fs::remove_file(self.staging());
    }

    /// Makes `bytes` the copy on disk, then its validators, each file atomically. A crash between
    /// the two leaves the new copy with the old validators: the next conditional GET then gets
    /// the body again, finds it identical, and saves the right validators.
    pub fn save(&self, bytes: &[u8], validators: &Validators) -> io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        write_atomically(&self.copy(), bytes)?;
        self.save_validators(validators)
    }

    /// Saves the validators alone (the body on disk is already the current one).
    pub fn save_validators(&self, validators: &Validators) -> io::Result<()> {
        let json = serde_json::to_vec_pretty(validators).map_err(io::Error::other)?;
        write_atomically(&self.validators_path(), &json)
    }

    /// Forgets the copy (one fetched at start-up that did not load): the next start fetches again.
    pub fn forget(&self) {
        let _ = std::fs::remove_file(self.copy());
        let _ = std::fs::remove_file(self.validators_path());
    }
}

/// A file-name-safe character.
fn safe(c: char) -> char {
    if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
        c
    } else {
        '_'
    }
}

/// Why a fetched body is refused before any loading: `None` when it starts like an export
/// confbot imports (schedule XML, schedule JSON, Sessionize), the same test as for local files.
pub fn not_an_export(body: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&body[..body.len().min(4096)]);
    if import::detect_text(&head).is_some() {
        return None;
    }
    let start = head.trim_start_matches('\u{feff}').trim_start();
    let what = if start.is_empty() {
        "an empty body"
    } else if start.get(..15).is_some_and(|s| s.eq_ignore_ascii_case("<!doctype html>")) || start.starts_with("<html") {
        "an HTML page (a login or error page?)"
    } else {
        "something else"
    };
    Some(format!("not a schedule export confbot imports (pretalx/frab JSON or XML, Sessionize JSON): {what}"))
}

/// The wait before the next fetch after `failures` failures in a row (0: the normal refresh).
/// Doubling from `refresh`, capped at [`BACKOFF_CAP`] (or `refresh` if longer), and jittered
/// into the upper half, `unit` being uniform in [0, 1): servers that failed together are not
/// asked again all at once, and a retry never comes sooner than the normal refresh would.
pub fn backoff(refresh: Duration, failures: u32, unit: f64) -> Duration {
    if failures == 0 {
        return refresh;
    }
    let cap = BACKOFF_CAP.max(refresh);
    let full = refresh.saturating_mul(1u32 << failures.min(16)).min(cap);
    let jittered = full.mul_f64(0.5 + 0.5 * unit.clamp(0.0, 1.0));
    jittered.max(refresh)
}

/// The longest wait between failing fetches.
pub const BACKOFF_CAP: Duration = Duration::from_secs(60 * 60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_shown_without_secrets() {
        let u = ExportUrl::parse("https://user:pw@pretalx.example:8443/dc/schedule.json?token=s3cret#x").unwrap();
        assert_eq!(u.to_string(), "https://pretalx.example:8443/dc/schedule.json");
        assert!(!format!("{u:?}").contains("s3cret") && !format!("{u:?}").contains("pw"));
        assert!(ExportUrl::parse("http://127.0.0.1:9/x.json").is_ok());
        assert!(ExportUrl::parse("http://[::1]/x.json").is_ok());
        assert!(ExportUrl::parse("http://localhost/x.json").is_ok());
        let err = ExportUrl::parse("http://pretalx.example/x.json?token=s3cret").unwrap_err();
        assert!(err.contains("plain http") && !err.contains("s3cret"), "{err}");
        let err = ExportUrl::parse("ftp://x/y?token=s3cret").unwrap_err();
        assert!(err.contains("ftp://") && !err.contains("s3cret"), "{err}");
        assert!(ExportUrl::parse("https://").is_err());
    }

    #[test]
    fn copies_are_named_after_the_url() {
        let cache = Path::new("/c");
        let r =
            Remote::new(ExportUrl::parse("https://pretalx.example/dc/schedule/export/schedule.json").unwrap(), cache);
        assert!(r.copy().starts_with("/c"));
        assert_eq!(r.copy().file_name().unwrap(), "schedule.json");
        assert!(r.copy().parent().unwrap().file_name().unwrap().to_str().unwrap().starts_with("pretalx.example-"));
        let other = Remote::new(ExportUrl::parse("https://pretalx.example/other/schedule.json").unwrap(), cache);
        assert_ne!(r.copy(), other.copy());
        let toml = Remote::new(ExportUrl::parse("https://h/a.toml").unwrap(), cache);
        assert_eq!(toml.copy().file_name().unwrap(), "a.toml.export");
        let bare = Remote::new(ExportUrl::parse("https://h/").unwrap(), cache);
        assert_eq!(bare.copy().file_name().unwrap(), "export");
        // Stable across runs and releases: the same URL, the same folder.
        assert_eq!(crate::daily::fnv1a("a"), 0xaf63_dc4c_8601_ec8c, "folder names stay the same across releases");
    }

    #[test]
    fn backoff_doubles_with_a_cap_and_jitter() {
        let five = Duration::from_secs(300);
        assert_eq!(backoff(five, 0, 0.9), five);
        assert_eq!(backoff(five, 1, 0.999_999).as_secs(), 599);
        assert_eq!(backoff(five, 1, 0.0), five);
        assert_eq!(backoff(five, 2, 0.0), five * 2);
        assert_eq!(backoff(five, 10, 1.0), BACKOFF_CAP);
        assert_eq!(backoff(five, 40, 0.0), BACKOFF_CAP / 2);
        let day = Duration::from_secs(86_400);
        assert_eq!(backoff(day, 3, 0.0), day);
    }

    #[test]
    fn bodies_that_are_not_exports_are_named() {
        assert!(not_an_export(br#"{"schedule": {"conference": {}}}"#).is_none());
        assert!(not_an_export(b"<?xml version='1.0'?><schedule>").is_none());
        assert!(not_an_export(b"<!DOCTYPE html><html>login</html>").unwrap().contains("HTML"));
        assert!(not_an_export(b"").unwrap().contains("empty"));
        assert!(not_an_export(&[0xff, 0xfe, 0x00]).is_some());
    }
}
