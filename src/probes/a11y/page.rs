//! A page as the rules see it: its markup parsed (bounded in size), where it came from, and the
//! stylesheets it links, fetched by the caller.

use scraper::{Html, Selector};

/// The most of a page the rules read; a larger page is cut here (and says so).
pub const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;
/// The deepest nesting read: the HTML parser's cost grows with depth times elements, so a page
/// nested deeper is cut where it passes this (browsers stop nesting at 512 too).
pub const MAX_DEPTH: usize = 512;
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
    /// The page was longer than [`MAX_PAGE_BYTES`], or nested deeper than [`MAX_DEPTH`], and
    /// only its start was read.
    pub truncated: bool,
}

impl Page {
    /// Parses `bytes` (invalid UTF-8 replaced, cut at [`MAX_PAGE_BYTES`] and where it nests
    /// deeper than [`MAX_DEPTH`]) fetched from `url`.
    pub fn parse(url: url::Url, bytes: &[u8], sheets: Vec<Stylesheet>) -> Page {
        let (text, truncated) = Page::readable(bytes);
        Page {
            url,
            doc: Html::parse_document(&text),
            sheets,
            truncated,
        }
    }

    /// The part of `bytes` that is read (invalid UTF-8 replaced, cut at [`MAX_PAGE_BYTES`] and
    /// where it nests deeper than [`MAX_DEPTH`]), and whether anything was cut.
    pub fn readable(bytes: &[u8]) -> (String, bool) {
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_PAGE_BYTES)]);
        let cut = too_deep_at(&text, MAX_DEPTH);
        let read = cut.map_or(&text[..], |at| &text[..at]).to_string();
        (read, bytes.len() > MAX_PAGE_BYTES || cut.is_some())
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

/// Elements that never hold content, and those whose end tag may be left out (the next one
/// closes them): neither deepens the nesting a quick count can see.
const NO_DEPTH: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead",
    "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rtc", "rp", "html", "head", "body",
];

/// Where `text`'s element nesting first passes `max`, by a quick count of start and end tags
/// (comments, and the raw text of scripts and styles, skipped); `None` if it never does.
fn too_deep_at(text: &str, max: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        let at = i + off;
        let rest = &text[at..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(b.len(), |e| at + e + 3);
            continue;
        }
        let closing = rest.as_bytes().get(1) == Some(&b'/');
        let name_start = at + 1 + usize::from(closing);
        let name_len = b[name_start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if name_len == 0 {
            i = at + 1;
            continue;
        }
        let name = text[name_start..name_start + name_len].to_ascii_lowercase();
        let end = b[name_start..]
            .iter()
            .position(|&c| c == b'>')
            .map_or(b.len(), |e| name_start + e + 1);
        let self_closed = end >= 2 && b.get(end - 2) == Some(&b'/');
        if closing {
            if !NO_DEPTH.contains(&name.as_str()) {
                depth = depth.saturating_sub(1);
            }
        } else if matches!(name.as_str(), "script" | "style" | "textarea" | "title") {
            // Raw text up to its end tag holds no elements.
            let close = format!("</{name}");
            i = text[end.min(b.len())..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(b.len(), |e| end + e);
            continue;
        } else if !self_closed && !NO_DEPTH.contains(&name.as_str()) {
            depth += 1;
            if depth > max {
                return Some(at);
            }
        }
        i = end.min(b.len());
    }
    None
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

    #[test]
    fn nesting_past_the_bound_is_cut_where_it_passes_it_and_ordinary_pages_are_not() {
        let deep = format!(
            "<body>{}x{}",
            "<div>".repeat(10_000),
            "</div>".repeat(10_000)
        );
        let at = too_deep_at(&deep, MAX_DEPTH).expect("too deep");
        assert_eq!(at, "<body>".len() + MAX_DEPTH * "<div>".len());
        let p = Page::parse(
            url::Url::parse("https://vendor.test/").expect("url"),
            deep.as_bytes(),
            Vec::new(),
        );
        assert!(p.truncated);
        let lists = format!(
            "<ul>{}</ul><script>{}</script><!-- {} -->",
            "<li>item<p>para".repeat(2_000),
            "<div>".repeat(2_000),
            "<div>".repeat(2_000)
        );
        assert_eq!(
            too_deep_at(&lists, MAX_DEPTH),
            None,
            "unclosed list items and paragraphs, scripts and comments do not nest"
        );
    }
}
