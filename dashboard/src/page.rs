//! The dashboard's pages, in Italian: the list of campaigns, and one page per campaign with a
//! chart (SVG drawn here, no script) and the table of numbers behind it for every table of its
//! [`Report`], each with its CSV and JSON export.

use crate::figures::{Cell, Chart, Report, Table, SUPPRESSED, THRESHOLD};
use handlebars::html_escape as esc;
use std::fmt::Write as _;

/// The head and top of every page.
fn open(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"it\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} · Monitoraggio delle video-guide INPS</title>\n\
         <link rel=\"stylesheet\" href=\"/static/dashboard.css\">\n</head>\n<body>\n\
         <a class=\"skip-link\" href=\"#main\">Vai al contenuto</a>\n\
         <header class=\"topbar\"><a class=\"brand\" href=\"/\">INPS <span>monitoraggio delle video-guide</span></a></header>\n\
         <main id=\"main\">\n",
        esc(title)
    );
}

fn close(out: &mut String) {
    let _ = write!(
        out,
        "<footer><p>Dati anonimi: nessun token, indirizzo o dato personale è registrato. \
         Ogni cella che conta meno di {THRESHOLD} spettatori mostra «{}» invece del valore, \
         anche nelle esportazioni.</p></footer>\n</main>\n</body>\n</html>\n",
        esc(SUPPRESSED)
    );
}

