//! Resource ids, in the shape the running dialect's vendor chose for them: random text, or
//! numbers from one sequence.

use rand::Rng;

/// What an id names; each kind has its own prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Conversation,
    Message,
    Attachment,
    AuditEvent,
    Notification,
}

/// How ids look.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum IdStyle {
    /// One letter, a dash and 16 hex digits: `c-1a2b3c4d5e6f7a8b`. (Sixteen, so that no id
    /// ever reads as a numbered one: even all digits after a few letters is past 12 digits.)
    #[default]
    Dashed,
    /// Three letters, an underscore and 12 base32 characters (RFC 4648 alphabet, lower case):
    /// `thr_k3v7q2m9x4pa`.
    Base32,
    /// Decimal numbers counting up from [`FIRST_NUMBER`], one sequence for every kind, as a
    /// database's row ids would be: `10001`.
    Numeric,
}

/// The first id of the [`IdStyle::Numeric`] sequence; below it are the `graph` dialect's user
/// numbers, so no resource id is ever also a user's.
const FIRST_NUMBER: u64 = 10_001;

/// Makes the ids of one store: the style, and where the numeric sequence has got to.
#[derive(Debug)]
pub(crate) struct IdMaker {
    style: IdStyle,
    next: u64,
}

/// The RFC 4648 base32 alphabet, lower case.
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

impl IdMaker {
    /// A maker of ids of `style`, its sequence at the start.
    pub(crate) fn new(style: IdStyle) -> Self {
        IdMaker {
            style,
            next: FIRST_NUMBER,
        }
    }

    /// A fresh id of `kind`.
    pub(crate) fn make(&mut self, kind: Kind) -> String {
        match self.style {
            IdStyle::Dashed => dashed(kind),
            IdStyle::Base32 => base32(kind),
            IdStyle::Numeric => {
                let n = self.next;
                self.next += 1;
                n.to_string()
            }
        }
    }
}

fn dashed(kind: Kind) -> String {
    let prefix = match kind {
        Kind::Conversation => "c",
        Kind::Message => "m",
        Kind::Attachment => "a",
        Kind::AuditEvent => "e",
        Kind::Notification => "n",
    };
    format!("{prefix}-{}", hex::encode(rand::random::<[u8; 8]>()))
}

fn base32(kind: Kind) -> String {
    let prefix = match kind {
        Kind::Conversation => "thr",
        Kind::Message => "pst",
        Kind::Attachment => "att",
        Kind::AuditEvent => "evt",
        Kind::Notification => "ntf",
    };
    let mut rng = rand::rng();
    let tail: String = (0..12)
        .map(|_| char::from(BASE32[rng.random_range(0..BASE32.len())]))
        .collect();
    format!("{prefix}_{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_their_style_and_kind() {
        let dashed = IdMaker::new(IdStyle::Dashed).make(Kind::Conversation);
        assert!(dashed.starts_with("c-") && dashed.len() == 18, "{dashed}");
        let mut base32 = IdMaker::new(IdStyle::Base32);
        let b32 = base32.make(Kind::Message);
        let tail = b32.strip_prefix("pst_").expect("prefix");
        assert_eq!(tail.len(), 12);
        assert!(tail.bytes().all(|b| BASE32.contains(&b)), "{b32}");
        assert_ne!(b32, base32.make(Kind::Message));
    }

    #[test]
    fn numeric_ids_count_up_across_kinds() {
        let mut numbers = IdMaker::new(IdStyle::Numeric);
        assert_eq!(numbers.make(Kind::Conversation), "10001");
        assert_eq!(numbers.make(Kind::Message), "10002");
        assert_eq!(numbers.make(Kind::AuditEvent), "10003");
    }
}
