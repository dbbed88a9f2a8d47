//! The places of an exchange that hold URLs, where PHI must never go: the request URL, the
//! response's `Location`, `Content-Location`, `Refresh` and `Link` headers, the URL-valued
//! fields of a JSON body (links, `next`, anything that reads as a URL, by JSON path), and the
//! links of an HTML page (`href`, `src`, `action`, a `<meta>` refresh).

use scraper::{Html, Selector};
use serde_json::Value;

use crate::outcome::Exchange;

/// One URL found in an exchange and where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Where, as a finding says it: `request URL`, `header Location`, `JSON $.links.next`,
    /// `HTML <a href>`.
    pub at: String,
    pub url: String,
}

/// Response headers whose value is (or carries) a URL.
const URL_HEADERS: &[&str] = &["Location", "Content-Location", "Refresh", "Link"];

/// HTML elements and the attribute of each that holds a URL.
const HTML_LINKS: &[(&str, &str)] = &[
    ("a", "href"),
    ("area", "href"),
    ("link", "href"),
    ("form", "action"),
    ("img", "src"),
    ("script", "src"),
    ("iframe", "src"),
];

/// Words in a key name that say its field holds a link, even a relative one (`next`,
/// `avatar_url`, `redirect_uri`, `nextLink`).
const LINK_KEYS: &[&str] = &[
    "url", "uri", "href", "link", "next", "prev", "previous", "self", "redirect", "location",
    "return", "callback", "continue",
];

/// Every place in `e` that holds a URL.
pub fn places(e: &Exchange) -> Vec<Place> {
    let mut out = vec![Place {
        at: "request URL".into(),
        url: e.url.clone(),
    }];
    for name in URL_HEADERS {
        for (k, v) in e
            .response_headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        {
            out.push(Place {
                at: format!("header {k}"),
                url: v.clone(),
            });
        }
    }
    let Some(body) = e.response_body.as_ref().map(|b| b.text()) else {
        return out;
    };
    if let Ok(doc) = serde_json::from_str::<Value>(&body) {
        json_urls(&doc, "$", false, &mut out);
    } else if super::super::passive::kind(e) == super::super::passive::Kind::Html {
        html_urls(&body, &mut out);
    }
    out
}

/// Whether a key names a link.
fn linkish(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    LINK_KEYS.iter().any(|l| k.contains(l))
}

/// Whether a JSON string is a URL: absolute (`https://…`, `//host/…`), or a path or query
/// under a key that names a link (itself or one of its parents: `links.related`).
fn url_valued(under_link: bool, s: &str) -> bool {
    let lower = s.trim_start().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//") {
        return true;
    }
    under_link && (lower.starts_with('/') || lower.starts_with('?'))
}

fn json_urls(v: &Value, path: &str, under_link: bool, out: &mut Vec<Place>) {
    match v {
        Value::String(s) if url_valued(under_link, s) => out.push(Place {
            at: format!("JSON {path}"),
            url: s.clone(),
        }),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                json_urls(item, &format!("{path}[{i}]"), under_link, out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let child = if k.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    format!("{path}.{k}")
                } else {
                    format!("{path}[{}]", Value::String(k.clone()))
                };
                json_urls(item, &child, under_link || linkish(k), out);
            }
        }
        _ => {}
    }
}

fn html_urls(body: &str, out: &mut Vec<Place>) {
    let doc = Html::parse_document(body);
    for (element, attr) in HTML_LINKS {
        let Ok(sel) = Selector::parse(&format!("{element}[{attr}]")) else {
            continue;
        };
        for el in doc.select(&sel) {
            if let Some(url) = el.value().attr(attr) {
                out.push(Place {
                    at: format!("HTML <{element} {attr}>"),
                    url: url.to_string(),
                });
            }
        }
    }
    if let Ok(sel) = Selector::parse("meta[http-equiv][content]") {
        for el in doc.select(&sel) {
            let refresh = el
                .value()
                .attr("http-equiv")
                .is_some_and(|h| h.eq_ignore_ascii_case("refresh"));
            if let (true, Some(content)) = (refresh, el.value().attr("content")) {
                out.push(Place {
                    at: "HTML <meta refresh>".into(),
                    url: content.to_string(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(e: &Exchange) -> Vec<(String, String)> {
        places(e).into_iter().map(|p| (p.at, p.url)).collect()
    }

    #[test]
    fn urls_are_found_in_headers_json_links_and_html() {
        let e = Exchange::for_test(
            "https://v.test/login",
            303,
            &[
                ("Location", "/inbox?n=1"),
                ("Content-Type", "application/json"),
            ],
            r#"{"links": {"next": "/api/c?after=x", "self": "https://v.test/api/c", "related": "/r"},
                "items": [{"body": "/not a link", "avatar_url": "/img/1.png", "title": "a/b"}]}"#,
        );
        assert_eq!(
            at(&e),
            [
                (
                    "request URL".to_string(),
                    "https://v.test/login".to_string()
                ),
                ("header Location".into(), "/inbox?n=1".into()),
                ("JSON $.links.next".into(), "/api/c?after=x".into()),
                ("JSON $.links.self".into(), "https://v.test/api/c".into()),
                ("JSON $.links.related".into(), "/r".into()),
                ("JSON $.items[0].avatar_url".into(), "/img/1.png".into()),
            ]
        );
        let page = Exchange::for_test(
            "https://v.test/",
            200,
            &[("Content-Type", "text/html")],
            r#"<a href="/privacy">Privacy</a><form action="/search?q=x"></form>
               <meta http-equiv="Refresh" content="0; url=/inbox">"#,
        );
        let found = at(&page);
        assert!(
            found.contains(&("HTML <a href>".into(), "/privacy".into())),
            "{found:?}"
        );
        assert!(found.contains(&("HTML <form action>".into(), "/search?q=x".into())));
        assert!(found.contains(&("HTML <meta refresh>".into(), "0; url=/inbox".into())));
    }
}
