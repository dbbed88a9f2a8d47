//! Writing a bundle: into a temporary folder beside the final one, each check's files as the
//! check reports (masked with the secrets known then), so a run's memory does not grow with its
//! exchanges; at the end every record masked again with every secret the run learned, the
//! inputs, reports and `run.json` added, every file hashed and scanned for every secret form,
//! the manifest written, and the folder renamed into place. A crash leaves only a `.NAME.partial-…` folder without a
//! manifest; a scan that finds a secret removes the whole folder; an existing bundle is
//! replaced only once the new one is whole.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::http_text::{write_exchange, write_heading};
use super::manifest::{Entry, Manifest, digest, files_under};
use super::mask::{Mask, exchange, json, scan_forms};
use super::tree::Tree;
use super::{BundleError, BundleRun, MANIFEST_FILE, check_dir, inputs};
use crate::outcome::{CheckResult, Exchange};
use crate::report::SecretScan;

/// A bundle written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub dir: PathBuf,
    /// Files listed in the manifest (the manifest itself aside).
    pub files: usize,
    /// Their total size in bytes.
    pub bytes: u64,
    /// The manifest's root hash.
    pub root: String,
}

/// What `run.json` says about the run.
#[derive(Serialize)]
struct RunRecord<'a> {
    bundle_format: &'static str,
    tool: &'a str,
    tool_version: &'a str,
    edition: &'a str,
    schema_version: u32,
    target: String,
    base_url: String,
    started_at: &'a str,
    duration_ms: u128,
    insecure: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    partition: Option<&'a str>,
    exit_code: i32,
    summary: &'a crate::outcome::Summary,
    /// The command line, masked.
    command: Vec<String>,
}

/// A bundle being written: opened before the run, fed each check as it reports, finished
/// when the reports are written.
pub struct Bundle {
    dir: PathBuf,
    staging: tempfile::TempDir,
    tree: Tree,
    /// The check each folder under `checks/` belongs to.
    dirs: BTreeMap<String, String>,
    /// The first failure while the run went on; the bundle is then not finished.
    failed: Option<BundleError>,
}

impl Bundle {
    /// Opens a bundle for `dir`: refuses a folder that is there and is not a bundle, and makes
    /// the temporary folder beside it.
    pub fn begin(dir: &Path) -> Result<Bundle, BundleError> {
        replaceable(dir)?;
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        fs::create_dir_all(parent).map_err(BundleError::io(parent))?;
        let name = dir
            .file_name()
            .map_or_else(|| "evidence".into(), |n| n.to_string_lossy().into_owned());
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{name}.partial-"))
            .tempdir_in(parent)
            .map_err(BundleError::io(parent))?;
        let tree = Tree {
            root: staging.path().to_path_buf(),
        };
        Ok(Bundle {
            dir: dir.to_path_buf(),
            staging,
            tree,
            dirs: BTreeMap::new(),
            failed: None,
        })
    }

    /// Writes `checks/<dir>/…` of a check that reported: its exchanges (`.http` and JSON) and
    /// the records it drew, each text through `mask`.
    pub fn check(&mut self, r: &CheckResult, mask: &dyn Fn(&str) -> String) {
        if self.failed.is_none()
            && let Err(e) = self.write_check(r, mask)
        {
            self.failed = Some(e);
        }
    }

    /// Writes `logins/<actor>/…`: an actor's first sign-in, made before any check ran.
    pub fn login(&mut self, actor: &str, list: &[Exchange], mask: &dyn Fn(&str) -> String) {
        let base = format!("logins/{}", check_dir(actor));
        let heading = format!("sign-in of {actor}");
        if self.failed.is_none()
            && let Err(e) = exchanges(&self.tree, mask, &base, &heading, list)
        {
            self.failed = Some(e);
        }
    }