/// The list of campaigns, each with its summary.
pub fn index(reports: &[Report]) -> String {
    let mut out = String::new();
    open(&mut out, "Campagne");
    out.push_str("<h1>Campagne</h1>\n");
    if reports.is_empty() {
        out.push_str("<p>Nessuna campagna pubblicata.</p>\n");
    } else {
        out.push_str(
            "<table>\n<caption>Le campagne pubblicate, con le cifre principali</caption>\n\
             <thead><tr><th scope=\"col\">Campagna</th><th scope=\"col\">Guide pubblicate</th>\
             <th scope=\"col\">Spettatori unici</th><th scope=\"col\">Interazioni</th>\
             <th scope=\"col\">Valutazione media</th></tr></thead>\n<tbody>\n",
        );
        for r in reports {
            let cell = |row: usize| {
                r.table("sintesi")
                    .and_then(|t| t.rows.get(row))
                    .and_then(|row| row.get(1))
                    .map_or_else(String::new, Cell::shown)
            };
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\"><a href=\"/c/{}\">{}</a></th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&r.campaign),
                esc(&r.title),
                esc(&cell(0)),
                esc(&cell(1)),
                esc(&cell(3)),
                esc(&cell(6)),
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    close(&mut out);
    out
}

/// The page of one campaign.
pub fn campaign(report: &Report) -> String {
    let mut out = String::new();
    open(&mut out, &report.title);
    let _ = writeln!(
        out,
        "<p><a href=\"/\">Tutte le campagne</a></p>\n<h1>{} <span class=\"id\">({})</span></h1>",
        esc(&report.title),
        esc(&report.campaign)
    );
    let _ = writeln!(
        out,
        "<p>Esporta tutto: <a href=\"/c/{c}/tutto.json\">JSON</a>.</p>",
        c = esc(&report.campaign)
    );
    for t in &report.tables {
        section(&mut out, &report.campaign, t);
    }
    close(&mut out);
    out
}

fn section(out: &mut String, campaign: &str, t: &Table) {
    let _ = writeln!(
        out,
        "<section class=\"figure\" aria-labelledby=\"h-{id}\">\n<h2 id=\"h-{id}\">{}</h2>\n<p class=\"note\">{}</p>",
        esc(t.title),
        esc(t.note),
        id = t.id
    );
    match t.chart {
        Chart::Bars(col) => bars(out, t, col),
        Chart::Columns(col) => columns(out, t, col),
        Chart::None => {}
    }
    table(out, t);
    let _ = writeln!(
        out,
        "<p class=\"exports\">Esporta la tabella: <a href=\"/c/{c}/{id}.csv\">CSV</a> · <a href=\"/c/{c}/{id}.json\">JSON</a></p>\n</section>",
        c = esc(campaign),
        id = t.id
    );
}

fn table(out: &mut String, t: &Table) {
    let _ = write!(
        out,
        "<div class=\"table-wrap\">\n<table>\n<caption>{}: i numeri</caption>\n<thead><tr>",
        esc(t.title)
    );
    for c in &t.columns {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(c));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    if t.rows.is_empty() {
        let _ = writeln!(
            out,
            "<tr><td colspan=\"{}\">Ancora nessun dato.</td></tr>",
            t.columns.len().max(1)
        );
    }
    for row in &t.rows {
        out.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            let class = if c.suppressed() {
                " class=\"small\""
            } else {
                ""
            };
            if i == 0 {
                let _ = write!(out, "<th scope=\"row\"{class}>{}</th>", esc(&c.shown()));
            } else {
                let _ = write!(out, "<td{class}>{}</td>", esc(&c.shown()));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

/// The largest value of column `col`, for scaling (1 for shares).
fn scale(t: &Table, col: usize) -> f64 {
    let shares = t
        .rows
        .iter()
        .any(|r| matches!(r.get(col), Some(Cell::Share { .. })));
    if shares {
        return 1.0;
    }
    t.rows
        .iter()
        .filter_map(|r| r.get(col).and_then(Cell::value))
        .fold(0.0, f64::max)
        .max(1.0)
}

/// Horizontal bars, one per row: the label, the bar, the value. The table below holds the same
/// numbers for screen readers: the drawing is hidden from them.
fn bars(out: &mut String, t: &Table, col: usize) {
    if t.rows.is_empty() {
        return;
    }
    let (row_h, label_w, bar_w) = (28.0, 180.0, 360.0);
    let height = row_h * t.rows.len() as f64 + 8.0;
    let max = scale(t, col);
    let _ = writeln!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {w} {height}\" width=\"{w}\" height=\"{height}\" aria-hidden=\"true\" focusable=\"false\">",
        w = label_w + bar_w + 90.0
    );
    for (i, row) in t.rows.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let label = row.first().map_or_else(String::new, Cell::shown);
        let cell = row.get(col);
        let len = cell
            .and_then(Cell::value)
            .map_or(0.0, |v| bar_w * (v / max).clamp(0.0, 1.0));
        let _ = writeln!(
            out,
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{}</text>\
             <rect class=\"track\" x=\"{label_w}\" y=\"{y}\" width=\"{bar_w}\" height=\"{bh}\"/>\
             <rect class=\"bar\" x=\"{label_w}\" y=\"{y}\" width=\"{len:.1}\" height=\"{bh}\"/>\
             <text x=\"{vx}\" y=\"{ty}\">{}</text>",
            esc(&shorten(&label, 26)),
            esc(&cell.map_or_else(String::new, Cell::shown)),
            lx = label_w - 8.0,
            ty = y + 15.0,
            bh = row_h - 8.0,
            vx = label_w + bar_w + 8.0,
        );
    }
    out.push_str("</svg>\n");
}

/// Vertical bars, one per row (a time series), labelled with the first and last rows.
fn columns(out: &mut String, t: &Table, col: usize) {
    if t.rows.is_empty() {
        return;
    }
    let (w, h) = (630.0, 160.0);
    let n = t.rows.len() as f64;
    let step = (w - 20.0) / n;
    let max = scale(t, col);
    let _ = writeln!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {w} {total}\" width=\"{w}\" height=\"{total}\" aria-hidden=\"true\" focusable=\"false\">",
        total = h + 24.0
    );
    for (i, row) in t.rows.iter().enumerate() {
        let v = row.get(col).and_then(Cell::value).unwrap_or(0.0);
        let bh = h * (v / max).clamp(0.0, 1.0);
        let _ = writeln!(
            out,
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\"/>",
            x = 10.0 + step * i as f64,
            y = h - bh,
            bw = (step - 2.0).max(1.0)
        );
    }
    let first = t
        .rows
        .first()
        .and_then(|r| r.first())
        .map_or_else(String::new, Cell::shown);
    let last = t
        .rows
        .last()
        .and_then(|r| r.first())
        .map_or_else(String::new, Cell::shown);
    let _ = writeln!(
        out,
        "<text x=\"10\" y=\"{y}\">{}</text><text x=\"{x}\" y=\"{y}\" text-anchor=\"end\">{}</text>\n</svg>",
        esc(&first),
        esc(&last),
        y = h + 18.0,
        x = w - 10.0
    );
}

/// `s` cut to `n` characters with an ellipsis.
fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut cut: String = s.chars().take(n.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// The page of a campaign that does not exist.
pub fn not_found() -> String {
    let mut out = String::new();
    open(&mut out, "Non trovata");
    out.push_str("<h1>Pagina non trovata</h1>\n<p><a href=\"/\">Tutte le campagne</a></p>\n");
    close(&mut out);
    out
}
