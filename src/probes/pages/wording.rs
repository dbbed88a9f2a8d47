//! The statements FUN-07 looks for on the patient pages, in English and French, as patterns over
//! [`searchable`](super::text::searchable) text (lower case, no accents, plain apostrophes and
//! dashes). Patterns follow how real services word them: "not for emergencies", "do not use …
//! in an emergency", "call 9-1-1", "go to the nearest emergency department", "within 2 business
//! days", "in 48 hours"; "n'est pas destiné aux urgences", "composez le 911", "d'ici 2 jours
//! ouvrables".

use std::sync::OnceLock;

use regex::Regex;

/// The language a page is read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    /// How a reviewer names it.
    pub fn label(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "French",
        }
    }
}

/// One statement a patient page must make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Statement {
    /// The service is not for emergencies.
    NotForEmergencies,
    /// What to do in one: call 911, go to the nearest emergency department.
    WhatToDo,
    /// How soon a reply can be expected.
    ResponseTime,
}

impl Statement {
    /// Every statement, in the order findings list them.
    pub const ALL: [Statement; 3] = [
        Statement::NotForEmergencies,
        Statement::WhatToDo,
        Statement::ResponseTime,
    ];

    /// What is missing when the statement is not found.
    pub fn missing(self) -> &'static str {
        match self {
            Statement::NotForEmergencies => "no statement that the service is not for emergencies",
            Statement::WhatToDo => {
                "no instruction for an emergency (call 911, go to the nearest emergency department)"
            }
            Statement::ResponseTime => "no expected response time (e.g. within 2 business days)",
        }
    }

    /// Its name in notes.
    pub fn label(self) -> &'static str {
        match self {
            Statement::NotForEmergencies => "not for emergencies",
            Statement::WhatToDo => "what to do in an emergency",
            Statement::ResponseTime => "response time",
        }
    }
}

/// Where `text` (searchable form) makes `statement` in `lang`: the words that say it.
pub fn find(text: &str, lang: Lang, statement: Statement) -> Option<String> {
    let p = patterns(lang);
    match statement {
        Statement::NotForEmergencies => first_match(&p.not_for_emergencies, text),
        Statement::WhatToDo => first_match(&p.what_to_do, text),
        // A duration counts only in a sentence that speaks of a reply.
        Statement::ResponseTime => sentences(text)
            .filter(|s| p.reply.is_match(s))
            .find_map(|s| p.duration.find(s).map(|_| s.trim().to_string())),
    }
}

fn first_match(res: &[Regex], text: &str) -> Option<String> {
    res.iter()
        .find_map(|re| re.find(text).map(|m| m.as_str().to_string()))
}

/// The sentences of a text: split after `.`, `!`, `?` or `;` followed by a space, so that
/// `2.5 days` and `8:00` stay whole.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    static END: OnceLock<Regex> = OnceLock::new();
    END.get_or_init(|| Regex::new(r"[.!?;](?:\s|$)").expect("the sentence end pattern is valid"))
        .split(text)
}

struct Patterns {
    not_for_emergencies: Vec<Regex>,
    what_to_do: Vec<Regex>,
    reply: Regex,
    duration: Regex,
}

fn compile(sources: &[&str]) -> Vec<Regex> {
    sources
        .iter()
        .map(|s| Regex::new(s).expect("the statement patterns are valid"))
        .collect()
}

/// Digits or a number word, then an optional second bound (`2-3`, `2 to 3`, `2 ou 3`).
const EN_NUMBER: &str = r"(?:\d+\s*|(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty-? ?four|forty-? ?eight|seventy-? ?two)\s+)(?:(?:-|to|or)\s*(?:\d+|two|three|four|five|seven|ten)\s*)?";
const FR_NUMBER: &str = r"(?:\d+\s*|(?:un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|vingt-quatre|quarante-huit|soixante-douze)\s+)(?:(?:-|a|ou)\s*(?:\d+|deux|trois|quatre|cinq|sept|dix)\s*)?";

