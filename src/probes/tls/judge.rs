//! Scan results judged against SEC-01 and SEC-02, in the words testssl.sh would use:
//! `127.0.0.1:8443 accepts TLS 1.0 (ServerHello 0x0301, cipher TLS_RSA_WITH_AES_256_CBC_SHA)`.
//! Facts that are not judged (server order, groups, OCSP stapling) become notes.

use super::cert::CertInfo;
use super::scan::{CertScan, Preference, VersionResult, VersionSuites};
use super::version::Version;
use crate::outcome::Finding;

/// What one aspect of one endpoint came to.
#[derive(Debug, Default)]
pub struct Judged {
    pub notes: Vec<String>,
    pub findings: Vec<Finding>,
}

/// SEC-01, protocols: only TLS 1.2 and 1.3, and at least one of them.
pub fn protocols(ep: &str, results: &[VersionResult]) -> Judged {
    let mut j = Judged::default();
    let summary: Vec<String> = results
        .iter()
        .rev()
        .map(|r| {
            let verdict = if r.accepted { "accepted" } else { "refused" };
            format!("{} {verdict} ({})", r.version, r.detail)
        })
        .collect();
    j.notes.push(format!("{ep}: {}", summary.join("; ")));
    for r in results
        .iter()
        .filter(|r| r.accepted && !r.version.allowed())
    {
        j.findings.push(Finding {
            exchange: Some(r.attempt.line(ep)),
            ..Finding::new(
                "only TLS 1.2 and TLS 1.3 accepted",
                format!("{ep} accepts {} ({})", r.version, r.detail),
            )
        });
    }
    let modern: Vec<&VersionResult> = results.iter().filter(|r| r.version.allowed()).collect();
    if modern.iter().all(|r| !r.accepted) {
        let why: Vec<String> = modern
            .iter()
            .map(|r| format!("{}: {}", r.version, r.detail))
            .collect();
        j.findings.push(Finding::new(
            "TLS 1.2 or TLS 1.3 accepted",
            format!("{ep} accepts neither ({})", why.join("; ")),
        ));
    }
    j
}

/// SEC-01, cipher suites: none NULL, EXPORT, anonymous, RC4, DES/3DES or without forward
/// secrecy, on any version.
pub fn ciphers(ep: &str, per_version: &[VersionSuites]) -> Judged {
    let mut j = Judged::default();
    for v in per_version.iter().rev() {
        let list: Vec<String> = v
            .suites
            .iter()
            .map(|s| {
                let mut kx = Vec::new();
                kx.extend(s.group.clone());
                kx.extend(s.dh_bits.map(|b| format!("DH {b} bits")));
                if kx.is_empty() {
                    s.name.clone()
                } else {
                    format!("{} ({})", s.name, kx.join(", "))
                }
            })
            .collect();
        let order = match v.preference {
            Preference::Server => "server order",
            Preference::Client => "client order, no server preference",
            Preference::Unknown => "order not determined",
        };
        let cut = if v.truncated {
            format!(", stopped after {} suites", v.suites.len())
        } else {
            String::new()
        };
        j.notes.push(format!(
            "{ep} {}: {} ({order}{cut})",
            v.version,
            list.join(", ")
        ));
    }
    // One finding per weak suite, naming every version that accepts it.
    let mut weak: Vec<(u16, Vec<Version>)> = Vec::new();
    for v in per_version {
        for s in v.suites.iter().filter(|s| !s.weaknesses.is_empty()) {
            match weak.iter_mut().find(|(id, _)| *id == s.id) {
                Some((_, versions)) => versions.push(v.version),
                None => weak.push((s.id, vec![v.version])),
            }
        }
    }
    for (id, versions) in weak {
        let Some(s) = per_version
            .iter()
            .find_map(|v| v.suites.iter().find(|s| s.id == id))
        else {
            continue;
        };
        let why: Vec<&str> = s.weaknesses.iter().map(|w| w.describe()).collect();
        let on: Vec<&str> = versions.iter().map(|v| v.label()).collect();
        j.findings.push(Finding {
            exchange: Some(s.attempt.line(ep)),
            ..Finding::new(
                "no NULL, EXPORT, anonymous, RC4, DES or 3DES suites, and forward secrecy (no static RSA or DH key exchange)",
                format!("{ep} accepts {} on {} ({})", s.name, on.join(", "), why.join("; ")),
            )
        });
    }
    j
}

