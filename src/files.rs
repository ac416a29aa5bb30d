//! Reading inputs (a path or `-` for stdin) and rewriting files atomically.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// One input named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    Path(PathBuf),
}

#[allow(clippy::len_without_is_empty)] // `len` is a size hint, not a collection length
impl Input {
    /// `-` means stdin; anything else is a path.
    pub fn from_arg(arg: &Path) -> Self {
        if arg == Path::new("-") {
            Input::Stdin
        } else {
            Input::Path(arg.to_path_buf())
        }
    }

    /// The inputs of a command: stdin when none was named.
    pub fn from_args(args: &[PathBuf]) -> Vec<Input> {
        if args.is_empty() {
            vec![Input::Stdin]
        } else {
            args.iter().map(|a| Input::from_arg(a)).collect()
        }
    }

    /// How the input is shown to the user.
    pub fn display_name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_string(),
            Input::Path(p) => p.display().to_string(),
        }
    }

    /// The file extension, lower-cased (none for stdin).
    pub fn extension(&self) -> Option<String> {
        match self {
            Input::Stdin => None,
            Input::Path(p) => p
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase()),
        }
    }

    /// The size in bytes when known up front (regular files).
    pub fn size(&self) -> Option<u64> {
        match self {
            Input::Stdin => None,
            Input::Path(p) => std::fs::metadata(p)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len()),
        }
    }

    /// Opens the input for streaming.
    pub fn open(&self) -> io::Result<Box<dyn Read + Send>> {
        match self {
            Input::Stdin => Ok(Box::new(io::stdin())),
            Input::Path(p) => {
                let file = File::open(p)?;
                if file.metadata()?.is_dir() {
                    return Err(io::Error::new(
                        io::ErrorKind::IsADirectory,
                        "is a directory",
                    ));
                }
                Ok(Box::new(file))
            }
        }
    }

    /// Reads the whole input into memory (for inputs that must be parsed as a whole).
    pub fn read_to_end(&self) -> io::Result<Vec<u8>> {
        let mut buf = Vec::with_capacity(self.size().unwrap_or(0) as usize);
        self.open()?.read_to_end(&mut buf)?;
        Ok(buf)
    }
}

/// Writes `contents` to `path` so that readers see either the old file or the new one, never a
/// mix: a temporary file in the same directory is written, synced and renamed over the target.
/// An existing file's permissions are kept.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".plugctl-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // Make the rename itself durable.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A file written in full next to its target and then renamed over it, for outputs that are
/// streamed rather than held in memory. Dropping it without [`AtomicFile::commit`] (an error, a
/// panic) removes the temporary file; a killed process leaves the target untouched.
#[derive(Debug)]
pub struct AtomicFile {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

impl AtomicFile {
    /// Creates the temporary file in the target's directory (so the rename cannot cross devices).
    pub fn create(path: &Path) -> io::Result<Self> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".plugctl-")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        Ok(Self {
            tmp,
            path: path.to_path_buf(),
        })
    }

    /// The file to write to.
    pub fn file(&mut self) -> &mut File {
        self.tmp.as_file_mut()
    }

    /// Syncs and renames the file over the target, keeping the target's permissions. With
    /// `backup`, the old target stays reachable under that path (hard link, or a copy).
    pub fn commit(self, backup: Option<&Path>) -> io::Result<()> {
        if let Ok(meta) = std::fs::metadata(&self.path) {
            self.tmp.as_file().set_permissions(meta.permissions())?;
            if let Some(backup) = backup {
                match std::fs::remove_file(backup) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
                if std::fs::hard_link(&self.path, backup).is_err() {
                    std::fs::copy(&self.path, backup)?;
                }
            }
        }
        self.tmp.as_file().sync_all()?;
        let dir = self.tmp.path().parent().map(Path::to_path_buf);
        self.tmp.persist(&self.path).map_err(|e| e.error)?;
        if let Some(d) = dir.and_then(|d| File::open(d).ok()) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dash_is_stdin_and_nothing_means_stdin() {
        assert_eq!(Input::from_args(&[]), vec![Input::Stdin]);
        assert_eq!(Input::from_arg(Path::new("-")), Input::Stdin);
        assert_eq!(
            Input::from_arg(Path::new("a.json")).extension().as_deref(),
            Some("json")
        );
    }

    #[test]
    fn atomic_write_replaces_and_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"new contents").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new contents");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        // No temporary files are left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn atomic_file_streams_and_keeps_a_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.txt");
        std::fs::write(&path, "old").unwrap();
        let mut f = AtomicFile::create(&path).unwrap();
        f.file().write_all(b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        let backup = dir.path().join("log.txt.bak");
        f.commit(Some(&backup)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(&backup).unwrap(), "old");
        // An abandoned write leaves the target alone and no temporary file behind.
        let mut f = AtomicFile::create(&path).unwrap();
        f.file().write_all(b"half").unwrap();
        drop(f);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