fn patterns(lang: Lang) -> &'static Patterns {
    static EN: OnceLock<Patterns> = OnceLock::new();
    static FR: OnceLock<Patterns> = OnceLock::new();
    match lang {
        Lang::En => EN.get_or_init(|| Patterns {
            not_for_emergencies: compile(&[
                r"\bnot\s+(?:(?:meant|intended|designed|made|suitable|appropriate|to\s+be\s+used)\s+)?(?:for|in)\s+(?:use\s+in\s+)?(?:(?:an?|any|medical|urgent|or)\s+)*(?:emergenc(?:y|ies)|urgent\s+(?:matters|needs|care))",
                r"\b(?:do\s+not|don't|never)\s+use\s+(?:[\w' -]{0,50}?\s)?(?:for|in|during)\s+(?:(?:an?|any|medical)\s+)*emergenc",
                r"\bnot\s+an?\s+emergency\s+service",
                r"\bfor\s+non-?\s?(?:urgent|emergency)\b",
            ]),
            what_to_do: compile(&[
                r"\b(?:call|dial|phone|ring)\s+9[-. ]?1[-. ]?1\b",
                r"\bnearest\s+(?:hospital\s+)?(?:emergency\s+(?:department|room)|er\b|hospital)",
                r"\bgo\s+to\s+(?:an?|the|your)\s+(?:nearest\s+|local\s+|closest\s+)?(?:hospital\s+)?(?:emergency\s+(?:department|room)|er\b)",
                r"\b(?:call|contact)\s+(?:your\s+local\s+)?emergency\s+services",
            ]),
            reply: Regex::new(
                r"\b(?:repl(?:y|ies|ied)|respon(?:d|ds|se|ses)|answer(?:s|ed)?|hear\s+back|get\s+back|turnaround)\b",
            )
            .expect("the reply pattern is valid"),
            duration: Regex::new(&format!(
                r"\b(?:{EN_NUMBER}(?:(?:business|working|clinic|calendar)\s+)?(?:hours?|hrs?|days?|weeks?|h)\b|(?:the\s+)?next\s+(?:business\s+|working\s+)?day|same\s+(?:business\s+)?day)"
            ))
            .expect("the duration pattern is valid"),
        }),
        Lang::Fr => FR.get_or_init(|| Patterns {
            not_for_emergencies: compile(&[
                r"\b(?:n'est|ne\s+sont|n'etant)\s+pas\s+(?:(?:destine|concu|prevu|fait|adapte|offert)e?s?\s+)?(?:pour|aux|a|a\s+l'usage\s+des?)\s+(?:les\s+|des\s+|une\s+)?(?:situations?\s+d'|cas\s+d')?\s?urgences?",
                r"\b(?:n'utilisez|ne\s+l'utilisez|n'utilisez)\s+pas\s+(?:[\w' -]{0,50}?\s)?(?:pour\s+(?:les\s+|une\s+)?|en\s+cas\s+d'\s?|lors\s+d'une\s+)urgences?",
                r"\bne\s+convient\s+pas\s+aux\s+(?:situations\s+d')?urgences?",
                r"\bpour\s+les\s+(?:questions|demandes|besoins|situations)\s+non\s+urgent",
            ]),
            what_to_do: compile(&[
                r"\b(?:composez|appelez|signalez|faites)\s+(?:le\s+)?9[-. ]?1[-. ]?1\b",
                r"\b(?:urgences?|service\s+d'urgence|salle\s+d'urgence|hopital)\s+(?:de\s+l'hopital\s+)?l[ea]\s+plus\s+proche",
                r"\brendez-vous\s+(?:a\s+l'\s?|aux\s+|au\s+service\s+d'\s?)urgences?",
            ]),
            reply: Regex::new(r"\b(?:repond\w*|reponses?|retour|delai)\b")
                .expect("the reply pattern is valid"),
            duration: Regex::new(&format!(
                r"\b(?:{FR_NUMBER}(?:jours?\s+ouvrables?|jours?\s+ouvres?|jours?|heures?|h|semaines?)\b|le\s+jour\s+ouvrable\s+suivant|le\s+lendemain|la\s+meme\s+journee)"
            ))
            .expect("the duration pattern is valid"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::super::text::searchable;
    use super::*;

    fn says(text: &str, lang: Lang, s: Statement) -> bool {
        find(&searchable(text), lang, s).is_some()
    }

    #[test]
    fn english_wordings_of_the_emergency_notice() {
        for t in [
            "This service is not for emergencies.",
            "Secure messaging is not intended for medical emergencies.",
            "Do not use secure messaging in an emergency.",
            "Please don’t use this service for emergencies",
            "This is not an emergency service.",
            "For non-urgent questions only.",
        ] {
            assert!(says(t, Lang::En, Statement::NotForEmergencies), "{t}");
        }
        for t in [
            "If you have an emergency, call 911.",
            "Dial 9-1-1",
            "or go to the nearest emergency department",
            "Go to your nearest ER.",
            "call your local emergency services",
        ] {
            assert!(says(t, Lang::En, Statement::WhatToDo), "{t}");
        }
        for t in [
            "Send messages about emergencies to your doctor.",
            "We handle emergency contacts.",
            "Our phone number is 416-555-0911.",
        ] {
            assert!(!says(t, Lang::En, Statement::NotForEmergencies), "{t}");
            assert!(!says(t, Lang::En, Statement::WhatToDo), "{t}");
        }
    }

    #[test]
    fn english_wordings_of_the_response_time() {
        for t in [
            "Your clinic will reply within 2 business days.",
            "Expect a response in 48 hours.",
            "Response time: up to two working days",
            "We respond by the next business day.",
            "Replies usually take 2-3 days",
            "You will hear back within 24h.",
        ] {
            assert!(says(t, Lang::En, Statement::ResponseTime), "{t}");
        }
        for t in [
            "Sessions end after 15 minutes. Reply to your clinic.",
            "Support: Monday–Friday 8:00–17:00",
            "Reply to messages from your care team. Visits take 2 days to book.",
        ] {
            assert!(!says(t, Lang::En, Statement::ResponseTime), "{t}");
        }
    }

    #[test]
    fn french_wordings_of_the_notice_and_the_response_time() {
        for t in [
            "Ce service n'est pas pour les urgences.",
            "La messagerie n’est pas destinée aux urgences.",
            "N'utilisez pas ce service en cas d'urgence.",
            "Ce service ne convient pas aux situations d'urgence.",
            "Ce service n&#39;est pas conçu pour les situations d’urgence.",
        ] {
            assert!(
                says(
                    &super::super::text::visible_text(t),
                    Lang::Fr,
                    Statement::NotForEmergencies
                ),
                "{t}"
            );
        }
        for t in [
            "En cas d'urgence, composez le 911.",
            "appelez le 9-1-1",
            "rendez-vous à l'urgence la plus proche",
            "Rendez-vous aux urgences.",
        ] {
            assert!(says(t, Lang::Fr, Statement::WhatToDo), "{t}");
        }
        for t in [
            "Votre clinique répondra d'ici 2 jours ouvrables.",
            "Délai de réponse : 48 heures",
            "Nous vous répondrons dans un délai de deux jours ouvrables.",
            "Réponse le jour ouvrable suivant.",
        ] {
            assert!(says(t, Lang::Fr, Statement::ResponseTime), "{t}");
        }
        assert!(!says(
            "Soutien : du lundi au vendredi de 8 h à 17 h",
            Lang::Fr,
            Statement::ResponseTime
        ));
        assert!(!says(
            "This service is not for emergencies.",
            Lang::Fr,
            Statement::NotForEmergencies
        ));
    }
}
