//! A page as the rules see it: its markup parsed (bounded in size), where it came from, and the
//! stylesheets it links, fetched by the caller.

use scraper::{Html, Selector};

/// The most of a page the rules read: what the client keeps of a body; a larger page is cut
/// here (and says so).
pub const MAX_PAGE_BYTES: usize = crate::http::spill::KEEP_LIMIT;
/// [`MAX_PAGE_BYTES`] in MiB, for the notes that say a page was cut.
pub const MAX_PAGE_MIB: usize = MAX_PAGE_BYTES / (1024 * 1024);
/// The deepest nesting kept: the HTML parser's cost grows with depth times elements, so the
/// elements of a page nested deeper are flattened onto this level, their content kept (as
/// browsers do past 512 levels).
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
    /// The page was longer than [`MAX_PAGE_BYTES`] and only its start was read, or nested
    /// deeper than [`MAX_DEPTH`] and flattened there.
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

    /// The part of `bytes` that is read (invalid UTF-8 replaced, cut at [`MAX_PAGE_BYTES`],
    /// flattened past [`MAX_DEPTH`]), and whether it was cut or flattened.
    pub fn readable(bytes: &[u8]) -> (String, bool) {
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_PAGE_BYTES)]);
        let (read, flattened) = flatten_past(&text, MAX_DEPTH);
        (read, bytes.len() > MAX_PAGE_BYTES || flattened)
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

/// `text` nesting no deeper than `max`: as a browser's parser does past its depth limit, an
/// element that would open below it becomes a sibling of the deepest one (that one is closed
/// first), and the end tags of elements so closed are dropped. A quick count of start and end
/// tags (comments, and the raw text of scripts and styles, skipped); says whether it flattened.
fn flatten_past(text: &str, max: usize) -> (String, bool) {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut open: Vec<String> = Vec::new();
    let mut flattened = false;
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        let at = i + off;
        out.push_str(&text[i..at]);
        let rest = &text[at..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(b.len(), |e| at + e + 3);
            out.push_str(&text[at..end]);
            i = end;
            continue;
        }
        let closing = rest.as_bytes().get(1) == Some(&b'/');
        let name_start = at + 1 + usize::from(closing);
        let name_len = b[name_start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if name_len == 0 {
            out.push('<');
            i = at + 1;
            continue;
        }
        let name = text[name_start..name_start + name_len].to_ascii_lowercase();
        let end = b[name_start..]
            .iter()
            .position(|&c| c == b'>')
            .map_or(b.len(), |e| name_start + e + 1);
        let tag = &text[at..end];
        let deepens = !NO_DEPTH.contains(&name.as_str());
        i = end;
        if closing {
            if !deepens {
                out.push_str(tag);
            } else if let Some(k) = open.iter().rposition(|n| *n == name) {
                open.truncate(k);
                out.push_str(tag);
            } else if flattened {
                // The end tag of an element closed early to keep the depth.
            } else {
                out.push_str(tag);
            }
            continue;
        }
        if matches!(name.as_str(), "script" | "style" | "textarea" | "title") {
            // Raw text up to its end tag holds no elements.
            let close = format!("</{name}");
            let stop = text[end..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(b.len(), |e| end + e);
            out.push_str(&text[at..stop]);
            i = stop;
            continue;
        }
        if deepens && !tag.ends_with("/>") {
            if open.len() >= max
                && let Some(deepest) = open.pop()
            {
                out.push_str("</");
                out.push_str(&deepest);
                out.push('>');
                flattened = true;
            }
            open.push(name);
        }
        out.push_str(tag);
    }
    out.push_str(&text[i..]);
    (out, flattened)
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
    fn nesting_past_the_bound_is_flattened_there_with_its_content_and_ordinary_pages_are_not() {
        let deep = format!(
            "<body>{}<img id=deep>x{}<p>after</p>",
            "<div>".repeat(10_000),
            "</div>".repeat(10_000)
        );
        let (kept, flattened) = flatten_past(&deep, MAX_DEPTH);
        assert!(flattened);
        assert_eq!(
            kept.matches("<div>").count(),
            10_000,
            "every element is kept"
        );
        let p = Page::parse(
            url::Url::parse("https://vendor.test/").expect("url"),
            deep.as_bytes(),
            Vec::new(),
        );
        assert!(p.truncated);
        let img = Selector::parse("#deep").expect("selector");
        assert_eq!(p.doc.select(&img).count(), 1, "the deep content is kept");
        let lists = format!(
            "<ul>{}</ul><script>{}</script><!-- {} -->",
            "<li>item<p>para".repeat(2_000),
            "<div>".repeat(2_000),
            "<div>".repeat(2_000)
        );
        assert_eq!(
            flatten_past(&lists, MAX_DEPTH),
            (lists.clone(), false),
            "unclosed list items and paragraphs, scripts and comments do not nest"
        );
    }
}
