//! Writing a catalogue document as TOML that reads well by hand, and writing files so that a
//! crash or a kill never leaves half of one: [`write_atomically`] for a file,
//! [`replace_dir_atomically`] for a folder of them.
//!
//! Temporary files and folders are made beside their target (same directory, so a rename
//! moves them into place) and named `.NAME.PID.N.tmp`: hidden, and never taken for a
//! catalogue (`.toml`) or an export (`.json`, `.xml`) by the loader. A process killed
//! mid-write leaves one behind at worst, never a damaged target.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::schema::FileDoc;

/// Serialises a document; sections come in the order conferences, topics, speakers, talks,
/// insights, each entry a `[[table]]`.
pub fn to_toml(doc: &FileDoc) -> Result<String, toml::ser::Error> {
    toml::to_string_pretty(doc)
}

/// Writes `bytes` to the file `path` atomically: a reader, and the file after a crash, a
/// power cut or a kill, holds either the old content or the new, never part of it. The bytes
/// go to a temporary file in the same directory, which is synced to disk, renamed over
/// `path`, and the directory synced so the rename lasts. The old file's permissions are kept;
/// a symbolic link at `path` is written through (its target is replaced).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let path = through_link(path);
    let (dir, name) = split(&path)?;
    let (tmp, mut file) = temporary(&dir, &name, |p| File::options().write(true).create_new(true).open(p))?;
    let written = (|| {
        if let Ok(old) = fs::metadata(&path) {
            file.set_permissions(old.permissions())?;
        }
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, &path)?;
        sync_dir(&dir)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// Replaces the folder `dir` with one holding exactly `files` (name, content), atomically: a
/// reader, and the disk after a crash or a kill, sees the complete old folder or the complete
/// new one, never a mix. The files are written into a new temporary folder beside `dir` and
/// synced; that folder then takes `dir`'s place by one atomic exchange of the two (Linux
/// `renameat2(RENAME_EXCHANGE)`), and the old folder is removed. Where the exchange is not
/// available, `dir` is renamed aside and the new folder renamed into its place: between those
/// two renames `dir` is briefly absent, and a crash there leaves the old folder beside it as
/// `.NAME.PID.N.tmp`. A missing `dir` is created by one rename; its parent is created when
/// missing.
pub fn replace_dir_atomically(dir: &Path, files: &[(String, String)]) -> io::Result<()> {
    let dir = through_link(dir);
    let (parent, name) = split(&dir)?;
    fs::create_dir_all(&parent)?;
    let (tmp, ()) = temporary(&parent, &name, |p| fs::create_dir(p))?;
    let replaced = (|| {
        for (file, text) in files {
            let mut f = File::options().write(true).create_new(true).open(tmp.join(file))?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
        }
        sync_dir(&tmp)?;
        swap_into_place(&tmp, &dir, &parent)
    })();
    if replaced.is_err() {
        // Before the swap `tmp` holds the new files; after it, the old folder.
        let _ = fs::remove_dir_all(&tmp);
    }
    replaced
}

/// Puts the folder `new` at `target`; afterwards `new`'s path holds nothing.
fn swap_into_place(new: &Path, target: &Path, parent: &Path) -> io::Result<()> {
    match fs::symlink_metadata(target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::rename(new, target)?;
            return sync_dir(parent);
        }
        Err(e) => return Err(e),
        Ok(meta) if !meta.is_dir() => {
            return Err(io::Error::new(io::ErrorKind::AlreadyExists, "it exists and is not a directory"));
        }
        Ok(_) => {}
    }
    if exchange(new, target)? {
        sync_dir(parent)?;
        return fs::remove_dir_all(new);
    }
    let (_, name) = split(target)?;
    let (aside, ()) = temporary(parent, &name, |p| fs::rename(target, p))?;
    if let Err(e) = fs::rename(new, target) {
        let _ = fs::rename(&aside, target);
        return Err(e);
    }
    sync_dir(parent)?;
    fs::remove_dir_all(&aside)
}

/// Exchanges two paths atomically; `Ok(false)` when the system or file system cannot.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // renameat2(RENAME_EXCHANGE) has no safe std wrapper; see the SAFETY note
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c =
        |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e));
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::ENOTSUP) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn exchange(_: &Path, _: &Path) -> io::Result<bool> {
    Ok(false)
}

/// The path a write should replace: the target of a symbolic link, else `path` itself.
fn through_link(path: &Path) -> PathBuf {
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
    } else {
        path.to_owned()
    }
}

/// The directory holding `path` (`.` for a bare name) and `path`'s own name.
fn split(path: &Path) -> io::Result<(PathBuf, String)> {
    let name = path.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    Ok((dir, name.to_string_lossy().into_owned()))
}

/// Makes a new temporary entry `.NAME.PID.N.tmp` in `dir` with `make`, trying the next N when
/// the name is taken (left by an earlier process with the same id).
fn temporary<T>(dir: &Path, name: &str, make: impl Fn(&Path) -> io::Result<T>) -> io::Result<(PathBuf, T)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match make(&path) {
            Ok(made) => return Ok((path, made)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Syncs a directory, so that the entries just renamed into it survive a crash.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn files_are_replaced_whole_and_keep_their_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.toml");
        write_atomically(&file, b"one").unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "one");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
            write_atomically(&file, b"two").unwrap();
            assert_eq!(fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o640);
        }
        assert_eq!(names(dir.path()), ["a.toml"], "no temporary file left");
        assert!(write_atomically(dir.path(), b"x").is_err(), "a directory is not a file");
        assert!(write_atomically(&dir.path().join("missing/a.toml"), b"x").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.toml");
        fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn folders_are_replaced_whole() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("out");
        let files = |names: &[&str]| names.iter().map(|n| (n.to_string(), format!("{n} text"))).collect::<Vec<_>>();
        replace_dir_atomically(&dir, &files(&["a.toml", "b.toml"])).unwrap();
        assert_eq!(names(&dir), ["a.toml", "b.toml"]);
        replace_dir_atomically(&dir, &files(&["b.toml", "c.toml"])).unwrap();
        assert_eq!(names(&dir), ["b.toml", "c.toml"], "the old folder's files are gone");
        assert_eq!(fs::read_to_string(dir.join("c.toml")).unwrap(), "c.toml text");
        assert_eq!(names(parent.path()), ["out"], "nothing left beside it");
        // Into a parent that does not exist yet, and not over a file.
        replace_dir_atomically(&parent.path().join("x/y"), &files(&["a.toml"])).unwrap();
        fs::write(parent.path().join("f"), "").unwrap();
        assert!(replace_dir_atomically(&parent.path().join("f"), &files(&["a.toml"])).is_err());
        assert_eq!(names(parent.path()), ["f", "out", "x"], "a failed replacement cleans up");
    }
}
