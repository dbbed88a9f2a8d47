//! The command-line arguments of every command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::standard::{Domain, Level};
use crate::reference::{Dialect, Flaw};

/// Conformance checks for the Ontario Health Virtual Visits Verification Standard (secure messaging).
#[derive(Debug, Parser)]
#[command(name = "vvcheck", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the suites against a vendor's target profile.
    #[command(
        after_help = "Examples:\n  vvcheck run --target staging.yaml\n  vvcheck run --target staging.yaml --domain security --out reports/sec\n  vvcheck run --target staging.yaml --partition 2/4 --junit-flavor extended\n\nExit codes: 0 no mandatory requirement failed or errored; 1 one did (--strict: recommended\nand unattested manual ones too); 2 invalid input or the harness could not start."
    )]
    Run(RunArgs),
    /// Start the embedded reference vendor server, run the whole suite against it, print the report.
    #[command(
        after_help = "Examples:\n  vvcheck demo\n  vvcheck demo --flaw idor-message --dialect forms\n  vvcheck demo --flaw slow --latency-ms 2500"
    )]
    Demo(DemoArgs),
    /// Check YAML files (suites, target profiles, attestations, catalogues) without running anything.
    #[command(
        after_help = "Examples:\n  vvcheck validate                         # the shipped suites and catalogue\n  vvcheck validate staging.yaml            # a target profile, against the shipped suites\n  vvcheck validate suites/*.yaml target.yaml attestations.yaml"
    )]
    Validate(ValidateArgs),
    /// List requirements, checks or reference-server flaws.
    #[command(
        after_help = "Examples:\n  vvcheck list requirements\n  vvcheck list checks --format json\n  vvcheck list flaws"
    )]
    List(ListArgs),
    /// Run the reference vendor server in the foreground and write a matching target profile.
    #[command(
        after_help = "Examples:\n  vvcheck serve-reference --port 8443 --write-profile ref.yaml\n  vvcheck run --target ref.yaml"
    )]
    ServeReference(ServeArgs),
    /// Check a target profile before a first run: it loads, the host resolves, TCP and TLS
    /// connect, the proxy, every actor logs in, and the operations it maps.
    #[command(
        after_help = "Examples:\n  vvcheck doctor --target staging.yaml\n  vvcheck doctor --target ref.yaml --insecure\n\nExit codes: 0 every step ok; 1 a step failed (its fix is printed under it); 2 the profile\ndoes not load or validate."
    )]
    Doctor(DoctorArgs),
    /// Make a report from a run's results.json.
    #[command(
        after_help = "Examples:\n  vvcheck report spec reports/results.json\n  vvcheck report spec reports/results.json --format json --out spec.json\n\nExit codes: 0 written; 2 the file is not a vvcheck results.json or cannot be read or written."
    )]
    Report(ReportArgs),
    /// Re-hash an evidence bundle against its manifest: exit 0 when whole, 1 when a file
    /// changed, is missing or is extra, 2 when the manifest cannot be read.
    #[command(after_help = "Examples:\n  vvcheck verify-bundle reports/evidence")]
    VerifyBundle(VerifyBundleArgs),
    /// Join the results.json of every part of a partitioned run into one run's reports.
    #[command(
        after_help = "Examples:\n  vvcheck merge part-1/results.json part-2/results.json part-3/results.json --out reports\n\nExit codes: 0 or 1 as the joined verdicts imply (as for `run`); 2 unreadable files, or parts\nof different runs (edition, target, suites, number of parts), a part given twice or missing."
    )]
    Merge(MergeArgs),
    /// Compare two runs: new failures, fixed checks, and requirement verdicts that changed.
    #[command(
        after_help = "Examples:\n  vvcheck diff last-release/results.json reports/results.json\n  vvcheck diff old.json new.json --format json\n\nExit codes: 0 no new mandatory failure; 1 a mandatory requirement fails or errors now that\ndid not before; 2 a file could not be read."
    )]
    Diff(DiffArgs),
    /// Print a run's results.json as a Markdown summary (e.g. for a CI job summary).
    #[command(
        after_help = "Examples:\n  vvcheck summary reports/results.json >> \"$GITHUB_STEP_SUMMARY\""
    )]
    Summary(SummaryArgs),
    /// Measure what a run costs on this machine (build with --release): the critical-path
    /// ratio, the speed-up over a sequential run, checks per second, memory, validation time.
    #[command(
        after_help = "Examples:\n  cargo run --release -- bench\n  vvcheck bench --checks 1000 --latency-ms 100 --out reports/bench\n\nWrites bench.json in --out and prints the table. Exit codes: 0 measured; 2 a run could not\nbe made."
    )]
    Bench(BenchArgs),
}