    fn write_check(
        &mut self,
        r: &CheckResult,
        mask: &dyn Fn(&str) -> String,
    ) -> Result<(), BundleError> {
        let dir = check_dir(&r.id);
        if dir.is_empty() || dir == "." || dir == ".." {
            return Err(BundleError::UnsafeId(r.id.clone()));
        }
        if let Some(other) = self.dirs.insert(dir.clone(), r.id.clone()) {
            return Err(BundleError::SharedDir(other, r.id.clone(), dir));
        }
        let base = format!("checks/{dir}");
        let heading = format!("{} — {}", r.id, r.title);
        exchanges(&self.tree, mask, &base, &heading, &r.evidence.exchanges)?;
        let records = [
            ("tls.json", serde_json::Value::from(r.tls.clone())),
            ("access.json", r.access.clone()),
            ("latency.json", serde_json::Value::from(r.latency.clone())),
            ("a11y.json", serde_json::Value::from(r.a11y.clone())),
        ];
        for (name, value) in records {
            let empty = match &value {
                serde_json::Value::Null => true,
                serde_json::Value::Array(a) => a.is_empty(),
                _ => false,
            };
            if !empty {
                self.tree
                    .json(&format!("{base}/{name}"), &json(&value, mask))?;
            }
        }
        Ok(())
    }

    /// Finishes the bundle of `run` and moves it into place, replacing a bundle already there.
    /// On any failure, or a secret found in any file, the temporary folder is removed and
    /// nothing at the bundle's place changes.
    pub fn finish(self, run: &BundleRun<'_>) -> Result<Written, BundleError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        let Bundle {
            dir, staging, tree, ..
        } = self;
        let mask = Mask::new(run.secrets)?;
        let scan = SecretScan::new(io::sink(), &scan_forms(run.secrets))
            .map_err(|e| BundleError::Scan(e.to_string()))?;
        // Secrets learned after a check reported (a later login's token) are known only now.
        for folder in ["checks", "logins"] {
            remask(&tree.root, folder, &mask)?;
        }
        inputs::write(&tree, &mask, run.sources)?;
        for report in run.reports {
            let name = report
                .file_name()
                .map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
            let rel = format!("reports/{}", check_dir(&name));
            if name == crate::report::HTML_FILE {
                // The copy inside the bundle links to the check folders beside `reports/`.
                let options = crate::report::HtmlOptions {
                    evidence: Some("../".into()),
                };
                tree.bytes(
                    &rel,
                    crate::report::report_html(run.report, &options).as_bytes(),
                )?;
            } else {
                tree.copy(report, &rel).map_err(BundleError::io(report))?;
            }
        }
        tree.json("run.json", &run_record(run, &mask))?;
        let (entries, mut leaked) = seal(&tree.root, &scan)?;
        let manifest = Manifest::new(entries);
        tree.json(MANIFEST_FILE, &manifest)?;
        if scanned(&tree.root.join(MANIFEST_FILE), &scan)?.1 {
            leaked.push(MANIFEST_FILE.to_string());
        }
        if !leaked.is_empty() {
            // `staging` is dropped here and takes every file with it.
            return Err(BundleError::Leaked(
                leaked
                    .iter()
                    .map(|rel| dir.join(rel).display().to_string())
                    .collect(),
            ));
        }
        let written = Written {
            dir: dir.clone(),
            files: manifest.files.len(),
            bytes: manifest.files.iter().map(|f| f.size).sum(),
            root: manifest.root,
        };
        place(staging.keep(), &dir)?;
        Ok(written)
    }
}

/// Every file under `folder` of the bundle masked again, rewritten if that changed it. The
/// forms include the JSON-escaped ones, so the JSON records are masked as text.
fn remask(root: &Path, folder: &str, mask: &Mask) -> Result<(), BundleError> {
    let base = root.join(folder);
    if !base.is_dir() {
        return Ok(());
    }
    for rel in files_under(&base).map_err(BundleError::io(&base))? {
        let path = base.join(rel);
        let text = fs::read_to_string(&path).map_err(BundleError::io(&path))?;
        let masked = mask.text(&text);
        if masked != text {
            fs::write(&path, masked).map_err(BundleError::io(&path))?;
        }
    }
    Ok(())
}

