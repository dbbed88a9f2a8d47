//! The HTML pages (entry, sign-in, inbox, compose, privacy, terms), written to meet WCAG 2.0 AA:
//! language, title, viewport, skip link, landmarks, labelled fields, descriptive links.

use super::names::Web;
use crate::reference::app::users::{USERS, User, may_converse};
use crate::reference::app::views::ConversationView;

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The signed-in part of the header: who is signed in and the CSRF token for sign-out.
pub(crate) struct SignedIn<'a> {
    pub user: &'a User,
    pub csrf: &'a str,
}

/// A page in the site's frame; `privacy` is the privacy notice's path that the navigation and
/// footer link to (`None`: no link, the `no-privacy-link` flaw).
fn layout(
    w: &Web,
    title: &str,
    who: Option<&SignedIn>,
    main: &str,
    privacy: Option<&str>,
) -> String {
    let privacy_link = |text: &str| {
        privacy.map_or_else(String::new, |p| format!(r#"<a href="{p}">{text}</a> · "#))
    };
    let nav = match who {
        Some(s) => format!(
            r#"<li><a href="{home}">Inbox</a></li><li><a href="{compose}">Write a new message</a></li>
<li><form method="post" action="{logout}"><input type="hidden" name="{csrf_field}" value="{csrf}"><button type="submit">Sign out ({name})</button></form></li>"#,
            home = w.home,
            compose = w.compose,
            logout = w.logout,
            csrf_field = w.csrf_field,
            csrf = esc(s.csrf),
            name = esc(s.user.display_name),
        ),
        None => format!(
            r#"<li><a href="{login}">Sign in</a></li>{privacy}<li><a href="{terms}">Terms of use</a></li>"#,
            login = w.login,
            privacy = privacy.map_or_else(String::new, |p| format!(
                r#"<li><a href="{p}">Privacy notice</a></li>"#
            )),
            terms = w.terms,
        ),
    };
    format!(
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Reference Secure Messaging</title>
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header><p><a href="{entry}">Reference Secure Messaging</a></p>
<nav aria-label="Main"><ul>{nav}</ul></nav></header>
<main id="main" tabindex="-1">
<h1>{title}</h1>
{main}
</main>
<footer><p>Support: support@reference.test, Monday–Friday 8:00–17:00</p>
<p>{privacy}<a href="{terms}">Terms of use</a></p></footer>
</body>
</html>
"##,
        title = esc(title),
        entry = w.entry,
        privacy = privacy_link("Privacy notice"),
        terms = w.terms,
    )
}

/// The public entry page; `privacy_link: false` is the `no-privacy-link` flaw.
pub(crate) fn entry(w: &Web, privacy_link: bool) -> String {
    let privacy = privacy_link.then_some(w.privacy);
    let policies = match privacy {
        Some(p) => format!(
            r#"Read our <a href="{p}">privacy notice</a> and our <a href="{}">terms of use</a>."#,
            w.terms
        ),
        None => format!(r#"Read our <a href="{}">terms of use</a>."#, w.terms),
    };
    let main = format!(
        r#"<p>Send and receive secure messages with your clinic.</p>
<p><a href="{}">Sign in to your secure messages</a></p>
<p>{policies}</p>
<p class="notice">This service is not for emergencies. If you have an emergency, call 911.</p>"#,
        w.login
    );
    layout(w, "Welcome", None, &main, privacy)
}

/// The sign-in form.
pub(crate) fn login(w: &Web, csrf: &str, error: Option<&str>) -> String {
    let error = error.map_or(String::new(), |e| {
        format!(r#"<p class="error" role="alert">{}</p>"#, esc(e))
    });
    let main = format!(
        r#"{error}<form method="post" action="{action}">
<input type="hidden" name="{csrf_field}" value="{csrf}">
<label for="username">Email address</label>
<input id="username" name="{user}" type="email" autocomplete="username" required>
<label for="password">Password</label>
<input id="password" name="{pass}" type="password" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p>
</form>"#,
        action = w.login,
        csrf_field = w.csrf_field,
        csrf = esc(csrf),
        user = w.user_field,
        pass = w.pass_field,
    );
    layout(w, "Sign in", None, &main, Some(w.privacy))
}

/// The inbox: the caller's conversations.
pub(crate) fn inbox(w: &Web, who: &SignedIn, conversations: &[ConversationView]) -> String {
    let items: String = conversations
        .iter()
        .map(|c| {
            format!(
                "<li>{}{} <small>(last message {})</small></li>\n",
                esc(&c.subject),
                if c.closed { " – closed" } else { "" },
                esc(&c.last_message_at)
            )
        })
        .collect();
    let list = if items.is_empty() {
        "<p>You have no conversations yet.</p>".to_owned()
    } else {
        format!("<ul>\n{items}</ul>")
    };
    let main = format!(
        r#"{list}<p><a href="{}">Write a new message</a></p>"#,
        w.compose
    );
    layout(w, "Inbox", Some(who), &main, Some(w.privacy))
}

/// The compose form, with the emergency notice and the expected response time.
pub(crate) fn compose(w: &Web, who: &SignedIn) -> String {
    let options: String = USERS
        .iter()
        .filter(|u| may_converse(who.user, u))
        .map(|u| {
            format!(
                r#"<option value="{}">{}</option>"#,
                u.id,
                esc(u.display_name)
            )
        })
        .collect();
    let main = format!(
        r#"<p class="notice"><strong>This service is not for emergencies. If you have an emergency, call 911.</strong></p>
<p>Your clinic will reply within 2 business days.</p>
<form method="post" action="{action}">
<input type="hidden" name="{csrf_field}" value="{csrf}">
<label for="recipient">To</label>
<select id="recipient" name="recipient">{options}</select>
<label for="subject">Subject</label>
<input id="subject" name="subject" type="text" maxlength="200" required>
<label for="body">Message</label>
<textarea id="body" name="body" rows="8" cols="40" maxlength="20000" required></textarea>
<p><button type="submit">Send message</button></p>
</form>"#,
        action = w.compose,
        csrf_field = w.csrf_field,
        csrf = esc(who.csrf),
    );
    layout(w, "Write a new message", Some(who), &main, Some(w.privacy))
}

/// The privacy notice.
pub(crate) fn privacy(w: &Web) -> String {
    let main = "<p>Reference Clinic is the health information custodian for your messages. \
We act under Ontario's Personal Health Information Protection Act (PHIPA).</p>\
<h2>What we collect</h2><p>Your name, date of birth, health card number, contact e-mail and the \
messages and files you send. We use them only to provide your care.</p>\
<h2>How we protect it</h2><p>Messages are encrypted in transit and at rest, stored in Canada, and \
every access is recorded in an audit log. E-mail notifications never contain health information.</p>\
<h2>Your rights</h2><p>You may ask to see or correct your information, or complain to the \
Information and Privacy Commissioner of Ontario. Contact privacy@reference.test.</p>";
    layout(w, "Privacy notice", None, main, Some(w.privacy))
}

/// The terms of use.
pub(crate) fn terms(w: &Web) -> String {
    let main = "<p>This service lets patients of Reference Clinic exchange secure, non-urgent \
messages with their care team.</p>\
<h2>Not for emergencies</h2><p>This service is not for emergencies. If you have an emergency, \
call 911. Your clinic will reply within 2 business days.</p>\
<h2>Your account</h2><p>Keep your password private. Sign out on shared computers. Sessions end \
after 15 minutes without activity.</p>\
<h2>Acceptable use</h2><p>Send only information about your own care. Attachments may be PNG, \
JPEG, PDF or plain text, up to 10 MB.</p>";
    layout(w, "Terms of use", None, main, Some(w.privacy))
}
