//! The case kit: each folder under `tests/cases/` is a vvcheck command line with its inputs and
//! the output a user would see. See `tests/cases/README.md` for the folder layout.
//!
//! A case runs the binary once, against its own reference server when its `cmd` names
//! `{target}`. Outputs and expected files are compared after *masking both sides* with the same
//! rules ([`mask`]): the paths the kit made become their placeholders, and what varies between
//! runs (ports, ids, run ids, times) becomes a `<<NAME>>` token. Check lines, printed as checks
//! finish, are put in a stable order ([`sort_check_blocks`]). `VVCHECK_BLESS=1` writes the masked
//! outputs as the new expected files.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, LazyLock};

use regex::Regex;
use vvcheck::reference::{Dialect, Flaw};

use super::Reference;
use super::cli;

/// Files of a case folder.
pub const CMD: &str = "cmd";
pub const SERVER: &str = "server";
pub const PROFILE_APPEND: &str = "profile_append";
pub const ENV: &str = "env";
pub const STDIN: &str = "stdin";
pub const EXIT_CODE: &str = "expected_exit_code";
pub const STDOUT: &str = "expected_stdout";
pub const STDERR: &str = "expected_stderr";
pub const JUNIT: &str = "expected_junit.xml";
pub const RESULTS: &str = "expected_results.json";

