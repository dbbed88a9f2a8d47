//! Runs through an outbound proxy: the profile's `proxy:` key and the environment's
//! `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`, basic credentials by secret reference, loopback left
//! direct unless the profile says so, and a proxy that refuses. The reference server is named by
//! a host no resolver knows, which only the test proxy maps to it: a run whose checks pass that
//! way sent every request through the proxy, the TLS probe's handshakes included.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::cli::{Run, vvcheck};
use common::connect_proxy::{ConnectProxy, Mode};
use common::{Reference, all_pass, checks};
use vvcheck::reference::{Dialect, UNRESOLVABLE_NAME};

/// Logins, an API round trip, attachments, the TLS probe's handshakes (protocols, ciphers,
/// certificate) and the plain-HTTP redirect.
const REQUIREMENTS: &str = "FUN-01,FUN-04,SEC-01,SEC-03";

/// The proxy variables a test's environment may hold, cleared so each test sets its own.
const PROXY_VARS: [&str; 8] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

async fn start() -> Reference {
    Reference::start(Dialect::Rest, &[]).await
}

/// The run of `requirements` against `profile` with `env`, reports in `out`.
async fn run(profile: &Path, out: &Path, requirements: &str, env: &[(&str, &str)]) -> Run {
    let mut cmd = vvcheck(["run", "--target"])
        .arg(profile)
        .args(["--requirement", requirements, "--out"])
        .arg(out)
        .timeout(Duration::from_secs(300));
    for var in PROXY_VARS {
        cmd = cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd = cmd.env(k, v);
    }
    cmd.run_async().await
}

/// `r`'s profile with the server named by [`UNRESOLVABLE_NAME`] and `extra` appended.
fn profile(r: &Reference, extra: &str, unresolvable: bool) -> PathBuf {
    let mut text = std::fs::read_to_string(&r.profile).expect("profile readable");
    if unresolvable {
        text = text.replace("127.0.0.1", UNRESOLVABLE_NAME);
    }
    let path = r.dir.path().join("proxied.yaml");
    std::fs::write(&path, format!("{text}\n{extra}\n")).expect("profile written");
    path
}

/// Tunnels to the reference server's HTTPS port, and forwarded plain-HTTP requests.
fn counts(proxy: &ConnectProxy, r: &Reference) -> (usize, usize) {
    let https = url::Url::parse(&r.server.base_url).expect("base URL");
    let port = https.port().expect("port");
    let log = proxy.log();
    let tunnels = log
        .iter()
        .filter(|l| l.method == "CONNECT" && l.target == format!("{UNRESOLVABLE_NAME}:{port}"))
        .count();
    let forwarded = log
        .iter()
        .filter(|l| {
            l.method != "CONNECT"
                && l.target
                    .starts_with(&format!("http://{UNRESOLVABLE_NAME}:"))
        })
        .count();
    (tunnels, forwarded)
}

