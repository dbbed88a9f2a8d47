//! `phi_notifications` (PRV-02): the notifications a check read through the contract's
//! `notifications` operation (the test outbox) say only that a message is waiting. No text of
//! any of them may carry a planted value — any actor's canary (so neither party's name), a
//! message text or subject the run sent — or an Ontario health number by its shape. E-mail and
//! SMS leave the vendor's control: whatever they say can be read on a lock screen or a shared
//! inbox. A profile that does not map `notifications` must declare PRV-02 `not_applicable` with
//! its reason (loading says so), and the check is then skipped with that reason.

use std::any::Any;

use futures_util::future::BoxFuture;
use serde::Deserialize;
use serde_json::Value;

use super::finding::masked_summary;
use super::health_number;
use super::planted::planted;
use crate::http::seen::Layers;
use crate::model::Located;
use crate::model::probe::ProbeParams;
use crate::outcome::{CheckError, ErrorKind, Finding};
use crate::probes::{Probe, ProbeEnv, ProbeResult};

/// Examples named in a finding (the rest are counted).
const EXAMPLES: usize = 3;

/// Parameters of `phi_notifications`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationParams {
    /// Lists of notifications as the `notifications` operation outputs them (`{channel, to,
    /// text}` records), each a template naming a variable an earlier step saved.
    pub notifications: Vec<Located<Value>>,
}

impl ProbeParams for NotificationParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn templates(&self) -> Vec<&Located<Value>> {
        self.notifications.iter().collect()
    }
}

/// `phi_notifications`: notifications carry no PHI.
pub struct PhiNotifications;

impl Probe for PhiNotifications {
    const NAME: &'static str = "phi_notifications";
    const ABOUT: &'static str =
        "notifications read from the outbox carry no canary, sent text or health number";
    const PARAMS: &'static [&'static str] = &["notifications"];
    type Params = NotificationParams;
    fn run<'a, 'b>(
        params: &'a NotificationParams,
        env: &'a mut ProbeEnv<'b>,
    ) -> BoxFuture<'a, ProbeResult> {
        Box::pin(async move { phi_notifications(params, env) })
    }
}

fn phi_notifications(params: &NotificationParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let mut all = Vec::new();
    for list in &params.notifications {
        match env.render(list)? {
            Value::Array(items) => all.extend(items),
            other => {
                return Err(CheckError::new(
                    ErrorKind::Input,
                    format!("`notifications` must be lists of notifications, got {other}"),
                ));
            }
        }
    }
    if all.is_empty() {
        return Err(CheckError::new(
            ErrorKind::Unavailable,
            "the outbox held no notification after the run sent messages, so there is nothing to judge",
        ));
    }
    let planted = planted(env.target, &env.recorded);
    env.notes.push(format!(
        "read {} notifications; searched their texts for every actor's canaries, the texts the run had sent, and health card numbers by shape",
        all.len()
    ));
    let mut broke = Vec::new();
    for (i, n) in all.iter().enumerate() {
        let text = n.get("text").and_then(Value::as_str).unwrap_or_default();
        let channel = n.get("channel").and_then(Value::as_str).unwrap_or("?");
        let layers = Layers::of(text.as_bytes());
        let what = planted
            .iter()
            .find_map(|p| p.found_in(&layers).map(|how| (p, how)))
            .map(|(p, how)| format!("{}{}", p.describe(), how.describe()))
            .or_else(|| {
                (!health_number::find_all(text).is_empty())
                    .then(|| "a health card number by its shape".to_string())
            });
        if let Some(what) = what {
            broke.push(format!("notification {} ({channel}) carries {what}", i + 1));
        }
    }
    if broke.is_empty() {
        return Ok(Vec::new());
    }
    let more = match broke.len().saturating_sub(EXAMPLES) {
        0 => String::new(),
        n => format!(", and {n} more"),
    };
    let mut f = Finding::new(
        "notifications say only that a message is waiting",
        format!(
            "PHI in {} of {} notifications: {}{more}",
            broke.len(),
            all.len(),
            broke
                .iter()
                .take(EXAMPLES)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        ),
    );
    f.exchange = env
        .evidence
        .exchanges
        .iter()
        .rev()
        .find(|e| e.purpose == "notifications")
        .map(|e| masked_summary(e, &planted));
    Ok(vec![f])
}
