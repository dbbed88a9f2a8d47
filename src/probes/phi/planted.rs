//! The PHI a run can recognise: every actor's declared canaries (name, date of birth, health
//! number) and the message texts and subjects the run sent, each with whose it is and how to
//! find it in a text however the vendor wrote it. Findings show a planted value masked
//! ([`Planted::masked`]): whose it is and what it is, its first and last characters and its
//! length, enough for a reviewer to match it to the evidence without a report repeating PHI.

use regex::Regex;

use super::dates;
use crate::http::seen::{self, Hit, Layer, Layers};
use crate::model::canary::HealthNumber;
use crate::model::resolve::ResolvedTarget;
use crate::outcome::RecordedView;

/// What a planted value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    Name,
    DateOfBirth,
    HealthNumber,
    MessageText,
    Subject,
}

impl What {
    /// How a finding names it.
    pub fn label(self) -> &'static str {
        match self {
            What::Name => "name",
            What::DateOfBirth => "date of birth",
            What::HealthNumber => "health card number",
            What::MessageText => "message text",
            What::Subject => "message subject",
        }
    }
}

/// How a value is recognised.
#[derive(Debug)]
enum Matcher {
    /// Exactly (after NFC), through the encodings.
    Text(String),
    /// Folded: any case, any spacing.
    Name(String),
    /// Any spelling of the date, standing alone.
    Date(Vec<String>),
    /// The ten digits in any 4-3-3 grouping, not inside a longer number.
    Digits(Option<Regex>),
}

/// One value the run planted, and whose it is.
#[derive(Debug)]
pub struct Planted {
    /// The actor whose PHI it is (for a sent text, who sent it).
    pub owner: String,
    pub what: What,
    /// The value as declared or sent, kept only to mask it.
    value: String,
    matcher: Matcher,
}

impl Planted {
    /// `owner`'s name, found in any case and spacing.
    pub fn name(owner: &str, name: &str) -> Planted {
        Planted {
            owner: owner.to_string(),
            what: What::Name,
            value: name.to_string(),
            matcher: Matcher::Name(seen::fold(name)),
        }
    }

    /// `owner`'s date of birth, found in any of its spellings.
    pub fn date_of_birth(owner: &str, dob: time::Date) -> Planted {
        Planted {
            owner: owner.to_string(),
            what: What::DateOfBirth,
            value: crate::model::canary::iso(dob),
            matcher: Matcher::Date(dates::spellings(dob)),
        }
    }

    /// `owner`'s health number, found in any 4-3-3 grouping.
    pub fn health_number(owner: &str, hcn: &HealthNumber) -> Planted {
        let d = hcn.digits();
        let pattern = format!("{}[ -]?{}[ -]?{}", &d[..4], &d[4..7], &d[7..]);
        Planted {
            owner: owner.to_string(),
            what: What::HealthNumber,
            value: d.to_string(),
            matcher: Matcher::Digits(Regex::new(&pattern).ok()),
        }
    }

    /// A message text or subject `owner` sent, found exactly.
    pub fn sent(owner: &str, what: What, text: &str) -> Planted {
        Planted {
            owner: owner.to_string(),
            what,
            value: text.to_string(),
            matcher: Matcher::Text(text.to_string()),
        }
    }

    /// Where and how `layers` say this value, if they do.
    pub fn found_in(&self, layers: &Layers) -> Option<Hit> {
        let layer = match &self.matcher {
            Matcher::Text(t) => return layers.hit(t),
            Matcher::Name(n) => layers.find(|l| l.folded().contains(n.as_str())),
            Matcher::Date(spellings) => layers.find(|l| {
                let text = l.folded();
                spellings.iter().any(|s| dates::occurs(text, s))
            }),
            Matcher::Digits(re) => layers.find(|l| {
                re.as_ref().is_some_and(|re| {
                    re.find_iter(&l.text).any(|m| {
                        let before = l.text[..m.start()].chars().next_back();
                        let after = l.text[m.end()..].chars().next();
                        !before.is_some_and(|c| c.is_ascii_digit())
                            && !after.is_some_and(|c| c.is_ascii_digit())
                    })
                })
            }),
        };
        layer.map(Layer::hit)
    }

