//! The exports of a campaign's tables, for comparison with the CRM's data: CSV (one file per
//! table) and JSON (one table, or all of them). Cells are written as [`Cell::exported`] writes
//! them: a count as an integer, a share or an average as a number with a dot, a suppressed cell
//! as `< 10`, exactly as in the page.

use crate::figures::{Cell, Report, Table, SUPPRESSED, THRESHOLD};
use serde_json::{json, Value};

/// A cell as CSV text.
fn text(c: &Cell) -> String {
    match c.exported() {
        Value::String(s) => s,
        v => v.to_string(),
    }
}

/// A table as CSV: its column headings, then its rows.
pub fn csv(t: &Table) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&t.columns).map_err(|e| e.to_string())?;
    for row in &t.rows {
        w.write_record(row.iter().map(text))
            .map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// A table as JSON.
pub fn table_json(campaign: &str, t: &Table) -> Value {
    json!({
        "campaign": campaign,
        "table": t.id,
        "title": t.title,
        "threshold": THRESHOLD,
        "suppressed": SUPPRESSED,
        "columns": t.columns,
        "rows": t.rows.iter().map(|r| r.iter().map(Cell::exported).collect::<Vec<_>>()).collect::<Vec<_>>(),
    })
}

/// Every table of a campaign as JSON.
pub fn report_json(r: &Report) -> Value {
    json!({
        "campaign": r.campaign,
        "title": r.title,
        "threshold": THRESHOLD,
        "tables": r.tables.iter().map(|t| table_json(&r.campaign, t)).collect::<Vec<_>>(),
    })
}
