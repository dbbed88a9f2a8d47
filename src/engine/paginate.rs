//! Reading a paged list: after the first page of a list operation's final request, ask for the
//! next page (by cursor, next link or page number) until the list ends — an empty page,
//! `has_more` false, or no next cursor or link — and never past `max_pages`, which is an error,
//! not a list cut short. Every page goes through [`HttpClient::send`](crate::http::HttpClient::send),
//! so it is recorded, redacted, and bound by the run's timeouts like any request.

use std::collections::HashSet;

use serde_json::Value;

use super::judge::Judge;
use super::{RunCtx, UNAVAILABLE};
use crate::http::extract::{count_items, json_body, query_all};
use crate::http::{Incoming, OutBody, Outgoing, RequestTag, link, reason};
use crate::model::output::ListSpec;
use crate::model::output_type::describe;
use crate::model::paginate::{CursorTo, NextPage, Paginate};
use crate::outcome::{CheckError, ErrorKind};

/// `url` with query parameter `param` set to `value` (an earlier value of it replaced).
fn with_param(url: &url::Url, param: &str, value: &str) -> url::Url {
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != param)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut next = url.clone();
    next.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair(param, value);
    next
}

/// The first value `path` selects, as a cursor or address: text or a number; nothing, null or
/// empty text is no next page.
fn text_at(
    path: &crate::model::pattern::PathExpr,
    doc: &Value,
    ctx: &Value,
) -> Result<Option<String>, String> {
    match query_all(path, doc, ctx)?.into_iter().next() {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(format!(
            "`{path}` gave {}, where text or a number was expected",
            describe(&other)
        )),
    }
}

/// A paged list being read: how it pages, its list outputs, its first request, how to render
/// that request again with a cursor variable, and what an `ok` page looks like.
pub(super) struct List<'a> {
    pub(super) paginate: &'a Paginate,
    pub(super) lists: &'a [&'a ListSpec],
    pub(super) first: &'a Outgoing,
    pub(super) rebuild: &'a (dyn Fn(&str, Value) -> Result<Outgoing, CheckError> + Sync),
    pub(super) judge: &'a Judge,
}

/// What tells two page requests apart: the URL, and the body a cursor variable changes.
fn request_key(req: &Outgoing) -> String {
    match &req.body {
        OutBody::Json(v) => format!("{} {v}", req.url),
        OutBody::Text(t) => format!("{} {t}", req.url),
        _ => req.url.to_string(),
    }
}

