//! Conversations and messages: who may start, read, reply, mark read and close, shared by
//! every dialect. Reads are audited; each new message queues a PHI-free notification.

use super::error::ApiError;
use super::flaws::Flaw;
use super::ids::Kind;
use super::paging::{self, Page, PageRequest};
use super::state::{AppState, Conversation, Message, Notification, Store};
use super::users::{self, Role, User};
use super::views::{ConversationView, MessageView};

/// Longest message body, in characters.
pub(crate) const MAX_BODY_CHARS: usize = 20_000;
/// Longest subject, in characters.
pub(crate) const MAX_SUBJECT_CHARS: usize = 200;

fn check_text(text: &str, max: usize, what: &'static str) -> Result<(), ApiError> {
    if text.trim().is_empty() {
        return Err(ApiError::BadRequest(what));
    }
    if text.chars().count() > max {
        return Err(ApiError::BadRequest("text too long"));
    }
    Ok(())
}

impl Store {
    /// Appends a message, links its attachments and notifies the recipient (quoting the
    /// sender and the text when `phi_in_notification`, the flaw).
    fn append(
        &mut self,
        sender: &'static User,
        cid: &str,
        body: &str,
        attachment_ids: &[String],
        base_url: &str,
        phi_in_notification: bool,
    ) -> Result<String, ApiError> {
        check_text(body, MAX_BODY_CHARS, "body is required")?;
        for aid in attachment_ids {
            match self.attachments.get(aid) {
                Some(a) if a.uploader_id == sender.id => {}
                _ => return Err(ApiError::BadRequest("unknown attachment id")),
            }
        }
        let participants = match self.conversations.get(cid) {
            Some(c) => c.participants,
            None => return Err(ApiError::NotFound),
        };
        let id = self.new_id(Kind::Message);
        let sent_at = self.tick();
        for aid in attachment_ids {
            if let Some(a) = self.attachments.get_mut(aid) {
                a.conversations.push(cid.to_owned());
            }
        }
        self.messages.insert(
            id.clone(),
            Message {
                id: id.clone(),
                conversation_id: cid.to_owned(),
                body: body.to_owned(),
                sender,
                sent_at,
                read_at: None,
                attachments: attachment_ids.to_vec(),
            },
        );
        if let Some(c) = self.conversations.get_mut(cid) {
            c.messages.push(id.clone());
        }
        for recipient in participants.iter().filter_map(|p| users::by_id(p)) {
            if recipient.id != sender.id {
                let id = self.new_id(Kind::Notification);
                let text = if phi_in_notification {
                    format!(
                        "{} wrote to you: \"{body}\". Sign in to reply: {base_url}/",
                        sender.display_name
                    )
                } else {
                    format!("You have a new secure message. Sign in to read it: {base_url}/")
                };
                self.outbox.push(Notification {
                    id,
                    recipient_id: recipient.id,
                    channel: "email",
                    to: recipient.username,
                    subject: "New secure message",
                    text,
                });
            }
        }
        Ok(id)
    }

    /// The conversation if `caller` may read it (any signed-in user under `idor-message`).
    fn readable(
        &self,
        state: &AppState,
        caller: &User,
        cid: &str,
    ) -> Result<&Conversation, ApiError> {
        let c = self.conversations.get(cid).ok_or(ApiError::NotFound)?;
        if c.participants.contains(&caller.id) || state.has(Flaw::IdorMessage) {
            Ok(c)
        } else {
            Err(ApiError::NotFound)
        }
    }

    /// [`readable`](Self::readable), recording a refusal in the audit log: an attempt on
    /// someone else's PHI is an access event too.
    fn guard_read(&mut self, state: &AppState, caller: &User, cid: &str) -> Result<(), ApiError> {
        match self.readable(state, caller, cid) {
            Ok(_) => Ok(()),
            Err(e) => {
                if let Some(participants) = self.conversations.get(cid).map(|c| c.participants) {
                    self.audit(caller.id, "access.denied", cid, &participants);
                }
                Err(e)
            }
        }
    }

    /// The conversation if `caller` takes part in it (any signed-in user under
    /// `idor-conversation`).
    fn writable(
        &mut self,
        state: &AppState,
        caller: &User,
        cid: &str,
    ) -> Result<&mut Conversation, ApiError> {
        let anyone = state.has(Flaw::IdorConversation);
        match self.conversations.get_mut(cid) {
            Some(c) if anyone || c.participants.contains(&caller.id) => Ok(c),
            _ => Err(ApiError::NotFound),
        }
    }
}

