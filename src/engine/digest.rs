//! The suites' fingerprint: which checks a run had to choose from, and how they were written,
//! so that merge joins only parts of the same suites.

use std::collections::BTreeMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::model::suite::Check;

/// SHA-256 (hex) over the loaded checks' ids, in load order, and the text of every suite file
/// they came from, by path.
pub fn suites_digest(checks: &[Arc<Check>]) -> String {
    let mut hash = Sha256::new();
    let mut texts: BTreeMap<String, &str> = BTreeMap::new();
    for c in checks {
        hash.update(c.id.as_str().as_bytes());
        hash.update([0]);
        if let Some(src) = &c.source {
            texts.insert(src.path.display().to_string(), &src.text);
        }
    }
    for (path, text) in texts {
        hash.update(path.as_bytes());
        hash.update([0]);
        hash.update(text.as_bytes());
        hash.update([0]);
    }
    hex::encode(hash.finalize())
}
