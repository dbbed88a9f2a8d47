//! The `phi-in-url` flaw's layer: every successful API answer with PHI to a signed-in patient
//! carries a `Link` to the patient's record whose query names the patient and their health
//! number, the kind of "convenient" URL that ends up in access logs and browser history.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use url::form_urlencoded;

use super::caller::api_caller;
use crate::reference::app::flaws::Flaw;
use crate::reference::app::phi::Phi;
use crate::reference::app::state::AppState;

/// The `phi-in-url` flaw: a `Link: </patients/record?name=…&hcn=…>; rel="related"` header.
pub(crate) async fn record_link(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if !state.has(Flaw::PhiInUrl) {
        return next.run(req).await;
    }
    let patient = api_caller(&state, req.headers()).map(|c| c.user);
    let mut resp = next.run(req).await;
    let carries_phi = resp.extensions().get::<Phi>().is_some();
    let Some((user, (hcn, _))) = patient.and_then(|u| u.hcn.map(|h| (u, h))) else {
        return resp;
    };
    if carries_phi && resp.status().is_success() {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("name", user.display_name)
            .append_pair("hcn", hcn)
            .finish();
        let link = format!("</patients/record?{query}>; rel=\"related\"");
        if let Ok(v) = HeaderValue::from_str(&link) {
            resp.headers_mut().append("link", v);
        }
    }
    resp
}
