//! The `openssl` command line, for tests that make their own certificates and keys with it:
//! whether it runs (a skip with a notice where it does not, a failure under `CI=true`), and
//! running it.

use std::path::Path;
use std::process::Command;

/// Whether `openssl` runs; without it `tests` are skipped with a notice, unless `CI=true`,
/// where that fails the test.
pub fn available(tests: &str) -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return true;
    }
    assert!(
        !std::env::var("CI").is_ok_and(|v| v == "true"),
        "CI=true and no `openssl` binary: {tests} cannot be skipped"
    );
    eprintln!("notice: no `openssl` binary; skipping {tests}");
    false
}

/// Runs `openssl ARGS` in `dir`; the test fails if it does.
pub fn sh(args: &[&str], dir: &Path) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