/// `vvcheck bench`.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Trivial checks of the rate and larger memory run (the smaller memory run is a tenth).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(10..=1_000_000))]
    pub checks: u64,
    /// Latency the reference server adds to every request of the suite runs, in milliseconds.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub latency_ms: u64,
    /// Concurrency of the concurrent runs (as `run --concurrency`).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Folder for bench.json.
    #[arg(long, default_value = "reports", value_name = "DIR")]
    pub out: PathBuf,
}

/// `vvcheck merge`.
#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// The results.json of every part.
    #[arg(required = true, value_name = "RESULTS")]
    pub files: Vec<PathBuf>,
    /// Output folder for the joined reports.
    #[arg(long, default_value = "reports", value_name = "DIR")]
    pub out: PathBuf,
    /// JUnit flavour.
    #[arg(long, value_enum, default_value_t = JunitFlavorArg::Default)]
    pub junit_flavor: JunitFlavorArg,
    /// The parts ran with --strict: count recommended and unattested manual requirements too.
    #[arg(long)]
    pub strict: bool,
    /// The catalogue the parts ran with, when not the shipped one (orders the requirements).
    #[arg(long, value_name = "FILE")]
    pub standard: Option<PathBuf>,
    /// Print only failures, errors and the summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `vvcheck diff`.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The earlier run's results.json.
    pub old: PathBuf,
    /// The later run's results.json.
    pub new: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `vvcheck summary`.
#[derive(Debug, Clone, Args)]
pub struct SummaryArgs {
    /// A run's results.json.
    pub file: PathBuf,
}

/// Where the suites and catalogue come from.
#[derive(Debug, Clone, Args)]
pub struct SuiteArgs {
    /// Folder of suite files (*.yaml) to use instead of the shipped suites.
    #[arg(long, value_name = "DIR")]
    pub suites: Option<PathBuf>,
    /// Requirement catalogue to use instead of the shipped one (e.g. with the official numbering).
    #[arg(long, value_name = "FILE")]
    pub standard: Option<PathBuf>,
}

/// JUnit flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JunitFlavorArg {
    /// Valid against the Jenkins xUnit JUnit schema (requirement in name, classname, system-out).
    Default,
    /// Adds per-testcase properties (Xray-for-Jira convention) for requirement-tracing tools.
    Extended,
}

/// Options shared by `run` and `demo`.
#[derive(Debug, Clone, Args)]
pub struct ExecArgs {
    #[command(flatten)]
    pub suites: SuiteArgs,
    /// Attestation or waiver files.
    #[arg(long, value_name = "FILE")]
    pub attestations: Vec<PathBuf>,
    /// Only checks of these domains.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub domain: Vec<DomainArg>,
    /// Only checks of these requirement IDs.
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub requirement: Vec<String>,
    /// Only checks with these tags.
    #[arg(long, value_delimiter = ',')]
    pub tag: Vec<String>,
    /// Only checks of this level.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub level: Vec<LevelArg>,
    /// Run part k of n (e.g. 2/4): an even share of the checks, their prerequisites as set-up.
    #[arg(long, value_name = "K/N", value_parser = parse_partition)]
    pub partition: Option<(usize, usize)>,
    /// Checks running at once.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Requests per second per host (default: unlimited).
    #[arg(long, value_name = "N")]
    pub rate: Option<f64>,
    /// Retries of idempotent requests after a connection error.
    #[arg(long, default_value_t = 1)]
    pub retries: u32,
    /// The longest a check may wait on the target's clock, in seconds: the idle-timeout check
    /// runs when the declared idle timeout and its margin fit, and is left to a reviewer
    /// otherwise.
    #[arg(long, value_name = "S", default_value_t = crate::engine::DEFAULT_MAX_WAIT.as_secs())]
    pub max_wait: u64,
    /// Output folder for junit.xml and results.json.
    #[arg(long, default_value = "reports", value_name = "DIR")]
    pub out: PathBuf,
    /// Also write an evidence bundle here: every check's exchanges and records, the inputs,
    /// the reports and a manifest of hashes (`demo` writes one to <out>/evidence unless told).
    #[arg(long, value_name = "DIR")]
    pub evidence: Option<PathBuf>,
    /// JUnit flavour.
    #[arg(long, value_enum, default_value_t = JunitFlavorArg::Default)]
    pub junit_flavor: JunitFlavorArg,
    /// Fail also on recommended requirements and unattested manual ones.
    #[arg(long)]
    pub strict: bool,
    /// Also render each page in headless Chromium and run axe-core on it (needs `chromium` and
    /// the npm package `axe-core`; without them, says so and uses the static rules alone).
    #[arg(long)]
    pub browser: bool,
    /// Print only failures, errors and the summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print every exchange of every check.
    #[arg(long, short, conflicts_with = "quiet")]
    pub verbose: bool,
}

