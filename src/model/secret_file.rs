//! Secrets files named by `{file: PATH}` or `{file: PATH, key: NAME}`: reading the value, and
//! telling whether the file is open to other users (as ssh does for private keys).

use std::path::Path;

/// Why a secret could not be read from its file.
#[derive(Debug, thiserror::Error)]
pub enum SecretFileError {
    #[error("cannot read secret file `{path}`: {source}")]
    Unreadable {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("secret file `{path}` has no line `{key}=…`")]
    NoKey { path: String, key: String },
}

/// The whole file (trimmed), or the value of its line `key=value`.
pub fn read(path: &Path, key: Option<&str>) -> Result<String, SecretFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| SecretFileError::Unreadable {
        path: path.display().to_string(),
        source,
    })?;
    let Some(k) = key else {
        return Ok(text.trim().to_string());
    };
    text.lines()
        .find_map(|l| l.split_once('=').filter(|(name, _)| name.trim() == k))
        .map(|(_, v)| v.trim().to_string())
        .ok_or_else(|| SecretFileError::NoKey {
            path: path.display().to_string(),
            key: k.to_string(),
        })
}

/// The permission bits of a file that its group or other users may read, write or run, or
/// `None` when only its owner may (or the platform has no such bits).
#[cfg(unix)]
pub fn open_to_others(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

/// The permission bits of a file that its group or other users may read, write or run, or
/// `None` when only its owner may (or the platform has no such bits).
#[cfg(not(unix))]
pub fn open_to_others(_path: &Path) -> Option<u32> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_whole_file_or_one_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("secrets.env");
        std::fs::write(&path, "# comment\nA_PASSWORD = one\nB_PASSWORD=two=2\n").expect("written");
        assert_eq!(read(&path, Some("A_PASSWORD")).expect("A"), "one");
        assert_eq!(read(&path, Some("B_PASSWORD")).expect("B"), "two=2");
        assert!(matches!(
            read(&path, Some("C_PASSWORD")),
            Err(SecretFileError::NoKey { .. })
        ));
        std::fs::write(&path, "  token-123\n").expect("written");
        assert_eq!(read(&path, None).expect("whole"), "token-123");
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_is_told_apart() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("secrets.env");
        std::fs::write(&path, "A=1\n").expect("written");
        for (mode, open) in [
            (0o600, None),
            (0o400, None),
            (0o644, Some(0o644)),
            (0o640, Some(0o640)),
            (0o604, Some(0o604)),
        ] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
            assert_eq!(open_to_others(&path), open, "mode {mode:o}");
        }
    }
}