/// A folder that may be replaced: absent, empty, or a bundle (it has a manifest).
fn replaceable(dir: &Path) -> Result<(), BundleError> {
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(BundleError::Io {
            path: dir.to_path_buf(),
            source: e,
        }),
        Ok(m) if m.is_dir() => {
            let empty = fs::read_dir(dir)
                .map_err(BundleError::io(dir))?
                .next()
                .is_none();
            if empty || dir.join(MANIFEST_FILE).is_file() {
                Ok(())
            } else {
                Err(BundleError::NotABundle(dir.to_path_buf()))
            }
        }
        Ok(_) => Err(BundleError::NotABundle(dir.to_path_buf())),
    }
}

/// Moves the finished folder `staged` to `dir`; a bundle already there is moved aside first
/// and removed once the new one is in place (and put back if it cannot be).
fn place(staged: PathBuf, dir: &Path) -> Result<(), BundleError> {
    let fail = |source| {
        let _ = fs::remove_dir_all(&staged);
        BundleError::Io {
            path: dir.to_path_buf(),
            source,
        }
    };
    if fs::symlink_metadata(dir).is_err() {
        return fs::rename(&staged, dir).map_err(fail);
    }
    let mut aside = staged.clone().into_os_string();
    aside.push(".replaced");
    let aside = PathBuf::from(aside);
    fs::rename(dir, &aside).map_err(fail)?;
    if let Err(e) = fs::rename(&staged, dir) {
        let _ = fs::rename(&aside, dir);
        return Err(fail(e));
    }
    let _ = fs::remove_dir_all(&aside);
    Ok(())
}

/// Every file of the folder hashed and scanned: the manifest's entries, and the files that
/// held a secret.
fn seal(
    root: &Path,
    scan: &SecretScan<io::Sink>,
) -> Result<(Vec<Entry>, Vec<String>), BundleError> {
    let mut entries = Vec::new();
    let mut leaked = Vec::new();
    for rel in files_under(root).map_err(BundleError::io(root))? {
        let ((sha256, size), found) = scanned(&root.join(&rel), scan)?;
        if found {
            leaked.push(rel.clone());
        }
        entries.push(Entry {
            path: rel,
            sha256,
            size,
        });
    }
    Ok((entries, leaked))
}

/// The hash and size of a file, and whether it holds a secret form.
fn scanned(path: &Path, scan: &SecretScan<io::Sink>) -> Result<((String, u64), bool), BundleError> {
    let mut s = scan.reuse(io::sink());
    let file = File::open(path).map_err(BundleError::io(path))?;
    let digest = digest(file, |chunk| s.write_all(chunk)).map_err(BundleError::io(path))?;
    Ok((digest, s.finish().0))
}

/// `exchanges.http` and `exchanges.json` under `base`, when there are exchanges; each record
/// is masked and read back once for both.
fn exchanges(
    tree: &Tree,
    mask: &dyn Fn(&str) -> String,
    base: &str,
    heading: &str,
    list: &[Exchange],
) -> Result<(), BundleError> {
    if list.is_empty() {
        return Ok(());
    }
    let http_rel = format!("{base}/exchanges.http");
    let json_rel = format!("{base}/exchanges.json");
    let (http_path, mut http) = tree.create(&http_rel)?;
    let (json_path, mut json) = tree.create(&json_rel)?;
    write_heading(&mut http, heading).map_err(BundleError::io(&http_path))?;
    json.write_all(b"[\n")
        .map_err(BundleError::io(&json_path))?;
    for (i, e) in list.iter().enumerate() {
        let e = exchange(e, mask);
        write_exchange(&mut http, i + 1, &e).map_err(BundleError::io(&http_path))?;
        if i > 0 {
            json.write_all(b",\n")
                .map_err(BundleError::io(&json_path))?;
        }
        serde_json::to_writer_pretty(&mut json, &e)
            .map_err(|err| BundleError::Json(json_rel.clone(), err))?;
    }
    json.write_all(b"\n]\n")
        .and_then(|()| json.flush())
        .map_err(BundleError::io(&json_path))?;
    http.flush().map_err(BundleError::io(http_path))
}

