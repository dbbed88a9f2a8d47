//! Links into the evidence bundle: `<bundle>/checks/<check dir>/<file>`, one folder per check.

use std::fmt::Write as _;

use super::Ctx;
use super::escape::Esc;
use crate::outcome::CheckResult;

/// The bundle folder of check `id`: every character outside `[A-Za-z0-9._-]` becomes `_`.
pub fn check_dir(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl Ctx<'_> {
    /// Links to the bundle files of `check` (its exchanges, and each record kind it holds),
    /// only to those the bundle writes; empty without a bundle.
    pub(crate) fn evidence_links(&self, check: &CheckResult) -> String {
        let Some(prefix) = self.evidence else {
            return String::new();
        };
        let mut files = Vec::new();
        for (held, file) in [
            (!check.exchanges.is_empty(), "exchanges.http"),
            (!check.exchanges.is_empty(), "exchanges.json"),
            (!check.tls.is_empty(), "tls.json"),
            (!check.a11y.is_empty(), "a11y.json"),
            (!check.access.is_null(), "access.json"),
            (!check.latency.is_empty(), "latency.json"),
        ] {
            if held {
                files.push(file);
            }
        }
        let dir = check_dir(&check.id);
        let mut out = String::new();
        for (i, file) in files.iter().enumerate() {
            if i > 0 {
                out.push_str(" · ");
            }
            let _ = write!(
                out,
                "<a href=\"{}checks/{dir}/{file}\">{file}</a>",
                Esc(prefix)
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_id_becomes_a_safe_folder_name() {
        assert_eq!(
            check_dir("sec.access.cross-patient"),
            "sec.access.cross-patient"
        );
        assert_eq!(check_dir("a/b c:é<"), "a_b_c___");
    }
}
