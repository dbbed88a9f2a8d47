//! Input files as validated types: the requirement catalogue, suites, target profiles and
//! attestations. Reads files; never touches the network.

pub mod attest;
pub mod canary;
pub mod contract;
pub mod diag;
pub mod inputs;
pub mod json_template;
pub mod load;
pub mod located;
pub mod login;
pub mod outcome;
pub mod output;
pub mod output_type;
pub mod paginate;
pub mod pattern;
pub mod pem;
pub mod probe;
pub mod proxy;
pub mod request;
pub mod resolve;
pub mod secret;
pub mod secret_file;
pub mod standard;
pub mod status;
pub mod suite;
pub mod target;
pub mod template;
pub mod text;
pub mod validate;
pub mod yaml;

pub use diag::{Diagnostic, Diagnostics};
pub use located::Located;
