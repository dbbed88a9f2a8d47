//! The parts of a `kind: request` login scheme: the login's request or short sequence, where the
//! token, refresh token and lifetime are in its answer, the header that carries the token, and
//! the request that refreshes it.

use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::located::Located;
use super::output::OutputSpec;
use super::request::RequestSpec;

/// The requests of a login, in order: one request written inline, or a list of them whose
/// `capture:` values are variables of the ones after it.
#[derive(Debug, Clone)]
pub struct LoginRequests(pub Vec<Located<RequestSpec>>);

impl<'de> Deserialize<'de> for LoginRequests {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = LoginRequests;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a request (`{ method, path, json, … }`) or a list of them")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<LoginRequests, A::Error> {
                let spec = RequestSpec::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(LoginRequests(vec![Located::new(spec)]))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<LoginRequests, A::Error> {
                let steps = Vec::<Located<RequestSpec>>::deserialize(
                    de::value::SeqAccessDeserializer::new(seq),
                )?;
                if steps.is_empty() {
                    return Err(de::Error::custom("a login needs at least one request"));
                }
                Ok(LoginRequests(steps))
            }
        }
        d.deserialize_any(V)
    }
}

/// Where a login's (or a refresh's) answer holds the session's secrets and lifetime.
#[derive(Debug, Clone, Default)]
pub struct TokenPlaces {
    /// The access token (JSONPath or `{ header: NAME }`). Without it the session is the cookies
    /// the login set.
    pub token: Option<Located<OutputSpec>>,
    /// The refresh token, sent back by `refresh` as `{{refresh_token}}`.
    pub refresh_token: Option<Located<OutputSpec>>,
    /// The token's lifetime in seconds (a number, or text of one).
    pub expires_in: Option<Located<OutputSpec>>,
}

/// The request that renews a session before it expires, and where its answer holds the new
/// token. A place it does not give is read where the login reads it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refresh {
    pub request: Located<RequestSpec>,
    #[serde(default)]
    pub token: Option<Located<OutputSpec>>,
    #[serde(default)]
    pub refresh_token: Option<Located<OutputSpec>>,
    #[serde(default)]
    pub expires_in: Option<Located<OutputSpec>>,
}

impl Refresh {
    /// The refresh's own places, each falling back to the login's.
    pub fn places(&self, login: &TokenPlaces) -> TokenPlaces {
        TokenPlaces {
            token: self.token.clone().or_else(|| login.token.clone()),
            refresh_token: self
                .refresh_token
                .clone()
                .or_else(|| login.refresh_token.clone()),
            expires_in: self.expires_in.clone().or_else(|| login.expires_in.clone()),
        }
    }
}

/// The header that carries the token, `Authorization: Bearer {{token}}` unless `send:` says.
pub type SendHeaders = IndexMap<String, Located<String>>;

/// The header a `kind: request` session sends when `send:` is not written.
pub const DEFAULT_SEND: (&str, &str) = ("Authorization", "Bearer {{token}}");
