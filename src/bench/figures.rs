//! The bench's figures: computed from the raw runs, printed as a table and written as JSON
//! (`bench.json`) with the raw times behind each.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Value, json};

use super::suite::SuiteRun;
use super::{BenchOptions, GeneratedRun};

/// Every figure of one bench, with what it was computed from.
#[derive(Debug, Clone)]
pub struct Figures {
    latency: Duration,
    concurrency: usize,
    concurrent: SuiteRun,
    sequential: SuiteRun,
    /// Per generated run: how many checks, what it cost, how many passed.
    generated: Vec<GeneratedRun>,
    /// The smaller generated run against a server without `TCP_NODELAY`, by HTTP version
    /// (`auto`: HTTP/2 by ALPN; `1.1`: a pool of HTTP/1.1 connections).
    nagle: Vec<(&'static str, GeneratedRun)>,
    validate: Vec<Duration>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

impl Figures {
    pub(super) fn new(
        opts: &BenchOptions,
        concurrent: SuiteRun,
        sequential: SuiteRun,
        generated: Vec<GeneratedRun>,
        nagle: Vec<(&'static str, GeneratedRun)>,
        validate: Vec<Duration>,
    ) -> Figures {
        Figures {
            latency: opts.latency,
            concurrency: opts.concurrency,
            concurrent,
            sequential,
            generated,
            nagle,
            validate,
        }
    }

    /// Checks per second of a generated run.
    fn rate((n, run, _): &GeneratedRun) -> f64 {
        *n as f64 / run.wall.as_secs_f64().max(f64::MIN_POSITIVE)
    }

    /// The rate of the Nagle run over `version`.
    fn nagle_rate(&self, version: &str) -> Option<f64> {
        self.nagle
            .iter()
            .find(|(v, _)| *v == version)
            .map(|(_, r)| Self::rate(r))
    }

    /// The rate of the generated run of the Nagle runs' size against the quiet server.
    fn quiet_rate_at(&self, n: usize) -> Option<f64> {
        self.generated
            .iter()
            .find(|(m, ..)| *m == n)
            .map(Self::rate)
    }

    /// The critical path at the added latency, in milliseconds.
    fn critical_ms(&self) -> f64 {
        self.concurrent.critical.round_trips as f64 * ms(self.latency)
    }

    fn critical_path_ratio(&self) -> Option<f64> {
        let cp = self.critical_ms();
        (cp > 0.0).then(|| ms(self.concurrent.wall) / cp)
    }

    fn speedup(&self) -> f64 {
        ms(self.sequential.wall) / ms(self.concurrent.wall).max(f64::MIN_POSITIVE)
    }

    fn largest(&self) -> Option<&GeneratedRun> {
        self.generated.iter().max_by_key(|(n, ..)| *n)
    }

    fn checks_per_second(&self) -> Option<f64> {
        self.largest().map(Self::rate)
    }

    fn validate_ms(&self) -> Option<f64> {
        let mut times: Vec<Duration> = self.validate.clone();
        times.sort_unstable();
        times.get(times.len() / 2).map(|d| ms(*d))
    }

    /// `bench.json`: the figures first, then the raw runs.
    pub fn to_json(&self) -> Value {
        let mut figures = serde_json::Map::new();
        figures.insert(
            "critical_path_ratio".into(),
            json!(self.critical_path_ratio().map(|r| round(r, 3))),
        );
        figures.insert(
            "speedup_vs_sequential".into(),
            json!(round(self.speedup(), 2)),
        );
        figures.insert(
            "checks_per_second".into(),
            json!(self.checks_per_second().map(|r| round(r, 0))),
        );
        for (n, run, _) in &self.generated {
            figures.insert(
                format!("rss_mb_{n}"),
                json!(run.max_rss.map(|b| round(b as f64 / 1e6, 1))),
            );
        }
        figures.insert(
            "validate_ms".into(),
            json!(self.validate_ms().map(|v| round(v, 2))),
        );
        let h2 = self.nagle_rate("auto");
        let h1 = self.nagle_rate("1.1");
        figures.insert(
            "nagle_checks_per_second_http2".into(),
            json!(h2.map(|r| round(r, 0))),
        );
        figures.insert(
            "nagle_checks_per_second_http1_pool".into(),
            json!(h1.map(|r| round(r, 0))),
        );
        figures.insert(
            "nagle_http1_pool_over_http2".into(),
            json!(
                h1.zip(h2)
                    .map(|(a, b)| round(a / b.max(f64::MIN_POSITIVE), 2))
            ),
        );
        let suite = |r: &SuiteRun| {
            json!({
                "wall_ms": round(ms(r.wall), 1),
                "checks": r.checks,
                "passed": r.passed,
                "requests": r.requests,
                "critical_path": {
                    "round_trips": r.critical.round_trips,
                    "login_round_trips": r.critical.login_round_trips,
                    "ms": round(r.critical.round_trips as f64 * ms(self.latency), 1),
                    "checks": r.critical.checks.iter()
                        .map(|(id, n)| json!({"id": id, "round_trips": n}))
                        .collect::<Vec<_>>(),
                },
                "timeline_ms": {
                    "first_check_started": round(ms(r.timeline.first_check), 1),
                    "critical_path_started": round(ms(r.timeline.critical_started), 1),
                    "active_checks_done": round(ms(r.timeline.active_done), 1),
                    "passive_checks_done": round(ms(r.timeline.passive_done), 1),
                    "run_done": round(ms(r.wall), 1),
                },
                "slowest_checks": r.slowest.iter()
                    .map(|(id, d, n)| json!({"id": id, "ms": round(ms(*d), 1), "round_trips": n}))
                    .collect::<Vec<_>>(),
            })
        };
        let generated: Vec<Value> = self
            .generated
            .iter()
            .map(|(n, run, passed)| {
                json!({
                    "checks": n,
                    "passed": passed,
                    "wall_ms": round(ms(run.wall), 1),
                    "max_rss_bytes": run.max_rss,
                    "exit_code": run.code,
                })
            })
            .collect();
        let mut out = figures;
        out.insert(
            "raw".into(),
            json!({
                "latency_ms": round(ms(self.latency), 1),
                "concurrency": self.concurrency,
                "build": build(),
                "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
                "vvcheck_version": env!("CARGO_PKG_VERSION"),
                "suite_concurrent": suite(&self.concurrent),
                "suite_sequential": suite(&self.sequential),
                "generated": generated,
                "nagle": self.nagle.iter().map(|(v, (n, run, passed))| json!({
                    "http_version": v,
                    "checks": n,
                    "passed": passed,
                    "wall_ms": round(ms(run.wall), 1),
                    "exit_code": run.code,
                })).collect::<Vec<_>>(),
                "validate_ms_runs": self.validate.iter().map(|d| round(ms(*d), 2)).collect::<Vec<_>>(),
            }),
        );
        Value::Object(out)
    }

    /// The table printed at the end.
    pub fn table(&self) -> String {
        let mut t = String::new();
        let opt = |v: Option<f64>, places: usize| {
            v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.places$}"))
        };
        let c = &self.concurrent;
        let lat = ms(self.latency);
        // Writing to a String cannot fail.
        let _ = writeln!(t, "{:<26} {:>10}  from", "figure", "value");
        let _ = writeln!(
            t,
            "{:<26} {:>10}  {:.0} ms over {} round trips × {lat:.0} ms ({} of them logins)",
            "critical_path_ratio",
            opt(self.critical_path_ratio(), 3),
            ms(c.wall),
            c.critical.round_trips,
            c.critical.login_round_trips,
        );
        let _ = writeln!(
            t,
            "{:<26} {:>10}  {:.0} ms at --concurrency 1 over {:.0} ms at {}",
            "speedup_vs_sequential",
            format!("{:.2}", self.speedup()),
            ms(self.sequential.wall),
            ms(c.wall),
            self.concurrency,
        );
        if let Some((n, run, passed)) = self.largest() {
            let _ = writeln!(
                t,
                "{:<26} {:>10}  {n} trivial checks ({passed} passed) in {:.0} ms",
                "checks_per_second",
                opt(self.checks_per_second(), 0),
                ms(run.wall),
            );
        }
        for (n, run, _) in &self.generated {
            let _ = writeln!(
                t,
                "{:<26} {:>10}  peak resident memory of the child run",
                format!("rss_mb_{n}"),
                opt(run.max_rss.map(|b| b as f64 / 1e6), 1),
            );
        }
        let _ = writeln!(
            t,
            "{:<26} {:>10}  median of {} runs",
            "validate_ms",
            opt(self.validate_ms(), 2),
            self.validate.len(),
        );
        for (v, run) in &self.nagle {
            let (name, how) = match *v {
                "1.1" => ("nagle_cps_http1_pool", "a pool of HTTP/1.1 connections"),
                _ => ("nagle_cps_http2", "one HTTP/2 connection"),
            };
            let _ = writeln!(
                t,
                "{name:<26} {:>10}  {} checks over {how} to a server without TCP_NODELAY ({} checks/s with it)",
                format!("{:.0}", Self::rate(run)),
                run.0,
                opt(self.quiet_rate_at(run.0), 0),
            );
        }
        let path: Vec<String> = c
            .critical
            .checks
            .iter()
            .map(|(id, n)| format!("{id} ({n})"))
            .collect();
        let _ = writeln!(
            t,
            "\ncritical path: logins ({}) → {}",
            c.critical.login_round_trips,
            path.join(" → ")
        );
        let _ = writeln!(
            t,
            "suite: {} checks reported, {} passed, {} requests",
            c.checks, c.passed, c.requests
        );
        let slowest: Vec<String> = c
            .slowest
            .iter()
            .map(|(id, d, n)| format!("{id} {:.0} ms ({n} round trips)", ms(*d)))
            .collect();
        let _ = writeln!(t, "slowest checks: {}", slowest.join(", "));
        let tl = &c.timeline;
        let _ = writeln!(
            t,
            "timeline: first check started at {:.0} ms, the critical path's at {:.0} ms, active checks done at {:.0} ms, passive checks at {:.0} ms, run done at {:.0} ms",
            ms(tl.first_check),
            ms(tl.critical_started),
            ms(tl.active_done),
            ms(tl.passive_done),
            ms(c.wall),
        );
        t
    }
}

/// `release` or `debug`: figures of a debug build say little.
pub fn build() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}