/// Masking rules, applied in order after the paths: (pattern, replacement).
pub const RULES: &[(&str, &str)] = &[
    // The demo's temporary folder (its profile and the reference attestations it writes).
    (r#"[^\s"]*vvcheck-demo-[A-Za-z0-9]+"#, "<<DEMO>>"),
    (r"127\.0\.0\.1:\d+", "127.0.0.1:<<PORT>>"),
    // What passive checks count depends on how many pages concurrent checks' lists ran to.
    (r"inspected \d+ recorded", "inspected <<N>> recorded"),
    (r"read \d+ notifications", "read <<N>> notifications"),
    (r"on \d+ of \d+", "on <<N>> of <<N>>"),
    (r"and \d+ more", "and <<N>> more"),
    (r"\b([a-z])-[0-9a-f]{16}\b", "$1-<<ID>>"),
    (r"\bvv[0-9a-f]{8}\b", "<<RUN_ID>>"),
    (r"\b\d+\.\d+ s\b", "<<TIME>> s"),
    (r"\b\d+ ms\b", "<<MS>> ms"),
    (r#"\btime="[0-9.]+""#, r#"time="<<TIME>>""#),
    (r#"\btimestamp="[^"]*""#, r#"timestamp="<<TIMESTAMP>>""#),
    (
        r#"name="vvcheck\.version" value="[^"]*""#,
        r#"name="vvcheck.version" value="<<VERSION>>""#,
    ),
    (
        r#""started_at": "[^"]*""#,
        r#""started_at": "<<TIMESTAMP>>""#,
    ),
    (r#""duration_ms": \d+"#, r#""duration_ms": <<MS>>"#),
    // Changes with every edit of a suite, which no case is about.
    (
        r#""suites_digest": "[0-9a-f]*""#,
        r#""suites_digest": "<<DIGEST>>""#,
    ),
    (
        r#""tool_version": "[^"]*""#,
        r#""tool_version": "<<VERSION>>""#,
    ),
];

static COMPILED: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    RULES
        .iter()
        .map(|(p, r)| (Regex::new(p).expect("a valid masking rule"), *r))
        .collect()
});

/// A check's line as the console prints it when the check ends.
static CHECK_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(PASS|FAIL|ERROR|SKIP) \[").expect("valid pattern"));

/// Paths the kit made for one case, each shown as its placeholder.
#[derive(Clone, Debug, Default)]
pub struct Places {
    /// (placeholder, path), e.g. `("{out}", "/tmp/.tmpX/out")`.
    pub paths: Vec<(&'static str, String)>,
}

impl Places {
    /// Replaces each placeholder in `text` with its path.
    pub fn fill(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (name, path) in &self.paths {
            out = out.replace(name, path);
        }
        out
    }
}

/// Masks what varies: the kit's paths become placeholders (longest first), then [`RULES`].
/// Masking is idempotent, so a masked expected file masks to itself.
pub fn mask(text: &str, places: &Places) -> String {
    let mut paths: Vec<&(&str, String)> =
        places.paths.iter().filter(|(_, p)| !p.is_empty()).collect();
    paths.sort_by_key(|(_, p)| std::cmp::Reverse(p.len()));
    let mut out = text.to_string();
    for (name, path) in paths {
        out = out.replace(path.as_str(), name);
    }
    for (re, with) in COMPILED.iter() {
        out = re.replace_all(&out, *with).into_owned();
    }
    out
}

/// Puts the check blocks at the start of console output in sorted order: checks run
/// concurrently and print as they end, so their order varies between runs. A block is a line
/// `PASS|FAIL|ERROR|SKIP [...` and the indented lines under it; only blocks before the first
/// empty line (where the summary starts) move, and never past a line of another kind.
pub fn sort_check_blocks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blocks: Vec<String> = Vec::new();
    let mut in_head = true;
    let flush = |blocks: &mut Vec<String>, out: &mut String| {
        blocks.sort();
        for b in blocks.drain(..) {
            out.push_str(&b);
        }
    };
    for line in text.split_inclusive('\n') {
        if !in_head {
            out.push_str(line);
            continue;
        }
        let bare = line.trim_end_matches(['\n', '\r']);
        if CHECK_LINE.is_match(bare) {
            blocks.push(line.to_string());
        } else if bare.starts_with([' ', '\t']) && !bare.trim().is_empty() && !blocks.is_empty() {
            if let Some(last) = blocks.last_mut() {
                last.push_str(line);
            }
        } else {
            flush(&mut blocks, &mut out);
            if bare.is_empty() {
                in_head = false;
            }
            out.push_str(line);
        }
    }
    flush(&mut blocks, &mut out);
    out
}

/// Masks console output ([`mask`], then [`sort_check_blocks`]).
pub fn mask_console(text: &str, places: &Places) -> String {
    sort_check_blocks(&mask(text, places))
}

/// A line diff of `expected` and `actual` (`-` expected, `+` actual, 3 lines of context), or
/// `None` when they are equal.
pub fn diff(expected: &str, actual: &str) -> Option<String> {
    if expected == actual {
        return None;
    }
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    if e == a {
        return Some(format!(
            "the texts differ only at the end: expected ends {:?}, actual ends {:?}",
            tail(expected),
            tail(actual)
        ));
    }
    let prefix = e.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let suffix = e[prefix..]
        .iter()
        .rev()
        .zip(a[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (em, am) = (&e[prefix..e.len() - suffix], &a[prefix..a.len() - suffix]);
    // (tag, expected line number, actual line number, text), 0-based numbers.
    let mut ops: Vec<(char, usize, usize, &str)> = Vec::new();
    for (i, line) in e.iter().enumerate().take(prefix) {
        ops.push((' ', i, i, *line));
    }
    for (tag, i, j, t) in edit_script(em, am) {
        ops.push((tag, prefix + i, prefix + j, t));
    }
    for k in 0..suffix {
        let (i, j) = (e.len() - suffix + k, a.len() - suffix + k);
        ops.push((' ', i, j, e[i]));
    }
    Some(hunks(&ops, 3))
}

fn tail(s: &str) -> String {
    s.chars()
        .rev()
        .take(8)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect()
}

/// Longest-common-subsequence edit script of two line lists; beyond a size where the table
/// would be too large, every line is shown as removed and added.
fn edit_script<'a>(e: &[&'a str], a: &[&'a str]) -> Vec<(char, usize, usize, &'a str)> {
    let (n, m) = (e.len(), a.len());
    if n.saturating_mul(m) > 4_000_000 {
        let mut ops: Vec<_> = e.iter().enumerate().map(|(i, t)| ('-', i, 0, *t)).collect();
        ops.extend(a.iter().enumerate().map(|(j, t)| ('+', n, j, *t)));
        return ops;
    }
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[at(i, j)] = if e[i] == a[j] {
                lcs[at(i + 1, j + 1)] + 1
            } else {
                lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::new();
    while i < n || j < m {
        if i < n && j < m && e[i] == a[j] {
            ops.push((' ', i, j, e[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[at(i + 1, j)] >= lcs[at(i, j + 1)]) {
            ops.push(('-', i, j, e[i]));
            i += 1;
        } else {
            ops.push(('+', i, j, a[j]));
            j += 1;
        }
    }
    ops
}

/// Groups an edit script into hunks with `context` unchanged lines around each change.
fn hunks(ops: &[(char, usize, usize, &str)], context: usize) -> String {
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let mut out = String::new();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(context);
        let mut end = changed[k];
        while k < changed.len() && changed[k] <= end + 2 * context + 1 {
            end = changed[k];
            k += 1;
        }
        let end = (end + context + 1).min(ops.len());
        let (_, ei, aj, _) = ops[start];
        out.push_str(&format!(
            "@@ expected line {}, actual line {} @@\n",
            ei + 1,
            aj + 1
        ));
        for (tag, _, _, text) in &ops[start..end] {
            out.push_str(&format!("{tag}{text}\n"));
        }
    }
    out
}

/// Splits a command line into words: spaces separate, '…' and "…" quote.
pub fn words(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, c) if c.is_whitespace() => out.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some(q) = quote {
        return Err(format!("unclosed {q}"));
    }
    out.extend(word.take());
    Ok(out)
}

/// One difference between a case's expected files and what the run did.
#[derive(Clone, Debug)]
pub struct Mismatch {
    pub case: String,
    pub file: String,
    pub detail: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "case `{}`: {} differs (- expected, + actual, both masked):\n{}",
            self.case, self.file, self.detail
        )
    }
}

/// A case folder.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub dir: PathBuf,
}

/// The folder that holds the cases.
pub fn cases_dir() -> PathBuf {
    cli::root().join("tests/cases")
}

/// Every case folder (one with a `cmd` file), sorted by name; `VVCHECK_CASE=a,b` keeps those.
pub fn discover(dir: &Path) -> Vec<Case> {
    let only: Option<Vec<String>> = std::env::var("VVCHECK_CASE")
        .ok()
        .filter(|v| !v.is_empty())
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    let mut cases: Vec<Case> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join(CMD).is_file())
        .map(|p| Case {
            name: p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            dir: p,
        })
        .filter(|c| only.as_ref().is_none_or(|o| o.contains(&c.name)))
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// Whether expected files are to be rewritten (`VVCHECK_BLESS` set and not `0`).
pub fn bless() -> bool {
    std::env::var("VVCHECK_BLESS").is_ok_and(|v| !v.is_empty() && v != "0")
}

fn read_opt(path: &Path) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// The reference server's options from a case's `server` file: `--dialect D`, `--flaw F`.
pub fn server_options(text: &str) -> Result<(Dialect, Vec<Flaw>), String> {
    let mut dialect = Dialect::Rest;
    let mut flaws = Vec::new();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let all = words(&lines.join(" "))?;
    let mut it = all.iter();
    while let Some(opt) = it.next() {
        let value = it.next().ok_or_else(|| format!("`{opt}` needs a value"))?;
        match opt.as_str() {
            "--dialect" => dialect = Dialect::from_str(value).map_err(|e| e.to_string())?,
            "--flaw" => flaws.push(Flaw::from_str(value).map_err(|e| e.to_string())?),
            other => return Err(format!("unknown option `{other}` (use --dialect, --flaw)")),
        }
    }
    Ok((dialect, flaws))
}

/// What one run of a case produced, masked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Produced {
    pub exit_code: String,
    pub stdout: String,
    pub stderr: String,
    /// The masked `{out}/junit.xml`, when the run wrote one.
    pub junit: Option<String>,
    /// The masked `{out}/results.json`, when the run wrote one.
    pub results: Option<String>,
}

/// Compares a run with the case's expected files: exit code and both streams always (an
/// absent file means empty output), the reports only where the case has `expected_junit.xml`
/// or `expected_results.json`.
pub fn compare(case: &Case, produced: &Produced, places: &Places) -> Vec<Mismatch> {
    let differs = |file: &str, expected: Option<String>, actual: &str, console: bool| {
        let expected = expected.unwrap_or_default();
        let expected = if console {
            mask_console(&expected, places)
        } else {
            mask(&expected, places)
        };
        diff(&expected, actual).map(|detail| Mismatch {
            case: case.name.clone(),
            file: file.to_string(),
            detail,
        })
    };
    let missing = |file: &str, detail: String| Mismatch {
        case: case.name.clone(),
        file: file.to_string(),
        detail,
    };
    let mut found = Vec::new();
    match read_opt(&case.dir.join(EXIT_CODE)) {
        Some(code) => found.extend(differs(
            EXIT_CODE,
            Some(code.trim().to_string()),
            &produced.exit_code,
            false,
        )),
        None => found.push(missing(
            EXIT_CODE,
            format!(
                "the case has no {EXIT_CODE}; the run exited {} (VVCHECK_BLESS=1 writes it)\n",
                produced.exit_code
            ),
        )),
    }
    found.extend(differs(
        STDOUT,
        read_opt(&case.dir.join(STDOUT)),
        &produced.stdout,
        true,
    ));
    found.extend(differs(
        STDERR,
        read_opt(&case.dir.join(STDERR)),
        &produced.stderr,
        true,
    ));
    for (file, written, name) in [
        (JUNIT, &produced.junit, "junit.xml"),
        (RESULTS, &produced.results, "results.json"),
    ] {
        if let Some(expected) = read_opt(&case.dir.join(file)) {
            match written {
                Some(text) => found.extend(differs(file, Some(expected), text, false)),
                None => found.push(missing(file, format!("the run wrote no {{out}}/{name}\n"))),
            }
        }
    }
    found
}

/// Writes the masked outputs as the case's expected files; stdout and stderr files are removed
/// when the output is empty; `expected_junit.xml` and `expected_results.json` are rewritten only
/// where the case has them.
pub fn write_expected(case: &Case, produced: &Produced) {
    let put = |file: &str, text: Option<&str>| {
        let path = case.dir.join(file);
        let old = read_opt(&path);
        match text {
            Some(t) if old.as_deref() != Some(t) => {
                std::fs::write(&path, t).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                note(&format!("blessed: {}/{file}", case.name));
            }
            None if old.is_some() => {
                std::fs::remove_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                note(&format!(
                    "blessed: {}/{file} removed (no such output)",
                    case.name
                ));
            }
            _ => {}
        }
    };
    put(EXIT_CODE, Some(&format!("{}\n", produced.exit_code)));
    put(
        STDOUT,
        Some(produced.stdout.as_str()).filter(|s| !s.is_empty()),
    );
    put(
        STDERR,
        Some(produced.stderr.as_str()).filter(|s| !s.is_empty()),
    );
    if case.dir.join(JUNIT).exists() {
        put(JUNIT, produced.junit.as_deref());
    }
    if case.dir.join(RESULTS).exists() {
        put(RESULTS, produced.results.as_deref());
    }
}

/// Prints past the test harness's capture, so it shows in a passing run too.
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// Runs one case: its server if `cmd` names `{target}`, the binary once, the masked outputs.
pub async fn produce(case: &Case) -> (Produced, Places) {
    let name = &case.name;
    let read = |file: &str| read_opt(&case.dir.join(file));
    let cmd = read(CMD).unwrap_or_default();
    let cmd = cmd.trim();
    assert!(
        !cmd.is_empty() && !cmd.contains('\n'),
        "case `{name}`: {CMD} must be one line of vvcheck arguments"
    );
    let wants_target = cmd.contains("{target}");
    let server_file = read(SERVER);
    let append = read(PROFILE_APPEND);
    assert!(
        wants_target || (server_file.is_none() && append.is_none()),
        "case `{name}`: `{SERVER}` or `{PROFILE_APPEND}` given, but {CMD} does not use {{target}}"
    );
    let mut places = Places::default();
    let (server, tmp) = if wants_target {
        let (dialect, flaws) = server_options(server_file.as_deref().unwrap_or(""))
            .unwrap_or_else(|e| panic!("case `{name}`: {SERVER}: {e}"));
        let r = Reference::start(dialect, &flaws).await;
        if let Some(extra) = &append {
            let mut text = std::fs::read_to_string(&r.profile).expect("profile written");
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(extra);
            std::fs::write(&r.profile, text).expect("profile rewritten");
        }
        places
            .paths
            .push(("{target}", r.profile.display().to_string()));
        let tmp = r.dir.path().to_path_buf();
        (Some(r), Tmp::Server(tmp))
    } else {
        (None, Tmp::Own(tempfile::tempdir().expect("temp dir")))
    };
    let tmp_path = tmp.path();
    let out = tmp_path.join("out");
    places.paths.push(("{out}", out.display().to_string()));
    places.paths.push(("{tmp}", tmp_path.display().to_string()));
    places
        .paths
        .push(("{case}", case.dir.display().to_string()));
    places
        .paths
        .push(("{root}", cli::root().display().to_string()));

    let args = words(&places.fill(cmd)).unwrap_or_else(|e| panic!("case `{name}`: {CMD}: {e}"));
    let mut run = cli::vvcheck(args).current_dir(&tmp_path);
    if let Some(env) = read(ENV) {
        for line in env.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (k, v) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("case `{name}`: {ENV}: `{line}` is not KEY=VALUE"));
            run = run.env(k.trim(), places.fill(v.trim()));
        }
    }
    if let Some(input) = read(STDIN) {
        run = run.stdin(input);
    }
    let result = run.run_async().await;
    let report = |file: &str| {
        let path = out.join(file);
        (cmd.contains("{out}") && path.is_file()).then(|| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("case `{name}`: {file}: {e}"));
            (path, mask(&text, &places))
        })
    };
    let junit = report("junit.xml").map(|(path, text)| {
        super::junit_schema::assert_valid(&path, &format!("case `{name}`: junit.xml"));
        text
    });
    let results = report("results.json").map(|(_, text)| text);
    let produced = Produced {
        exit_code: result.code.map_or("signal".into(), |c| c.to_string()),
        stdout: mask_console(&result.stdout, &places),
        stderr: mask_console(&result.stderr, &places),
        junit,
        results,
    };
    if let Some(r) = server {
        r.server.shutdown().await;
    }
    drop(tmp);
    (produced, places)
}

