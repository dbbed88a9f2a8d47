//! The evidence bundle of `vvcheck demo` against the real reference server: the layout the
//! HTML report links to, a `.http` text with request lines and curl commands, and
//! `vvcheck verify-bundle`, which passes a whole bundle and names every changed, missing or
//! extra file. A bundle is replaced only by a whole one, and a folder that is not a bundle is
//! never replaced.

mod common;

use std::fs;
use std::path::Path;

use common::cli::{Run, vvcheck};
use serde_json::Value;

fn verify(dir: &Path) -> Run {
    vvcheck(["verify-bundle"]).arg(dir).run()
}

fn manifest(dir: &Path) -> Value {
    let text = fs::read_to_string(dir.join("manifest.json")).expect("a manifest");
    serde_json::from_str(&text).expect("manifest is JSON")
}

#[test]
fn the_whole_demo_bundle_verifies_and_every_tampering_is_named() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let run = vvcheck(["demo", "--out"]).arg(&out).run();
    run.assert_code(0);
    let bundle = out.join("evidence");
    assert!(
        run.stdout
            .contains(&format!("evidence: {}", bundle.display())),
        "{}",
        run.stdout
    );
    for f in [
        "manifest.json",
        "run.json",
        "reports/results.json",
        "reports/junit.xml",
        "inputs/index.json",
        "inputs/catalogue/standard.yaml",
        "inputs/suites/security.yaml",
        "checks/sec.tls.protocols/tls.json",
        "checks/sec.access.matrix-authenticated/access.json",
        "checks/tec.latency.message-operations/latency.json",
        "checks/acc.wcag.1.1.1/a11y.json",
    ] {
        assert!(bundle.join(f).is_file(), "{f} is in the bundle");
    }
    let profiles: Vec<_> = fs::read_dir(bundle.join("inputs/target"))
        .expect("inputs/target")
        .flatten()
        .collect();
    assert_eq!(profiles.len(), 1, "the target profile, and no secrets file");
    // Every evidence link of the HTML report leads to a file, beside it and inside the bundle.
    for (page, prefix, base) in [
        (out.join("report.html"), "evidence/", out.clone()),
        (
            bundle.join("reports/report.html"),
            "../",
            bundle.join("reports"),
        ),
    ] {
        let html = fs::read_to_string(&page).expect("report.html");
        let links: Vec<&str> = html
            .split("href=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .filter(|l| l.starts_with(&format!("{prefix}checks/")))
            .collect();
        assert!(
            links.len() > 20,
            "{}: {} evidence links",
            page.display(),
            links.len()
        );
        for link in links {
            assert!(
                base.join(link).is_file(),
                "{}: {link} leads nowhere",
                page.display()
            );
        }
    }

    let http =
        fs::read_to_string(bundle.join("checks/sec.access.cross-patient-message/exchanges.http"))
            .expect("the check made requests");
    assert!(
        http.lines()
            .any(|l| l.starts_with("GET https://127.0.0.1:")),
        "a request line:\n{http}"
    );
    assert!(
        http.lines()
            .any(|l| l.starts_with("# curl -sS -i -X GET 'https://127.0.0.1:")),
        "a curl command:\n{http}"
    );
    assert!(http.contains("Authorization: Bearer [REDACTED]"), "{http}");
    let json: Value = serde_json::from_str(
        &fs::read_to_string(bundle.join("checks/sec.access.cross-patient-message/exchanges.json"))
            .expect("exchanges.json"),
    )
    .expect("exchanges.json is JSON");
    assert!(json.as_array().is_some_and(|a| !a.is_empty()), "{json}");

    let m = manifest(&bundle);
    let files = m["files"].as_array().expect("files");
    let on_disk = common::files_under(&bundle).len();
    assert_eq!(
        files.len() + 1,
        on_disk,
        "every file but the manifest is listed"
    );

    let whole = verify(&bundle);
    whole.assert_code(0);
    assert!(whole.stdout.contains("whole"), "{}", whole.stdout);

    // One byte changed.
    let target = bundle.join("checks/sec.tls.protocols/tls.json");
    let original = fs::read(&target).expect("readable");
    let mut changed = original.clone();
    changed[0] ^= 0x20;
    fs::write(&target, &changed).expect("written");
    let v = verify(&bundle);
    v.assert_code(1);
    assert_eq!(
        v.stdout.lines().next(),
        Some("changed: checks/sec.tls.protocols/tls.json"),
        "{}",
        v.stdout
    );
    fs::write(&target, &original).expect("restored");
    verify(&bundle).assert_code(0);

    // A file removed.
    let removed = bundle.join("inputs/suites/privacy.yaml");
    let kept = fs::read(&removed).expect("readable");
    fs::remove_file(&removed).expect("removed");
    let v = verify(&bundle);
    v.assert_code(1);
    assert!(
        v.stdout.contains("missing: inputs/suites/privacy.yaml"),
        "{}",
        v.stdout
    );
    fs::write(&removed, kept).expect("restored");

    // A file added.
    fs::write(bundle.join("checks/extra.txt"), "added").expect("written");
    let v = verify(&bundle);
    v.assert_code(1);
    assert!(v.stdout.contains("extra: checks/extra.txt"), "{}", v.stdout);
    fs::remove_file(bundle.join("checks/extra.txt")).expect("removed");
    verify(&bundle).assert_code(0);

    // An unreadable manifest.
    fs::write(bundle.join("manifest.json"), "{ not json").expect("written");
    verify(&bundle).assert_code(2);
}

