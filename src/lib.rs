//! vvcheck: a conformance test harness for the Ontario Health Virtual Visits Verification
//! Standard (secure-messaging modality).
//!
//! Data flows one way: [`model`] loads, validates and compiles the YAML inputs, [`engine`] plans
//! and runs the checks through [`http`] and [`probes`], [`assert`] judges observations, results
//! are [`outcome`] types, [`verdict`] rolls them up, and [`report`] writes them. [`run()`] is the
//! one entry point. [`reference`] is the embedded vendor server the checks are proven on.

pub mod assert;
pub mod bench;
pub mod bundle;
pub mod cli;
pub mod doctor;
pub mod engine;
pub mod http;
pub mod merge;
pub mod model;
pub mod outcome;
pub mod probes;
pub mod reference;
pub mod report;
mod run;
pub mod verdict;

pub use run::{RunError, RunRequest, run};
