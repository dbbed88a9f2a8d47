//! `report.html` as a reader gets it: the demo's report opened in headless Chromium renders
//! (its title in the DOM, a screenshot that is not blank), and markup a target sends back, or
//! a suite puts in a title, is shown as text, never run.
//!
//! With `CI=true` a missing Chromium fails the rendering test; elsewhere it says "skipped: …"
//! and passes. Chromium runs in a process group of its own, with a deadline, and is killed
//! with its children when the deadline passes.

mod common;

use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use common::cli::vvcheck;
use common::vendor::{SuiteRun, serve};

/// The longest Chromium may take for one page.
const DEADLINE: Duration = Duration::from_secs(60);

/// Runs Chromium headless on `page` with `args`; its stdout. Kills its process group if it
/// has not finished within [`DEADLINE`].
fn headless(chromium: &Path, profile: &Path, args: &[String], page: &Path) -> String {
    let out = profile.join("stdout");
    let child = Command::new(chromium)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--window-size=1280,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).expect("stdout file"))
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("Chromium starts");
    let mut child = common::cli::KillOnDrop(child);
    let started = Instant::now();
    loop {
        if child.0.try_wait().expect("waitable").is_some() {
            break;
        }
        if started.elapsed() > DEADLINE {
            // The whole group: the browser's renderer and helper processes too.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.0.id())])
                .status();
            panic!(
                "Chromium did not finish {} within {DEADLINE:?}",
                page.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::read_to_string(out).expect("Chromium's output")
}

/// How many distinct colours the PNG at `path` holds, and the share of pixels that are not white.
fn colours(path: &Path) -> (usize, f64) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("screenshot"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let bytes = &buf[..info.buffer_size()];
    let step = info.color_type.samples();
    let mut distinct = std::collections::HashSet::new();
    let mut inked = 0usize;
    let pixels = bytes.chunks_exact(step);
    let total = pixels.len().max(1);
    for px in pixels {
        let rgb = &px[..step.min(3)];
        if rgb.iter().any(|&c| c < 250) {
            inked += 1;
        }
        distinct.insert(rgb.to_vec());
    }
    (distinct.len(), inked as f64 / total as f64)
}

#[test]
fn the_demo_report_renders_in_a_browser() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    vvcheck(["demo", "--out"]).arg(&out).run().assert_code(0);
    let page = out.join("report.html");
    let html = std::fs::read_to_string(&page).expect("report.html is written");
    println!("report.html: {} bytes", html.len());
    assert!(html.contains("<title>vvcheck report: vvcheck reference server"));
    assert!(!html.contains("<script"), "no script at all");

    let Ok(chromium) = vvcheck::probes::a11y::browser::BrowserSetup::find_chromium() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must render the HTML report: Chromium not found (VVCHECK_CHROMIUM or chromium on PATH)"
        );
        println!("skipped: Chromium not found (VVCHECK_CHROMIUM or chromium on PATH)");
        return;
    };
    let profile = tempfile::tempdir().expect("profile dir");
    let dom = headless(
        &chromium,
        profile.path(),
        &["--dump-dom".to_string()],
        &page,
    );
    assert!(
        dom.contains("<title>vvcheck report: vvcheck reference server"),
        "the title is in the rendered DOM: {:.300}",
        dom
    );
    assert!(
        dom.contains("id=\"specification\""),
        "the last section rendered too"
    );

    let shot = dir.path().join("report.png");
    let started = Instant::now();
    headless(
        &chromium,
        profile.path(),
        &[format!("--screenshot={}", shot.display())],
        &page,
    );
    println!("screenshot in {:?}", started.elapsed());
    let (distinct, inked) = colours(&shot);
    assert!(
        distinct > 16 && inked > 0.02,
        "the screenshot is not blank: {distinct} colours, {:.1}% inked",
        inked * 100.0
    );
}

const PAYLOAD: &str = "<script>alert(1)</script>";

const SUITE: &str = r#"
- id: fun.read-one-message
  title: "A patient reads a message <script>alert(1)</script>"
  requirements: [FUN-01]
  steps:
    - call: get_message
      as: patient_a
      with: { conversation_id: c1, message_id: m1 }
      expect: { outputs: { body: "hello" } }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_from_the_target_and_the_suite_is_shown_as_text() {
    let app = Router::new().route(
        "/m/{c}/{m}",
        get(|| async {
            axum::Json(serde_json::json!({
                "body": PAYLOAD, "author": "u-1", "at": "2026-01-01T09:30:00Z", "read": false
            }))
        }),
    );
    let base = serve(app).await;
    let profile = format!(
        "name: stand-in\nbase_url: {base}\n\
         auth: {{ tok: {{ kind: bearer }} }}\n\
         actors: {{ patient_a: {{ auth: tok, token: {{ env: STAND_IN_TOKEN }} }} }}\n\
         operations:\n  get_message:\n    path: /m/{{{{conversation_id}}}}/{{{{message_id}}}}\n    \
         outputs: {{ body: $.body, author: $.author, created_at: $.at, read: $.read }}\n"
    );
    let run = SuiteRun::new(&profile, SUITE);
    let done = run
        .command(&[])
        .env("STAND_IN_TOKEN", "stand-in-token-0123456789")
        .run_async()
        .await;
    done.assert_code(1);
    let results = run.results();
    let check = &results["checks"][0];
    assert_eq!(check["status"], "fail", "{check}");
    assert!(
        check["findings"].to_string().contains(PAYLOAD),
        "the finding quotes the body: {}",
        check["findings"]
    );
    let html = std::fs::read_to_string(run.out.join("report.html")).expect("report.html");
    assert!(!html.contains("<script"), "nothing runs");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "shown as text"
    );
    assert!(html.contains("F-01: A patient reads a message &lt;script&gt;"));
    assert!(!html.contains("stand-in-token-0123456789"));
}
