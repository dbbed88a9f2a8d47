//! Random resource ids, in the shape the running dialect's vendor chose for them.

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
    /// One letter, a dash and 12 hex digits: `c-1a2b3c4d5e6f`.
    #[default]
    Dashed,
    /// Three letters, an underscore and 12 base32 characters (RFC 4648 alphabet, lower case):
    /// `thr_k3v7q2m9x4pa`.
    Base32,
}

/// The RFC 4648 base32 alphabet, lower case.
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

impl IdStyle {
    /// A fresh random id of `kind`.
    pub(crate) fn make(self, kind: Kind) -> String {
        match self {
            IdStyle::Dashed => {
                let prefix = match kind {
                    Kind::Conversation => "c",
                    Kind::Message => "m",
                    Kind::Attachment => "a",
                    Kind::AuditEvent => "e",
                    Kind::Notification => "n",
                };
                format!("{prefix}-{}", hex::encode(rand::random::<[u8; 6]>()))
            }
            IdStyle::Base32 => {
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_their_style_and_kind() {
        let dashed = IdStyle::Dashed.make(Kind::Conversation);
        assert!(dashed.starts_with("c-") && dashed.len() == 14, "{dashed}");
        let b32 = IdStyle::Base32.make(Kind::Message);
        let tail = b32.strip_prefix("pst_").expect("prefix");
        assert_eq!(tail.len(), 12);
        assert!(tail.bytes().all(|b| BASE32.contains(&b)), "{b32}");
        assert_ne!(b32, IdStyle::Base32.make(Kind::Message));
    }
}
