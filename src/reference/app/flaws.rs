//! The switchable flaws: one realistic mistake each, declared in a single table.
//!
//! Adding a flaw is one row in the `flaws!` table below plus one `state.has(Flaw::X)` at the
//! place where the mistake bites.

use std::fmt;
use std::str::FromStr;

macro_rules! flaws {
    ($( $variant:ident => $name:literal, [$($req:literal),*], $desc:literal; )*) => {
        /// One deliberate mistake the reference server can be started with (`--flaw NAME`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Flaw {
            $( #[doc = $desc] $variant, )*
        }

        impl Flaw {
            /// Every flaw, in table order.
            pub const ALL: &[Flaw] = &[$(Flaw::$variant),*];

            /// The flaw's command-line name, e.g. `idor-message`.
            pub fn name(self) -> &'static str {
                match self { $(Flaw::$variant => $name,)* }
            }

            /// The requirement IDs this flaw is meant to break (empty for robustness-only flaws).
            pub fn requirements(self) -> &'static [&'static str] {
                match self { $(Flaw::$variant => &[$($req),*],)* }
            }

            /// One sentence saying what the flaw does.
            pub fn description(self) -> &'static str {
                match self { $(Flaw::$variant => $desc,)* }
            }
        }
    };
}

flaws! {
    IdorMessage => "idor-message", ["SEC-05", "PRV-04"],
        "Any signed-in user may read any conversation or message by id (no participant check on reads), so one patient is shown another's messages (PRV-04 too).";
    IdorConversation => "idor-conversation", ["SEC-05"],
        "Any signed-in user may post into, or mark read, any conversation by id (no participant check on writes).";
    IdorAttachment => "idor-attachment", ["SEC-05"],
        "Any signed-in user may download any attachment by id.";
    UnauthAttachment => "unauth-attachment", ["SEC-04", "SEC-06"],
        "Attachment download needs no authentication at all.";
    NoHsts => "no-hsts", ["SEC-03"],
        "No Strict-Transport-Security header is sent.";
    HttpNoRedirect => "http-no-redirect", ["SEC-03"],
        "The plain-HTTP listener serves the application instead of redirecting to HTTPS.";
    WeakCookie => "weak-cookie", ["SEC-08"],
        "The session cookie is set without Secure, HttpOnly and SameSite.";
    CacheablePhi => "cacheable-phi", ["PRV-03"],
        "Responses carrying PHI say `Cache-Control: public, max-age=3600` instead of `no-store`.";
    AttachmentCorrupt => "attachment-corrupt", ["FUN-03"],
        "Attachment downloads come back with the last byte flipped.";
    Slow => "slow", ["TEC-02"],
        "Every request waits the configured latency (default 2500 ms) before it is answered.";
    UnauthMessage => "unauth-message", ["SEC-04", "SEC-06"],
        "Conversation and message reads without a valid session fall through to the clinic's service account.";
    LeakyDenial => "leaky-denial", ["SEC-04", "SEC-06", "SEC-11"],
        "Conversation and message reads without a valid session are refused (401, or a GraphQL UNAUTHENTICATED error on HTTP 200) with what was asked for still in the body.";
    MangledText => "mangled-text", ["FUN-01", "FUN-06"],
        "Message text is stored with every non-ASCII character dropped (accents, emoji).";
    ThreadOrder => "thread-order", ["FUN-02"],
        "The messages of a conversation are listed newest first.";
    EchoCredentials => "echo-credentials", ["SEC-11"],
        "JSON error responses quote the request's Authorization and Cookie headers in a `debug` block.";
    NoSecurityHeaders => "no-security-headers", ["SEC-09"],
        "No X-Content-Type-Options, Content-Security-Policy, X-Frame-Options or Referrer-Policy on any response.";
    CorsWildcard => "cors-wildcard", ["SEC-10"],
        "Every response says `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`.";
    CorsReflect => "cors-reflect", ["SEC-10"],
        "Every response allows the request's Origin, whatever it is, with credentials.";
    StackTraceErrors => "stack-trace-errors", ["SEC-11"],
        "A request the API cannot read (malformed JSON, a wrong media type, a body too large, an unknown method) gets a 500 with a Python stack trace.";
    VerboseBanner => "verbose-banner", ["SEC-11"],
        "Responses name the server software and its version (`Server: nginx/1.18.0`, `X-Powered-By: Express/4.17.1`).";
    NoSecurityTxt => "no-security-txt", ["SEC-15"],
        "There is no /.well-known/security.txt.";
    ExpiredCert => "expired-cert", ["SEC-02"],
        "The server's certificate expired yesterday.";
    WrongHostCert => "wrong-host-cert", ["SEC-02"],
        "The server's certificate names only wrong-host.example.";
    SelfSigned => "self-signed", ["SEC-02"],
        "The server's certificate is signed by its own key, not by the CA the profile trusts.";
    Tls10 => "tls10", ["SEC-01"],
        "The HTTPS port also accepts TLS 1.0 (TLS_RSA_WITH_AES_256_CBC_SHA), answered by a legacy front before rustls.";
    WeakCipher => "weak-cipher", ["SEC-01"],
        "TLS 1.2 also accepts TLS_RSA_WITH_AES_256_GCM_SHA384 and TLS_RSA_WITH_3DES_EDE_CBC_SHA (no forward secrecy; 3DES) after its strong suites.";
    WeakKey => "weak-key", ["SEC-02"],
        "The server's certificate holds a 1024-bit RSA key.";
    Sha1Cert => "sha1-cert", ["SEC-02"],
        "The CA signed the server's certificate with SHA-1 (sha1WithRSAEncryption).";
    NoAudit => "no-audit", ["SEC-12"],
        "Nothing is written to the audit log: reads of PHI, and refused attempts, leave no event.";
    ExpiredTokenAccepted => "expired-token-accepted", ["SEC-06"],
        "Sessions and tokens ended by logout, by the idle timeout or by their lifetime keep working: the server checks only that it issued them.";
    NoLogoutRevoke => "no-logout-revoke", ["SEC-06"],
        "Logout answers as usual but ends nothing server-side: the session or token keeps working until it idles out.";
    NoIdleTimeout => "no-idle-timeout", ["SEC-06"],
        "Sessions never end for being unused.";
    SessionFixation => "session-fixation", ["SEC-06"],
        "The login page starts an anonymous session cookie, and signing in keeps that session id instead of issuing a new one.";
    NoLockout => "no-lockout", ["SEC-07"],
        "Failed logins are never counted: any number of wrong passwords may be tried, at full speed.";
    WeakCookieOnPage => "weak-cookie-on-page", ["SEC-08"],
        "The entry page starts an anonymous session with a session cookie set without Secure, HttpOnly and SameSite.";
    PhiInUrl => "phi-in-url", ["PRV-01"],
        "Every API answer to a patient links the patient's record with their name and health number in the query (`Link: </patients/record?name=Zo%C3%AB+Tremblay&hcn=…>`).";
    PhiInNotification => "phi-in-notification", ["PRV-02"],
        "New-message notifications quote the sender's name and the message text.";
    OtherPatientPhi => "other-patient-phi", ["PRV-04"],
        "A patient's conversations list as participants every other patient of the clinic (the care group's roster), by name.";
    NoPrivacyLink => "no-privacy-link", ["PRV-05"],
        "The entry page (its text, navigation and footer) no longer links to the privacy notice.";
    NoReadReceipt => "no-read-receipt", ["FUN-05"],
        "Marking a message read answers as usual but records nothing, so the sender never sees it read.";
    UnicodeMangle => "unicode-mangle", ["FUN-06"],
        "Message text is stored in a Latin-1 (ISO-8859-1) column: accented Latin letters survive, every other character (œ, the narrow no-break space, syllabics, Arabic, Hebrew, emoji) becomes `?`.";
    CloseIgnored => "close-ignored", ["FUN-08"],
        "Closing a conversation answers as usual but records nothing, so both parties may still reply.";
    NoEmergencyNotice => "no-emergency-notice", ["FUN-07"],
        "The entry and compose pages, in English and French, no longer show that the service is not for emergencies or to call 911 (the notice is left only in the markup of a dismissed, `hidden` banner).";
    NoResponseTime => "no-response-time", ["FUN-07"],
        "The entry and compose pages, in English and French, no longer state how soon the clinic replies.";
    ZoomBlocked => "zoom-blocked", ["TEC-01"],
        "Every page's viewport turns zoom off: `width=device-width, initial-scale=1, maximum-scale=1, user-scalable=no`.";
    NoSupportPage => "no-support-page", ["TEC-03"],
        "There is no support page (404), and no page's footer names the support contact and hours any more.";
    AttachmentAnyType => "attachment-any-type", ["FUN-04"],
        "Uploads of any media type are accepted and their content is never looked at: executables, and files whose bytes are not what their name and type say.";
    AttachmentNoSizeLimit => "attachment-no-size-limit", ["FUN-04"],
        "The application never checks an upload's size: only the web framework's request-body cap, a little over 10 MiB, remains.";
    AttachmentInline => "attachment-inline", ["FUN-04"],
        "Attachment downloads say `Content-Disposition: inline`, so a browser shows the file in the page instead of saving it.";
    A11yMissingLabels => "a11y-missing-labels", ["ACC-2.1.10"],
        "The compose form's subject and message fields lose their labels; only a placeholder says what goes in them.";
    A11yNoLang => "a11y-no-lang", ["ACC-2.1.10"],
        "No page declares its language: `<html>` has no `lang` attribute.";
    A11yMissingAlt => "a11y-missing-alt", ["ACC-2.1.10"],
        "The logo in every page's header has no `alt` attribute.";
    A11yLowContrast => "a11y-low-contrast", ["ACC-2.1.10"],
        "The site stylesheet sets the text of every page's main content in light grey (#949494 on white, 3.0:1).";
    A11yEmptyButton => "a11y-empty-button", ["ACC-2.1.10"],
        "The sign-out button of the signed-in pages shows only an icon and has no accessible name.";
    A11yZoomBlocked => "a11y-zoom-blocked", ["ACC-2.1.10"],
        "The inbox page's viewport turns zoom off (`maximum-scale=1, user-scalable=no`); the entry, sign-in and compose pages keep it.";
    A11yNoBypass => "a11y-no-bypass", ["ACC-2.1.10"],
        "No page offers a way past its header: the skip link is gone, the main content is a plain `<div>` and its heading a styled paragraph.";
    A11yUntitled => "a11y-untitled", ["ACC-2.1.10"],
        "Every page's `<title>` is the placeholder `Untitled`.";
    A11yTabOrder => "a11y-tab-order", ["ACC-2.1.10"],
        "The header's links carry positive `tabindex` values, so focus jumps to them out of reading order.";
    A11yEmptyLink => "a11y-empty-link", ["ACC-2.1.10"],
        "The header's home link shows only the logo, marked decorative (`alt=\"\"`), so the link has no name.";
    A11yBadLangPart => "a11y-bad-lang-part", ["ACC-2.1.10"],
        "The footer's line in the other official language is marked `lang=\"francais\"` (or `anglais`), which is no language tag.";
    A11yDuplicateId => "a11y-duplicate-id", ["ACC-2.1.10"],
        "The navigation list and the footer paragraph both have `id=\"links\"`.";
    A11yMetaRefresh => "a11y-meta-refresh", ["ACC-2.1.10"],
        "The signed-in pages reload themselves every 15 minutes (`<meta http-equiv=\"refresh\" content=\"900\">`), with no way to turn it off.";
    A11yMarquee => "a11y-marquee", ["ACC-2.1.10"],
        "The entry page scrolls its welcome line in a `<marquee>` that cannot be paused.";
    Flaky => "flaky", [],
        "About one in five message and attachment API requests fails: a 503, or an aborted connection.";
}

impl fmt::Display for Flaw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A flaw name that is not in the table; its message lists the valid names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown flaw `{given}`; valid flaws: {}", valid_names())]
pub struct UnknownFlaw {
    /// The name that was given.
    pub given: String,
}

fn valid_names() -> String {
    Flaw::ALL
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(", ")
}

impl FromStr for Flaw {
    type Err = UnknownFlaw;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Flaw::ALL
            .iter()
            .copied()
            .find(|f| f.name() == s)
            .ok_or_else(|| UnknownFlaw {
                given: s.to_owned(),
            })
    }
}
