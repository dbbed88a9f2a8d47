//! `vvcheck diff OLD NEW`: what regressed and what was fixed between two runs, as a table or
//! JSON; exit 1 on a new mandatory failure.

use super::args::{DiffArgs, Format};
use super::out;
use super::table::{Align, render};
use crate::merge::{self, CheckChange, Diff};
use crate::verdict::exit;

fn status<T: std::fmt::Display>(s: Option<T>) -> String {
    s.map_or_else(|| "—".to_string(), |s| s.to_string())
}

fn check_rows(changes: &[CheckChange]) -> Vec<Vec<String>> {
    changes
        .iter()
        .map(|c| {
            vec![
                c.requirements.join(","),
                c.id.clone(),
                format!("{} → {}", status(c.old), status(c.new)),
                c.message.clone(),
            ]
        })
        .collect()
}

/// The diff as text: three sections, each a table or `none`.
fn text(d: &Diff) -> String {
    let mut out = String::new();
    if d.old_edition != d.new_edition {
        out.push_str(&format!(
            "note: the runs were judged against different editions ({} → {})\n\n",
            d.old_edition, d.new_edition
        ));
    }
    let columns = [
        ("requirement", Align::Left),
        ("check", Align::Left),
        ("status", Align::Left),
        ("message", Align::Left),
    ];
    for (title, changes) in [("New failures", &d.new_failures), ("Fixed", &d.fixed)] {
        out.push_str(&format!("{title} ({}):\n", changes.len()));
        if !changes.is_empty() {
            out.push_str(&render(&columns, &check_rows(changes)));
        }
        out.push('\n');
    }
    out.push_str(&format!("Verdict changes ({}):\n", d.verdicts.len()));
    if !d.verdicts.is_empty() {
        let rows: Vec<Vec<String>> = d
            .verdicts
            .iter()
            .map(|v| {
                vec![
                    v.id.clone(),
                    v.level.to_string(),
                    format!("{} → {}", status(v.old), status(v.new)),
                    if v.regressed { "REGRESSED" } else { "" }.to_string(),
                ]
            })
            .collect();
        let columns = [
            ("requirement", Align::Left),
            ("level", Align::Left),
            ("verdict", Align::Left),
            ("", Align::Left),
        ];
        out.push_str(&render(&columns, &rows));
    }
    out
}

/// `vvcheck diff OLD.json NEW.json [--format json]`.
pub fn diff(args: DiffArgs) -> i32 {
    let read = merge::read_report(&args.old)
        .and_then(|old| merge::read_report(&args.new).map(|new| (old, new)));
    let (old, new) = match read {
        Ok(runs) => runs,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID;
        }
    };
    let d = merge::diff(&old, &new);
    match args.format {
        Format::Table => out::stdout(&text(&d)),
        Format::Json => match serde_json::to_string_pretty(&d) {
            Ok(json) => out::stdout(&format!("{json}\n")),
            Err(e) => {
                eprintln!("error: cannot serialise the diff: {e}");
                return exit::INVALID;
            }
        },
    }
    if d.regressed() {
        exit::NON_CONFORMANT
    } else {
        exit::OK
    }
}
