//! Two-step uploads: an attachment is declared first (name, media type, size and SHA-256, held
//! to the allow-list and the size limit up front), its bytes arrive later at the storage host
//! and must be what was declared, and its uploader then completes it into an attachment like
//! any other.

use axum::body::Bytes;
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::ids::Kind;
use super::records::{bare_media_type, clean_filename};
use super::state::{AppState, Attachment, PendingUpload};
use super::users::User;
use super::views::AttachmentMeta;

/// What an upload is declared to be.
pub(crate) struct Declaration<'a> {
    pub filename: &'a str,
    pub media_type: &'a str,
    pub size: u64,
    /// Hex, either case.
    pub sha256: &'a str,
}

/// Why the storage host refuses bytes for an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BlobRefusal {
    /// No upload with this id was declared.
    #[error("no upload is waiting for these bytes")]
    NoSuchUpload,
    /// The upload was completed: its bytes no longer change.
    #[error("the upload is complete and its bytes can no longer change")]
    Complete,
    /// The body is not the declared size, or Content-Length does not say that size.
    #[error("the body is not the declared size")]
    Size,
    /// Content-Type is not the declared media type.
    #[error("Content-Type is not the declared media type")]
    MediaType,
    /// The bytes' SHA-256 is not the declared one.
    #[error("the SHA-256 of the body is not the declared one")]
    Digest,
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl AppState {
    /// Declares an upload by `caller` and gives its attachment id. A media type off the
    /// allow-list or a name that is an executable's or another type's is refused (415), then a
    /// size over the limit (413), then a digest that is not 64 hex digits (400), as a one-step
    /// upload would refuse the file itself; its content is looked at on completion.
    pub(crate) fn declare_upload(
        &self,
        caller: &'static User,
        d: &Declaration,
    ) -> Result<String, ApiError> {
        let media_type = self.upload_type(d.filename, d.media_type)?;
        if self.over_size_limit(d.size) {
            return Err(ApiError::TooLarge);
        }
        let size = usize::try_from(d.size).map_err(|_| ApiError::TooLarge)?;
        if !is_sha256_hex(d.sha256) {
            return Err(ApiError::BadRequest("sha256 must be 64 hex digits"));
        }
        let mut store = self.store();
        let id = store.new_id(Kind::Attachment);
        let upload = PendingUpload {
            id: id.clone(),
            filename: clean_filename(d.filename),
            media_type,
            size,
            sha256: d.sha256.to_ascii_lowercase(),
            uploader_id: caller.id,
            bytes: None,
        };
        store.uploads.insert(id.clone(), upload);
        Ok(id)
    }

    /// Keeps `bytes` as upload `id`'s if they are what was declared: `content_length` (the
    /// request's) and the body the declared size, `content_type` the declared media type (its
    /// parameters aside), the SHA-256 the declared one. Bytes sent again before completion
    /// replace the earlier ones.
    pub(crate) fn put_upload_bytes(
        &self,
        id: &str,
        content_length: Option<u64>,
        content_type: &str,
        bytes: Bytes,
    ) -> Result<(), BlobRefusal> {
        // Hashed before the store is locked: a 10 MB digest would hold up every other request.
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let mut store = self.store();
        if store.attachments.contains_key(id) {
            return Err(BlobRefusal::Complete);
        }
        let upload = store.uploads.get_mut(id).ok_or(BlobRefusal::NoSuchUpload)?;
        let declared = u64::try_from(upload.size).ok();
        if content_length != declared || bytes.len() != upload.size {
            return Err(BlobRefusal::Size);
        }
        if bare_media_type(content_type) != upload.media_type {
            return Err(BlobRefusal::MediaType);
        }
        if sha256 != upload.sha256 {
            return Err(BlobRefusal::Digest);
        }
        upload.bytes = Some(bytes);
        Ok(())
    }

    /// Completes `caller`'s upload `id` into an attachment that messages may carry. Unknown
    /// or another's: 404; its bytes not arrived: 400; its bytes not of the declared type, or a
    /// program's: 415 (the upload is dropped). Completing it again gives the attachment again.
    pub(crate) fn complete_upload(
        &self,
        caller: &User,
        id: &str,
    ) -> Result<AttachmentMeta, ApiError> {
        let mut store = self.store();
        if let Some(a) = store.attachments.get(id) {
            return if a.uploader_id == caller.id {
                store.attachment_meta(id).ok_or(ApiError::NotFound)
            } else {
                Err(ApiError::NotFound)
            };
        }
        let upload = match store.uploads.get(id) {
            Some(u) if u.uploader_id == caller.id => u,
            _ => return Err(ApiError::NotFound),
        };
        let Some(bytes) = upload.bytes.clone() else {
            return Err(ApiError::BadRequest("the upload's bytes have not arrived"));
        };
        if let Err(refusal) = self.upload_content(&upload.media_type.clone(), &bytes) {
            store.uploads.remove(id);
            return Err(refusal);
        }
        let attachment = Attachment {
            id: upload.id.clone(),
            filename: upload.filename.clone(),
            media_type: upload.media_type.clone(),
            bytes,
            sha256: upload.sha256.clone(),
            uploader_id: upload.uploader_id,
            conversations: Vec::new(),
        };
        store.uploads.remove(id);
        store.attachments.insert(id.to_owned(), attachment);
        store.attachment_meta(id).ok_or(ApiError::NotFound)
    }
}
