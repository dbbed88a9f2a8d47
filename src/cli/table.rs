//! Plain-text tables for `vvcheck list`: every column as wide as its widest cell, so rows line
//! up whatever the catalogue or the suites hold.

/// How a column's cells sit in its width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// Width of a cell on a terminal, counted in characters: the cells padded here are identifiers,
/// names and counts, and the free text (titles) goes in the last column, which is never padded.
fn width(cell: &str) -> usize {
    cell.chars().count()
}

/// The table as text, one line per row after the header; columns are separated by two spaces
/// and the last column is written as is.
pub fn render(columns: &[(&str, Align)], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = columns.iter().map(|(name, _)| width(name)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let header: Vec<String> = columns.iter().map(|(name, _)| name.to_string()).collect();
    let last = columns.len().saturating_sub(1);
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(widths.get(i).map_or(0, |w| w.saturating_sub(width(cell))));
            match columns.get(i).map(|(_, a)| *a) {
                _ if i == last => line.push_str(cell),
                Some(Align::Right) => {
                    line.push_str(&pad);
                    line.push_str(cell);
                }
                _ => {
                    line.push_str(cell);
                    line.push_str(&pad);
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_as_wide_as_their_widest_cell() {
        let rows = vec![
            vec![
                "ACC-2.1.10".into(),
                "accessibility".into(),
                "3".into(),
                "Zoë's title".into(),
            ],
            vec![
                "SEC-01".into(),
                "sécurité".into(),
                "12".into(),
                "short".into(),
            ],
        ];
        let text = render(
            &[
                ("ID", Align::Left),
                ("DOMAIN", Align::Left),
                ("CHECKS", Align::Right),
                ("TITLE", Align::Left),
            ],
            &rows,
        );
        assert_eq!(
            text,
            "ID          DOMAIN         CHECKS  TITLE\n\
             ACC-2.1.10  accessibility       3  Zoë's title\n\
             SEC-01      sécurité           12  short\n"
        );
    }
}
