//! The `color-contrast` rule over its corpus pages (`fixtures/a11y/color-contrast--*.html`),
//! read from disk as the probe reads a page: its linked stylesheets found, read and parsed with
//! it. Every sidecar's expected failures and undecided elements must be reported exactly; the
//! rule's precision and recall over the corpus are printed. And bad input stays bounded.

use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html, Selector};
use serde::Deserialize;
use vvcheck::probes::a11y::contrast::COLOR_CONTRAST;
use vvcheck::probes::a11y::issue::IssueKind;
use vvcheck::probes::a11y::page::{Page, Stylesheet};
use vvcheck::probes::a11y::rules::{RuleRun, evaluate};

#[derive(Deserialize)]
struct Sidecar {
    rule: String,
    #[serde(default)]
    fails: Vec<Expected>,
    #[serde(default)]
    undecided: Vec<Expected>,
}

#[derive(Deserialize)]
struct Expected {
    rule: String,
    selector: String,
}

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/a11y");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/a11y")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "html")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("color-contrast--"))
        })
        .collect();
    pages.sort();
    pages
}

/// The page at `path`, with the stylesheets it links read from disk.
fn load(path: &Path) -> Page {
    let bytes = std::fs::read(path).expect("page");
    let url = url::Url::from_file_path(path).expect("file url");
    let doc = Html::parse_document(&String::from_utf8_lossy(&bytes));
    let sheets = Page::linked_stylesheets(&doc, &url)
        .into_iter()
        .filter_map(|u| {
            let text = std::fs::read_to_string(u.to_file_path().ok()?).ok()?;
            Some(Stylesheet { url: u, text })
        })
        .collect();
    Page::parse(url, &bytes, sheets)
}

/// The one element `css` finds in `page`.
fn one<'a>(page: &'a Page, css: &str, what: &str) -> ElementRef<'a> {
    let sel = Selector::parse(css).unwrap_or_else(|e| panic!("{what}: selector {css}: {e:?}"));
    let found: Vec<_> = page.doc.select(&sel).collect();
    assert_eq!(
        found.len(),
        1,
        "{what}: {css} finds {} elements",
        found.len()
    );
    found[0]
}

