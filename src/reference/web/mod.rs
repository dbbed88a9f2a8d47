//! The browser side of both dialects: HTML pages, the stylesheet, and the page and sign-in
//! routes.

mod pages;
pub(crate) mod routes;
