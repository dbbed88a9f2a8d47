//! Acceptable HTTP statuses as suites and outcome rules write them: `200`, `[401, 403]`,
//! `"2xx"`, `"400-499"`.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// Acceptable status codes: `200`, `[401, 403]`, `"2xx"`, `"400-499"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSpec(pub Vec<(u16, u16)>);

impl StatusSpec {
    /// Whether `status` is acceptable.
    pub fn accepts(&self, status: u16) -> bool {
        self.0.iter().any(|(lo, hi)| (*lo..=*hi).contains(&status))
    }

    fn parse_one(s: &str) -> Result<(u16, u16), String> {
        let s = s.trim();
        let bad = || format!("invalid status `{s}`: use 200, \"2xx\" or \"400-499\"");
        if let Some(d) = s.strip_suffix("xx").or_else(|| s.strip_suffix("XX")) {
            let d: u16 = d.parse().map_err(|_| bad())?;
            if (1..=5).contains(&d) {
                return Ok((d * 100, d * 100 + 99));
            }
            return Err(bad());
        }
        if let Some((a, b)) = s.split_once('-') {
            let a: u16 = a.trim().parse().map_err(|_| bad())?;
            let b: u16 = b.trim().parse().map_err(|_| bad())?;
            return if (100..=599).contains(&a) && a <= b && b <= 599 {
                Ok((a, b))
            } else {
                Err(bad())
            };
        }
        let c: u16 = s.parse().map_err(|_| bad())?;
        if (100..=599).contains(&c) {
            Ok((c, c))
        } else {
            Err(bad())
        }
    }
}

impl fmt::Display for StatusSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(a, b)| match (a, b) {
                (a, b) if a == b => a.to_string(),
                (a, b) if a % 100 == 0 && *b == a + 99 => format!("{}xx", a / 100),
                (a, b) => format!("{a}-{b}"),
            })
            .collect();
        f.write_str(&parts.join("/"))
    }
}

impl<'de> Deserialize<'de> for StatusSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StatusSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a status code, a list of them, \"2xx\" or \"400-499\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<StatusSpec, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<StatusSpec, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StatusSpec, E> {
                StatusSpec::parse_one(v)
                    .map(|r| StatusSpec(vec![r]))
                    .map_err(E::custom)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<StatusSpec, A::Error> {
                let mut all = Vec::new();
                while let Some(one) = seq.next_element::<StatusSpec>()? {
                    all.extend(one.0);
                }
                if all.is_empty() {
                    return Err(de::Error::custom("empty status list"));
                }
                Ok(StatusSpec(all))
            }
        }
        d.deserialize_any(V)
    }
}