impl Store {
    /// Marks messages `mids` of conversation `cid` read for `caller` when they are its
    /// recipient, a participant other than the sender: opening a message reads it, whether or
    /// not the vendor also offers a mark-read call. Nothing is recorded under `no-read-receipt`.
    fn opened<'m>(
        &mut self,
        state: &AppState,
        caller: &User,
        cid: &str,
        mids: impl IntoIterator<Item = &'m str>,
    ) {
        let participant = self
            .conversations
            .get(cid)
            .is_some_and(|c| c.participants.contains(&caller.id));
        if !participant || state.has(Flaw::NoReadReceipt) {
            return;
        }
        let unread: Vec<&str> = mids
            .into_iter()
            .filter(|mid| {
                self.messages.get(*mid).is_some_and(|m| {
                    m.conversation_id == cid && m.sender.id != caller.id && m.read_at.is_none()
                })
            })
            .collect();
        if unread.is_empty() {
            return;
        }
        let now = self.tick();
        for mid in unread {
            if let Some(m) = self.messages.get_mut(mid) {
                m.read_at = Some(now);
            }
        }
    }
}

impl AppState {
    /// Starts a conversation with `recipient_id` and posts its first message.
    pub(crate) fn start_conversation(
        &self,
        caller: &'static User,
        recipient_id: &str,
        subject: &str,
        body: &str,
        attachment_ids: &[String],
    ) -> Result<ConversationView, ApiError> {
        let recipient = users::by_id(recipient_id).ok_or(ApiError::NotFound)?;
        if !users::may_converse(caller, recipient) {
            return Err(ApiError::Forbidden("recipient not allowed"));
        }
        check_text(subject, MAX_SUBJECT_CHARS, "subject is required")?;
        check_text(body, MAX_BODY_CHARS, "body is required")?;
        let body = &self.stored_text(body);
        let (patient, clinician) = match caller.role {
            Role::Patient => (caller.id, recipient.id),
            _ => (recipient.id, caller.id),
        };
        let mut store = self.store();
        let id = store.new_id(Kind::Conversation);
        let created = store.tick();
        store.conversations.insert(
            id.clone(),
            Conversation {
                id: id.clone(),
                subject: subject.to_owned(),
                participants: [patient, clinician],
                closed: false,
                messages: Vec::new(),
                created,
            },
        );
        let quoted = self.has(Flaw::PhiInNotification);
        if let Err(e) = store.append(
            caller,
            &id,
            body,
            attachment_ids,
            &self.settings.base_url,
            quoted,
        ) {
            store.conversations.remove(&id);
            return Err(e);
        }
        let c = store.conversations.get(&id).ok_or(ApiError::NotFound)?;
        Ok(self.shown_to(caller, store.conversation_view(c)))
    }

    /// A conversation as `caller` is shown it: under `other-patient-phi`, a patient also sees
    /// every other patient of the clinic among its participants.
    fn shown_to(&self, caller: &User, mut view: ConversationView) -> ConversationView {
        if self.has(Flaw::OtherPatientPhi) && caller.role == Role::Patient {
            let roster: Vec<&'static str> = users::USERS
                .iter()
                .filter(|u| u.role == Role::Patient && !view.participants.contains(&u.id))
                .map(|u| u.id)
                .collect();
            view.participants.extend(roster);
        }
        view
    }

    /// Posts a reply; closed conversations refuse (409).
    pub(crate) fn post_message(
        &self,
        caller: &'static User,
        cid: &str,
        body: &str,
        attachment_ids: &[String],
    ) -> Result<MessageView, ApiError> {
        let body = &self.stored_text(body);
        let mut store = self.store();
        if store.writable(self, caller, cid)?.closed {
            return Err(ApiError::Conflict("conversation is closed"));
        }
        let quoted = self.has(Flaw::PhiInNotification);
        let mid = store.append(
            caller,
            cid,
            body,
            attachment_ids,
            &self.settings.base_url,
            quoted,
        )?;
        let m = store.messages.get(&mid).ok_or(ApiError::NotFound)?;
        Ok(store.message_view(m))
    }

    /// Message text as stored (`mangled-text` drops every non-ASCII character;
    /// `unicode-mangle` turns every character outside Latin-1 into `?`, as a Latin-1 column
    /// does).
    fn stored_text(&self, body: &str) -> String {
        if self.has(Flaw::MangledText) {
            body.chars().filter(char::is_ascii).collect()
        } else if self.has(Flaw::UnicodeMangle) {
            body.chars()
                .map(|c| if u32::from(c) <= 0xFF { c } else { '?' })
                .collect()
        } else {
            body.to_owned()
        }
    }

    /// The caller's conversations, most recent first.
    pub(crate) fn conversations(&self, caller: &User) -> Vec<ConversationView> {
        let store = self.store();
        let mut mine: Vec<&Conversation> = store
            .conversations
            .values()
            .filter(|c| c.participants.contains(&caller.id))
            .collect();
        // Newest first by when each started: an order a post does not change, so a cursor
        // stays where it was while other conversations are written to.
        mine.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
        mine.into_iter()
            .map(|c| self.shown_to(caller, store.conversation_view(c)))
            .collect()
    }

    /// One conversation with its messages; audited as a view plus a read of each message.
    pub(crate) fn conversation(
        &self,
        caller: &'static User,
        cid: &str,
    ) -> Result<ConversationView, ApiError> {
        Ok(self.conversation_page(caller, cid, PageRequest::ALL)?.0)
    }

