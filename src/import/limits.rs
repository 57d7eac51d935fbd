//! The limits an import works within, in one place, and the one way importers read a file.
//!
//! Exports come from anywhere: a broken or hostile file must end in a clear message naming the
//! file, never in a stack overflow, an exhausted memory or an import that never ends. Each
//! limit is far above what real exports need (numbers from `../shared`: the schedules of
//! FOSDEM, the CCC congresses and Sessionize events, and the whole pyvideo archive).
//!
//! JSON nesting needs no limit of ours: `serde_json` refuses documents nested deeper than 128
//! levels ("recursion limit exceeded") while parsing, before any tree is built.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The largest export file read whole: a schedule XML or JSON file, a Sessionize export,
/// pyvideo's `category.json` and `NO_PUBLISH.json`. The largest real export is about 10 MB
/// (a big congress's full schedule); the parsed tree takes several times the file's size in
/// memory, so 64 MiB is room to grow while keeping a stray disk image or log file from
/// filling memory.
pub const FILE_MAX: u64 = 64 * 1024 * 1024;

/// The largest pyvideo video file (`videos/*.json`, one talk each). The largest of the
/// archive's 21,700 is 16 KB; a few event folders' files are read on every core at once, and
/// one talk never needs more than 1 MiB.
pub const VIDEO_FILE_MAX: u64 = 1024 * 1024;

/// The deepest XML element nesting read. Schedule exports nest fewer than 10 levels
/// (`schedule/day/room/event/persons/person` is 6); deeper documents are refused while
/// parsing, so the element tree, which is dropped, cloned and compared recursively, can never
/// be deep enough to overflow a stack (12,000 nested `<b>` in an 84 KB file did).
pub const XML_DEPTH_MAX: usize = 100;

/// Reads a whole file as UTF-8 text, at most `max` bytes. Only regular files are read (a
/// symbolic link is followed to one): a FIFO would wait for a writer forever and a device
/// such as `/dev/zero` never ends. The type is checked before opening (opening a FIFO waits)
/// and again on the opened file (the path may have changed in between); the read itself is
/// bounded too, in case the file grows while it is read.
pub fn read_text(path: &Path, max: u64) -> io::Result<String> {
    regular(&std::fs::metadata(path)?)?;
    let file = File::open(path)?;
    let meta = file.metadata()?;
    regular(&meta)?;
    if meta.len() > max {
        return Err(too_large(meta.len(), max));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_large(bytes.len() as u64, max));
    }
    String::from_utf8(bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to()),
        )
    })
}

/// `Ok` for a regular file; otherwise an error saying what the path is instead.
pub fn regular(meta: &std::fs::Metadata) -> io::Result<()> {
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(());
    }
    let what = if kind.is_dir() { "a directory" } else { special_kind(&kind) };
    Err(io::Error::new(io::ErrorKind::InvalidInput, format!("not a regular file ({what})")))
}

#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "a special file"
}

fn too_large(size: u64, max: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("the file ({size} bytes) is larger than the {} an import reads", size_text(max)),
    )
}

fn size_text(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    match bytes {
        b if b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b % 1024 == 0 => format!("{} KiB", b / 1024),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_within_the_limit_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        std::fs::write(&file, "{\"a\": 1}").unwrap();
        assert_eq!(read_text(&file, 8).unwrap(), "{\"a\": 1}");
        let e = read_text(&file, 7).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(e.to_string(), "the file (8 bytes) is larger than the 7 bytes an import reads");
        let e = read_text(dir.path(), FILE_MAX).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a directory)");
        std::fs::write(&file, [b'{', 0xff, b'}']).unwrap();
        assert!(read_text(&file, 8).unwrap_err().to_string().contains("not UTF-8"));
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("zero.json");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert_eq!(read_text(&link, FILE_MAX).unwrap_err().to_string(), "not a regular file (a device)");
    }
}
