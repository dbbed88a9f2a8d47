//! The HTML pages (entry, sign-in, inbox, compose, privacy, terms, support; entry and compose
//! also in French where the dialect has them), written to meet WCAG 2.0 AA: language, title,
//! viewport, skip link, landmarks, labelled fields, descriptive links.

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

/// What the pages show, by the flaws the server runs with.
#[derive(Clone, Copy)]
pub(crate) struct Look {
    /// The entry page links to the privacy notice (not under `no-privacy-link`).
    pub privacy_link: bool,
    /// The entry and compose pages show the emergency notice (not under `no-emergency-notice`).
    pub emergency_notice: bool,
    /// The entry and compose pages state the response time (not under `no-response-time`).
    pub response_time: bool,
    /// The viewport leaves zoom on (not under `zoom-blocked`).
    pub zoom: bool,
    /// A support page, and support contact and hours in every footer (not under
    /// `no-support-page`).
    pub support: bool,
    /// The compose form's fields have labels (not under `a11y-missing-labels`).
    pub labels: bool,
    /// Every page declares its language (not under `a11y-no-lang`).
    pub lang: bool,
    /// The header logo has its `alt` (not under `a11y-missing-alt`).
    pub alt: bool,
    /// The sign-out button has a name (not under `a11y-empty-button`).
    pub named_buttons: bool,
    /// The inbox leaves zoom on (not under `a11y-zoom-blocked`).
    pub inbox_zoom: bool,
    /// A skip link, a `main` landmark and a heading (not under `a11y-no-bypass`).
    pub bypass: bool,
    /// Real titles (not under `a11y-untitled`).
    pub titles: bool,
    /// No positive tabindex (not under `a11y-tab-order`).
    pub tab_order: bool,
    /// The home link has its text (not under `a11y-empty-link`).
    pub named_links: bool,
    /// The language switch has a valid tag (not under `a11y-bad-lang-part`).
    pub lang_parts: bool,
    /// Ids are unique (not under `a11y-duplicate-id`).
    pub unique_ids: bool,
    /// Signed-in pages do not reload themselves (not under `a11y-meta-refresh`).
    pub no_refresh: bool,
    /// Nothing scrolls by itself (not under `a11y-marquee`).
    pub still: bool,
}

/// The language a page is written in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    En,
    Fr,
}

/// The words of the site's frame and notices in one language.
struct Words {
    code: &'static str,
    site: &'static str,
    skip: &'static str,
    main_nav: &'static str,
    sign_in: &'static str,
    privacy: &'static str,
    terms: &'static str,
    support: &'static str,
    inbox: &'static str,
    write: &'static str,
    sign_out: &'static str,
    support_line: &'static str,
    emergency: &'static str,
    reply_time: &'static str,
    /// The other language's name, in that language, and its code.
    other: (&'static str, &'static str),
    /// The other language's code and, in it, that the service is offered in it.
    offered: (&'static str, &'static str),
    /// What `a11y-bad-lang-part` marks that line with instead: a name, not a language tag.
    offered_bad_tag: &'static str,
}

const EN: Words = Words {
    code: "en",
    site: "Reference Secure Messaging",
    skip: "Skip to main content",
    main_nav: "Main",
    sign_in: "Sign in",
    privacy: "Privacy notice",
    terms: "Terms of use",
    support: "Help and support",
    inbox: "Inbox",
    write: "Write a new message",
    sign_out: "Sign out",
    support_line: "Support: support@reference.test, Monday–Friday 8:00–17:00",
    emergency: "This service is not for emergencies. If you have an emergency, call 911.",
    reply_time: "Your clinic will reply within 2 business days.",
    other: ("Français", "fr"),
    offered: ("fr", "Ce service est aussi offert en français."),
    offered_bad_tag: "francais",
};

const FR: Words = Words {
    code: "fr",
    site: "Messagerie sécurisée de référence",
    skip: "Passer au contenu principal",
    main_nav: "Principal",
    sign_in: "Se connecter",
    privacy: "Avis de confidentialité",
    terms: "Conditions d’utilisation",
    support: "Aide et soutien",
    inbox: "Boîte de réception",
    write: "Écrire un nouveau message",
    sign_out: "Se déconnecter",
    support_line: "Soutien : support@reference.test, du lundi au vendredi de 8 h à 17 h",
    emergency: "Ce service n’est pas destiné aux urgences. En cas d’urgence, composez le 911 ou rendez-vous à l’urgence la plus proche.",
    reply_time: "Votre clinique vous répondra d’ici 2 jours ouvrables.",
    other: ("English", "en"),
    offered: ("en", "This service is also offered in English."),
    offered_bad_tag: "anglais",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
    }
}

