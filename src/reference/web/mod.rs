//! The browser side of every dialect: each dialect's page names, the HTML pages, the stylesheet,
//! and the page and sign-in routes.

pub(crate) mod names;
mod pages;
pub(crate) mod routes;
mod stylesheet;
