//! Data tables (1.3.1): they have header cells, `headers` names cells of the same table, and
//! every header cell heads some data cells. A table is read by its own rows only (a nested
//! table is a table of its own), without recursion.

use std::collections::{HashMap, HashSet};

use scraper::ElementRef;

use super::roles::explicit_role;
use super::{Rule, RuleRun};
use crate::probes::a11y::dom::{Dom, tokens};
use crate::probes::a11y::issue::shorten;
use crate::probes::a11y::page::Page;

/// Data tables have header cells.
pub static TD_HAS_HEADER: Rule = Rule {
    id: "td-has-header",
    criteria: &["1.3.1"],
    help: "Data tables must mark their header cells (<th>, scope or headers)",
    run: td_has_header,
};

/// `headers` attributes name other cells of the same table.
pub static TD_HEADERS_ATTR: Rule = Rule {
    id: "td-headers-attr",
    criteria: &["1.3.1"],
    help: "Table cells that use the headers attribute must only refer to cells in the same table",
    run: td_headers_attr,
};

/// Header cells head some data cells.
pub static TH_HAS_DATA_CELLS: Rule = Rule {
    id: "th-has-data-cells",
    criteria: &["1.3.1"],
    help: "Table headers in a data table must refer to data cells",
    run: th_has_data_cells,
};

/// Widest colspan counted.
const MAX_SPAN: usize = 1000;
/// Columns counted in one row; cells past it are read as in the last column.
const MAX_COLS: usize = 10_000;

/// A table's own cells, by row, each with the column it starts at and spans.
struct Grid<'a> {
    rows: Vec<Vec<(usize, usize, ElementRef<'a>)>>,
}

