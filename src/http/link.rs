//! `Link` headers (RFC 8288): `<uri>; rel="next"; title="…", <uri>; rel=last`, read link by link
//! with quoted strings and their escapes, so a comma or semicolon inside a URI or a quoted value
//! does not split a link. A malformed link is skipped, not guessed at.

/// One link of a `Link` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The URI reference between `<` and `>`, as written (resolve it against the response's URL).
    pub target: String,
    /// The relation types of its first `rel` parameter, lower-cased.
    pub rels: Vec<String>,
}

/// A cursor over a header value.
struct Reader<'a> {
    s: &'a str,
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<char> {
        self.s[self.at..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += c.len_utf8();
        Some(c)
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(|c| c == ' ' || c == '\t') {
            self.bump();
        }
    }

    /// Characters up to (not including) one of `stops`, space or tab.
    fn token(&mut self, stops: &[char]) -> &str {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| !stops.contains(&c) && c != ' ' && c != '\t')
        {
            self.bump();
        }
        &self.s[start..self.at]
    }

    /// A quoted string after its opening quote, unescaped; `None` when it never closes.
    fn quoted(&mut self) -> Option<String> {
        let mut out = String::new();
        loop {
            match self.bump()? {
                '"' => return Some(out),
                '\\' => out.push(self.bump()?),
                c => out.push(c),
            }
        }
    }

    /// Skips past the next comma outside quotes and angle brackets (the end of a link).
    fn skip_link(&mut self) {
        let mut in_uri = false;
        while let Some(c) = self.bump() {
            match c {
                '<' => in_uri = true,
                '>' => in_uri = false,
                // The guard skips a quoted string whole; one that never closes ends the header.
                '"' if !in_uri && self.quoted().is_none() => return,
                ',' if !in_uri => return,
                _ => {}
            }
        }
    }

    /// The parameters after a link's `>`, up to the comma that ends it; `None` if malformed.
    /// Returns the value of the first `rel`, as RFC 8288 §3.3 asks (later ones are ignored).
    fn params(&mut self) -> Option<Option<String>> {
        let mut rel = None;
        loop {
            self.skip_space();
            match self.peek() {
                None => return Some(rel),
                Some(',') => {
                    self.bump();
                    return Some(rel);
                }
                Some(';') => {
                    self.bump();
                }
                Some(_) => return None,
            }
            self.skip_space();
            let name = self.token(&['=', ';', ',']).to_ascii_lowercase();
            self.skip_space();
            let value = if self.peek() == Some('=') {
                self.bump();
                self.skip_space();
                if self.peek() == Some('"') {
                    self.bump();
                    self.quoted()?
                } else {
                    self.token(&[';', ',']).to_string()
                }
            } else {
                String::new()
            };
            if name == "rel" && rel.is_none() {
                rel = Some(value);
            }
        }
    }
}

/// Every well-formed link of one `Link` header value, in order.
pub fn parse(header: &str) -> Vec<Link> {
    let mut r = Reader { s: header, at: 0 };
    let mut links = Vec::new();
    loop {
        while r.peek().is_some_and(|c| matches!(c, ' ' | '\t' | ',')) {
            r.bump();
        }
        if r.peek().is_none() {
            return links;
        }
        if r.peek() != Some('<') {
            r.skip_link();
            continue;
        }
        r.bump();
        let Some(len) = r.s[r.at..].find('>') else {
            return links;
        };
        let target = r.s[r.at..r.at + len].trim().to_string();
        r.at += len + 1;
        match r.params() {
            Some(rel) => links.push(Link {
                target,
                rels: rel
                    .unwrap_or_default()
                    .split_ascii_whitespace()
                    .map(str::to_ascii_lowercase)
                    .collect(),
            }),
            None => r.skip_link(),
        }
    }
}

/// The target of the first link with relation type `next` across all given `Link` headers.
pub fn next<'a>(headers: impl IntoIterator<Item = &'a str>) -> Option<String> {
    headers
        .into_iter()
        .flat_map(parse)
        .find(|l| l.rels.iter().any(|r| r == "next"))
        .map(|l| l.target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(target: &str, rels: &[&str]) -> Link {
        Link {
            target: target.into(),
            rels: rels.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn reads_several_links_with_quoted_and_bare_parameters() {
        let h = r#"<https://api.example/v2/posts?page=3&per_page=50>; rel="next", <https://api.example/v2/posts?page=9>; rel=last; title="Last, final; page""#;
        assert_eq!(
            parse(h),
            vec![
                link("https://api.example/v2/posts?page=3&per_page=50", &["next"]),
                link("https://api.example/v2/posts?page=9", &["last"]),
            ]
        );
    }

    #[test]
    fn commas_and_semicolons_inside_uris_and_quotes_do_not_split() {
        let h = r#"</items?tags=a,b;c>; title="a \"quoted\", odd; one"; rel="prev next", </x>;rel=first"#;
        assert_eq!(
            parse(h),
            vec![
                link("/items?tags=a,b;c", &["prev", "next"]),
                link("/x", &["first"])
            ]
        );
    }

    #[test]
    fn relation_types_compare_without_case_and_only_the_first_rel_counts() {
        assert_eq!(parse("</a>; REL=NEXT"), vec![link("/a", &["next"])]);
        assert_eq!(
            parse(r#"</a>; rel="prev"; rel="next""#),
            vec![link("/a", &["prev"])]
        );
        assert_eq!(next([r#"</a>; rel="prev"; rel="next""#]), None);
        assert_eq!(parse("</a>; anchor; rel=next"), vec![link("/a", &["next"])]);
    }

    #[test]
    fn malformed_links_are_skipped_and_the_rest_read() {
        assert_eq!(
            parse(r#"garbage; rel=next, </ok>; rel=next"#),
            vec![link("/ok", &["next"])]
        );
        assert_eq!(
            parse(r#"</bad> junk; rel=next, </ok>; rel="next""#),
            vec![link("/ok", &["next"])]
        );
        assert_eq!(parse(r#"</open; rel=next"#), Vec::new());
        assert_eq!(
            parse(r#"</a>; title="never closed, </b>; rel=next"#),
            Vec::new()
        );
        assert_eq!(parse(""), Vec::new());
        assert_eq!(parse(" , ,"), Vec::new());
    }

    #[test]
    fn the_next_link_is_found_across_headers() {
        let headers = [
            r#"</first>; rel="first""#,
            r#"</p2>; rel="next", </p9>; rel="last""#,
        ];
        assert_eq!(next(headers), Some("/p2".to_string()));
        assert_eq!(next([r#"</first>; rel="first""#]), None);
    }
}
