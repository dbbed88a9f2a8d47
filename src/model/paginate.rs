//! `paginate:` as written on a list operation: how the next page is asked for (a cursor, a next
//! link or a page number), what says the list has ended, and how many pages may be read at most.

use serde::Deserialize;

use super::pattern::PathExpr;

/// Pages read at most when `max_pages` is not given.
pub const DEFAULT_MAX_PAGES: u32 = 20;

/// How a list operation reads its pages after the first.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "PaginateRepr")]
pub struct Paginate {
    pub next: NextPage,
    /// A boolean in each page: `true` while more pages follow. Without it, the list ends on an
    /// empty page or when no next cursor or link is given.
    pub has_more: Option<PathExpr>,
    /// More pages than this is an error, never a list cut short.
    pub max_pages: u32,
}

/// Where the next page is.
#[derive(Debug, Clone)]
pub enum NextPage {
    /// The request again, with the cursor `from` selects in the page put where `to` says.
    Cursor { to: CursorTo, from: PathExpr },
    /// A URL or path (relative to the page) that a body field holds.
    Link(PathExpr),
    /// The `rel="next"` link of the `Link` header (RFC 8288).
    LinkHeader,
    /// The request again, with query parameter `param` set to the page number; the request as
    /// written gives page `start`.
    Page { param: String, start: u64 },
}

/// Where the next page's cursor goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CursorTo {
    /// Query parameter `param` of the request's URL.
    Param(String),
    /// Template variable `variable`, the request rendered again with it (a GraphQL query's
    /// `after`); it is `null` for the first page.
    Variable(String),
}

/// `paginate:` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PaginateRepr {
    #[serde(default)]
    cursor: Option<CursorRepr>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    page: Option<PageRepr>,
    #[serde(default)]
    has_more: Option<PathExpr>,
    #[serde(default = "default_max_pages")]
    max_pages: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CursorRepr {
    #[serde(default)]
    param: Option<String>,
    #[serde(default)]
    variable: Option<String>,
    from: PathExpr,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageRepr {
    param: String,
    #[serde(default = "first_page")]
    start: u64,
}

fn default_max_pages() -> u32 {
    DEFAULT_MAX_PAGES
}

fn first_page() -> u64 {
    1
}

/// What `next:` takes besides a JSONPath.
const LINK_HEADER: &str = "link_header";

impl TryFrom<PaginateRepr> for Paginate {
    type Error = String;

    fn try_from(r: PaginateRepr) -> Result<Self, String> {
        let next = match (r.cursor, r.next, r.page) {
            (Some(c), None, None) => NextPage::Cursor {
                to: match (c.param, c.variable) {
                    (Some(p), None) => CursorTo::Param(p),
                    (None, Some(v)) => CursorTo::Variable(v),
                    _ => {
                        return Err(
                            "a cursor goes in exactly one of `param` (a query parameter) or `variable` (a template variable of the request)".into(),
                        );
                    }
                },
                from: c.from,
            },
            (None, Some(n), None) if n == LINK_HEADER => NextPage::LinkHeader,
            (None, Some(n), None) if n.starts_with('$') => NextPage::Link(PathExpr::new(&n)?),
            (None, Some(n), None) => {
                return Err(format!(
                    "`next: {n}` is neither `{LINK_HEADER}` nor a JSONPath to the next page's address (`$.links.next`)"
                ));
            }
            (None, None, Some(p)) => NextPage::Page {
                param: p.param,
                start: p.start,
            },
            _ => return Err("`paginate` takes exactly one of `cursor`, `next` or `page`".into()),
        };
        if r.max_pages == 0 {
            return Err("`max_pages` is at least 1".into());
        }
        Ok(Paginate {
            next,
            has_more: r.has_more,
            max_pages: r.max_pages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paginate(yaml: &str) -> Result<Paginate, String> {
        let node = crate::model::yaml::parse(yaml).map_err(|e| e.message)?;
        crate::model::yaml::from_node::<Paginate>(&node).map_err(|e| e.message)
    }

    #[test]
    fn each_way_to_the_next_page_reads() {
        let cursor = paginate(
            "{ cursor: { param: after, from: '$.posts[-1:].pid' }, has_more: $.has_more }",
        )
        .expect("cursor");
        assert!(
            matches!(&cursor.next, NextPage::Cursor { to: CursorTo::Param(param), from } if param == "after" && from.as_str() == "$.posts[-1:].pid")
        );
        assert_eq!(
            cursor.has_more.as_ref().map(PathExpr::as_str),
            Some("$.has_more")
        );
        assert_eq!(cursor.max_pages, DEFAULT_MAX_PAGES);
        let link = paginate("{ next: $.links.next, max_pages: 5 }").expect("link");
        assert!(matches!(&link.next, NextPage::Link(p) if p.as_str() == "$.links.next"));
        assert_eq!(link.max_pages, 5);
        assert!(matches!(
            paginate("{ next: link_header }").map(|p| p.next),
            Ok(NextPage::LinkHeader)
        ));
        assert!(matches!(
            paginate("{ page: { param: page } }").map(|p| p.next),
            Ok(NextPage::Page { start: 1, .. })
        ));
        assert!(matches!(
            paginate("{ page: { param: p, start: 0 } }").map(|p| p.next),
            Ok(NextPage::Page { start: 0, .. })
        ));
    }

    #[test]
    fn a_paginate_block_says_one_way_within_a_bound() {
        let both = paginate("{ next: link_header, page: { param: page } }").unwrap_err();
        assert!(both.contains("exactly one of"), "{both}");
        assert!(
            paginate("{ has_more: $.more }")
                .unwrap_err()
                .contains("exactly one of")
        );
        let next = paginate("{ next: links.next }").unwrap_err();
        assert!(
            next.contains("neither `link_header` nor a JSONPath"),
            "{next}"
        );
        assert!(
            paginate("{ next: '$[' }")
                .unwrap_err()
                .contains("invalid JSONPath")
        );
        let zero = paginate("{ next: link_header, max_pages: 0 }").unwrap_err();
        assert!(zero.contains("at least 1"), "{zero}");
        let typo = paginate("{ next: link_header, max_page: 3 }").unwrap_err();
        assert!(typo.starts_with("unknown field `max_page`"), "{typo}");
    }
}