fn run_record<'a>(run: &'a BundleRun<'_>, mask: &Mask) -> RunRecord<'a> {
    let r = run.report;
    RunRecord {
        bundle_format: super::FORMAT,
        tool: &r.tool,
        tool_version: &r.tool_version,
        edition: &r.edition,
        schema_version: r.schema_version,
        target: mask.text(&r.target),
        base_url: mask.text(&r.base_url),
        started_at: &r.started_at,
        duration_ms: r.duration.as_millis(),
        insecure: r.insecure,
        partition: r.partition.as_deref(),
        exit_code: r.exit_code,
        summary: &r.summary,
        command: run.command.iter().map(|a| mask.text(a)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Evidence;
    use crate::report::fixture;

    const SECRET: &str = "s3cret-Token-4567";

    fn result_echoing(secret: &str) -> CheckResult {
        let mut r = fixture::check(
            "sec.echo/1",
            "Echo",
            crate::outcome::Domain::Security,
            &["SEC-11"],
        );
        let mut e = Exchange::for_test(
            "https://v.test/x",
            401,
            &[],
            &format!("{{\"debug\":\"{secret}\"}}"),
        );
        e.request_headers = vec![("X-Trace".into(), secret.into())];
        r.evidence = Evidence {
            exchanges: vec![e],
            ..Evidence::default()
        };
        r
    }

    fn run<'a>(
        report: &'a crate::outcome::RunReport,
        reports: &'a [PathBuf],
        secrets: &'a [String],
    ) -> BundleRun<'a> {
        BundleRun {
            report,
            sources: &[],
            reports,
            command: &[],
            secrets,
        }
    }

    #[test]
    fn a_secret_learned_after_a_check_reported_is_masked_at_the_end() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("bundle");
        let mut b = Bundle::begin(&dir).expect("opens");
        b.check(&result_echoing(SECRET), &|t: &str| t.to_string());
        let report = fixture::report();
        let secrets = vec![SECRET.to_string()];
        let w = b.finish(&run(&report, &[], &secrets)).expect("written");
        assert_eq!(w.dir, dir);
        let http =
            fs::read_to_string(dir.join("checks/sec.echo_1/exchanges.http")).expect("written");
        assert!(http.contains("X-Trace: [REDACTED]"), "{http}");
        assert!(http.contains("# {\"debug\":\"[REDACTED]\"}"), "{http}");
        let json =
            fs::read_to_string(dir.join("checks/sec.echo_1/exchanges.json")).expect("written");
        assert!(!json.contains(SECRET), "{json}");
        let v = crate::bundle::verify(&dir).expect("readable");
        assert!(v.problems.is_empty(), "{:?}", v.problems);
        assert_eq!(v.files, w.files);
    }

    #[test]
    fn a_file_holding_a_secret_leaves_no_bundle_and_is_named() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("bundle");
        let leaking = tmp.path().join("results.json");
        fs::write(&leaking, format!("{{\"seen\": \"{SECRET}\"}}")).expect("written");
        let b = Bundle::begin(&dir).expect("opens");
        let report = fixture::report();
        let secrets = vec![SECRET.to_string()];
        let reports = [leaking];
        let err = b
            .finish(&run(&report, &reports, &secrets))
            .expect_err("a secret");
        let BundleError::Leaked(files) = &err else {
            panic!("expected a leak, got {err:?}");
        };
        assert_eq!(
            files,
            &[dir.join("reports/results.json").display().to_string()]
        );
        assert!(!err.to_string().contains(SECRET), "{err}");
        let left: Vec<_> = fs::read_dir(tmp.path())
            .expect("listable")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left, ["results.json"], "no bundle, no partial folder");
    }

    #[test]
    fn checks_sharing_a_folder_are_refused() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let mut b = Bundle::begin(&tmp.path().join("bundle")).expect("opens");
        let mask = |t: &str| t.to_string();
        b.check(&result_echoing("x"), &mask);
        let mut twin = result_echoing("x");
        twin.id = "sec.echo:1".into();
        b.check(&twin, &mask);
        let report = fixture::report();
        let err = b
            .finish(&run(&report, &[], &[]))
            .expect_err("shared folder");
        assert!(matches!(err, BundleError::SharedDir(..)), "{err:?}");
    }
}