/// The case's temporary folder: the server's (it holds the profile) or one of its own.
enum Tmp {
    Server(PathBuf),
    Own(tempfile::TempDir),
}

impl Tmp {
    fn path(&self) -> PathBuf {
        match self {
            Tmp::Server(p) => p.clone(),
            Tmp::Own(d) => d.path().to_path_buf(),
        }
    }
}

/// Runs one case and compares it (or, when blessing, rewrites its expected files).
pub async fn run_case(case: Case) -> Vec<Mismatch> {
    let (produced, places) = produce(&case).await;
    if bless() {
        write_expected(&case, &produced);
        return Vec::new();
    }
    compare(&case, &produced, &places)
}

/// Runs the cases, at most `jobs` at once; a case whose kit code panics is a mismatch too.
pub async fn run_all(cases: Vec<Case>, jobs: usize) -> BTreeMap<String, Vec<Mismatch>> {
    let slots = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for case in cases {
        let slots = Arc::clone(&slots);
        set.spawn(async move {
            let _slot = slots.acquire_owned().await.expect("semaphore open");
            let name = case.name.clone();
            let found = match tokio::spawn(run_case(case)).await {
                Ok(found) => found,
                Err(e) => {
                    let why = match e.try_into_panic() {
                        Ok(p) => p
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_else(|| "a panic".into()),
                        Err(e) => e.to_string(),
                    };
                    vec![Mismatch {
                        case: name.clone(),
                        file: "the case itself".into(),
                        detail: format!("{why}\n"),
                    }]
                }
            };
            (name, found)
        });
    }
    let mut results = BTreeMap::new();
    while let Some(joined) = set.join_next().await {
        let (name, found) = joined.expect("case task ends");
        results.insert(name, found);
    }
    results
}
