//! Input files as validated types: the requirement catalogue, suites, target profiles and
//! attestations. Reads files; never touches the network.

pub mod outcome;
pub mod standard;
