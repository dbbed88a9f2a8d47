//! A probe step: the actor's session when the step names one, the probe run through the
//! registry with its typed parameters, its notes and evidence kept, its findings judged.

use std::collections::HashMap;

use futures_util::future::BoxFuture;
use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::{Runner, StepEnd};
use crate::engine::RunCtx;
use crate::engine::operation;
use crate::http::Session;
use crate::model::Located;
use crate::model::probe::ProbeParams;
use crate::model::suite::{Credentials, Step};
use crate::outcome::CheckError;
use crate::probes::{CallSample, ContractCaller, ProbeEnv, registry};

/// Contract operations for probes, run through the target profile.
struct Calls<'a>(&'a RunCtx);

impl ContractCaller for Calls<'_> {
    fn call<'a>(
        &'a self,
        op: &'a str,
        inputs: &'a Map<String, Value>,
        session: &'a Session,
    ) -> BoxFuture<'a, CallSample> {
        Box::pin(async move {
            let r = operation::run(self.0, op, inputs, &HashMap::new(), session).await;
            CallSample {
                status: r.responses.last().map(|resp| resp.status),
                exchanges: r.exchanges,
                responses: r.responses,
                outputs: r.outputs,
                error: r.error,
            }
        })
    }
}

impl Runner<'_> {
    pub(super) async fn probe(
        &mut self,
        step: &Located<Step>,
        name: &Located<String>,
        params: &dyn ProbeParams,
    ) -> StepEnd {
        let actor = match &step.actor {
            Some(a) => match self.session(a, Credentials::Valid).await {
                Ok(s) => Some((a.value.clone(), s)),
                Err(e) => return StepEnd::Error(e),
            },
            None => None,
        };
        // Pages that need sign-in are fetched as their actor, with that actor's session; the
        // actors the parameters name get theirs.
        let mut sessions = IndexMap::new();
        let every: Vec<Located<String>> = if params.every_page() {
            let at = name.loc;
            self.rc
                .target
                .pages
                .values()
                .filter_map(|p| p.actor.clone())
                .map(|value| Located { value, loc: at })
                .collect()
        } else {
            Vec::new()
        };
        let page_actors = params
            .pages()
            .into_iter()
            .chain(params.optional_pages())
            .filter_map(|name| {
                let page = self.rc.target.pages.get(name.as_str())?;
                Some(Located {
                    value: page.actor.clone()?,
                    loc: name.loc,
                })
            })
            .chain(every);
        // An operation the profile runs as a fixed actor (`as:` there) needs that actor's session.
        let fixed = params
            .operations()
            .into_iter()
            .chain(params.optional_operations())
            .filter_map(|op| self.rc.target.operations.get(op.as_str()))
            .filter_map(|o| o.actor.clone());
        let named: Vec<Located<String>> = page_actors
            .chain(params.actors().into_iter().cloned())
            .chain(fixed)
            .collect();
        for who in named {
            if sessions.contains_key(&who.value) {
                continue;
            }
            match self.session(&who, Credentials::Valid).await {
                Ok(s) => sessions.insert(who.value.clone(), s),
                Err(e) => return StepEnd::Error(e),
            };
        }
        let vars = self.ctx_value();
        let calls = Calls(self.rc);
        let mut notes = Vec::new();
        let mut env = ProbeEnv {
            http: &self.rc.http,
            target: &self.rc.target,
            actor,
            sessions: &sessions,
            vars: &vars,
            calls: &calls,
            evidence: &mut self.evidence,
            notes: &mut notes,
            recorded: self.rc.recorded.view(),
            max_wait: self.rc.max_wait,
            undecided: None,
            store: crate::probes::store::StoreView {
                store: &self.rc.store,
                own: &self.check.id,
                needs: &self.check.needs,
            },
            browser: self.rc.browser,
        };
        let result = registry::run(name, params, &mut env).await;
        let undecided = env.undecided.take();
        self.details.extend(notes);
        match (result, undecided) {
            (Err(e), _) => {
                let message = format!("probe {}: {}; not a verdict", name.value, e.message);
                StepEnd::Error(CheckError { message, ..e })
            }
            (Ok(found), Some(why)) if found.is_empty() => StepEnd::Skip(why),
            (Ok(found), _) if found.is_empty() => StepEnd::Ok,
            (Ok(found), _) => self.failed(name, step, found),
        }
    }
}
