//! Cookies: parsing `Set-Cookie` (attributes kept, for SEC-08) and a per-session jar.

use indexmap::IndexMap;

/// A parsed `Set-Cookie` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie {
    pub name: String,
    pub value: String,
    pub secure: bool,
    pub http_only: bool,
    /// `Lax`, `Strict` or `None`, as sent.
    pub same_site: Option<String>,
    /// The cookie is being deleted (`Max-Age=0` or an empty value).
    pub removal: bool,
}

impl SetCookie {
    /// Parses one `Set-Cookie` header value.
    pub fn parse(header: &str) -> Option<SetCookie> {
        let mut parts = header.split(';');
        let (name, value) = parts.next()?.split_once('=')?;
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        let mut c = SetCookie {
            name: name.to_string(),
            value: value.trim().trim_matches('"').to_string(),
            secure: false,
            http_only: false,
            same_site: None,
            removal: value.trim().is_empty(),
        };
        for attr in parts {
            let (k, v) = attr.split_once('=').unwrap_or((attr, ""));
            match k.trim().to_ascii_lowercase().as_str() {
                "secure" => c.secure = true,
                "httponly" => c.http_only = true,
                "samesite" => c.same_site = Some(v.trim().to_string()),
                "max-age" if v.trim() == "0" => c.removal = true,
                _ => {}
            }
        }
        Some(c)
    }
}

/// The cookies of one session (one target host).
#[derive(Debug, Clone, Default)]
pub struct Jar(IndexMap<String, String>);

impl Jar {
    /// Stores (or removes) the cookies of a response.
    pub fn absorb<'a>(&mut self, set_cookies: impl IntoIterator<Item = &'a str>) {
        for header in set_cookies {
            if let Some(c) = SetCookie::parse(header) {
                if c.removal {
                    self.0.shift_remove(&c.name);
                } else {
                    self.0.insert(c.name, c.value);
                }
            }
        }
    }
    /// The `Cookie` header value, if any cookie is set.
    pub fn header(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| {
            self.0
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
    /// One cookie's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
    /// Every cookie value (for redaction).
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.0.values().map(String::as_str)
    }
    /// Every cookie, name and value.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
    /// Replaces every value with a forged one of the same shape.
    pub fn forge(&mut self) {
        for v in self.0.values_mut() {
            *v = super::forge(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_attributes() {
        let c = SetCookie::parse("sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax").unwrap();
        assert!(c.secure && c.http_only);
        assert_eq!(c.same_site.as_deref(), Some("Lax"));
        let weak = SetCookie::parse("sid=abc; Path=/").unwrap();
        assert!(!weak.secure && !weak.http_only && weak.same_site.is_none());
        assert!(SetCookie::parse("garbage").is_none());
    }

    #[test]
    fn jar_keeps_and_removes() {
        let mut jar = Jar::default();
        jar.absorb(["a=1; Path=/", "b=2"]);
        assert_eq!(jar.header().unwrap(), "a=1; b=2");
        jar.absorb(["a=; Max-Age=0"]);
        assert_eq!(jar.header().unwrap(), "b=2");
    }
}
