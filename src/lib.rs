//! vvcheck: a conformance test harness for the Ontario Health Virtual Visits Verification
//! Standard (secure-messaging modality).
//!
//! Data flows one way: [`model`] loads and validates the YAML inputs, [`engine`] plans and runs
//! the checks through [`http`] and [`probes`], [`assert`] turns observations into results, and
//! [`report`] writes them. [`reference`] is the embedded vendor server the checks are proven on.

pub mod http;
pub mod model;
pub mod reference;
