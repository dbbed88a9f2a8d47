//! The `.http` text of a check's exchanges: each request as method, URL, headers and body (the
//! request part is what REST-client editors replay), then a curl command for it and the
//! response's status, headers and body as comments. Records come masked: credentials read
//! `[REDACTED]`, and a reviewer replaying a request puts their own in.

use std::io::{self, Write};

use crate::outcome::{Exchange, reason};

/// The opening lines of an `.http` file about `what`.
pub(super) fn write_heading(w: &mut dyn Write, what: &str) -> io::Result<()> {
    writeln!(w, "# {what}")?;
    writeln!(
        w,
        "# Each request as sent, then a curl command for it and, as comments, what came back."
    )?;
    writeln!(
        w,
        "# Secrets are shown as [REDACTED]: put your own credentials in to replay a request."
    )?;
    Ok(())
}

/// Writes exchange number `n` (from 1).
pub fn write_exchange(w: &mut dyn Write, n: usize, e: &Exchange) -> io::Result<()> {
    let outcome = match (e.status, &e.error) {
        (Some(s), _) => format!("{s} {}", reason(s)),
        (None, Some(err)) => format!("no response: {}", one_line(err)),
        (None, None) => "no response".to_string(),
    };
    writeln!(w)?;
    writeln!(
        w,
        "### {n}. {} as {} → {outcome} ({} ms)",
        e.purpose,
        e.actor,
        e.elapsed.as_millis()
    )?;
    writeln!(w, "{} {}", e.method, e.url)?;
    for (k, v) in &e.request_headers {
        writeln!(w, "{k}: {v}")?;
    }
    if let Some(body) = e.request_body.as_ref().filter(|b| !b.is_empty()) {
        writeln!(w)?;
        writeln!(w, "{}", body.text())?;
    }
    writeln!(w)?;
    writeln!(w, "# {}", curl_command(e))?;
    for a in &e.attempts {
        writeln!(
            w,
            "# attempt failed after {} ms and was retried: {}",
            a.elapsed.as_millis(),
            one_line(&a.error)
        )?;
    }
    writeln!(w, "#")?;
    match e.status {
        Some(s) => writeln!(
            w,
            "# response: HTTP {s} {} ({} bytes)",
            reason(s),
            e.response_size
        )?,
        None => writeln!(w, "# response: {outcome}")?,
    }
    for (k, v) in &e.response_headers {
        writeln!(w, "# {k}: {v}")?;
    }
    if let Some(body) = e.response_body.as_ref().filter(|b| !b.is_empty()) {
        writeln!(w, "#")?;
        for line in body.text().lines() {
            writeln!(w, "# {line}")?;
        }
    }
    for r in &e.reflected {
        writeln!(
            w,
            "# credential echoed by the target: {} ({})",
            r.place, r.form
        )?;
    }
    Ok(())
}

/// `curl -sS -i -X GET 'URL' -H 'Name: value' --data-binary 'body'`, quoted for a POSIX shell.
/// A body the client typed itself (JSON) gets the Content-Type the client sent with it; a
/// body that describes file parts rather than holding them is left out, and said so.
pub fn curl_command(e: &Exchange) -> String {
    let mut parts = vec![
        "curl -sS -i -X".to_string(),
        e.method.clone(),
        shell_quote(&e.url),
    ];
    for (k, v) in &e.request_headers {
        parts.push("-H".to_string());
        parts.push(shell_quote(&format!("{k}: {v}")));
    }
    let body = e.request_body.as_ref().map(|b| b.text().into_owned());
    match body.as_deref().filter(|b| !b.is_empty()) {
        Some(b) if describes_files(b) => {
            parts.push("# body: file parts, described above, not replayable as is".to_string())
        }
        Some(b) => {
            let typed = e
                .request_headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
            if !typed && serde_json::from_str::<serde_json::Value>(b).is_ok() {
                parts.push("-H".to_string());
                parts.push(shell_quote("Content-Type: application/json"));
            }
            parts.push("--data-binary".to_string());
            parts.push(shell_quote(b));
        }
        None => {}
    }
    parts.join(" ")
}

