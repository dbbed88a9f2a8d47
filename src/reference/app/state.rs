//! Shared server state: settings, the accounts and sessions, the in-memory store
//! (conversations, messages, attachments and uploads under way, audit log, notifications
//! outbox), its ids and the timestamp format.

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::auth::{Auth, AuthFlaws, secret};
use super::config::Dialect;
use super::flaws::Flaw;
use super::ids::{IdMaker, IdStyle, Kind};
use super::users::User;

/// Settings fixed at start-up.
pub(crate) struct Settings {
    pub dialect: Dialect,
    pub flaws: Vec<Flaw>,
    pub latency: Duration,
    /// `https://host:port`, no trailing slash.
    pub base_url: String,
    /// The shape of resource ids.
    pub ids: IdStyle,
    /// `https://host:port` of the storage host that signed URLs point to, for a dialect that
    /// has one.
    pub storage_url: Option<String>,
}

/// How long sessions and tokens live.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lifetimes {
    /// Sessions unused for this long end.
    pub idle_timeout: Duration,
    /// Access tokens end this long after they were issued.
    pub token_lifetime: Duration,
}

/// Cheaply clonable handle on everything the handlers share.
#[derive(Clone)]
pub(crate) struct AppState(Arc<Inner>);

/// The shared parts behind [`AppState`].
pub(crate) struct Inner {
    pub settings: Settings,
    pub outbox_token: String,
    /// Key of the HMAC that signs the storage host's URLs.
    pub signing_key: [u8; 32],
    pub auth: Auth,
    pub store: Mutex<Store>,
    /// Counts requests seen by the `flaky` flaw.
    pub flaky_counter: AtomicU64,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Builds the state with fresh secrets and an empty store.
    pub(crate) fn new(settings: Settings, lifetimes: Lifetimes) -> Self {
        let auth_flaws = AuthFlaws::of(&settings.flaws);
        AppState(Arc::new(Inner {
            store: Mutex::new(Store::new(
                settings.ids,
                !settings.flaws.contains(&Flaw::NoAudit),
            )),
            settings,
            outbox_token: secret(32),
            signing_key: rand::random(),
            auth: Auth::new(lifetimes.idle_timeout, lifetimes.token_lifetime, auth_flaws),
            flaky_counter: AtomicU64::new(0),
        }))
    }

    /// Whether the server was started with `flaw`.
    pub(crate) fn has(&self, flaw: Flaw) -> bool {
        self.settings.flaws.contains(&flaw)
    }

    /// Locks the store (a poisoned lock is still usable: every update is a single step).
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A conversation between one patient and one clinician.
pub(crate) struct Conversation {
    pub id: String,
    pub subject: String,
    pub participants: [&'static str; 2],
    pub closed: bool,
    pub messages: Vec<String>,
    pub created: OffsetDateTime,
}

/// One message in a conversation.
pub(crate) struct Message {
    pub id: String,
    pub conversation_id: String,
    pub body: String,
    pub sender: &'static User,
    pub sent_at: OffsetDateTime,
    pub read_at: Option<OffsetDateTime>,
    pub attachments: Vec<String>,
}

/// An uploaded file.
pub(crate) struct Attachment {
    pub id: String,
    pub filename: String,
    pub media_type: String,
    pub bytes: Bytes,
    pub sha256: String,
    pub uploader_id: &'static str,
    /// Conversations whose messages carry this attachment.
    pub conversations: Vec<String>,
}

/// An attachment declared for a two-step upload (name, type, size and digest first, the bytes
/// later), until it is completed.
pub(crate) struct PendingUpload {
    pub id: String,
    pub filename: String,
    pub media_type: String,
    pub size: usize,
    pub sha256: String,
    pub uploader_id: &'static str,
    /// The bytes, once they have arrived whole and matching.
    pub bytes: Option<Bytes>,
}

/// One audit-log entry: who touched which PHI resource, and whose PHI it is.
#[derive(Clone)]
pub(crate) struct AuditEvent {
    pub id: String,
    pub actor_id: &'static str,
    pub action: &'static str,
    pub resource: String,
    pub at: OffsetDateTime,
    /// The users whose data the resource belongs to (conversation participants).
    pub subjects: Vec<&'static str>,
}

/// A notification the server "sent"; the test outbox shows them.
#[derive(Clone)]
pub(crate) struct Notification {
    pub id: String,
    pub recipient_id: &'static str,
    pub channel: &'static str,
    pub to: &'static str,
    /// The subject line; the `rest` and `forms` outboxes show only `text`.
    pub subject: &'static str,
    pub text: String,
}

/// Everything the service stores, in memory.
pub(crate) struct Store {
    ids: IdMaker,
    pub conversations: HashMap<String, Conversation>,
    pub messages: HashMap<String, Message>,
    pub attachments: HashMap<String, Attachment>,
    pub uploads: HashMap<String, PendingUpload>,
    pub audit: Vec<AuditEvent>,
    /// Whether accesses are recorded at all.
    auditing: bool,
    pub outbox: Vec<Notification>,
    last_time: Option<OffsetDateTime>,
}

impl Store {
    /// An empty store whose ids have this style; `auditing` off is the `no-audit` flaw.
    fn new(ids: IdStyle, auditing: bool) -> Self {
        Store {
            ids: IdMaker::new(ids),
            auditing,
            conversations: HashMap::new(),
            messages: HashMap::new(),
            attachments: HashMap::new(),
            uploads: HashMap::new(),
            audit: Vec::new(),
            outbox: Vec::new(),
            last_time: None,
        }
    }

    /// A fresh id of `kind`.
    pub(crate) fn new_id(&mut self, kind: Kind) -> String {
        self.ids.make(kind)
    }

    /// The current time, strictly later than any earlier answer (message order is by time).
    pub(crate) fn tick(&mut self) -> OffsetDateTime {
        let mut now = OffsetDateTime::now_utc();
        if let Some(last) = self.last_time
            && now <= last
        {
            now = last + time::Duration::microseconds(1);
        }
        self.last_time = Some(now);
        now
    }

    /// Records an access to PHI in the audit log.
    pub(crate) fn audit(
        &mut self,
        actor_id: &'static str,
        action: &'static str,
        resource: &str,
        subjects: &[&'static str],
    ) {
        if !self.auditing {
            return;
        }
        let at = OffsetDateTime::now_utc();
        let id = self.new_id(Kind::AuditEvent);
        self.audit.push(AuditEvent {
            id,
            actor_id,
            action,
            resource: resource.to_owned(),
            at,
            subjects: subjects.to_vec(),
        });
    }
}

/// RFC 3339 in UTC.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}