/// `vvcheck run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// The target profile (YAML).
    #[arg(long, value_name = "FILE")]
    pub target: PathBuf,
    /// Do not verify the server certificate (reported in every output).
    #[arg(long)]
    pub insecure: bool,
    #[command(flatten)]
    pub exec: ExecArgs,
}

/// `vvcheck demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Switch on a reference-server flaw (repeatable; see `vvcheck list flaws`).
    #[arg(long = "flaw", value_name = "NAME")]
    pub flaws: Vec<Flaw>,
    /// API dialect of the reference server: rest, forms, threads or graph.
    #[arg(long, default_value = "rest")]
    pub dialect: Dialect,
    /// Latency added by the `slow` flaw, in milliseconds.
    #[arg(long, default_value_t = 2500)]
    pub latency_ms: u64,
    /// Lifetime of access tokens, in seconds (the graph dialect's).
    #[arg(long = "token-lifetime", value_name = "S", default_value_t = 300)]
    pub token_lifetime_s: u64,
    /// Leave out the reference server's own attestations (loaded by default, so the demo
    /// shows an overall status).
    #[arg(long)]
    pub no_reference_attestations: bool,
    /// The reference server requires a client certificate (mutual TLS), which the demo's
    /// profile carries.
    #[arg(long)]
    pub mtls: bool,
    #[command(flatten)]
    pub exec: ExecArgs,
}

/// `vvcheck verify-bundle`.
#[derive(Debug, Clone, Args)]
pub struct VerifyBundleArgs {
    /// The bundle's folder (where its manifest.json is).
    pub dir: PathBuf,
}

/// `vvcheck validate`.
#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    /// Files to check; their kind is told from their content. None: the shipped suites.
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub suites: SuiteArgs,
}

/// What to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListWhat {
    Requirements,
    Checks,
    Probes,
    Flaws,
}

/// Output format of `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// `vvcheck list`.
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    pub what: ListWhat,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Only these requirements and the checks that verify them (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub requirement: Vec<String>,
    #[command(flatten)]
    pub suites: SuiteArgs,
}

/// `vvcheck doctor`.
#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    /// The target profile (YAML).
    #[arg(long, value_name = "FILE")]
    pub target: PathBuf,
    /// Do not verify the server certificate (the TLS line says so).
    #[arg(long)]
    pub insecure: bool,
    #[command(flatten)]
    pub suites: SuiteArgs,
}

