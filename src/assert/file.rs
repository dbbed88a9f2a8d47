//! `same_file`: a downloaded file is the one that was sent, by SHA-256 and size. One finding
//! names both hashes and both sizes, so that a reviewer sees what changed without the bytes.

use serde_json::{Map, Value};

use super::{EvalError, Failure};

use crate::model::contract::SAME_FILE_OUTPUTS as OUTPUTS;

/// A file as the comparison sees it: name (when known), size and SHA-256 in lower case.
struct Described {
    name: Option<String>,
    size: u64,
    sha256: String,
}

fn size_of(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// The sent file's description (`sent.file` as a call saves it): `{name, size, sha256}`.
fn sent_file(v: &Value) -> Result<Described, EvalError> {
    let bad = || {
        EvalError(format!(
            "`same_file` needs a sent file's description (`{{name, size, sha256}}`, as \
             `save: {{ x: \"{{{{sent.file}}}}\" }}` keeps it), got {v}"
        ))
    };
    Ok(Described {
        name: v.get("name").and_then(Value::as_str).map(str::to_owned),
        size: v.get("size").and_then(size_of).ok_or_else(bad)?,
        sha256: v
            .get("sha256")
            .and_then(Value::as_str)
            .ok_or_else(bad)?
            .to_ascii_lowercase(),
    })
}

/// Compares the download's `sha256` and `size` outputs with `sent`; an output that could
/// not be read is no verdict.
pub(super) fn check(
    sent: &Value,
    outputs: &Map<String, Value>,
    missing: &[(String, String)],
) -> Result<Option<Failure>, EvalError> {
    let sent = sent_file(sent)?;
    for name in OUTPUTS {
        if let Some((_, why)) = missing.iter().find(|(n, _)| n == name) {
            return Err(EvalError(format!(
                "output `{name}` could not be read: {why}"
            )));
        }
    }
    let output = |name: &str| {
        outputs
            .get(name)
            .ok_or_else(|| EvalError(format!("output `{name}` is not mapped by the profile")))
    };
    let got_sha = output("sha256")?
        .as_str()
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let got_size = size_of(output("size")?);
    if got_sha == sent.sha256 && got_size == Some(sent.size) {
        return Ok(None);
    }
    let name = sent.name.map(|n| format!("{n:?}, ")).unwrap_or_default();
    let seen_size = got_size.map_or_else(
        || "an unreadable size".to_string(),
        |s| format!("{s} bytes"),
    );
    let what = if got_size == Some(sent.size) {
        "the same size, other content"
    } else {
        "another size"
    };
    Ok(Some(Failure {
        expected: format!(
            "the file sent back byte for byte ({name}{} bytes, sha256 {})",
            sent.size, sent.sha256
        ),
        seen: format!("{what}: {seen_size}, sha256 {got_sha}"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn outputs(sha: &str, size: u64) -> Map<String, Value> {
        json!({ "sha256": sha, "size": size })
            .as_object()
            .cloned()
            .expect("object")
    }

    #[test]
    fn the_same_file_passes_and_another_names_both_hashes_and_sizes() {
        let sent = json!({ "name": "plan.pdf", "size": 731, "sha256": "AB".repeat(32) });
        assert_eq!(
            check(&sent, &outputs(&"ab".repeat(32), 731), &[]).unwrap(),
            None
        );
        let f = check(&sent, &outputs(&"cd".repeat(32), 731), &[])
            .unwrap()
            .expect("a failure");
        assert!(
            f.expected.contains(&format!(
                "\"plan.pdf\", 731 bytes, sha256 {}",
                "ab".repeat(32)
            )),
            "{f}"
        );
        assert!(
            f.seen.contains(&format!(
                "the same size, other content: 731 bytes, sha256 {}",
                "cd".repeat(32)
            )),
            "{f}"
        );
        let f = check(&sent, &outputs(&"cd".repeat(32), 730), &[])
            .unwrap()
            .expect("a failure");
        assert!(f.seen.starts_with("another size: 730 bytes"), "{f}");
    }

    #[test]
    fn an_unread_output_or_a_bad_description_is_no_verdict() {
        let sent = json!({ "size": 1, "sha256": "00" });
        let missing = [("sha256".to_string(), "no body".to_string())];
        assert!(check(&sent, &Map::new(), &missing).is_err());
        assert!(check(&json!("x"), &outputs("00", 1), &[]).is_err());
    }
}