/// The next page's request, decided from the page just read (`page_no` pages read so far), or
/// `None` when the list has ended.
fn next_request(
    list: &List,
    page: &Incoming,
    page_no: u32,
    ctx: &Value,
) -> Result<Option<Outgoing>, String> {
    let (p, lists, first) = (list.paginate, list.lists, list.first);
    let doc = json_body(page)?;
    let mut items = 0;
    for list in lists {
        items += count_items(list, &doc, ctx)?;
    }
    if items == 0 {
        return Ok(None);
    }
    let more = match &p.has_more {
        None => None,
        Some(path) => match query_all(path, &doc, ctx)?.into_iter().next() {
            Some(Value::Bool(b)) => Some(b),
            other => {
                return Err(format!(
                    "`has_more: {path}` gave {}, not true or false",
                    other
                        .as_ref()
                        .map_or_else(|| "nothing".to_string(), describe)
                ));
            }
        },
    };
    if more == Some(false) {
        return Ok(None);
    }
    let (url, what) = match &p.next {
        NextPage::Cursor {
            to: CursorTo::Variable(var),
            from,
        } => {
            let Some(cursor) = text_at(from, &doc, ctx)? else {
                return match more {
                    Some(true) => Err(format!(
                        "`has_more` is true but the page gives no cursor (`{from}`)"
                    )),
                    _ => Ok(None),
                };
            };
            return (list.rebuild)(var, Value::String(cursor))
                .map(Some)
                .map_err(|e| format!("the next page's request: {}", e.message));
        }
        NextPage::Cursor {
            to: CursorTo::Param(param),
            from,
        } => (
            text_at(from, &doc, ctx)?.map(|c| with_param(&first.url, param, &c)),
            format!("cursor (`{from}`)"),
        ),
        NextPage::Link(path) => (
            text_at(path, &doc, ctx)?
                .map(|l| {
                    page.url
                        .join(&l)
                        .map_err(|e| format!("next link `{l}`: {e}"))
                })
                .transpose()?,
            format!("next link (`{path}`)"),
        ),
        NextPage::LinkHeader => (
            link::next(page.headers_named("link"))
                .map(|l| {
                    page.url
                        .join(&l)
                        .map_err(|e| format!("next link `{l}`: {e}"))
                })
                .transpose()?,
            "`Link: <…>; rel=\"next\"` header".to_string(),
        ),
        NextPage::Page { param, start } => {
            let number = start.saturating_add(u64::from(page_no));
            (
                Some(with_param(&first.url, param, &number.to_string())),
                "page number".to_string(),
            )
        }
    };
    match (url, more) {
        (None, Some(true)) => Err(format!("`has_more` is true but the page gives no {what}")),
        (None, _) => Ok(None),
        // Credentials go only where the list's first request went, never where a response points.
        (Some(url), _) if url.origin() != first.url.origin() => Err(format!(
            "the next link `{url}` leaves {}; not followed",
            first.url.origin().ascii_serialization()
        )),
        (Some(url), _) => Ok(Some(Outgoing {
            url,
            ..first.clone()
        })),
    }
}

/// Where the pages read go: every response, and the record of every exchange.
pub(super) struct Pages<'a> {
    pub(super) responses: &'a mut Vec<Incoming>,
    pub(super) exchanges: &'a mut Vec<crate::outcome::Exchange>,
}

/// Reads the pages after the first (the last response in `out`), each appended to `out`'s
/// responses and exchanges.
pub(super) async fn rest(
    rc: &RunCtx,
    list: &List<'_>,
    ctx: &Value,
    tag: RequestTag<'_>,
    out: Pages<'_>,
) -> Result<(), CheckError> {
    let p = list.paginate;
    let incomplete = |m: String| CheckError::new(ErrorKind::MissingOutput, m);
    let mut asked = HashSet::from([request_key(list.first)]);
    let mut page_no = 1;
    loop {
        let Some(page) = out.responses.last() else {
            return Ok(());
        };
        let next = next_request(list, page, page_no, ctx)
            .map_err(|e| incomplete(format!("page {page_no}: {e}")))?;
        let Some(req) = next else {
            return Ok(());
        };
        if page_no >= p.max_pages {
            return Err(incomplete(format!(
                "the list goes on past {} pages (`paginate: {{ max_pages: {} }}`) and is not read in part; raise the bound or ask for larger pages",
                p.max_pages, p.max_pages
            )));
        }
        page_no += 1;
        if !asked.insert(request_key(&req)) {
            return Err(incomplete(format!(
                "page {page_no} would be `{}` again: the list does not move on",
                req.url
            )));
        }
        let sent = rc.http.send(&req, tag).await;
        out.exchanges.push(sent.exchange);
        let resp = sent.outcome.map_err(|e| {
            crate::http::check_error(&e).context(format_args!(
                "page {page_no}: {} {}",
                req.method,
                req.url.path()
            ))
        })?;
        let status = resp.status;
        let ok = list.judge.ok(&resp);
        out.responses.push(resp);
        if !ok {
            let kind = if UNAVAILABLE.contains(&status) {
                ErrorKind::Unavailable
            } else {
                ErrorKind::MissingOutput
            };
            return Err(CheckError::new(
                kind,
                format!(
                    "page {page_no} answered {status} {}, which is not `ok`; the list is incomplete",
                    reason(status)
                ),
            ));
        }
    }
}

#[cfg(test)]
#[path = "paginate_tests.rs"]
mod tests;
