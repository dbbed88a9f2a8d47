//! Fuzzing the input loaders: the shipped suites, catalogue, target profiles and attestations
//! mutated (bytes flipped, tricky tokens inserted, cut, duplicated, nested deep, long lines,
//! NUL bytes, byte-order marks), plus generated templates and JSONPaths. Over 10,000 inputs a
//! run, from a fixed seed so that a run is repeatable: none may panic or take long, every
//! rejection is located (line and column), and what is printed stays bounded.
//!
//! The loaders run in-process through the library, as `validate` runs them (text decoding,
//! parsing, typed loading, the cross-checks against the shipped suites and catalogue); a
//! sample also goes through the binary, which must exit 0 or 2.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::json;
use vvcheck::model::diag::{Diagnostics, SourceFile};
use vvcheck::model::inputs::{self, Inputs};
use vvcheck::model::load::{self, FileKind};
use vvcheck::model::pattern::PathExpr;
use vvcheck::model::resolve::ResolvedTarget;
use vvcheck::model::standard::Catalogue;
use vvcheck::model::suite::Check;
use vvcheck::model::{template, text};
use vvcheck::probes::registry::Registry;

use common::cli::{self, vvcheck};

/// The longest one input may take, loaded in a debug build on a busy machine: a loader that
/// goes quadratic or exponential is far past it.
const SLOW: Duration = Duration::from_secs(10);

/// The most a rejection may print (40 diagnostics, each a few lines).
const MAX_PRINTED: usize = 128 * 1024;

/// The shipped files the mutations start from, and their kinds.
const SEEDS: &[(&str, FileKind)] = &[
    ("suites/privacy.yaml", FileKind::Suite),
    ("suites/technology.yaml", FileKind::Suite),
    ("suites/security.yaml", FileKind::Suite),
    ("suites/functionality.yaml", FileKind::Suite),
    ("suites/accessibility.yaml", FileKind::Suite),
    ("suites/standard.yaml", FileKind::Standard),
    ("fixtures/targets/example.yaml", FileKind::Target),
    ("fixtures/targets/threads.yaml", FileKind::Target),
    ("fixtures/targets/graph.yaml", FileKind::Target),
    (
        "fixtures/attestations/reference.yaml",
        FileKind::Attestations,
    ),
    (
        "fixtures/attestations/cases/valid.yaml",
        FileKind::Attestations,
    ),
];

/// Text that trips parsers: YAML structure, templates, JSONPaths, encodings.
const TOKENS: &[&[u8]] = &[
    b"{{",
    b"}}",
    b"{%",
    b"{{ 'a' * 100000000 }}",
    b"{{ x * 'a' }}",
    b"{% for i in range(100000) %}{% endfor %}",
    b"[?@",
    b"$[?@[?@[?@[?@[?@[?@[?@[?@]]]]]]]]",
    b"((((((((((((((((((((((((((((((((((((",
    b"\0",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\xFF",
    b"\xC3",
    b"\n- ",
    b": ",
    b"\n  ",
    b"&a ",
    b"*a ",
    b"<<: *a\n",
    b"!!int ",
    b"!!binary ",
    b"!custom ",
    b"\n---\n",
    b"...\n",
    b"'",
    b"\"",
    b"\\",
    b"\t",
    b"#",
    b"|\n",
    b">-\n",
    b"~",
    b"null",
    b"-1",
    b"99999999999999999999999",
    b"1e999",
    b".nan",
    b"? ",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"\r",
    b"\xE2\x80\xAE",
];

