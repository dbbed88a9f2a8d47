//! What callers see: dialect-neutral views of attachments, messages and conversations, built
//! from the store. Each dialect shapes these into its own JSON.

use super::state::{Conversation, Message, Store, rfc3339};
use super::users::User;

/// What a caller sees of an attachment.
#[derive(Clone, Debug)]
pub(crate) struct AttachmentMeta {
    pub id: String,
    pub filename: String,
    pub media_type: String,
    pub size: usize,
    pub sha256: String,
}

/// What a caller sees of a message.
#[derive(Debug)]
pub(crate) struct MessageView {
    pub id: String,
    pub conversation_id: String,
    pub body: String,
    pub sender: &'static User,
    pub sent_at: String,
    pub read_at: Option<String>,
    /// Who has read it: the participants other than its sender, once it was marked read.
    pub read_by: Vec<&'static str>,
    pub attachments: Vec<AttachmentMeta>,
}

/// What a caller sees of a conversation.
#[derive(Debug)]
pub(crate) struct ConversationView {
    pub id: String,
    pub subject: String,
    /// Who takes part, by user id (under `other-patient-phi`, a patient is also shown the
    /// clinic's other patients).
    pub participants: Vec<&'static str>,
    pub closed: bool,
    pub last_message_at: String,
    pub messages: Vec<MessageView>,
}

impl Store {
    /// What a caller sees of message `m`.
    pub(crate) fn message_view(&self, m: &Message) -> MessageView {
        let attachments = m
            .attachments
            .iter()
            .filter_map(|id| self.attachment_meta(id))
            .collect();
        let read_by = match (m.read_at, self.conversations.get(&m.conversation_id)) {
            (Some(_), Some(c)) => c
                .participants
                .iter()
                .copied()
                .filter(|p| *p != m.sender.id)
                .collect(),
            _ => Vec::new(),
        };
        MessageView {
            id: m.id.clone(),
            conversation_id: m.conversation_id.clone(),
            body: m.body.clone(),
            sender: m.sender,
            sent_at: rfc3339(m.sent_at),
            read_at: m.read_at.map(rfc3339),
            read_by,
            attachments,
        }
    }

    /// What a caller sees of conversation `c`, messages in order.
    pub(crate) fn conversation_view(&self, c: &Conversation) -> ConversationView {
        let messages: Vec<MessageView> = c
            .messages
            .iter()
            .filter_map(|id| self.messages.get(id))
            .map(|m| self.message_view(m))
            .collect();
        ConversationView {
            id: c.id.clone(),
            subject: c.subject.clone(),
            participants: c.participants.to_vec(),
            closed: c.closed,
            last_message_at: messages
                .last()
                .map_or_else(|| rfc3339(c.created), |m| m.sent_at.clone()),
            messages,
        }
    }

    /// What a caller sees of attachment `id`.
    pub(crate) fn attachment_meta(&self, id: &str) -> Option<AttachmentMeta> {
        self.attachments.get(id).map(|a| AttachmentMeta {
            id: a.id.clone(),
            filename: a.filename.clone(),
            media_type: a.media_type.clone(),
            size: a.bytes.len(),
            sha256: a.sha256.clone(),
        })
    }
}
