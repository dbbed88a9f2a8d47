//! The site stylesheet and logo.

/// The stylesheet served at `/assets/site.css` (inline styles would break the CSP).
pub(crate) const STYLESHEET: &str = "body{font-family:system-ui,sans-serif;font-size:100%;\
line-height:1.5;color:#1a1a1a;background:#ffffff;margin:0}\
header,footer{background:#0b3d62;color:#ffffff;padding:0.75rem 1rem}\
header a,footer a{color:#ffffff}main{padding:1rem;max-width:48rem}a{color:#0645ad}\
.skip{position:absolute;left:-10000px;background:#ffffff;color:#0645ad}.skip:focus{left:1rem;top:1rem;background:#ffffff;color:#0645ad}\
label{display:block;margin-top:0.75rem}input,select,textarea{font-size:1rem;max-width:100%}\
:focus{outline:3px solid #ffbf47}.notice{border-left:4px solid #b00020;padding-left:0.75rem}\
.error{color:#b00020}";

/// Appended under `a11y-low-contrast`: the main content's text in light grey, 3.0:1 on white.
pub(crate) const LOW_CONTRAST: &str = "main p,main li{color:#949494}";

/// The logo in every page's header (decorative: the site's name follows it in the link).
pub(crate) const LOGO: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24"><rect width="24" height="24" rx="4" fill="#0b3d62"/><path d="M5 8h14v9H5z" fill="#ffffff"/><path d="M5 8l7 5 7-5" fill="none" stroke="#0b3d62" stroke-width="1.5"/></svg>"##;
