//! Probe steps as inputs: each probe declares typed parameters, read from the step's `with:` at
//! load time, so that a misspelt or mistyped parameter is a load error pointing into the suite.
//! The probes themselves (and the one registry of them) live above, in `probes/`; loading is
//! handed that registry as a [`ProbeCatalog`].

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use super::located::Located;
use super::yaml::{DeError, Node};

/// The parameters of one probe step, as read at load time.
pub trait ProbeParams: fmt::Debug + Send + Sync + Any {
    /// For the probe that reads them back as its own type.
    fn as_any(&self) -> &dyn Any;
    /// Values holding templates, whose variables must be defined where the step runs.
    fn templates(&self) -> Vec<&Located<Value>> {
        Vec::new()
    }
    /// The pages the probe fetches (page names of the profile, or paths).
    fn pages(&self) -> Vec<&Located<String>> {
        Vec::new()
    }
    /// Pages the probe reads only when the profile declares them (known page names, such as
    /// `compose`): an undeclared one is no load error, and the probe says what it could not
    /// read.
    fn optional_pages(&self) -> Vec<&Located<String>> {
        Vec::new()
    }
    /// The probe fetches every page of the profile, so each page's actor needs a session.
    fn every_page(&self) -> bool {
        false
    }
    /// The contract operations the probe calls.
    fn operations(&self) -> Vec<&Located<String>> {
        Vec::new()
    }
    /// Operations the probe calls only when the profile maps them (a load error names an
    /// unmapped one of [`operations`](Self::operations), never one of these).
    fn optional_operations(&self) -> Vec<&Located<String>> {
        Vec::new()
    }
    /// The actors whose shared sessions the probe uses besides the step's own (`as:`).
    fn actors(&self) -> Vec<&Located<String>> {
        Vec::new()
    }
    /// Every actor the parameters name, checked against the profile at load (the probe may
    /// sign some of them in on its own rather than use their shared sessions).
    fn named_actors(&self) -> Vec<&Located<String>> {
        self.actors()
    }
}

/// Reads a step's `with:` (absent: `None`) into a probe's parameters.
pub type ParseParams = fn(Option<&Node>) -> Result<Arc<dyn ProbeParams>, DeError>;

/// What loading needs to know of one probe.
#[derive(Debug, Clone, Copy)]
pub struct ProbeSpec {
    pub name: &'static str,
    /// What the probe verifies, for `vvcheck list probes`.
    pub about: &'static str,
    /// Its parameters' names, for listings.
    pub params: &'static [&'static str],
    pub parse: ParseParams,
    /// It sends nothing and inspects every exchange the run recorded, so it runs last.
    pub passive: bool,
    /// It waits on the target's clock for up to `--max-wait`, so it starts first.
    pub waits: bool,
    /// About how many requests one step sends one after the other (for the run's order).
    pub round_trips: u32,
}

/// Every probe a suite may use.
pub trait ProbeCatalog: Sync {
    /// The probe named `name`.
    fn spec(&self, name: &str) -> Option<&ProbeSpec>;
    /// Every probe name, for suggestions.
    fn names(&self) -> Vec<&'static str>;
}

/// Reads `with:` into `P`; a missing `with:` reads as an empty mapping.
pub fn parse_params<P>(with: Option<&Node>) -> Result<Arc<dyn ProbeParams>, DeError>
where
    P: ProbeParams + for<'de> serde::Deserialize<'de>,
{
    let params: P = match with {
        Some(node) => super::yaml::from_node(node)?,
        None => super::yaml::from_node(&Node::empty_map())?,
    };
    Ok(Arc::new(params))
}