#[test]
fn a_new_bundle_replaces_the_old_one_whole_and_changes_the_root_hash() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let bundle = tmp.path().join("bundle");
    let demo = |out: &str| {
        vvcheck(["demo", "--requirement", "SEC-05", "-q", "--out"])
            .arg(tmp.path().join(out))
            .arg("--evidence")
            .arg(&bundle)
            .run()
    };
    demo("first").assert_code(0);
    let first = manifest(&bundle);
    verify(&bundle).assert_code(0);
    demo("second").assert_code(0);
    let second = manifest(&bundle);
    verify(&bundle).assert_code(0);
    assert_ne!(
        first["root"], second["root"],
        "a new run (its own run.json and exchanges) has its own root hash"
    );
    let beside: Vec<String> = fs::read_dir(tmp.path())
        .expect("listable")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let mut beside = beside;
    beside.sort();
    assert_eq!(
        beside,
        ["bundle", "first", "second"],
        "no partial or old folder left"
    );
    assert!(
        !tmp.path().join("first/evidence").exists(),
        "--evidence moves demo's bundle"
    );
}

#[test]
fn a_folder_that_is_not_a_bundle_is_never_replaced() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("notes");
    fs::create_dir(&dir).expect("folder");
    fs::write(dir.join("mine.txt"), "keep me").expect("written");
    let run = vvcheck(["demo", "--requirement", "SEC-05", "-q", "--out"])
        .arg(tmp.path().join("out"))
        .arg("--evidence")
        .arg(&dir)
        .run();
    run.assert_code(2);
    assert!(
        run.stderr.contains("is not an evidence bundle"),
        "{}",
        run.stderr
    );
    assert_eq!(
        fs::read_to_string(dir.join("mine.txt")).expect("kept"),
        "keep me"
    );
    assert_eq!(fs::read_dir(&dir).expect("listable").count(), 1);
}

#[test]
fn attestations_and_their_evidence_files_are_listed_with_their_hashes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let policy = b"Encryption policy v3\n";
    fs::write(tmp.path().join("policy.txt"), policy).expect("written");
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(policy))
    };
    let attestations = tmp.path().join("attestations.yaml");
    fs::write(
        &attestations,
        format!(
            "attestations:
  - requirement: SEC-14
    statement: PHI is encrypted at rest.
    attested_by: {{ name: Jane Roe, organisation: Reference Health, role: CISO }}
    date: 2026-01-15
    expires: 2099-01-15
    evidence:
      - {{ file: policy.txt, sha256: \"{sha}\" }}
"
        ),
    )
    .expect("written");
    let bundle = tmp.path().join("bundle");
    vvcheck([
        "demo",
        "--no-reference-attestations",
        "--requirement",
        "SEC-05",
        "-q",
        "--out",
    ])
    .arg(tmp.path().join("out"))
    .arg("--attestations")
    .arg(&attestations)
    .arg("--evidence")
    .arg(&bundle)
    .run()
    .assert_code(0);
    verify(&bundle).assert_code(0);
    let index: Value =
        serde_json::from_str(&fs::read_to_string(bundle.join("inputs/index.json")).expect("index"))
            .expect("index is JSON");
    let roles: Vec<&str> = index["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["role"].as_str())
        .collect();
    assert!(roles.contains(&"attestations"), "{index}");
    assert!(
        bundle
            .join("inputs/attestations/attestations.yaml")
            .is_file()
    );
    let evidence = index["evidence"].as_array().expect("evidence");
    assert_eq!(evidence.len(), 1, "{index}");
    assert_eq!(evidence[0]["file"], "policy.txt");
    assert_eq!(evidence[0]["sha256"], sha.as_str());
    assert_eq!(evidence[0]["matches"], true);
    assert_eq!(
        fs::read(bundle.join(evidence[0]["path"].as_str().expect("copied"))).expect("copy"),
        policy
    );
}
