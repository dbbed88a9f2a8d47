//! File bytes made into text, the same way for every input file: UTF-8 only, with the place of
//! the first byte that is not, and no NUL byte (the YAML parser would end the document there
//! without a word, so what follows it would silently vanish).

use super::yaml::Loc;

/// Why a file's bytes are not text an input file may hold, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TextError {
    /// What is wrong, in the user's terms.
    pub message: String,
    /// Where: the first offending byte.
    pub loc: Loc,
    /// What to do about it.
    pub hint: &'static str,
    /// The file as it may be shown under the message: what can be read of it, the NUL bytes
    /// made visible; empty when it is in another encoding.
    pub shown: String,
}

/// Byte-order marks of encodings other than UTF-8, longest first (UTF-32 LE starts like
/// UTF-16 LE).
const BOMS: &[(&[u8], &str)] = &[
    (&[0xFF, 0xFE, 0x00, 0x00], "UTF-32"),
    (&[0x00, 0x00, 0xFE, 0xFF], "UTF-32"),
    (&[0xFF, 0xFE], "UTF-16"),
    (&[0xFE, 0xFF], "UTF-16"),
];

const SAVE_AS_UTF8: &str = "save the file as UTF-8";

/// The text of a file, or why it is not an input file's text.
pub fn decode(bytes: &[u8]) -> Result<String, TextError> {
    let first_line = Loc {
        line: 1,
        column: 1,
        len: 1,
    };
    if let Some((_, name)) = BOMS.iter().find(|(bom, _)| bytes.starts_with(bom)) {
        return Err(TextError {
            message: format!("the file is {name}; input files are UTF-8"),
            loc: first_line,
            hint: SAVE_AS_UTF8,
            shown: String::new(),
        });
    }
    // UTF-16 without a mark: ASCII text with every other byte zero.
    if bytes.len() >= 4 && (bytes[1] == 0 && bytes[3] == 0 || bytes[0] == 0 && bytes[2] == 0) {
        return Err(TextError {
            message: "the file looks like UTF-16; input files are UTF-8".to_string(),
            loc: first_line,
            hint: SAVE_AS_UTF8,
            shown: String::new(),
        });
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let prefix = String::from_utf8_lossy(valid);
            return Err(TextError {
                message: format!(
                    "the file is not valid UTF-8 (byte 0x{:02X} at offset {})",
                    bytes[e.valid_up_to()],
                    e.valid_up_to()
                ),
                loc: end_of(&prefix),
                hint: SAVE_AS_UTF8,
                shown: visible(&String::from_utf8_lossy(bytes)),
            });
        }
    };
    no_nul(text)?;
    Ok(text.to_string())
}

/// Text with no NUL byte in it, or where the first one is.
pub fn no_nul(text: &str) -> Result<(), TextError> {
    match text.find('\0') {
        None => Ok(()),
        Some(at) => Err(TextError {
            message: format!("the file holds a NUL byte (offset {at}); YAML text cannot"),
            loc: end_of(&text[..at]),
            hint: "remove it: everything after it would otherwise be lost",
            shown: visible(text),
        }),
    }
}

/// `text` with each NUL shown as the symbol for it, so that printing it prints no NUL.
fn visible(text: &str) -> String {
    text.replace('\0', "\u{2400}")
}

/// The position just after `prefix` (1-based line and column, columns in characters).
fn end_of(prefix: &str) -> Loc {
    let line = prefix.bytes().filter(|b| *b == b'\n').count() + 1;
    let last = prefix.rfind('\n').map_or(prefix, |i| &prefix[i + 1..]);
    Loc {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(last.chars().count() + 1).unwrap_or(u32::MAX),
        len: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(e: &TextError) -> (u32, u32) {
        (e.loc.line, e.loc.column)
    }

    #[test]
    fn utf8_is_text_and_a_utf8_mark_is_fine() {
        assert_eq!(decode(b"a: 1\n").as_deref(), Ok("a: 1\n"));
        assert!(decode("\u{feff}a: é\n".as_bytes()).is_ok());
    }

    #[test]
    fn other_encodings_are_named() {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a: 1".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let e = decode(&utf16).expect_err("UTF-16");
        assert!(e.message.contains("UTF-16"), "{e}");
        let e = decode(&[0xFF, 0xFE, 0, 0, b'a', 0, 0, 0]).expect_err("UTF-32");
        assert!(e.message.contains("UTF-32"), "{e}");
        let bare: Vec<u8> = "a: 1\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert!(
            decode(&bare)
                .expect_err("no mark")
                .message
                .contains("UTF-16")
        );
    }

    #[test]
    fn a_bad_byte_and_a_nul_are_located() {
        let e = decode(b"a: 1\nbb: \xFFx\n").expect_err("bad byte");
        assert_eq!(at(&e), (2, 5), "{e}");
        let e = decode("a: 1\n# é\nc: \0d\n".as_bytes()).expect_err("NUL");
        assert_eq!(at(&e), (3, 4), "{e}");
        assert!(e.message.contains("NUL"), "{e}");
    }
}
