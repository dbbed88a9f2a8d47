//! A page as the rules see it: its markup parsed (bounded in size), where it came from, and the
//! stylesheets it links, fetched by the caller.

use scraper::{Html, Selector};

/// The most of a page the rules read; a larger page is cut here (and says so).
pub const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;
/// The most stylesheets a page may link that are fetched.
pub const MAX_STYLESHEETS: usize = 16;
/// The most of a stylesheet that is read.
pub const MAX_STYLESHEET_BYTES: usize = 512 * 1024;

/// A stylesheet a page links (`<link rel=stylesheet>`), as fetched.
#[derive(Debug, Clone)]
pub struct Stylesheet {
    pub url: url::Url,
    pub text: String,
}

/// A parsed page.
#[derive(Debug)]
pub struct Page {
    /// Where it was fetched from: links and stylesheets resolve against it.
    pub url: url::Url,
    pub doc: Html,
    /// Its linked stylesheets, in document order (those that could be fetched).
    pub sheets: Vec<Stylesheet>,
    /// The page was longer than [`MAX_PAGE_BYTES`] and only its start was read.
    pub truncated: bool,
}

impl Page {
    /// Parses `bytes` (invalid UTF-8 replaced, cut at [`MAX_PAGE_BYTES`]) fetched from `url`.
    pub fn parse(url: url::Url, bytes: &[u8], sheets: Vec<Stylesheet>) -> Page {
        let truncated = bytes.len() > MAX_PAGE_BYTES;
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_PAGE_BYTES)]);
        Page {
            url,
            doc: Html::parse_document(&text),
            sheets,
            truncated,
        }
    }

    /// The stylesheets `html` links, resolved against `base`, at most [`MAX_STYLESHEETS`]: what
    /// the caller fetches before [`Page::parse`].
    pub fn linked_stylesheets(doc: &Html, base: &url::Url) -> Vec<url::Url> {
        let Ok(links) = Selector::parse("link[rel][href]") else {
            return Vec::new();
        };
        doc.select(&links)
            .filter(|l| {
                let rel = l.value().attr("rel").unwrap_or_default();
                rel.split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("stylesheet"))
                    && !rel
                        .split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("alternate"))
            })
            .filter_map(|l| base.join(l.value().attr("href")?.trim()).ok())
            .filter(|u| matches!(u.scheme(), "https" | "http" | "file"))
            .take(MAX_STYLESHEETS)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_stylesheets_resolve_and_skip_alternates() {
        let base = url::Url::parse("https://vendor.test/app/page").expect("url");
        let doc = Html::parse_document(
            r#"<link rel="stylesheet" href="site.css"><link rel="alternate stylesheet" href="alt.css"><link rel="icon" href="i.png"><link rel="Stylesheet" href="/x.css">"#,
        );
        let urls: Vec<String> = Page::linked_stylesheets(&doc, &base)
            .iter()
            .map(|u| u.to_string())
            .collect();
        assert_eq!(
            urls,
            [
                "https://vendor.test/app/site.css",
                "https://vendor.test/x.css"
            ]
        );
    }

    #[test]
    fn a_page_past_the_bound_is_cut_and_says_so_and_bad_utf8_is_replaced() {
        let url = url::Url::parse("https://vendor.test/").expect("url");
        let mut big = b"<title>t\xff</title>".to_vec();
        big.resize(MAX_PAGE_BYTES + 10, b'a');
        let p = Page::parse(url, &big, Vec::new());
        assert!(p.truncated);
        let title = Selector::parse("title").expect("selector");
        let t: String = p.doc.select(&title).flat_map(|e| e.text()).collect();
        assert_eq!(t, "t\u{fffd}");
    }
}