/// One change to a file's bytes; positions are taken modulo the length.
#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, usize),
    Truncate(usize),
    Duplicate(usize, usize),
    Delete(usize, usize),
    Nest(usize, usize),
    LongLine(usize, usize),
    Prefix(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Flip(p, b)),
        4 => (any::<usize>(), 0..TOKENS.len()).prop_map(|(p, t)| Mutation::Insert(p, t)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => (any::<usize>(), 1usize..4096).prop_map(|(p, n)| Mutation::Duplicate(p, n)),
        1 => (any::<usize>(), 1usize..256).prop_map(|(p, n)| Mutation::Delete(p, n)),
        1 => (any::<usize>(), 1usize..3000).prop_map(|(p, n)| Mutation::Nest(p, n)),
        1 => (any::<usize>(), 1usize..100_000).prop_map(|(p, n)| Mutation::LongLine(p, n)),
        1 => (0..TOKENS.len()).prop_map(Mutation::Prefix),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let at = |p: usize, len: usize| if len == 0 { 0 } else { p % (len + 1) };
    match *m {
        Mutation::Flip(p, b) if !bytes.is_empty() => {
            let i = p % bytes.len();
            bytes[i] ^= b | 1;
        }
        Mutation::Flip(..) => {}
        Mutation::Insert(p, t) => {
            let i = at(p, bytes.len());
            bytes.splice(i..i, TOKENS[t].iter().copied());
        }
        Mutation::Truncate(p) => bytes.truncate(at(p, bytes.len())),
        Mutation::Duplicate(p, n) => {
            let i = at(p, bytes.len());
            let end = (i + n).min(bytes.len());
            let copy = bytes[i..end].to_vec();
            bytes.splice(end..end, copy);
        }
        Mutation::Delete(p, n) => {
            let i = at(p, bytes.len());
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Mutation::Nest(p, n) => {
            let i = at(p, bytes.len());
            let open = if p % 2 == 0 { b"[" } else { b"{" };
            bytes.splice(i..i, open.repeat(n));
        }
        Mutation::LongLine(p, n) => {
            let i = at(p, bytes.len());
            let word: &[u8] = if p % 2 == 0 { b"SEC-99, " } else { b"x" };
            bytes.splice(i..i, word.repeat(n / word.len()));
        }
        Mutation::Prefix(t) => {
            bytes.splice(0..0, TOKENS[t].iter().copied());
        }
    }
}

/// What every input is checked beside: the shipped catalogue and suites, loaded once.
struct Shipped {
    catalogue: Catalogue,
    checks: Vec<Arc<Check>>,
    seeds: Vec<(Vec<u8>, FileKind, &'static str)>,
}

impl Shipped {
    fn load() -> Shipped {
        let loaded =
            inputs::load(&inputs::InputPaths::default(), &Registry).expect("shipped inputs load");
        let seeds = SEEDS
            .iter()
            .map(|(path, kind)| {
                let bytes = std::fs::read(cli::root().join(path)).expect("seed readable");
                (bytes, *kind, *path)
            })
            .collect();
        Shipped {
            catalogue: loaded.catalogue,
            checks: loaded.checks,
            seeds,
        }
    }
}

/// Loads one file as `validate` would, with the shipped inputs beside it; its diagnostics, if
/// it is refused.
fn load_one(shipped: &Shipped, name: &str, bytes: &[u8], kind: FileKind) -> Option<Diagnostics> {
    let path = std::path::PathBuf::from(name);
    let text = match text::decode(bytes) {
        Ok(t) => t,
        Err(e) => {
            let file = Arc::new(SourceFile {
                path,
                text: e.shown,
            });
            return Some(Diagnostics(vec![
                vvcheck::model::Diagnostic::new(&file, e.loc, e.message).hint(e.hint),
            ]));
        }
    };
    let src = Arc::new(SourceFile { path, text });
    let root = match load::parse(&src) {
        Ok(root) => root,
        Err(d) => return Some(d),
    };
    let _ = load::detect_kind(&root);
    let mut inputs = Inputs {
        catalogue: shipped.catalogue.clone(),
        checks: Vec::new(),
        target: None,
        resolved: None,
        attestations: Vec::new(),
        warnings: Vec::new(),
        sources: Vec::new(),
    };
    let mut diags = Diagnostics::default();
    match kind {
        FileKind::Standard => match load::catalogue(&src, &root) {
            Ok(c) => inputs.catalogue = c,
            Err(d) => return Some(d),
        },
        FileKind::Suite => match load::suite(&src, root, &Registry) {
            Ok(checks) => {
                let replaced = src.path.file_name();
                inputs.checks = shipped
                    .checks
                    .iter()
                    .filter(|c| c.source.as_ref().map(|s| s.path.file_name()) != Some(replaced))
                    .cloned()
                    .chain(checks.into_iter().map(Arc::new))
                    .collect();
            }
            Err(d) => return Some(d),
        },
        FileKind::Target => match load::target(&src, &root) {
            Ok(t) => inputs.target = Some((t, Arc::clone(&src))),
            Err(d) => return Some(d),
        },
        FileKind::Attestations => match load::attestations(&src, &root) {
            Ok(a) => inputs.attestations.push((a, Arc::clone(&src))),
            Err(d) => return Some(d),
        },
    }
    if kind != FileKind::Suite {
        inputs.checks = shipped.checks.clone();
    }
    let mut warnings = Vec::new();
    inputs::cross_check(&inputs, &mut diags, &mut warnings);
    if let Some((profile, src)) = &inputs.target
        && let Err(d) = ResolvedTarget::resolve(profile, src, true)
    {
        diags.0.extend(d.0);
    }
    (!diags.is_empty()).then_some(diags)
}

/// Every diagnostic located, and the whole printed within bounds.
fn well_reported(diags: &Diagnostics) -> Result<(), TestCaseError> {
    for d in &diags.0 {
        prop_assert!(
            d.loc.line > 0 && d.loc.column > 0,
            "not located: {} ({})",
            d.message,
            d.position()
        );
    }
    let printed = diags.to_string();
    prop_assert!(
        printed.len() <= MAX_PRINTED,
        "{} bytes printed for {} diagnostics",
        printed.len(),
        diags.0.len()
    );
    Ok(())
}

fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 256,
        max_shrink_time: 60_000,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, TestCaseError> {
    let started = Instant::now();
    let out = f();
    let took = started.elapsed();
    prop_assert!(took < SLOW, "{what} took {took:?}");
    Ok(out)
}

#[test]
fn mutated_input_files_are_loaded_or_refused_with_located_bounded_diagnostics() {
    let shipped = Shipped::load();
    let strategy = (
        0..shipped.seeds.len(),
        prop::collection::vec(mutation(), 1..6),
    );
    runner(6_000)
        .run(&strategy, |(seed, mutations)| {
            let (bytes, kind, name) = &shipped.seeds[seed];
            let mut bytes = bytes.clone();
            for m in &mutations {
                apply(&mut bytes, m);
            }
            let refused = timed(name, || load_one(&shipped, name, &bytes, *kind))?;
            if let Some(d) = refused {
                well_reported(&d)?;
            }
            Ok(())
        })
        .expect("no input file panics, hangs or is refused without a location");
    if let Some(peak) = peak_memory_kb() {
        assert!(peak < MAX_PEAK_KB, "the loaders' peak memory: {peak} kB");
    }
}

/// The most memory the process may have held at once after 6,000 loads: well above what the
/// loaders need, and far below what a template bomb or an unbounded diagnostic would take.
const MAX_PEAK_KB: u64 = 1024 * 1024;

/// The process's peak resident memory, where the system tells it (Linux).
fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Pieces of templates: expressions, statements, literals, operators.
const TEMPLATE_PARTS: &[&str] = &[
    "{{ ",
    " }}",
    "{% ",
    " %}",
    "{%- ",
    " -%}",
    "{# ",
    " #}",
    "x",
    "actors",
    ".",
    "[",
    "]",
    "(",
    ")",
    "'a'",
    "\"b\"",
    "*",
    "**",
    "~",
    "+",
    "-",
    "/",
    "//",
    "%",
    "|",
    "upper",
    "length",
    "join",
    "100000000",
    "99999",
    "3",
    "0",
    "1.5",
    "if ",
    "for ",
    " in ",
    "range(",
    "endfor",
    "endif",
    "set ",
    "=",
    ",",
    "macro ",
    "endmacro",
    "call",
    "loop",
    "none",
    "true",
    "{",
    "}",
    ":",
    "\0",
    "\u{202e}",
    "é",
];

/// Pieces of JSONPaths: selectors, filters, functions, literals.
const PATH_PARTS: &[&str] = &[
    "$", "@", ".", "..", "*", "[", "]", "(", ")", "[?", "?", "@.a", "==", "!=", "<", "&&", "||",
    "!", "'x'", "\"y\"", "0", "-1", ":", ",", "length(", "count(", "match(", "search(", "value(",
    "a", "{{ id }}", "{{", "}}", "\\", "'", "\"",
];

fn joined(parts: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(parts), 0..max)
        .prop_flat_map(|p| {
            let text = p.concat();
            (Just(text), 0usize..4, 0usize..2000)
        })
        .prop_map(|(text, deep, n)| match deep {
            // Now and then the whole nested many times over.
            0 => format!("{}{text}{}", "(".repeat(n), ")".repeat(n)),
            1 => format!("{}{text}{}", "[?@".repeat(n % 40), "]".repeat(n % 40)),
            _ => text,
        })
}

#[test]
fn generated_templates_compile_render_or_fail_quickly() {
    let ctx = json!({"x": "v", "actors": {"a": {"id": "u-1"}}, "id": 3});
    runner(4_000)
        .run(&joined(TEMPLATE_PARTS, 40), |source| {
            timed(&source, || {
                let _ = template::variables(&source);
                if let Ok(out) = template::render(&source, &ctx) {
                    assert!(out.len() <= template::MAX_OUTPUT, "{source}");
                }
                let _ = template::render_value(&json!(source), &ctx);
            })
        })
        .expect("no template panics or runs long");
}

#[test]
fn generated_jsonpaths_compile_or_fail_quickly() {
    let doc = json!({"a": [{"a": 1}, {"a": [1, 2]}], "x": "y"});
    let ctx = json!({"id": 1});
    runner(4_000)
        .run(&joined(PATH_PARTS, 40), |source| {
            timed(&source, || {
                if let Ok(p) = PathExpr::new(&source)
                    && let Ok((_, path)) = p.resolve(&ctx)
                {
                    let _ = path.query(&doc).all();
                }
            })
        })
        .expect("no JSONPath panics or runs long");
}

#[test]
fn a_sample_of_mutated_files_through_the_binary_exits_0_or_2_with_bounded_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let seeds: Vec<(Vec<u8>, &str)> = SEEDS
        .iter()
        .map(|(p, _)| (std::fs::read(cli::root().join(p)).expect("seed"), *p))
        .collect();
    let strategy = (0..seeds.len(), prop::collection::vec(mutation(), 1..4));
    runner(40)
        .run(&strategy, |(seed, mutations)| {
            let (bytes, name) = &seeds[seed];
            let mut bytes = bytes.clone();
            for m in &mutations {
                apply(&mut bytes, m);
            }
            let file_name = std::path::Path::new(name).file_name().unwrap_or_default();
            let file = dir.path().join(file_name);
            std::fs::write(&file, &bytes).expect("written");
            let r = vvcheck(["validate"])
                .arg(&file)
                .timeout(Duration::from_secs(60))
                .run();
            prop_assert!(matches!(r.code(), 0 | 2), "exit {}\n{}", r.code(), r.stderr);
            prop_assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
            prop_assert!(r.stderr.len() + r.stdout.len() <= MAX_PRINTED);
            if r.code() == 2 {
                prop_assert!(r.stderr.contains("  --> "), "not located:\n{}", r.stderr);
            }
            Ok(())
        })
        .expect("the binary neither crashes nor prints without bound");
}
