//! One request as a profile writes it (an operation's step, a login's request): method, path,
//! query, headers, body in one of its forms, where its credentials may go, and what it captures.

use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::json_template::JsonTemplate;
use super::located::Located;
use super::output::OutputSpec;

/// One request of an operation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    #[serde(default)]
    pub method: Option<String>,
    pub path: Located<String>,
    #[serde(default)]
    pub headers: IndexMap<String, Located<String>>,
    #[serde(default)]
    pub query: IndexMap<String, Located<String>>,
    /// JSON body (templates in its strings).
    #[serde(default)]
    pub json: Option<JsonTemplate>,
    #[serde(default)]
    pub form: Option<IndexMap<String, Located<String>>>,
    #[serde(default)]
    pub multipart: Option<Vec<Part>>,
    #[serde(default)]
    pub body: Option<Located<RawBody>>,
    #[serde(default)]
    pub follow_redirects: bool,
    /// Whether the actor's credentials go with a request to another origin.
    #[serde(default)]
    pub credentials: CredentialScope,
    /// Variables taken from this response for the next requests.
    #[serde(default)]
    pub capture: IndexMap<String, Located<OutputSpec>>,
}

impl RequestSpec {
    /// Every template text of the request, with where it was written: path, headers, query,
    /// form fields, the strings of a JSON body and a text body.
    pub fn texts(&self) -> impl Iterator<Item = (&str, super::yaml::Loc)> {
        let body = match &self.body {
            Some(Located {
                value: RawBody::Text(t),
                loc,
            }) => Some((t.as_str(), *loc)),
            _ => None,
        };
        std::iter::once(&self.path)
            .chain(self.headers.values())
            .chain(self.query.values())
            .chain(self.form.iter().flat_map(|f| f.values()))
            .chain(self.json.iter().flat_map(|j| &j.strings))
            .map(|t| (t.value.as_str(), t.loc))
            .chain(body)
    }
}

/// A raw request body: text (a template), or `{ file: INPUT }`, the bytes of a file input sent
/// as they are, with its media type (the second step of an upload to a signed URL).
#[derive(Debug, Clone)]
pub enum RawBody {
    Text(String),
    File(String),
}

impl<'de> Deserialize<'de> for RawBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = RawBody;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text (template) or `{ file: INPUT }`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<RawBody, E> {
                Ok(RawBody::Text(s.to_string()))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<RawBody, A::Error> {
                let mut file = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "file" => file = Some(map.next_value::<String>()?),
                        other => return Err(de::Error::unknown_field(other, &["file"])),
                    }
                }
                file.map(RawBody::File)
                    .ok_or_else(|| de::Error::missing_field("file"))
            }
        }
        d.deserialize_any(V)
    }
}

/// A multipart part: a text value or an attachment input.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub name: String,
    /// Text content (template).
    #[serde(default)]
    pub value: Option<Located<String>>,
    /// Name of the contract input that holds a file (e.g. `file`).
    #[serde(default)]
    pub file: Option<String>,
}

/// Whether a request carries the actor's credentials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialScope {
    /// Only to the profile's own origins (`base_url`, `origins:`): a pre-signed URL on a
    /// storage host gets none.
    #[default]
    Origins,
    /// To wherever the request goes.
    Send,
}
