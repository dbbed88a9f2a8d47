//! Attestation files against the disk and the catalogue: every evidence file must exist and
//! hash to the SHA-256 the entry pins; an entry for a requirement the catalogue does not hold
//! is a warning (it is reported and does not count, rather than stopping the run).

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::model::attest::{AttestationFile, Evidence};
use crate::model::diag::{Diagnostic, Diagnostics, SourceFile, suggest};
use crate::model::located::Located;
use crate::model::standard::Catalogue;

/// Largest evidence file hashed (a policy PDF, a pen-test report); past it, a load error.
const MAX_EVIDENCE: u64 = 256 * 1024 * 1024;

/// Checks every evidence file of `file` (relative to the attestations file's folder) and
/// records its size; each missing, unreadable or mismatching file is an error at its entry.
pub fn evidence(file: &mut AttestationFile, src: &Arc<SourceFile>, diags: &mut Diagnostics) {
    let entries = file
        .attestations
        .iter_mut()
        .flat_map(|a| a.value.evidence.iter_mut())
        .chain(
            file.waivers
                .iter_mut()
                .flat_map(|w| w.value.evidence.iter_mut()),
        );
    for ev in entries {
        if let Err(msg) = check_one(ev, src) {
            diags.push(msg);
        }
    }
}

fn check_one(ev: &mut Located<Evidence>, src: &Arc<SourceFile>) -> Result<(), Diagnostic> {
    let at = |msg: String| Diagnostic::new(src, ev.loc, msg);
    let pinned = ev.sha256.trim().to_ascii_lowercase();
    if pinned.len() != 64 || !pinned.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(at(format!(
            "evidence `{}`: `sha256` must be 64 hexadecimal digits",
            ev.file
        ))
        .hint("write it in quotes, as `sha256sum FILE` prints it"));
    }
    let base = src.path.parent().unwrap_or(std::path::Path::new("."));
    let path = base.join(&ev.file);
    let meta = std::fs::metadata(&path).map_err(|e| {
        at(format!(
            "evidence `{}` cannot be read ({}): {e}",
            ev.file,
            path.display()
        ))
        .hint("evidence paths are relative to the attestations file's folder")
    })?;
    if meta.len() > MAX_EVIDENCE {
        return Err(at(format!(
            "evidence `{}` is larger than {} MiB",
            ev.file,
            MAX_EVIDENCE / 1024 / 1024
        )));
    }
    let mut hasher = Sha256::new();
    let mut f = std::fs::File::open(&path)
        .map_err(|e| at(format!("evidence `{}` cannot be read: {e}", ev.file)))?;
    let size = std::io::copy(&mut f, &mut hasher)
        .map_err(|e| at(format!("evidence `{}` cannot be read: {e}", ev.file)))?;
    let actual = hex::encode(hasher.finalize());
    if actual != pinned {
        return Err(at(format!(
            "evidence `{}` has SHA-256 {actual}, but the entry pins {pinned}: the file changed since it was attested",
            ev.file
        ))
        .hint("attest the file as it is now, or restore the attested version"));
    }
    ev.value.size = size;
    Ok(())
}

/// Warnings for entries whose requirement the catalogue does not hold, and errors for entries
/// that expire before they start.
pub fn entries(
    catalogue: &Catalogue,
    file: &AttestationFile,
    src: &Arc<SourceFile>,
    diags: &mut Diagnostics,
    warnings: &mut Vec<Diagnostic>,
) {
    let dated = file
        .attestations
        .iter()
        .map(|a| (&a.requirement, &a.date, &a.expires))
        .chain(
            file.waivers
                .iter()
                .map(|w| (&w.requirement, &w.date, &w.expires)),
        );
    for (req, date, expires) in dated {
        if catalogue.get(req).is_none() {
            let mut d = Diagnostic::warning(
                src,
                req.loc,
                format!(
                    "requirement `{}` is not in the catalogue (edition {}); this entry does not count",
                    req.value, catalogue.edition
                ),
            );
            if let Some(s) = suggest(
                &req.value.to_ascii_uppercase(),
                catalogue.requirements.iter().map(|r| r.id.as_str()),
            ) {
                d = d.hint(format!("did you mean `{s}`?"));
            }
            warnings.push(d);
        }
        if expires.value < date.value {
            diags.push(Diagnostic::new(
                src,
                expires.loc,
                format!(
                    "expires {} before it is dated ({})",
                    expires.value, date.value
                ),
            ));
        }
    }
}
