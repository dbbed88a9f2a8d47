//! Every actor logs in with the profile's own credentials, once: status only. Nothing but the
//! logins is sent, and every message is masked by the client's redactor before it is shown.

use super::report::Line;
use crate::http::auth;
use crate::http::{HttpClient, HttpOptions};
use crate::model::resolve::ResolvedTarget;

/// One `login` line per actor, in the profile's order.
pub async fn logins(target: &ResolvedTarget, insecure: bool) -> Vec<Line> {
    let options = HttpOptions {
        insecure,
        retries: 0,
        ..HttpOptions::default()
    };
    let http = match HttpClient::new(target, &options) {
        Ok(h) => h,
        Err(e) => {
            return vec![Line::fail(
                "login",
                format!("no HTTP client: {e}"),
                "check tls.ca_file, tls.client_cert and tls.client_key",
            )];
        }
    };
    let mut lines = Vec::new();
    for actor in target.actors.values() {
        let line = match auth::login(&http, target, actor).await {
            Ok(_) => Line::ok("login", actor.name.clone()),
            Err(e) => Line::fail(
                "login",
                format!("{}: {}", actor.name, http.redactor.text(&e.message)),
                format!(
                    "check {}'s username and password (and the secrets file or environment \
                     variable they come from) and the `{}` scheme under auth:",
                    actor.name, actor.scheme_name
                ),
            ),
        };
        lines.push(line);
    }
    lines
}