impl<'a> Grid<'a> {
    fn of(table: ElementRef<'a>) -> Grid<'a> {
        let mut rows = Vec::new();
        let row_els = table.child_elements().flat_map(|c| match c.value().name() {
            "tr" => vec![c],
            "thead" | "tbody" | "tfoot" => c
                .child_elements()
                .filter(|r| r.value().name() == "tr")
                .collect(),
            _ => Vec::new(),
        });
        for tr in row_els {
            let mut col = 0;
            let mut cells = Vec::new();
            for cell in tr
                .child_elements()
                .filter(|c| matches!(c.value().name(), "td" | "th"))
            {
                let span = cell
                    .value()
                    .attr("colspan")
                    .and_then(|s| s.trim().parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, MAX_SPAN);
                let start = col.min(MAX_COLS - 1);
                let span = span.min(MAX_COLS - start);
                cells.push((start, span, cell));
                col = start + span;
            }
            rows.push(cells);
        }
        Grid { rows }
    }

    fn cells(&self) -> impl Iterator<Item = ElementRef<'a>> + '_ {
        self.rows.iter().flatten().map(|(_, _, c)| *c)
    }

    fn width(&self) -> usize {
        self.rows
            .iter()
            .map(|r| r.last().map_or(0, |(c, s, _)| c + s))
            .max()
            .unwrap_or(0)
    }
}

/// `table` is a layout table: marked presentational.
fn presentational(table: ElementRef<'_>) -> bool {
    matches!(
        explicit_role(table).as_deref(),
        Some("presentation" | "none")
    )
}

/// `table`'s grid when it is a data table: not presentational, and with header cells or more
/// than one row and column.
fn data_table<'a>(dom: &Dom<'a>, table: ElementRef<'a>) -> Option<Grid<'a>> {
    if presentational(table) || dom.is_excluded(table) {
        return None;
    }
    let grid = Grid::of(table);
    let has_th = grid.cells().any(|c| c.value().name() == "th");
    (has_th || (grid.rows.len() > 1 && grid.width() > 1)).then_some(grid)
}

fn td_has_header(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for table in dom.tagged("table") {
        let Some(grid) = data_table(&dom, table) else {
            continue;
        };
        run.checked += 1;
        let marked = grid.cells().any(|c| {
            let v = c.value();
            v.name() == "th"
                || v.attr("scope").is_some()
                || v.attr("headers").is_some()
                || matches!(
                    explicit_role(c).as_deref(),
                    Some("columnheader" | "rowheader")
                )
        });
        if !marked {
            run.fail(
                table,
                "a data table with no header cells (th, scope or headers)",
            );
        }
    }
}

fn td_headers_attr(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for table in dom.tagged("table").filter(|t| !presentational(*t)) {
        let grid = Grid::of(table);
        let ids: HashMap<&str, ElementRef> = grid
            .cells()
            .filter_map(|c| Some((c.value().id()?, c)))
            .collect();
        for cell in grid.cells().filter(|c| c.value().attr("headers").is_some()) {
            run.checked += 1;
            let bad: Vec<&str> = tokens(cell, "headers")
                .filter(|id| ids.get(id).is_none_or(|c| *c == cell))
                .collect();
            if !bad.is_empty() {
                run.fail(
                    cell,
                    format!(
                        "headers names {} that is no other cell of this table",
                        shorten(&bad.join(", "), 80)
                    ),
                );
            }
        }
    }
}

fn th_has_data_cells(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for table in dom.tagged("table") {
        let Some(grid) = data_table(&dom, table) else {
            continue;
        };
        // How many rows have a cell in each column: a header heads the cells below (or above)
        // it, row headers included (a "Day" header over a column of day names).
        let mut col_rows = vec![0usize; grid.width()];
        for &(col, span, _) in grid.rows.iter().flatten() {
            col_rows[col..col + span].iter_mut().for_each(|n| *n += 1);
        }
        let named: HashSet<&str> = grid.cells().flat_map(|c| tokens(c, "headers")).collect();
        for row in &grid.rows {
            let in_row = row.iter().any(|(_, _, c)| c.value().name() == "td");
            for &(col, span, th) in row.iter().filter(|(_, _, c)| c.value().name() == "th") {
                run.checked += 1;
                let in_col = col_rows[col..col + span].iter().any(|n| *n > 1);
                let referenced = th.value().id().is_some_and(|id| named.contains(id));
                if !(in_row || in_col || referenced) {
                    run.fail(th, "a header cell with no data cells in its row or column");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{failed, run};
    use super::*;

    #[test]
    fn data_tables_need_headers_and_layout_tables_do_not() {
        let html = r#"<table id="a"><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table>
        <table id="b" role="presentation"><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table>
        <table id="c"><tr><th>H</th><th>I</th></tr><tr><td>3</td><td>4</td></tr></table>
        <table id="d"><tr><td>only cell</td></tr></table>"#;
        let r = run(&TD_HAS_HEADER, html);
        assert_eq!((r.checked, failed(&r)), (2, vec!["#a".to_string()]));
    }

    #[test]
    fn headers_must_name_other_cells_of_the_same_table() {
        let html = r#"<table><tr><th id="h1">H</th><th id="h2">I</th></tr><tr><td id="a" headers="h1">1</td><td id="b" headers="h9">2</td></tr></table><table><tr><th id="x">X</th></tr><tr><td id="c" headers="h2">3</td></tr></table>"#;
        assert_eq!(failed(&run(&TD_HEADERS_ATTR, html)), ["#b", "#c"]);
    }

    #[test]
    fn header_cells_need_data_cells_by_row_column_or_headers() {
        let html = r#"<table><tr><th id="a">A</th><th id="b" colspan="2">B</th><th id="e">E</th></tr><tr><td>1</td><td>2</td><td>3</td></tr></table><table><tr><th>Day</th><th>Opens</th></tr><tr><th scope="row">Mon</th><td>8</td></tr></table>"#;
        assert_eq!(failed(&run(&TH_HAS_DATA_CELLS, html)), ["#e"]);
    }
}
