//! Whether an upload is what it says it is: its name's extension and its first bytes must
//! agree with its declared media type, and executables are refused whatever they claim to be.
//! A declared type is only a claim: a browser that sniffs content would run an HTML or script
//! file labelled as a picture, and a file named `.pdf` over PNG bytes is a lie.

use super::error::ApiError;

/// Extensions of programs and scripts a patient or clinician could be tricked into running.
const EXECUTABLE_EXTENSIONS: &[&str] = &[
    "exe", "dll", "com", "scr", "msi", "bat", "cmd", "ps1", "vbs", "js", "jar", "sh", "app",
];

/// The extensions each accepted media type may carry.
const EXTENSIONS: &[(&str, &[&str])] = &[
    ("image/png", &["png"]),
    ("image/jpeg", &["jpg", "jpeg", "jpe"]),
    ("application/pdf", &["pdf"]),
    ("text/plain", &["txt", "text"]),
];

/// The first bytes each accepted binary type starts with.
const MAGIC: &[(&str, &[u8])] = &[
    ("image/png", b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", b"\xff\xd8\xff"),
    ("application/pdf", b"%PDF-"),
];

/// First bytes of executables: a Windows (DOS) header, ELF, Mach-O.
const EXECUTABLE_MAGIC: &[&[u8]] = &[
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xcf\xfa\xed\xfe",
    b"\xce\xfa\xed\xfe",
];

fn extension(filename: &str) -> Option<String> {
    let (stem, ext) = filename.rsplit_once('.')?;
    (!stem.is_empty()).then(|| ext.to_ascii_lowercase())
}

/// Refuses (415) a name that is an executable's or another accepted type's. `media_type` is
/// bare and on the allow-list; a name without a known extension passes.
pub(crate) fn check_name(filename: &str, media_type: &str) -> Result<(), ApiError> {
    let Some(ext) = extension(filename) else {
        return Ok(());
    };
    if EXECUTABLE_EXTENSIONS.contains(&ext.as_str()) {
        return Err(ApiError::Unsupported("executable files are not accepted"));
    }
    let owner = EXTENSIONS
        .iter()
        .find(|(_, exts)| exts.contains(&ext.as_str()));
    match owner {
        Some((t, _)) if *t != media_type => Err(ApiError::Unsupported(
            "the file name's extension is not the declared media type's",
        )),
        _ => Ok(()),
    }
}

/// Refuses (415) content that is an executable's or that does not start as `media_type`'s
/// does; text must be UTF-8 without NUL bytes.
pub(crate) fn check_content(media_type: &str, bytes: &[u8]) -> Result<(), ApiError> {
    if EXECUTABLE_MAGIC.iter().any(|m| bytes.starts_with(m)) {
        return Err(ApiError::Unsupported("executable files are not accepted"));
    }
    let matches = match MAGIC.iter().find(|(t, _)| *t == media_type) {
        Some((_, magic)) => bytes.starts_with(magic),
        None => std::str::from_utf8(bytes).is_ok_and(|t| !t.contains('\0')),
    };
    if matches {
        Ok(())
    } else {
        Err(ApiError::Unsupported(
            "the file's content is not the declared media type",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_must_not_be_an_executable_or_another_types() {
        assert!(check_name("scan.PDF", "application/pdf").is_ok());
        assert!(check_name("notes", "text/plain").is_ok());
        assert!(check_name("photo.jpeg", "image/jpeg").is_ok());
        assert!(check_name("setup.exe", "application/pdf").is_err());
        assert!(check_name("results.pdf", "image/png").is_err());
        assert!(check_name(".png", "text/plain").is_ok());
    }

    #[test]
    fn content_must_start_as_its_type_does_and_not_be_a_program() {
        assert!(check_content("image/png", b"\x89PNG\r\n\x1a\nrest").is_ok());
        assert!(check_content("application/pdf", b"\x89PNG\r\n\x1a\nrest").is_err());
        assert!(check_content("text/plain", b"Bonjour, docteur").is_ok());
        assert!(check_content("text/plain", b"MZ\x90\x00").is_err());
        assert!(check_content("text/plain", b"a\0b").is_err());
        assert!(check_content("image/jpeg", b"\xff\xd8\xff\xe0").is_ok());
    }
}
