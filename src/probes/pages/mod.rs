//! Probes of the patient pages as a browser sees them: the emergency and response-time notice
//! (FUN-07), reach from current desktop and mobile browsers without plug-ins and with zoom
//! (TEC-01), and the published support contact and hours (TEC-03). [`text`] is the one reading
//! of what a reader sees on a page, which the policy-links probe shares.

pub mod browsers;
pub mod notice;
pub mod support;
pub mod text;
pub mod wording;

use super::ProbeEnv;
use crate::http::{Incoming, Outgoing};
use crate::model::resolve::ResolvedPage;
use crate::outcome::{CheckError, ErrorKind};

/// GETs `path` as `page`'s actor (signed in when it needs sign-in), with these extra headers;
/// the URL and the answer, recorded under `purpose`.
pub(crate) async fn fetch_as(
    env: &mut ProbeEnv<'_>,
    page: &ResolvedPage,
    path: &str,
    headers: &[(&str, &str)],
    purpose: &str,
) -> Result<(url::Url, Incoming), CheckError> {
    let url = env
        .target
        .url(path)
        .map_err(|e| CheckError::new(ErrorKind::Input, format!("bad page URL `{path}`: {e}")))?;
    let mut req = Outgoing::get(url.clone());
    req.headers
        .extend(headers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let actor = match &page.actor {
        Some(name) => {
            let session = env.sessions.get(name).ok_or_else(|| {
                CheckError::new(
                    ErrorKind::Internal,
                    format!("no session of `{name}`, who the page is fetched as"),
                )
            })?;
            session.apply_scoped(&mut req, env.target);
            name.clone()
        }
        None => "anonymous".to_string(),
    };
    let resp = env
        .send(&req, &actor, purpose)
        .await
        .map_err(|e| crate::http::check_error(&e).context(format!("GET {url}")))?;
    Ok((url, resp))
}

/// The page `name` names, or `None` when it is a known page the profile does not declare (an
/// [`optional page`](crate::model::probe::ProbeParams::optional_pages)).
pub(crate) fn declared(env: &ProbeEnv<'_>, name: &str) -> Result<Option<ResolvedPage>, CheckError> {
    match env.page(name) {
        Ok(p) => Ok(Some(p)),
        Err(_) if crate::model::target::Pages::KNOWN.contains(&name) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `names` with the pages that need sign-in first (each group in its given order), so that a
/// session is used while it is fresh rather than after a round of anonymous fetches has let it
/// idle toward the target's timeout.
pub(crate) fn signed_in_first<'a>(
    env: &ProbeEnv<'_>,
    names: &'a [crate::model::Located<String>],
) -> Vec<&'a crate::model::Located<String>> {
    let needs_sign_in = |n: &str| env.target.pages.get(n).is_some_and(|p| p.actor.is_some());
    let (mut first, rest): (Vec<_>, Vec<_>) = names.iter().partition(|n| needs_sign_in(n));
    first.extend(rest);
    first
}

/// Who a page was fetched as, for findings.
pub(crate) fn as_whom(page: &ResolvedPage) -> String {
    page.actor
        .as_deref()
        .map_or_else(|| "anonymously".to_string(), |a| format!("as {a}"))
}