    /// One conversation with one page of its messages, and whether more follow; audited as a
    /// view plus a read of each message on the page.
    pub(crate) fn conversation_page(
        &self,
        caller: &'static User,
        cid: &str,
        req: PageRequest,
    ) -> Result<(ConversationView, bool), ApiError> {
        let mut store = self.store();
        store.guard_read(self, caller, cid)?;
        let mut view = store.conversation_view(store.readable(self, caller, cid)?);
        let page = self.listed(std::mem::take(&mut view.messages), req)?;
        view.messages = page.items;
        store.audit(caller.id, "conversation.view", cid, &view.participants);
        for m in &view.messages {
            store.audit(caller.id, "message.read", &m.id, &view.participants);
        }
        store.opened(
            self,
            caller,
            cid,
            view.messages.iter().map(|m| m.id.as_str()),
        );
        Ok((self.shown_to(caller, view), page.has_more))
    }

    /// One page of a conversation's messages, audited as a read of each message on it; the
    /// conversation itself is not, for a caller that shows it apart (and audits that view).
    pub(crate) fn message_page(
        &self,
        caller: &'static User,
        cid: &str,
        req: PageRequest,
    ) -> Result<Page<MessageView>, ApiError> {
        let mut store = self.store();
        store.guard_read(self, caller, cid)?;
        let view = store.conversation_view(store.readable(self, caller, cid)?);
        let page = self.listed(view.messages, req)?;
        for m in &page.items {
            store.audit(caller.id, "message.read", &m.id, &view.participants);
        }
        store.opened(self, caller, cid, page.items.iter().map(|m| m.id.as_str()));
        Ok(page)
    }

    /// A conversation's `messages` in the order they are listed (`thread-order` lists the
    /// newest first), cut to the page `req` asks for.
    fn listed(
        &self,
        mut messages: Vec<MessageView>,
        req: PageRequest,
    ) -> Result<Page<MessageView>, ApiError> {
        if self.has(Flaw::ThreadOrder) {
            messages.reverse();
        }
        paging::page(messages, req, |m| &m.id)
    }

    /// The id of the conversation that message `mid` belongs to, for a dialect that names a
    /// message by its id alone; unknown: 404. Says nothing of access, which the read or write
    /// that follows checks.
    pub(crate) fn conversation_of(&self, mid: &str) -> Result<String, ApiError> {
        self.store()
            .messages
            .get(mid)
            .map(|m| m.conversation_id.clone())
            .ok_or(ApiError::NotFound)
    }

    /// One conversation without its messages; audited as a view only, since no message is
    /// shown.
    pub(crate) fn conversation_info(
        &self,
        caller: &'static User,
        cid: &str,
    ) -> Result<ConversationView, ApiError> {
        let mut store = self.store();
        store.guard_read(self, caller, cid)?;
        let mut view = store.conversation_view(store.readable(self, caller, cid)?);
        view.messages.clear();
        store.audit(caller.id, "conversation.view", cid, &view.participants);
        Ok(self.shown_to(caller, view))
    }

    /// One message; audited, and read once its recipient opens it.
    pub(crate) fn message(
        &self,
        caller: &'static User,
        cid: &str,
        mid: &str,
    ) -> Result<MessageView, ApiError> {
        let mut store = self.store();
        store.guard_read(self, caller, cid)?;
        let participants = store.readable(self, caller, cid)?.participants;
        let m = store.messages.get(mid).filter(|m| m.conversation_id == cid);
        let view = store.message_view(m.ok_or(ApiError::NotFound)?);
        store.audit(caller.id, "message.read", mid, &participants);
        store.opened(self, caller, cid, [mid]);
        Ok(view)
    }

    /// Marks a message read; only its recipient may (`no-read-receipt` answers as usual and
    /// records nothing).
    pub(crate) fn mark_read(&self, caller: &User, cid: &str, mid: &str) -> Result<(), ApiError> {
        let mut store = self.store();
        store.writable(self, caller, cid)?;
        let now = store.tick();
        match store.messages.get_mut(mid) {
            Some(m) if m.conversation_id == cid && m.sender.id == caller.id => Err(
                ApiError::Forbidden("only the recipient marks a message read"),
            ),
            Some(m) if m.conversation_id == cid => {
                if !self.has(Flaw::NoReadReceipt) {
                    m.read_at.get_or_insert(now);
                }
                Ok(())
            }
            _ => Err(ApiError::NotFound),
        }
    }

    /// Closes a conversation to every reply; only its clinician may (`close-ignored` answers
    /// as usual and leaves it open).
    pub(crate) fn close(&self, caller: &User, cid: &str) -> Result<(), ApiError> {
        let mut store = self.store();
        let c = store.writable(self, caller, cid)?;
        if caller.role != Role::Clinician {
            return Err(ApiError::Forbidden(
                "only the clinician closes a conversation",
            ));
        }
        c.closed = !self.has(Flaw::CloseIgnored);
        Ok(())
    }
}