/// Whether a recorded request body lists file parts instead of holding the bytes sent.
fn describes_files(body: &str) -> bool {
    body.starts_with("file \"") || body.lines().all(|l| l.starts_with("part "))
}

/// `text` quoted for a shell: in single quotes, or, when it holds a line break or another
/// control character, as `$'…'` with escapes, so that the command stays on its comment line.
fn shell_quote(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return format!("'{}'", text.replace('\'', r"'\''"));
    }
    let mut out = String::from("$'");
    for c in text.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '\'' => out.push_str(r"\'"),
            '\n' => out.push_str(r"\n"),
            '\r' => out.push_str(r"\r"),
            '\t' => out.push_str(r"\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn one_line(text: &str) -> String {
    text.lines().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::outcome::{Attempt, Body, Reflection};

    fn exchange() -> Exchange {
        let mut e = Exchange::for_test(
            "https://v.test/api/messages?q=it's",
            404,
            &[("Content-Type", "application/json")],
            "{\"error\":\"not found\"}\n{\"debug\":\"Bearer [REDACTED]\"}",
        );
        e.method = "POST".into();
        e.actor = "patient_b".into();
        e.purpose = "get_message".into();
        e.request_headers = vec![("Authorization".into(), "Bearer [REDACTED]".into())];
        e.request_body = Some(Body::Inline("{\"body\":\"it's me\"}".into()));
        e.elapsed = Duration::from_millis(12);
        e.attempts = vec![Attempt {
            error: "connection reset".into(),
            elapsed: Duration::from_millis(3),
        }];
        e.reflected = vec![Reflection {
            place: "body".into(),
            form: "as is".into(),
        }];
        e
    }

    #[test]
    fn an_exchange_reads_as_request_curl_and_commented_response() {
        let mut out = Vec::new();
        write_exchange(&mut out, 1, &exchange()).expect("writes");
        let text = String::from_utf8(out).expect("UTF-8");
        let expected = "
### 1. get_message as patient_b → 404 Not Found (12 ms)
POST https://v.test/api/messages?q=it's
Authorization: Bearer [REDACTED]

{\"body\":\"it's me\"}

# curl -sS -i -X POST 'https://v.test/api/messages?q=it'\\''s' -H 'Authorization: Bearer [REDACTED]' -H 'Content-Type: application/json' --data-binary '{\"body\":\"it'\\''s me\"}'
# attempt failed after 3 ms and was retried: connection reset
#
# response: HTTP 404 Not Found (51 bytes)
# Content-Type: application/json
#
# {\"error\":\"not found\"}
# {\"debug\":\"Bearer [REDACTED]\"}
# credential echoed by the target: body (as is)
";
        assert_eq!(text, expected);
    }

    #[test]
    fn a_failed_request_and_a_file_upload() {
        let mut e = exchange();
        e.status = None;
        e.error = Some("request failed:\nconnection refused".into());
        e.response_headers.clear();
        e.response_body = None;
        e.reflected.clear();
        e.request_body = Some(Body::Inline(
            "part subject=hi\npart file: file \"a.pdf\" (application/pdf, 10 bytes)".into(),
        ));
        let mut out = Vec::new();
        write_exchange(&mut out, 2, &e).expect("writes");
        let text = String::from_utf8(out).expect("UTF-8");
        assert!(
            text.contains("→ no response: request failed: connection refused (12 ms)"),
            "{text}"
        );
        assert!(
            text.contains("# response: no response: request failed: connection refused"),
            "{text}"
        );
        assert!(
            text.contains("# body: file parts, described above, not replayable as is"),
            "{text}"
        );
        assert!(!text.contains("--data-binary"), "{text}");
    }

    #[test]
    fn a_body_on_several_lines_stays_on_the_command_line() {
        assert_eq!(shell_quote("a'b\nc\\d"), r"$'a\'b\nc\\d'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn a_get_without_body_has_no_data() {
        let mut e = Exchange::for_test("https://v.test/", 200, &[], "");
        e.request_headers = vec![("Accept".into(), "text/html".into())];
        assert_eq!(
            curl_command(&e),
            "curl -sS -i -X GET 'https://v.test/' -H 'Accept: text/html'"
        );
    }
}
