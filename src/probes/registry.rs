//! The one list of probes. Loading reads probe parameters through it (as a
//! [`ProbeCatalog`]), the engine runs probes through it, and `vvcheck list probes` prints it.

use futures_util::future::BoxFuture;

use super::a11y::audit::A11yAudit;
use super::a11y::wcag::Wcag;
use super::access::AccessMatrix;
use super::audit::AuditTrail;
use super::cookies::Cookies;
use super::cors::Cors;
use super::disclosure::ErrorDisclosure;
use super::error_statuses::ErrorStatuses;
use super::headers::{HstsEverywhere, SecurityHeaders};
use super::latency::Latency;
use super::notices::PolicyLinks;
use super::pages::browsers::BrowserReach;
use super::pages::notice::EmergencyNotice;
use super::pages::support::SupportContact;
use super::phi::in_urls::PhiInUrls;
use super::phi::notifications::PhiNotifications;
use super::phi::other_patients::PhiOtherPatients;
use super::reflection::Reflection;
use super::security_txt::SecurityTxt;
use super::session::cookies::SessionCookiesEverywhere;
use super::session::fixation::SessionFixation;
use super::session::idle::IdleTimeout;
use super::session::lockout::Lockout;
use super::session::logout::LogoutRevokes;
use super::tls::Tls;
use super::transport::{Hsts, PlainHttp};
use super::{Probe, ProbeEnv, ProbeResult};
use crate::model::probe::{ProbeCatalog, ProbeParams, ProbeSpec, parse_params};
use crate::outcome::{CheckError, ErrorKind};

type RunFn =
    for<'a, 'b> fn(&'a dyn ProbeParams, &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult>;

/// A probe in the registry.
pub struct Registered {
    pub spec: ProbeSpec,
    run: RunFn,
}

fn run_erased<'a, 'b, P: Probe>(
    params: &'a dyn ProbeParams,
    env: &'a mut ProbeEnv<'b>,
) -> BoxFuture<'a, ProbeResult> {
    match params.as_any().downcast_ref::<P::Params>() {
        Some(p) => P::run(p, env),
        None => Box::pin(async {
            Err(CheckError::new(
                ErrorKind::Internal,
                format!("probe `{}` was given another probe's parameters", P::NAME),
            ))
        }),
    }
}

const fn entry<P: Probe>() -> Registered {
    Registered {
        spec: ProbeSpec {
            name: P::NAME,
            about: P::ABOUT,
            params: P::PARAMS,
            parse: parse_params::<P::Params>,
            passive: P::PASSIVE,
            waits: P::WAITS,
            round_trips: if P::PASSIVE { 0 } else { P::ROUND_TRIPS },
        },
        run: run_erased::<P>,
    }
}

/// Every probe, in listing order.
pub static PROBES: &[Registered] = &[
    entry::<PlainHttp>(),
    entry::<Hsts>(),
    entry::<Tls>(),
    entry::<Cookies>(),
    entry::<Latency>(),
    entry::<Reflection>(),
    entry::<Cors>(),
    entry::<SecurityTxt>(),
    entry::<ErrorStatuses>(),
    entry::<SecurityHeaders>(),
    entry::<HstsEverywhere>(),
    entry::<ErrorDisclosure>(),
    entry::<AccessMatrix>(),
    entry::<AuditTrail>(),
    entry::<LogoutRevokes>(),
    entry::<IdleTimeout>(),
    entry::<SessionFixation>(),
    entry::<Lockout>(),
    entry::<SessionCookiesEverywhere>(),
    entry::<PhiInUrls>(),
    entry::<PhiOtherPatients>(),
    entry::<PhiNotifications>(),
    entry::<PolicyLinks>(),
    entry::<EmergencyNotice>(),
    entry::<BrowserReach>(),
    entry::<SupportContact>(),
    entry::<A11yAudit>(),
    entry::<Wcag>(),
];

/// The registry as loading sees it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Registry;

impl ProbeCatalog for Registry {
    fn spec(&self, name: &str) -> Option<&ProbeSpec> {
        PROBES.iter().find(|p| p.spec.name == name).map(|p| &p.spec)
    }
    fn names(&self) -> Vec<&'static str> {
        PROBES.iter().map(|p| p.spec.name).collect()
    }
}

/// Runs the probe `name` with its parameters.
pub fn run<'a, 'b>(
    name: &str,
    params: &'a dyn ProbeParams,
    env: &'a mut ProbeEnv<'b>,
) -> BoxFuture<'a, ProbeResult> {
    match PROBES.iter().find(|p| p.spec.name == name) {
        Some(p) => (p.run)(params, env),
        None => {
            let message = format!("unknown probe `{name}`");
            Box::pin(async move { Err(CheckError::new(ErrorKind::Internal, message)) })
        }
    }
}