/// How a page sits in the site's frame.
struct Frame<'a> {
    title: &'a str,
    lang: Lang,
    who: Option<&'a SignedIn<'a>>,
    /// The privacy notice's path that the navigation and footer link to (`None`: no link, the
    /// `no-privacy-link` flaw).
    privacy: Option<&'a str>,
    /// The page in the other language, if there is one.
    translation: Option<&'a str>,
}

/// A page in the site's frame.
fn layout(w: &Web, look: &Look, frame: &Frame, main: &str) -> String {
    let t = words(frame.lang);
    let privacy_link = |text: &str| {
        frame
            .privacy
            .map_or_else(String::new, |p| format!(r#"<a href="{p}">{text}</a> · "#))
    };
    let nav = match frame.who {
        Some(s) => format!(
            r#"<li><a href="{home}">{inbox}</a></li><li><a href="{compose}">{write}</a></li>
<li><form method="post" action="{logout}"><input type="hidden" name="{csrf_field}" value="{csrf}"><button type="submit">{sign_out_content}</button></form></li>"#,
            home = w.home,
            compose = w.compose,
            logout = w.logout,
            inbox = t.inbox,
            write = t.write,
            csrf_field = w.csrf_field,
            csrf = esc(s.csrf),
            sign_out_content = if look.named_buttons {
                format!("{} ({})", t.sign_out, esc(s.user.display_name))
            } else {
                SIGN_OUT_ICON.to_string()
            },
        ),
        None => format!(
            r#"<li><a href="{login}">{sign_in}</a></li>{privacy}<li><a href="{terms}">{terms_text}</a></li>"#,
            login = w.login,
            sign_in = t.sign_in,
            privacy = frame.privacy.map_or_else(String::new, |p| format!(
                r#"<li><a href="{p}">{}</a></li>"#,
                t.privacy
            )),
            terms = w.terms,
            terms_text = t.terms,
        ),
    };
    let translation = frame.translation.map_or_else(String::new, |path| {
        let (name, code) = t.other;
        format!(r#"<li><a href="{path}" lang="{code}" hreflang="{code}">{name}</a></li>"#)
    });
    let viewport = if look.zoom {
        "width=device-width, initial-scale=1"
    } else {
        "width=device-width, initial-scale=1, maximum-scale=1, user-scalable=no"
    };
    let (support_line, support_link) = if look.support {
        (
            format!("<p>{}</p>\n", t.support_line),
            format!(r#" · <a href="{}">{}</a>"#, w.support, t.support),
        )
    } else {
        (String::new(), String::new())
    };
    let html_lang = if look.lang {
        format!(" lang=\"{}\"", t.code)
    } else {
        String::new()
    };
    let logo_alt = if look.alt { " alt=\"\"" } else { "" };
    let site_text = if look.named_links { t.site } else { "" };
    // Every footer says, in the other official language, that the service is offered in it.
    let (other_code, other_line) = t.offered;
    let other_tag = if look.lang_parts {
        other_code
    } else {
        t.offered_bad_tag
    };
    let tab = |n: u8| {
        if look.tab_order {
            String::new()
        } else {
            format!(" tabindex=\"{n}\"")
        }
    };
    let links_id = |el: &str| {
        if look.unique_ids {
            String::new()
        } else {
            format!(" id=\"links\" data-part=\"{el}\"")
        }
    };
    let refresh = if !look.no_refresh && frame.who.is_some() {
        "<meta http-equiv=\"refresh\" content=\"900\">\n"
    } else {
        ""
    };
    let page_title = if look.titles {
        format!("{} – {}", esc(frame.title), t.site)
    } else {
        "Untitled".to_string()
    };
    let (skip, main_open, main_close, h1) = if look.bypass {
        (
            format!("<a class=\"skip\" href=\"#main\">{}</a>\n", t.skip),
            "<main id=\"main\" tabindex=\"-1\">",
            "</main>",
            format!("<h1>{}</h1>", esc(frame.title)),
        )
    } else {
        (
            String::new(),
            "<div class=\"content\">",
            "</div>",
            format!("<p class=\"title\">{}</p>", esc(frame.title)),
        )
    };
    format!(
        r##"<!doctype html>
<html{html_lang}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="{viewport}">
{refresh}<title>{page_title}</title>
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
{skip}<header><p><a href="{entry}"{tab1}><img src="/assets/logo.svg"{logo_alt} width="24" height="24"> {site_text}</a></p>
<nav aria-label="{main_nav}"><ul{nav_id}>{nav}{translation}</ul></nav></header>
{main_open}
{h1}
{main}
{main_close}
<footer>{support_line}<p lang="{other_tag}">{other_line}</p>
<p{footer_id}>{privacy}<a href="{terms}"{tab2}>{terms_text}</a>{support_link}</p></footer>
</body>
</html>
"##,
        main_nav = t.main_nav,
        tab1 = tab(1),
        tab2 = tab(2),
        nav_id = links_id("nav"),
        footer_id = links_id("footer"),
        entry = w.entry,
        privacy = privacy_link(t.privacy),
        terms = w.terms,
        terms_text = t.terms,
    )
}

/// The sign-out button's content under `a11y-empty-button`: an icon and nothing a screen reader
/// could name the button by.
const SIGN_OUT_ICON: &str = r#"<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path d="M6 2h7v12H6v-2h5V4H6z M2 8l3-3v2h5v2H5v2z"/></svg>"#;

/// The English frame of a public page, linking to the privacy notice.
fn public<'a>(title: &'a str, w: &'a Web) -> Frame<'a> {
    Frame {
        title,
        lang: Lang::En,
        who: None,
        privacy: Some(w.privacy),
        translation: None,
    }
}

/// The emergency notice and the response time of the entry and compose pages, as `look` has
/// them. Under `no-emergency-notice` the notice is left only in the markup of a dismissed
/// banner, which no reader sees.
fn notices(look: &Look, lang: Lang) -> String {
    let t = words(lang);
    let emergency = if look.emergency_notice {
        format!(r#"<p class="notice"><strong>{}</strong></p>"#, t.emergency)
    } else {
        format!(r#"<div class="banner" hidden><p>{}</p></div>"#, t.emergency)
    };
    let reply = if look.response_time {
        format!("\n<p>{}</p>", t.reply_time)
    } else {
        String::new()
    };
    format!("{emergency}{reply}")
}

/// The public entry page in `lang`.
pub(crate) fn entry(w: &Web, look: &Look, lang: Lang) -> String {
    let privacy = look.privacy_link.then_some(w.privacy);
    let (welcome, intro, sign_in, policies) = match lang {
        Lang::En => (
            "Welcome",
            "Send and receive secure messages with your clinic.",
            "Sign in to your secure messages",
            match privacy {
                Some(p) => format!(
                    r#"Read our <a href="{p}">privacy notice</a> and our <a href="{}">terms of use</a>."#,
                    w.terms
                ),
                None => format!(r#"Read our <a href="{}">terms of use</a>."#, w.terms),
            },
        ),
        Lang::Fr => (
            "Bienvenue",
            "Échangez des messages sécurisés avec votre clinique.",
            "Se connecter à vos messages sécurisés",
            match privacy {
                Some(p) => format!(
                    r#"Lisez notre <a href="{p}">avis de confidentialité</a> et nos <a href="{}">conditions d’utilisation</a>."#,
                    w.terms
                ),
                None => format!(
                    r#"Lisez nos <a href="{}">conditions d’utilisation</a>."#,
                    w.terms
                ),
            },
        ),
    };
    let intro = if look.still {
        format!("<p>{intro}</p>")
    } else {
        format!("<marquee>{intro}</marquee>")
    };
    let main = format!(
        r#"{intro}
<p><a href="{}">{sign_in}</a></p>
<p>{policies}</p>
{}"#,
        w.login,
        notices(look, lang)
    );
    let translation = match lang {
        Lang::En => w.entry_fr,
        Lang::Fr => Some(w.entry),
    };
    let frame = Frame {
        title: welcome,
        lang,
        who: None,
        privacy,
        translation,
    };
    layout(w, look, &frame, &main)
}

/// The sign-in form.
pub(crate) fn login(w: &Web, look: &Look, csrf: &str, error: Option<&str>) -> String {
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
    layout(w, look, &public("Sign in", w), &main)
}

/// The inbox: the caller's conversations.
pub(crate) fn inbox(
    w: &Web,
    look: &Look,
    who: &SignedIn,
    conversations: &[ConversationView],
) -> String {
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
    let frame = Frame {
        who: Some(who),
        ..public("Inbox", w)
    };
    let look = Look {
        zoom: look.zoom && look.inbox_zoom,
        ..*look
    };
    layout(w, &look, &frame, &main)
}

/// The compose form in `lang`, with the emergency notice and the expected response time.
pub(crate) fn compose(w: &Web, look: &Look, who: &SignedIn, lang: Lang) -> String {
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
    let (to, subject, message, send) = match lang {
        Lang::En => ("To", "Subject", "Message", "Send message"),
        Lang::Fr => ("Destinataire", "Objet", "Message", "Envoyer le message"),
    };
    let main = format!(
        r#"{notices}
<form method="post" action="{action}">
<input type="hidden" name="{csrf_field}" value="{csrf}">
<label for="recipient">{to}</label>
<select id="recipient" name="recipient">{options}</select>
{subject_label}<input id="subject" name="subject" type="text" maxlength="200" required{subject_hint}>
{message_label}<textarea id="body" name="body" rows="8" cols="40" maxlength="20000" required{message_hint}></textarea>
<p><button type="submit">{send}</button></p>
</form>"#,
        notices = notices(look, lang),
        action = w.compose,
        csrf_field = w.csrf_field,
        csrf = esc(who.csrf),
        to = to,
        subject_label = label_for(look, "subject", subject),
        message_label = label_for(look, "body", message),
        subject_hint = placeholder(look, subject),
        message_hint = placeholder(look, message),
        send = send,
    );
    let translation = match lang {
        Lang::En => w.compose_fr,
        Lang::Fr => Some(w.compose),
    };
    let frame = Frame {
        title: words(lang).write,
        lang,
        who: Some(who),
        privacy: Some(w.privacy),
        translation,
    };
    layout(w, look, &frame, &main)
}

/// A field's label, or nothing under `a11y-missing-labels`.
fn label_for(look: &Look, id: &str, text: &str) -> String {
    if look.labels {
        format!("<label for=\"{id}\">{text}</label>\n")
    } else {
        String::new()
    }
}

/// Under `a11y-missing-labels`, the placeholder that stands in for a field's label.
fn placeholder(look: &Look, text: &str) -> String {
    if look.labels {
        String::new()
    } else {
        format!(" placeholder=\"{text}\"")
    }
}

/// The privacy notice.
pub(crate) fn privacy(w: &Web, look: &Look) -> String {
    let main = "<p>Reference Clinic is the health information custodian for your messages. \
We act under Ontario's Personal Health Information Protection Act (PHIPA).</p>\
<h2>What we collect</h2><p>Your name, date of birth, health card number, contact e-mail and the \
messages and files you send. We use them only to provide your care.</p>\
<h2>How we protect it</h2><p>Messages are encrypted in transit and at rest, stored in Canada, and \
every access is recorded in an audit log. E-mail notifications never contain health information.</p>\
<h2>Your rights</h2><p>You may ask to see or correct your information, or complain to the \
Information and Privacy Commissioner of Ontario. Contact privacy@reference.test.</p>";
    layout(w, look, &public("Privacy notice", w), main)
}

/// The terms of use.
pub(crate) fn terms(w: &Web, look: &Look) -> String {
    let main = "<p>This service lets patients of Reference Clinic exchange secure, non-urgent \
messages with their care team.</p>\
<h2>Not for emergencies</h2><p>This service is not for emergencies. If you have an emergency, \
call 911. Your clinic will reply within 2 business days.</p>\
<h2>Your account</h2><p>Keep your password private. Sign out on shared computers. Sessions end \
after 15 minutes without activity.</p>\
<h2>Acceptable use</h2><p>Send only information about your own care. Attachments may be PNG, \
JPEG, PDF or plain text, up to 10 MB.</p>";
    layout(w, look, &public("Terms of use", w), main)
}

/// The support page: how to reach support, and when.
pub(crate) fn support(w: &Web, look: &Look) -> String {
    let main = r#"<p>Questions about your account or about using the service? Our support team can help.
Support cannot answer medical questions: write to your clinic for those.</p>
<ul><li>E-mail: <a href="mailto:support@reference.test">support@reference.test</a></li>
<li>Phone: <a href="tel:+18005550199">1-800-555-0199</a> (toll free)</li></ul>
<h2>Hours</h2><p>Monday to Friday, 8:00 to 17:00 Eastern time, except statutory holidays.
Messages left outside these hours are answered the next business day.</p>"#;
    layout(w, look, &public("Help and support", w), main)
}