/// Every file under `dir` and the console, searched for `secret`.
fn nowhere(secret: &str, run: &Run, dir: &Path) {
    assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
    for f in common::files_under(dir) {
        let bytes = std::fs::read(&f).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(secret),
            "{} holds the proxy password",
            f.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_of_a_run_goes_through_the_profiles_proxy() {
    let r = start().await;
    let proxy = ConnectProxy::start(Mode::Open).await;
    let target = profile(&r, &format!("proxy: {{ url: \"{}\" }}", proxy.url), true);
    let out = r.dir.path().join("out");
    let run = run(&target, &out, REQUIREMENTS, &[]).await;
    all_pass(&run, &out);
    let (tunnels, forwarded) = counts(&proxy, &r);
    // The TLS probe alone makes dozens of handshakes (versions, suites, the certificate).
    assert!(tunnels >= 20, "{tunnels} tunnels: {:#?}", proxy.log());
    assert!(
        forwarded >= 1,
        "the plain-HTTP redirect check went through the proxy too"
    );
    assert!(
        run.stdout.contains(&format!(
            "proxy {} (from the profile's proxy.url)",
            proxy.url
        )),
        "the console names the proxy: {}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environments_proxy_with_credentials_by_secret_reference() {
    let r = start().await;
    let password = "pr0xy-s3cret-7Q";
    let proxy = ConnectProxy::start(Mode::Credentials("vvcheck".into(), password.into())).await;
    let target = profile(
        &r,
        "proxy: { username: vvcheck, password: { env: VV_PROXY_PASSWORD } }",
        true,
    );
    let out = r.dir.path().join("out");
    let env = [
        ("HTTPS_PROXY", proxy.url.as_str()),
        ("http_proxy", proxy.url.as_str()),
        ("VV_PROXY_PASSWORD", password),
    ];
    let first = run(&target, &out, REQUIREMENTS, &env).await;
    all_pass(&first, &out);
    let log = proxy.log();
    assert!(!log.is_empty() && log.iter().all(|l| l.allowed), "{log:#?}");
    nowhere(password, &first, r.dir.path());

    // A password in the proxy URL itself is masked the same way.
    let out = r.dir.path().join("out-inline");
    let inline = proxy
        .url
        .replace("http://", &format!("http://vvcheck:{password}@"));
    let plain = profile(&r, "", true);
    let env = [
        ("https_proxy", inline.as_str()),
        ("HTTP_PROXY", inline.as_str()),
    ];
    let second = run(&plain, &out, REQUIREMENTS, &env).await;
    all_pass(&second, &out);
    nowhere(password, &second, &out);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_that_refuses_gives_errors_that_say_so_never_verdicts() {
    let r = start().await;
    for (mode, why) in [
        (Mode::Refuse, "403 Forbidden"),
        (
            Mode::Credentials("vvcheck".into(), "another".into()),
            "it wants credentials",
        ),
    ] {
        let proxy = ConnectProxy::start(mode).await;
        let target = profile(&r, &format!("proxy: {{ url: \"{}\" }}", proxy.url), true);
        let out = r.dir.path().join("out");
        let _ = std::fs::remove_dir_all(&out);
        let run = run(&target, &out, REQUIREMENTS, &[]).await;
        let checks = checks(&out);
        let failed: Vec<_> = checks.iter().filter(|(_, s, _)| s == "fail").collect();
        assert!(failed.is_empty(), "{failed:#?}");
        let refused = format!(
            "the proxy {} refused CONNECT to {UNRESOLVABLE_NAME}:",
            proxy.url
        );
        let saying = checks
            .iter()
            .filter(|(_, s, m)| s == "error" && m.contains(&refused) && m.contains(why))
            .count();
        assert!(saying >= 3, "{checks:#?}");
        assert!(!run.stdout.contains("panicked") && !run.stderr.contains("panicked"));
        // Mandatory requirements errored.
        run.assert_code(1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_goes_direct_unless_the_profile_says_and_no_proxy_is_honoured() {
    let r = start().await;
    let proxy = ConnectProxy::start(Mode::Open).await;
    let env = [
        ("HTTPS_PROXY", proxy.url.as_str()),
        ("HTTP_PROXY", proxy.url.as_str()),
    ];
    let out = r.dir.path().join("out-direct");
    let run1 = run(&r.profile, &out, "SEC-01", &env).await;
    all_pass(&run1, &out);
    assert!(proxy.log().is_empty(), "{:#?}", proxy.log());

    let target = profile(&r, "proxy: { loopback: true }", false);
    let out = r.dir.path().join("out-loopback");
    let run2 = run(&target, &out, "SEC-01", &env).await;
    all_pass(&run2, &out);
    let through = proxy.log().len();
    assert!(through >= 10, "{through} requests through the proxy");

    let listed = [
        ("HTTPS_PROXY", proxy.url.as_str()),
        ("no_proxy", "example.org, 127.0.0.0/8"),
    ];
    let out = r.dir.path().join("out-listed");
    let run3 = run(&target, &out, "SEC-01", &listed).await;
    all_pass(&run3, &out);
    assert_eq!(proxy.log().len(), through, "NO_PROXY names 127.0.0.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_doctor_shows_the_tunnel_and_a_refusal() {
    let r = start().await;
    let proxy = ConnectProxy::start(Mode::Open).await;
    let target = profile(&r, &format!("proxy: {{ url: \"{}\" }}", proxy.url), true);
    let doctor = |target: PathBuf| {
        let mut cmd = vvcheck(["doctor", "--target"])
            .arg(target)
            .timeout(Duration::from_secs(120));
        for var in PROXY_VARS {
            cmd = cmd.env_remove(var);
        }
        cmd.run_async()
    };
    let ok = doctor(target).await;
    ok.assert_code(0);
    assert!(
        ok.stdout.contains(&format!(
            "{UNRESOLVABLE_NAME}:{} through the proxy {}: tunnel open",
            url::Url::parse(&r.server.base_url)
                .expect("URL")
                .port()
                .expect("port"),
            proxy.url
        )),
        "{}",
        ok.stdout
    );
    assert!(
        ok.stdout.contains("(the proxy; it resolves"),
        "{}",
        ok.stdout
    );

    let refusing = ConnectProxy::start(Mode::Refuse).await;
    let target = profile(&r, &format!("proxy: {{ url: \"{}\" }}", refusing.url), true);
    let refused = doctor(target).await;
    refused.assert_code(1);
    assert!(
        refused.stdout.contains("refused CONNECT") && refused.stdout.contains("403 Forbidden"),
        "{}",
        refused.stdout
    );
}

#[test]
fn an_unusable_proxy_is_a_located_error_before_any_request() {
    let dir = tempfile::tempdir().expect("dir");
    let profile = dir.path().join("target.yaml");
    std::fs::write(
        &profile,
        std::fs::read_to_string(
            common::cli::root().join("fixtures/invalid/profile-origin-not-https.yaml"),
        )
        .expect("fixture")
        .replace(
            "origins: [http://files.acme.example]   # plain HTTP: refused",
            "",
        ),
    )
    .expect("written");
    let socks = vvcheck(["validate"])
        .arg(&profile)
        .env("ACME_PA_PASSWORD", "pa-secret-1")
        .env("ACME_PB_PASSWORD", "pb-secret-1")
        .env("ACME_DR_PASSWORD", "dr-secret-1")
        .env("ACME_OUTBOX_TOKEN", "outbox-token-1")
        .env("ACME_LOCK_PASSWORD", "lock-secret-1")
        .env("HTTPS_PROXY", "socks5://proxy.corp:1080")
        .run();
    socks.assert_code(2);
    assert!(
        socks
            .stderr
            .contains("HTTPS_PROXY: vvcheck speaks to proxies over `http://` only")
            && socks.stderr.contains("target.yaml:6:"),
        "{}",
        socks.stderr
    );
}
