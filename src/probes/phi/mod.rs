//! PHI where it must never go (PRV-01, PRV-02, PRV-04): the values a run planted (actors'
//! canaries, the texts it sent), recognised however a vendor wrote them (the decoding is
//! [`crate::http::seen`]'s; the spellings of names, dates and health numbers are here), and
//! Ontario health numbers found by their shape. Three probes use them: in URLs, in
//! notifications, and in responses to another patient.

mod dates;
mod finding;
pub mod health_number;
pub mod in_urls;
pub mod notifications;
pub mod other_patients;
pub mod places;
pub mod planted;