#[test]
fn the_corpus_is_reported_exactly_and_precision_and_recall_hold() {
    let pages = corpus();
    assert!(pages.len() >= 16, "{} corpus pages", pages.len());
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut mismatches = Vec::new();
    for path in &pages {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?")
            .to_string();
        let sidecar: Sidecar = serde_saphyr::from_str(
            &std::fs::read_to_string(path.with_extension("yaml")).expect("sidecar"),
        )
        .unwrap_or_else(|e| panic!("{name}.yaml: {e}"));
        assert_eq!(sidecar.rule, "color-contrast", "{name}");
        let page = load(path);
        let outcome = evaluate(&page)
            .into_iter()
            .find(|o| o.rule == "color-contrast")
            .expect("color-contrast is among the rules");
        for (kind, expected) in [
            (IssueKind::Fail, &sidecar.fails),
            (IssueKind::Undecided, &sidecar.undecided),
        ] {
            let want: Vec<_> = expected
                .iter()
                .filter(|e| e.rule == "color-contrast")
                .map(|e| one(&page, &e.selector, &name).id())
                .collect();
            let got: Vec<_> = outcome
                .issues
                .iter()
                .filter(|i| i.kind == kind)
                .map(|i| (one(&page, &i.selector, &name).id(), i))
                .collect();
            for (id, issue) in &got {
                if want.contains(id) {
                    if kind == IssueKind::Fail {
                        tp += 1;
                    }
                } else {
                    if kind == IssueKind::Fail {
                        fp += 1;
                    }
                    mismatches.push(format!(
                        "{name}: unexpected {kind:?} {} ({})",
                        issue.selector, issue.message
                    ));
                }
            }
            for (id, e) in want.iter().zip(expected) {
                if !got.iter().any(|(g, _)| g == id) {
                    if kind == IssueKind::Fail {
                        fn_ += 1;
                    }
                    mismatches.push(format!("{name}: {kind:?} {} not reported", e.selector));
                }
            }
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    println!(
        "color-contrast over {} pages: tp {tp} fp {fp} fn {fn_}, precision {precision:.3}, recall {recall:.3}",
        pages.len()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(precision >= 0.95, "precision {precision:.3}");
    assert!(recall >= 0.90, "recall {recall:.3}");
}

#[test]
fn messages_give_the_figures() {
    let path = corpus()
        .into_iter()
        .find(|p| p.ends_with("color-contrast--inline-style.html"))
        .expect("the inline-style page");
    let page = load(&path);
    let mut run = RuleRun::default();
    (COLOR_CONTRAST.run)(&page, &mut run);
    assert_eq!(run.checked, 3, "the heading and two paragraphs");
    assert_eq!(
        run.issues[0].message,
        "contrast 4.48:1 (#777777 on #ffffff, 16px normal weight), needs 4.5:1"
    );
}

/// Runs the rule on `html` (and one linked sheet) on a thread with a 2 MiB stack.
fn run_small_stack(html: String, sheet: Option<String>) -> RuleRun {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let url = url::Url::parse("https://vendor.test/page").expect("url");
            let sheets = sheet
                .map(|text| Stylesheet {
                    url: url.join("site.css").expect("url"),
                    text,
                })
                .into_iter()
                .collect();
            let page = Page::parse(url, html.as_bytes(), sheets);
            let mut run = RuleRun::default();
            (COLOR_CONTRAST.run)(&page, &mut run);
            run
        })
        .expect("thread")
        .join()
        .expect("no panic")
}

#[test]
fn deep_nesting_and_huge_stylesheets_stay_bounded() {
    let deep = format!(
        "<!doctype html><style>div div {{ color: #777 }} span {{ color: #000 }}</style>{}<span>deep</span>{}",
        "<div>".repeat(10_000),
        "</div>".repeat(10_000)
    );
    let run = run_small_stack(deep, None);
    // A page nested past `page::MAX_DEPTH` is flattened there, its content kept; text that
    // deep is past what the contrast rule evaluates, so it stays undecided.
    assert_eq!(run.checked, 1);
    assert_eq!(run.issues.len(), 1);
    assert_eq!(
        run.issues[0].kind,
        IssueKind::Undecided,
        "{}",
        run.issues[0].message
    );

    let mut css = String::new();
    for i in 0..6_000 {
        css.push_str(&format!(
            ".c{i} p, #x{i} > a:hover, @@ {{ color: #{:03x} }}\n",
            i % 4096
        ));
    }
    css.push_str("p { color: #777 !important; background: rgba(0,0,0,.");
    let html = format!(
        r#"<!doctype html><link rel=stylesheet href="site.css"><p class="c1" style="{}">text</p>{}"#,
        "x".repeat(100_000),
        "<p>more</p>".repeat(2_000)
    );
    let run = run_small_stack(html, Some(css));
    assert_eq!(run.checked, 2_001);
    let odd: Vec<_> = run
        .issues
        .iter()
        .filter(|i| i.kind != IssueKind::Undecided || !i.message.contains("5000 rules"))
        .collect();
    assert!(odd.is_empty(), "{:?}", odd.first());
    assert_eq!(run.issues.len() + run.omitted, 2_001, "listed or counted");

    let nested_css = format!(
        "{}p {{ color: #777 }}{} {}p {{ color: #777 }}",
        "@media screen { ".repeat(10_000),
        "}".repeat(10_000),
        ":is(".repeat(10_000)
    );
    let run = run_small_stack(
        r#"<link rel=stylesheet href="site.css"><p>nested</p>"#.to_string(),
        Some(nested_css),
    );
    assert_eq!(run.checked, 1);
    assert_eq!(run.issues.len(), 1);
    assert!(
        run.issues[0].message.contains("deeper than"),
        "{}",
        run.issues[0].message
    );

    let junk = "<p style=\"color:\u{0}\u{fffd}rgb(((((\">x</p><style>}}{{@media ((( { p { color: red</style>";
    let run = run_small_stack(junk.to_string(), Some("\u{fffd}{{{{;;;}".into()));
    assert_eq!(run.checked, 1);
}