/// SEC-02: trusted, matching, in its validity window, strong keys, no SHA-1/MD5 below the root.
pub fn certificate(ep: &str, host: &str, scan: &CertScan, warn_days: i64) -> Judged {
    let mut j = Judged::default();
    let chain = &scan.chain;
    let exchange = Some(scan.attempt.line(ep));
    let leaf_subject = chain
        .certificates
        .first()
        .map(|c| c.subject.clone())
        .unwrap_or_default();
    let mut finding = |expected: &str, seen: String| {
        j.findings.push(Finding {
            exchange: exchange.clone(),
            ..Finding::new(expected, seen)
        });
    };
    if let Some(why) = &chain.untrusted {
        finding(
            "a chain to a trusted root (system store or the profile's tls.ca_file)",
            format!("certificate not trusted: {why}, subject {leaf_subject}"),
        );
    }
    if let Some(why) = &chain.name_mismatch {
        finding(
            "a certificate whose subject alternative names cover the host name",
            format!("certificate does not match host name {host}: {why}, subject {leaf_subject}"),
        );
    }
    let mut warnings = Vec::new();
    for (i, c) in chain.certificates.iter().enumerate() {
        // A root sent along is the trust store's business, not the server's.
        let root = i > 0 && c.self_signed;
        let which = if i == 0 {
            String::from("certificate")
        } else {
            format!("chain certificate {i}")
        };
        if c.expired {
            finding(
                "a certificate within its validity window",
                format!(
                    "{which} expired {} ({} days ago), subject {}",
                    c.not_after, -c.days_left, c.subject
                ),
            );
        } else if c.days_left < warn_days {
            warnings.push(format!(
                "warning: {which} expires {} ({} days left), subject {}",
                c.not_after, c.days_left, c.subject
            ));
        }
        if let Some(days) = not_yet_valid(c) {
            finding(
                "a certificate within its validity window",
                format!(
                    "{which} not valid before {} (in {days} days), subject {}",
                    c.not_before, c.subject
                ),
            );
        }
        if root {
            continue;
        }
        if let Some(weak) = weak_key(c) {
            finding(
                "keys of at least RSA 2048 or EC 256 bits",
                format!("{which} key is {weak}, subject {}", c.subject),
            );
        }
        if let Some(digest) = c.weak_digest {
            finding(
                "no SHA-1 or MD5 signature in the chain below the root",
                format!(
                    "{which} is signed with {} ({digest}), subject {}",
                    c.signature_algorithm, c.subject
                ),
            );
        }
    }
    j.notes.push(summary(ep, scan));
    j.notes.extend(warnings);
    for pos in &chain.out_of_order {
        j.notes.push(format!(
            "warning: {ep} sends its chain out of order: certificate {pos} did not issue certificate {}",
            pos - 1
        ));
    }
    if let Some(p) = &scan.signature_problem {
        j.notes.push(format!(
            "{ep}: the handshake signature did not verify with the HTTP client's provider: {p}"
        ));
    }
    j
}

/// Days until a certificate that is not valid yet becomes valid.
fn not_yet_valid(c: &CertInfo) -> Option<i64> {
    let now = super::cert::now_unix();
    let starts = c.not_before_unix;
    (starts > now).then(|| (starts - now).div_euclid(86_400) + 1)
}

/// `RSA 1024-bit`, when the key is below SEC-02's floor.
fn weak_key(c: &CertInfo) -> Option<String> {
    let floor = match c.key_type.as_str() {
        "RSA" | "DSA" => 2048,
        "EC" => 256,
        _ => return None,
    };
    (c.key_bits < floor).then(|| format!("{} {}-bit", c.key_type, c.key_bits))
}

fn summary(ep: &str, scan: &CertScan) -> String {
    let chain = &scan.chain;
    let Some(leaf) = chain.certificates.first() else {
        return format!("{ep}: no certificate");
    };
    let key = match &leaf.curve {
        Some(curve) => format!("{} {}-bit ({curve})", leaf.key_type, leaf.key_bits),
        None => format!("{} {}-bit", leaf.key_type, leaf.key_bits),
    };
    let trust = match &chain.untrusted {
        None => "trusted".to_string(),
        Some(_) => "not trusted".to_string(),
    };
    let ocsp = match scan.ocsp_staple_bytes {
        Some(n) => format!("OCSP response stapled ({n} bytes)"),
        None => "no OCSP stapling".to_string(),
    };
    format!(
        "{ep} certificate (from the {}): subject {}; issuer {}; SAN {}; valid {} to {} ({} days left); {key}; {}; chain of {}, {trust}; {ocsp}",
        scan.source,
        leaf.subject,
        leaf.issuer,
        if leaf.san.is_empty() {
            "none".to_string()
        } else {
            leaf.san.join(", ")
        },
        leaf.not_before,
        leaf.not_after,
        leaf.days_left,
        leaf.signature_algorithm,
        chain.certificates.len(),
    )
}