/// `vvcheck serve-reference`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// HTTPS port (0: any free port).
    #[arg(long, default_value_t = 8443)]
    pub port: u16,
    /// Plain-HTTP (redirect) port (0: any free port).
    #[arg(long, default_value_t = 0)]
    pub http_port: u16,
    /// API dialect: rest, forms, threads or graph.
    #[arg(long, default_value = "rest")]
    pub dialect: Dialect,
    /// Switch on a flaw (repeatable; see `vvcheck list flaws`).
    #[arg(long = "flaw", value_name = "NAME")]
    pub flaws: Vec<Flaw>,
    #[arg(long, default_value_t = 2500)]
    pub latency_ms: u64,
    /// Idle timeout of sessions, in seconds.
    #[arg(long, default_value_t = 10)]
    pub idle_timeout_s: u64,
    /// Lifetime of access tokens, in seconds (the graph dialect's).
    #[arg(long = "token-lifetime", value_name = "S", default_value_t = 300)]
    pub token_lifetime_s: u64,
    /// Write a target profile for this server (and its secrets file beside it, mode 0600).
    #[arg(long, value_name = "FILE")]
    pub write_profile: Option<PathBuf>,
    /// Write the server's CA certificate here (default: beside the profile).
    #[arg(long, value_name = "FILE")]
    pub ca_out: Option<PathBuf>,
    /// Address to listen on, e.g. `::1` for IPv6 loopback.
    #[arg(long, default_value = "127.0.0.1", value_name = "IP")]
    pub host: std::net::IpAddr,
    /// Require a client certificate the server makes at start-up (mutual TLS); the written
    /// profile carries it.
    #[arg(long, conflicts_with = "client_ca")]
    pub mtls: bool,
    /// Require a client certificate signed by a CA of this PEM file (mutual TLS).
    #[arg(long, value_name = "FILE")]
    pub client_ca: Option<PathBuf>,
    /// The client certificate (PEM) the written profile names, with `--client-ca`.
    #[arg(
        long,
        value_name = "FILE",
        requires = "client_ca",
        requires = "client_key"
    )]
    pub client_cert: Option<PathBuf>,
    /// The client certificate's key (PEM) the written profile names, with `--client-ca`.
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,
    /// HTTP versions the HTTPS port speaks.
    #[arg(long, value_enum, default_value_t = ServeHttp::Both)]
    pub http: ServeHttp,
    /// Sign the server's certificate by an intermediate CA and send both, as public servers do.
    #[arg(long)]
    pub intermediate_ca: bool,
}

/// HTTP versions `serve-reference` speaks on its HTTPS port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ServeHttp {
    /// HTTP/2 and HTTP/1.1, chosen by ALPN.
    Both,
    /// HTTP/1.1 only.
    #[value(name = "1.1")]
    Http1,
    /// HTTP/2 offered but broken (a connection that takes it is dropped), as behind some load
    /// balancers: the profile's `http: { version: "1.1" }` reaches it.
    BrokenH2,
}

/// `vvcheck report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub what: ReportCommand,
}

/// The reports `vvcheck report` makes.
#[derive(Debug, Clone, Subcommand)]
pub enum ReportCommand {
    /// The solution specification: the recommended requirements met, by domain (pass or
    /// attested; waived and not-applicable ones are not met).
    Spec(SpecArgs),
}

/// Output format of `report spec`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SpecFormat {
    Markdown,
    Json,
}

/// `vvcheck report spec`.
#[derive(Debug, Clone, Args)]
pub struct SpecArgs {
    /// The run's results.json.
    #[arg(value_name = "RESULTS")]
    pub results: PathBuf,
    #[arg(long, value_enum, default_value_t = SpecFormat::Markdown)]
    pub format: SpecFormat,
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Domains on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DomainArg {
    Privacy,
    Security,
    Technology,
    Accessibility,
    Functionality,
}

impl From<DomainArg> for Domain {
    fn from(d: DomainArg) -> Domain {
        match d {
            DomainArg::Privacy => Domain::Privacy,
            DomainArg::Security => Domain::Security,
            DomainArg::Technology => Domain::Technology,
            DomainArg::Accessibility => Domain::Accessibility,
            DomainArg::Functionality => Domain::Functionality,
        }
    }
}

/// Levels on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    Mandatory,
    Recommended,
}

impl From<LevelArg> for Level {
    fn from(l: LevelArg) -> Level {
        match l {
            LevelArg::Mandatory => Level::Mandatory,
            LevelArg::Recommended => Level::Recommended,
        }
    }
}

fn parse_partition(s: &str) -> Result<(usize, usize), String> {
    let (k, n) = s.split_once('/').ok_or("use K/N, e.g. 2/4")?;
    let k: usize = k.trim().parse().map_err(|_| "K must be a number")?;
    let n: usize = n.trim().parse().map_err(|_| "N must be a number")?;
    if n == 0 || k == 0 || k > n {
        return Err(format!("need 1 ≤ K ≤ N, got {k}/{n}"));
    }
    Ok((k, n))
}
