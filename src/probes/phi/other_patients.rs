//! `phi_other_patients` (PRV-04, passive): no response the run received as one synthetic
//! patient carries another patient's PHI — a declared canary, or a message text or subject
//! that patient sent — seen through the encodings. A patient is an actor whose canaries include
//! a date of birth or a health number (a clinician may declare only a name, to keep it out of
//! notifications); actors signing in with the same username (a browser session of the same
//! person) are that patient too. Responses to clinicians, staff and anonymous callers are not judged
//! here: what they may see is access control's question (SEC-04, SEC-05).

use futures_util::future::BoxFuture;
use indexmap::IndexMap;

use super::finding::phi_finding;
use super::planted::{Planted, planted};
use crate::http::seen::Layers;
use crate::model::resolve::ResolvedTarget;
use crate::outcome::Finding;
use crate::outcome::{CheckError, ErrorKind};
use crate::probes::headers::NoParams;
use crate::probes::passive::{looked_at, own_https};
use crate::probes::{Probe, ProbeEnv, ProbeResult};

/// `phi_other_patients`: a patient sees only their own PHI.
pub struct PhiOtherPatients;

impl Probe for PhiOtherPatients {
    const NAME: &'static str = "phi_other_patients";
    const ABOUT: &'static str =
        "no response to one patient carries another patient's canary or sent text (passive)";
    const PARAMS: &'static [&'static str] = &[];
    const PASSIVE: bool = true;
    type Params = NoParams;
    fn run<'a, 'b>(_: &'a NoParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(async move { phi_other_patients(env) })
    }
}

/// Which patient each actor is: the patient actor itself, or the patient actor with the same
/// username. Actors that are no patient are absent.
pub fn patients(target: &ResolvedTarget) -> IndexMap<String, String> {
    let declared: Vec<(&str, Option<String>)> = target
        .actors
        .values()
        .filter(|a| a.canaries.is_patient())
        .map(|a| {
            (
                a.name.as_str(),
                a.username.as_ref().map(|u| u.to_lowercase()),
            )
        })
        .collect();
    let mut out = IndexMap::new();
    for a in target.actors.values() {
        let username = a.username.as_ref().map(|u| u.to_lowercase());
        let patient = declared
            .iter()
            .find(|(name, u)| *name == a.name || (username.is_some() && *u == username));
        if let Some((name, _)) = patient {
            out.insert(a.name.clone(), (*name).to_string());
        }
    }
    out
}

fn phi_other_patients(env: &mut ProbeEnv<'_>) -> ProbeResult {
    let who = patients(env.target);
    if who.values().collect::<std::collections::HashSet<_>>().len() < 2 {
        return Err(CheckError::new(
            ErrorKind::Input,
            "fewer than two actors are synthetic patients (canaries with a `dob` or an `hcn`), so no patient has another patient's PHI to be shown: declare them for two",
        ));
    }
    let planted = planted(env.target, &env.recorded);
    // The sent texts are their sender's; a sender who is a patient's other session counts as
    // that patient.
    let owner = |p: &Planted| who.get(&p.owner).cloned();
    let responses: Vec<_> = own_https(&env.recorded, env.target)
        .into_iter()
        .filter(|e| who.contains_key(&e.actor))
        .collect();
    if responses.is_empty() {
        return Err(CheckError::new(
            ErrorKind::Unavailable,
            "no response to a patient was recorded during the run, so there is nothing to inspect",
        ));
    }
    env.notes.push(looked_at(
        "other patients' PHI in responses to patients",
        responses.len(),
        &env.recorded,
    ));
    let mut broke = Vec::new();
    for e in &responses {
        let Some(me) = who.get(&e.actor) else {
            continue;
        };
        let Some(body) = e.response_body.as_ref().map(|b| b.text()) else {
            continue;
        };
        let layers = Layers::of(body.as_bytes());
        let found = planted
            .iter()
            .filter(|p| owner(p).is_some_and(|o| &o != me))
            .find_map(|p| p.found_in(&layers).map(|how| (p, how)));
        if let Some((p, how)) = found {
            broke.push((
                *e,
                format!("{} in the body{}", p.describe(), how.describe()),
            ));
        }
    }
    let mut findings: Vec<Finding> = Vec::new();
    if !broke.is_empty() {
        findings.push(phi_finding(
            "no response to a patient carries another patient's PHI",
            "another patient's PHI",
            &broke,
            responses.len(),
            &planted,
        ));
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(yaml: &str) -> ResolvedTarget {
        crate::model::resolve::from_test_yaml(yaml)
    }

    #[test]
    fn a_patient_is_an_actor_with_canaries_and_every_actor_signing_in_as_them() {
        let t = target(
            r#"
name: t
base_url: https://vendor.example
auth: { api: { kind: bearer } }
actors:
  patient_a: { auth: api, username: PA@test, canaries: { name: "Zoë Tremblay", dob: "1961-04-02" } }
  patient_a_browser: { auth: api, username: pa@test }
  patient_b: { auth: api, username: pb@test, canaries: { hcn: "4512638794" } }
  clinician: { auth: api, username: dr@test, canaries: { name: "Dr. Amrit Singh" } }
operations: {}
"#,
        );
        let who = patients(&t);
        assert_eq!(who.get("patient_a").map(String::as_str), Some("patient_a"));
        assert_eq!(
            who.get("patient_a_browser").map(String::as_str),
            Some("patient_a"),
            "the same username, in another case, is the same person"
        );
        assert_eq!(who.get("patient_b").map(String::as_str), Some("patient_b"));
        assert_eq!(who.get("clinician"), None, "a name alone is no patient's");
    }
}
