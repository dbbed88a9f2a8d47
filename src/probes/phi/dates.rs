//! The ways a date of birth is written: ISO and its variants, day-month-year and
//! month-day-year with slashes, dashes or dots, padded or not, compact, and spelt out in
//! English and French (`April 2, 1961`, `2 Apr 1961`, `2 avril 1961`).

use time::Date;

/// French month names (`time` spells months in English only).
const FRENCH_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// Every spelling of `d` searched for, [`fold`](crate::http::seen::fold)ed (lower case), so
/// that month names match in any case.
pub fn spellings(d: Date) -> Vec<String> {
    let (y, m, day) = (d.year(), u8::from(d.month()), d.day());
    let mut out = Vec::new();
    let numbers = [
        (format!("{m:02}"), format!("{day:02}")),
        (m.to_string(), day.to_string()),
    ];
    for (mm, dd) in &numbers {
        for sep in ["-", "/", "."] {
            out.push(format!("{y}{sep}{mm}{sep}{dd}"));
            out.push(format!("{dd}{sep}{mm}{sep}{y}"));
            out.push(format!("{mm}{sep}{dd}{sep}{y}"));
        }
    }
    out.push(format!("{y}{m:02}{day:02}"));
    let english = d.month().to_string().to_lowercase();
    let short: String = english.chars().take(3).collect();
    let french = FRENCH_MONTHS[usize::from(m) - 1];
    for month in [english.as_str(), short.as_str()] {
        for dd in [day.to_string(), format!("{day:02}")] {
            out.push(format!("{month} {dd}, {y}"));
            out.push(format!("{month} {dd} {y}"));
            out.push(format!("{dd} {month} {y}"));
            out.push(format!("{dd} {month}, {y}"));
        }
    }
    out.push(format!("{day} {french} {y}"));
    out.push(format!("{day:02} {french} {y}"));
    if day == 1 {
        out.push(format!("1er {french} {y}"));
    }
    out.sort();
    out.dedup();
    out
}

/// Where `spelling` occurs in `text` as a date of its own: not inside a longer number
/// (`12/4/1961` is not `2/4/1961`, `119610402` is not `19610402`).
pub fn occurs(text: &str, spelling: &str) -> bool {
    text.match_indices(spelling).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + spelling.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_date_of_birth_is_known_in_the_ways_people_write_it() {
        let all = spellings(date!(1984 - 03 - 12));
        for written in [
            "1984-03-12",
            "12/03/1984",
            "03/12/1984",
            "3/12/1984",
            "12.03.1984",
            "19840312",
            "march 12, 1984",
            "mar 12 1984",
            "12 march 1984",
            "12 mars 1984",
        ] {
            assert!(all.iter().any(|s| s == written), "{written} in {all:?}");
        }
    }

    #[test]
    fn a_date_inside_a_longer_number_is_not_that_date() {
        assert!(occurs("born 2/4/1961.", "2/4/1961"));
        assert!(occurs("1961-04-02T00:00:00Z", "1961-04-02"));
        assert!(!occurs("12/4/1961", "2/4/1961"));
        assert!(!occurs("119610402", "19610402"));
        assert!(!occurs("2/4/19612", "2/4/1961"));
    }
}