    /// `owner's what (masked)`, e.g. `patient_a's name (Z•••••••ay, 12 chars)`.
    pub fn describe(&self) -> String {
        format!("{}'s {} ({})", self.owner, self.what.label(), self.masked())
    }

    /// The value masked: its first character and last two, its length; a short one fully.
    pub fn masked(&self) -> String {
        mask(&self.value)
    }
}

/// A value shown without giving it away: the first character and the last two, the rest as
/// `•` (at most eight of them), and the length; five characters or fewer become `•••••`.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if n <= 5 {
        return format!("{}, {n} chars", "•".repeat(n));
    }
    let first = chars[0];
    let last: String = chars[n - 2..].iter().collect();
    let hidden = (n - 3).min(8);
    let more = if n - 3 > 8 { "…" } else { "" };
    format!("{first}{}{more}{last}, {n} chars", "•".repeat(hidden))
}

/// Every actor's declared canaries and every text the run sent, in the profile's actor order.
pub fn planted(target: &ResolvedTarget, recorded: &RecordedView) -> Vec<Planted> {
    let mut out = canaries(target);
    for s in recorded.sent.iter() {
        let what = if s.input == "subject" {
            What::Subject
        } else {
            What::MessageText
        };
        out.push(Planted::sent(&s.actor, what, &s.text));
    }
    out
}

/// Every actor's declared canaries, in the profile's actor order.
pub fn canaries(target: &ResolvedTarget) -> Vec<Planted> {
    let mut out = Vec::new();
    for a in target.actors.values() {
        let c = &a.canaries;
        out.extend(c.name.as_deref().map(|n| Planted::name(&a.name, n)));
        out.extend(c.dob.map(|d| Planted::date_of_birth(&a.name, d)));
        out.extend(c.hcn.as_ref().map(|h| Planted::health_number(&a.name, h)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::seen::Encoding;

    #[test]
    fn each_kind_of_canary_is_found_however_the_vendor_wrote_it() {
        let name = Planted::name("patient_a", "Zoë Tremblay");
        let dob = Planted::date_of_birth("patient_a", time::macros::date!(1961 - 04 - 02));
        let hcn = Planted::health_number(
            "patient_a",
            &HealthNumber::parse("9876543217").expect("valid"),
        );
        let cases: &[(&Planted, &str, Option<Encoding>)] = &[
            (&name, r#"{"n": "ZOË  tremblay"}"#, Some(Encoding::AsIs)),
            (
                &name,
                r#"{"n": "Zo\u00eb Tremblay"}"#,
                Some(Encoding::JsonString),
            ),
            (
                &name,
                "<b>Zo&euml; Tremblay</b>",
                Some(Encoding::HtmlEntities),
            ),
            (
                &name,
                "/inbox?who=Zo%C3%AB+Tremblay",
                Some(Encoding::Percent),
            ),
            (&name, "Zoe Tremblay", None),
            (&dob, "born April 2, 1961", Some(Encoding::AsIs)),
            (&dob, "dob=02%2F04%2F1961", Some(Encoding::Percent)),
            (&dob, "12/04/1961", None),
            (&hcn, "HCN 9876-543-217-AB", Some(Encoding::AsIs)),
            (&hcn, "hcn=9876+543+217", Some(Encoding::Percent)),
            (&hcn, "19876543217", None),
        ];
        for (p, body, want) in cases {
            let how = p.found_in(&Layers::of(body.as_bytes())).map(|h| h.encoding);
            assert_eq!(how, *want, "{body}");
        }
    }

    #[test]
    fn masks_keep_enough_to_match_the_evidence_and_no_more() {
        assert_eq!(mask("Zoë Tremblay"), "Z••••••••…ay, 12 chars");
        assert_eq!(mask("9876543217"), "9•••••••17, 10 chars");
        assert_eq!(mask("abc"), "•••, 3 chars");
        assert!(mask(&"x".repeat(80)).contains("…xx, 80 chars"));
    }
}
