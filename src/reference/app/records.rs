//! Attachments (upload, access rules, download), the audit log and the notifications outbox.

use axum::body::Bytes;
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::flaws::Flaw;
use super::ids::Kind;
use super::sniff;
use super::state::{AppState, Attachment, AuditEvent, Notification};
use super::users::{self, Role, User};
use super::views::AttachmentMeta;

/// Largest attachment accepted, in bytes.
pub(crate) const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Media types accepted for upload.
pub(crate) const ALLOWED_TYPES: &[&str] =
    &["image/png", "image/jpeg", "application/pdf", "text/plain"];

/// An attachment's bytes and how to serve them.
pub(crate) struct Download {
    pub filename: String,
    pub media_type: String,
    pub bytes: Bytes,
}

/// A filename safe to echo back and to put in `Content-Disposition`.
pub(crate) fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(255)
        .collect();
    if cleaned.trim().is_empty() {
        "attachment".to_owned()
    } else {
        cleaned
    }
}

/// A media type without its parameters, in lower case: `Image/PNG; q=1` is `image/png`.
pub(crate) fn bare_media_type(raw: &str) -> String {
    raw.split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// `raw` as [`bare_media_type`] gives it, if it is on the allow-list (else 415).
pub(crate) fn allowed_media_type(raw: &str) -> Result<String, ApiError> {
    let media_type = bare_media_type(raw);
    if ALLOWED_TYPES.contains(&media_type.as_str()) {
        Ok(media_type)
    } else {
        Err(ApiError::Unsupported("media type not allowed"))
    }
}

impl AppState {
    /// `raw` as [`bare_media_type`] gives it, if an upload named `filename` may be of it: on
    /// the allow-list, and named neither as an executable nor as another type (415). Under
    /// `attachment-any-type`, any type and name.
    pub(crate) fn upload_type(&self, filename: &str, raw: &str) -> Result<String, ApiError> {
        if self.has(Flaw::AttachmentAnyType) {
            return Ok(bare_media_type(raw));
        }
        let media_type = allowed_media_type(raw)?;
        sniff::check_name(filename, &media_type)?;
        Ok(media_type)
    }

    /// Refuses (415) bytes that are not `media_type`'s or are a program's, unless under
    /// `attachment-any-type`.
    pub(crate) fn upload_content(&self, media_type: &str, bytes: &[u8]) -> Result<(), ApiError> {
        if self.has(Flaw::AttachmentAnyType) {
            return Ok(());
        }
        sniff::check_content(media_type, bytes)
    }

    /// Whether `size` bytes are over the attachment limit (never under
    /// `attachment-no-size-limit`).
    pub(crate) fn over_size_limit(&self, size: u64) -> bool {
        !self.has(Flaw::AttachmentNoSizeLimit)
            && usize::try_from(size).map_or(true, |s| s > MAX_ATTACHMENT_BYTES)
    }

    /// Stores an upload after the type allow-list and the name and content checks (415) and
    /// the size limit (413).
    pub(crate) fn upload(
        &self,
        caller: &'static User,
        filename: &str,
        media_type: &str,
        bytes: Bytes,
    ) -> Result<AttachmentMeta, ApiError> {
        let media_type = self.upload_type(filename, media_type)?;
        if self.over_size_limit(bytes.len() as u64) {
            return Err(ApiError::TooLarge);
        }
        self.upload_content(&media_type, &bytes)?;
        // Hashed before the store is locked: a 10 MB digest would hold up every other request.
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let mut store = self.store();
        let id = store.new_id(Kind::Attachment);
        let attachment = Attachment {
            id: id.clone(),
            filename: clean_filename(filename),
            media_type,
            sha256,
            bytes,
            uploader_id: caller.id,
            conversations: Vec::new(),
        };
        store.attachments.insert(id.clone(), attachment);
        store.attachment_meta(&id).ok_or(ApiError::NotFound)
    }

    /// An attachment for its uploader or a participant of a conversation that carries it.
    /// `caller` is `None` only when the handler let an anonymous request through.
    pub(crate) fn download(
        &self,
        caller: Option<&'static User>,
        aid: &str,
    ) -> Result<Download, ApiError> {
        self.attachment_access(caller, aid)?;
        self.attachment_bytes(aid).ok_or(ApiError::NotFound)
    }

    /// What `caller` sees of attachment `aid` if they may have it, audited as a read: its
    /// uploader, a participant of a conversation that carries it, anyone signed in under
    /// `idor-attachment`. `caller` is `None` only when the handler let an anonymous request
    /// through.
    pub(crate) fn attachment_access(
        &self,
        caller: Option<&'static User>,
        aid: &str,
    ) -> Result<AttachmentMeta, ApiError> {
        let mut store = self.store();
        let a = store.attachments.get(aid).ok_or(ApiError::NotFound)?;
        let mut subjects: Vec<&'static str> = vec![a.uploader_id];
        for cid in &a.conversations {
            if let Some(c) = store.conversations.get(cid) {
                subjects.extend(c.participants);
            }
        }
        let entitled = match caller {
            Some(user) => subjects.contains(&user.id) || self.has(Flaw::IdorAttachment),
            None => true,
        };
        if !entitled {
            return Err(ApiError::NotFound);
        }
        subjects.dedup();
        let actor = caller.map_or("anonymous", |u| u.id);
        store.audit(actor, "attachment.read", aid, &subjects);
        store.attachment_meta(aid).ok_or(ApiError::NotFound)
    }

    /// Attachment `aid`'s bytes as downloads serve them (`attachment-corrupt` flips the last
    /// byte). No access check: the caller has made it, by [`AppState::attachment_access`] or by
    /// a signed URL that one issued.
    pub(crate) fn attachment_bytes(&self, aid: &str) -> Option<Download> {
        let mut download = {
            let store = self.store();
            let a = store.attachments.get(aid)?;
            Download {
                filename: a.filename.clone(),
                media_type: a.media_type.clone(),
                bytes: a.bytes.clone(),
            }
        };
        if self.has(Flaw::AttachmentCorrupt) {
            let mut bytes = download.bytes.to_vec();
            if let Some(last) = bytes.last_mut() {
                *last ^= 0xff;
            }
            download.bytes = Bytes::from(bytes);
        }
        Some(download)
    }

    /// Audit events about `subject_id`'s data; clinicians and admins only.
    pub(crate) fn audit_events(
        &self,
        caller: &User,
        subject_id: &str,
    ) -> Result<Vec<AuditEvent>, ApiError> {
        if caller.role == Role::Patient {
            return Err(ApiError::Forbidden("the audit log is for clinic staff"));
        }
        let subject = users::by_id(subject_id).ok_or(ApiError::NotFound)?;
        let store = self.store();
        Ok(store
            .audit
            .iter()
            .filter(|e| e.actor_id == subject.id || e.subjects.contains(&subject.id))
            .cloned()
            .collect())
    }

    /// Notifications sent to `recipient_id`, for the test outbox.
    pub(crate) fn notifications(&self, recipient_id: &str) -> Result<Vec<Notification>, ApiError> {
        let recipient = users::by_id(recipient_id).ok_or(ApiError::NotFound)?;
        let store = self.store();
        Ok(store
            .outbox
            .iter()
            .filter(|n| n.recipient_id == recipient.id)
            .cloned()
            .collect())
    }
}
