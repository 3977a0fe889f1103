//! The figures of a campaign, computed from the anonymised events (`events`) and the count of
//! published recipients, as tables of cells. Every cell that counts viewers knows its count, so
//! that the page and the exports suppress the same small groups ([`THRESHOLD`]).

use guide_server::{Store, StoreError, Tally};

/// Any cell counting fewer viewers than this shows `< 10` instead of its value, in the page and
/// in every export.
pub const THRESHOLD: i64 = 10;

/// What a suppressed cell shows.
pub const SUPPRESSED: &str = "< 10";

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A label (a scene id, a day, a channel).
    Text(String),
    /// A number that counts no viewer (guides published): never suppressed.
    Plain(i64),
    /// A number of viewers.
    Count(i64),
    /// `n` viewers out of `of` (a rate), suppressed as `n` is.
    Share {
        /// The viewers counted.
        n: i64,
        /// Out of.
        of: i64,
    },
    /// An average of `n` viewers' values summing to `sum`, suppressed as `n` is.
    Mean {
        /// The sum of the values.
        sum: i64,
        /// The viewers.
        n: i64,
    },
}

impl Cell {
    /// Whether the cell counts fewer than [`THRESHOLD`] viewers (and so shows `< 10`).
    pub fn suppressed(&self) -> bool {
        match self {
            Cell::Count(n) | Cell::Share { n, .. } | Cell::Mean { n, .. } => *n < THRESHOLD,
            Cell::Text(_) | Cell::Plain(_) => false,
        }
    }

    /// The value as a fraction of 1 (shares) or a plain number, for charts; `None` when
    /// suppressed or a label.
    pub fn value(&self) -> Option<f64> {
        if self.suppressed() {
            return None;
        }
        match self {
            Cell::Plain(n) | Cell::Count(n) => Some(*n as f64),
            Cell::Share { n, of } => Some(if *of > 0 { *n as f64 / *of as f64 } else { 0.0 }),
            Cell::Mean { sum, n } => Some(if *n > 0 { *sum as f64 / *n as f64 } else { 0.0 }),
            Cell::Text(_) => None,
        }
    }

    /// As the page shows it, in Italian: `2.209.732`, `58,0 %`, `4,6`, or `< 10`.
    pub fn shown(&self) -> String {
        if self.suppressed() {
            return SUPPRESSED.into();
        }
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Plain(n) | Cell::Count(n) => thousands(*n),
            Cell::Share { .. } => format!("{} %", decimal(self.value().unwrap_or(0.0) * 100.0, 1)),
            Cell::Mean { .. } => decimal(self.value().unwrap_or(0.0), 2),
        }
    }

    /// As the exports write it: integers, shares and means with a dot and four decimals, or
    /// `< 10`.
    pub fn exported(&self) -> serde_json::Value {
        if self.suppressed() {
            return SUPPRESSED.into();
        }
        match self {
            Cell::Text(t) => t.clone().into(),
            Cell::Plain(n) | Cell::Count(n) => (*n).into(),
            Cell::Share { .. } | Cell::Mean { .. } => {
                let v = self.value().unwrap_or(0.0);
                ((v * 10_000.0).round() / 10_000.0).into()
            }
        }
    }
}

/// `1234567` as `1.234.567`.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// `x` with `places` decimals and a decimal comma.
fn decimal(x: f64, places: usize) -> String {
    format!("{x:.places$}").replace('.', ",")
}

/// How a table is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// No chart: the numbers alone.
    None,
    /// One horizontal bar per row, the length of this column's value.
    Bars(usize),
    /// One vertical bar per row (a time series), the height of this column's value.
    Columns(usize),
}

/// A table of figures.
#[derive(Debug, Clone)]
pub struct Table {
    /// Its id in the export's file name (`scene`, `canali`, ...).
    pub id: &'static str,
    /// Its heading.
    pub title: &'static str,
    /// What it counts, in a sentence.
    pub note: &'static str,
    /// The column headings.
    pub columns: Vec<&'static str>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
    /// How it is drawn.
    pub chart: Chart,
}

/// Every figure of a campaign.
#[derive(Debug, Clone)]
pub struct Report {
    /// The campaign id.
    pub campaign: String,
    /// Its title (from the bytecode served), or the id.
    pub title: String,
    /// The tables, the summary first.
    pub tables: Vec<Table>,
}

impl Report {
    /// The table with this id.
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }
}

/// The viewers of each target of `kind` (scenes, pop-ups, services), the most viewed first.
fn by_target(kind: &str) -> String {
    format!(
        "SELECT target, viewers FROM target_counts \
         WHERE campaign = $1 AND kind = '{kind}' ORDER BY viewers DESC, target"
    )
}

/// The viewers by `col` (`channel`, `device`), the most first.
fn by_column(col: &str) -> String {
    format!(
        "SELECT {col}, COUNT(*) FROM viewers WHERE campaign = $1 GROUP BY {col} ORDER BY 2 DESC, 1"
    )
}

/// The counts of viewers, interacting viewers, and viewers past 80% and 100%, grouped by
/// `key` (none: the whole campaign).
fn funnel(key: Option<&str>) -> String {
    let (select, group) = match key {
        Some(k) => (format!("{k}, "), format!(" GROUP BY {k} ORDER BY {k}")),
        None => (String::new(), String::new()),
    };
    format!(
        "SELECT {select}COUNT(*), SUM(interacted), \
         SUM(CASE WHEN completed >= 80 THEN 1 ELSE 0 END), \
         SUM(CASE WHEN completed = 100 THEN 1 ELSE 0 END) \
         FROM viewers WHERE campaign = $1{group}"
    )
}

/// Each viewer's rating (their highest, if they rated more than once), counted by value.
const RATINGS: &str = "SELECT CAST(rating AS TEXT), COUNT(*), SUM(rating) FROM viewers \
    WHERE campaign = $1 AND rating > 0 GROUP BY rating ORDER BY rating";

/// Viewers by the progress step they reached.
const PROGRESS: &str = "SELECT target, viewers FROM target_counts \
    WHERE campaign = $1 AND kind = 'progressed' ORDER BY CAST(target AS INTEGER)";

/// The count at `i` of a row, 0 if missing.
fn at(row: &Tally, i: usize) -> i64 {
    row.1.get(i).copied().unwrap_or(0)
}

/// The key at `i` of a row.
fn key(row: &Tally, i: usize) -> String {
    row.0.get(i).cloned().unwrap_or_default()
}

/// Computes every figure of `campaign`.
pub fn report(store: &mut dyn Store, campaign: &str) -> Result<Report, StoreError> {
    let published = i64::try_from(store.count(campaign)?).unwrap_or(i64::MAX);
    let title = store
        .current_version(campaign)?
        .and_then(|v| store.bytecode(campaign, &v).ok().flatten())
        .and_then(|b| guide_runtime::Program::from_bytes(&b).ok())
        .map_or_else(|| campaign.to_string(), |p| p.metadata().title.to_string());
    let total = store.tally(&funnel(None), campaign, 0)?;
    let total = total.first().cloned().unwrap_or_default();
    let viewers = at(&total, 0);
    let ratings = store.tally(RATINGS, campaign, 1)?;
    let (rated, rating_sum) = ratings
        .iter()
        .fold((0, 0), |(n, s), r| (n + at(r, 0), s + at(r, 1)));
    let share = |n: i64| Cell::Share { n, of: viewers };

    let summary = Table {
        id: "sintesi",
        title: "Sintesi",
        note: "Guide pubblicate, spettatori unici e quote sul totale degli spettatori.",
        columns: vec!["Indicatore", "Valore"],
        rows: vec![
            vec![
                Cell::Text("Guide pubblicate".into()),
                Cell::Plain(published),
            ],
            vec![Cell::Text("Spettatori unici".into()), Cell::Count(viewers)],
            vec![
                Cell::Text("Aperte, sul totale delle pubblicate".into()),
                Cell::Share {
                    n: viewers,
                    of: published,
                },
            ],
            vec![
                Cell::Text("Interazioni (pop-up, servizi o valutazione)".into()),
                share(at(&total, 1)),
            ],
            vec![
                Cell::Text("Viste almeno all'80%".into()),
                share(at(&total, 2)),
            ],
            vec![
                Cell::Text("Viste fino alla fine".into()),
                share(at(&total, 3)),
            ],
            vec![
                Cell::Text("Valutazione media".into()),
                Cell::Mean {
                    sum: rating_sum,
                    n: rated,
                },
            ],
        ],
        chart: Chart::None,
    };

    // One row per key: the key, its viewers and their share (scenes, pop-ups, buttons, channels,
    // devices differ only in the query).
    let counted = |store: &mut dyn Store, query: &str| -> Result<Vec<Vec<Cell>>, StoreError> {
        Ok(store
            .tally(query, campaign, 1)?
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(key(r, 0)),
                    Cell::Count(at(r, 0)),
                    share(at(r, 0)),
                ]
            })
            .collect())
    };
    let per_target = |store: &mut dyn Store, kind: &str| counted(store, &by_target(kind));
    let scenes = Table {
        id: "scene",
        title: "Abbandono per scena",
        note: "Spettatori che hanno raggiunto ogni scena, dalla più vista: dove la curva scende, la guida è stata abbandonata.",
        columns: vec!["Scena", "Spettatori", "Quota degli spettatori"],
        rows: per_target(store, "scene")?,
        chart: Chart::Bars(2),
    };
    let progress = Table {
        id: "avanzamento",
        title: "Avanzamento",
        note: "Spettatori che hanno visto almeno ogni decimo della guida.",
        columns: vec!["Visto almeno", "Spettatori", "Quota degli spettatori"],
        rows: store
            .tally(PROGRESS, campaign, 1)?
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(format!("{} %", key(r, 0))),
                    Cell::Count(at(r, 0)),
                    share(at(r, 0)),
                ]
            })
            .collect(),
        chart: Chart::Bars(2),
    };
    let popups = Table {
        id: "popup",
        title: "Pop-up aperti",
        note: "Spettatori che hanno aperto ogni pop-up, e la quota sul totale degli spettatori.",
        columns: vec!["Pop-up", "Spettatori", "Tasso di apertura"],
        rows: per_target(store, "popup")?,
        chart: Chart::Bars(2),
    };
    let services = Table {
        id: "servizi",
        title: "Clic sui servizi",
        note: "Spettatori che hanno premuto il pulsante di ogni servizio online.",
        columns: vec!["Servizio", "Spettatori", "Tasso di clic"],
        rows: per_target(store, "button")?,
        chart: Chart::Bars(2),
    };
    let scale_max = ratings
        .iter()
        .filter_map(|r| key(r, 0).parse::<i64>().ok())
        .max()
        .unwrap_or(5)
        .max(5);
    let rating_rows = (1..=scale_max)
        .map(|v| {
            let n = ratings
                .iter()
                .find(|r| key(r, 0) == v.to_string())
                .map_or(0, |r| at(r, 0));
            vec![
                Cell::Text(v.to_string()),
                Cell::Count(n),
                Cell::Share { n, of: rated },
            ]
        })
        .collect();
    let ratings = Table {
        id: "valutazioni",
        title: "Valutazioni",
        note: "Quanti spettatori hanno dato ogni voto (il più alto, se hanno votato più volte).",
        columns: vec!["Voto", "Spettatori", "Quota dei votanti"],
        rows: rating_rows,
        chart: Chart::Bars(2),
    };
    let breakdown = |store: &mut dyn Store, col: &str| counted(store, &by_column(col));
    let channels = Table {
        id: "canali",
        title: "Canali",
        note: "Da quale canale gli spettatori hanno aperto la guida la prima volta (qr, myinps, io, sms, email; diretto: senza canale).",
        columns: vec!["Canale", "Spettatori", "Quota degli spettatori"],
        rows: breakdown(store, "channel")?,
        chart: Chart::Bars(2),
    };
    let devices = Table {
        id: "dispositivi",
        title: "Dispositivi",
        note: "Con quale tipo di dispositivo gli spettatori hanno aperto la guida.",
        columns: vec!["Dispositivo", "Spettatori", "Quota degli spettatori"],
        rows: breakdown(store, "device")?,
        chart: Chart::Bars(2),
    };
    let grouped = |store: &mut dyn Store, col: &str| -> Result<Vec<Vec<Cell>>, StoreError> {
        Ok(store
            .tally(&funnel(Some(col)), campaign, 1)?
            .iter()
            .map(|r| {
                let of = at(r, 0);
                vec![
                    Cell::Text(key(r, 0)),
                    Cell::Count(of),
                    Cell::Share { n: at(r, 1), of },
                    Cell::Share { n: at(r, 2), of },
                    Cell::Share { n: at(r, 3), of },
                ]
            })
            .collect())
    };
    let columns = [
        "",
        "Spettatori",
        "Interazioni",
        "Viste all'80%",
        "Viste fino alla fine",
    ];
    let days = Table {
        id: "giorni",
        title: "Andamento giornaliero",
        note: "Nuovi spettatori per giorno (il giorno in cui hanno aperto la guida la prima volta), e tra loro le quote di chi ha interagito e di chi ha visto la guida.",
        columns: [vec!["Giorno"], columns[1..].to_vec()].concat(),
        rows: grouped(store, "first_day")?,
        chart: Chart::Columns(1),
    };
    let variants = Table {
        id: "varianti",
        title: "Per variante",
        note: "Le stesse cifre per ogni variante della guida (destinatari per cui sono state prese le stesse decisioni).",
        columns: [vec!["Variante"], columns[1..].to_vec()].concat(),
        rows: grouped(store, "variant")?,
        chart: Chart::None,
    };
    Ok(Report {
        campaign: campaign.to_string(),
        title,
        tables: vec![
            summary, scenes, progress, popups, services, ratings, channels, devices, days, variants,
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_groups_show_less_than_ten() {
        assert_eq!(Cell::Count(9).shown(), "< 10");
        assert_eq!(Cell::Count(0).exported(), serde_json::json!("< 10"));
        assert_eq!(Cell::Count(10).shown(), "10");
        assert_eq!(Cell::Share { n: 9, of: 1000 }.shown(), "< 10");
        assert_eq!(Cell::Mean { sum: 45, n: 9 }.shown(), "< 10");
        assert_eq!(Cell::Plain(3).shown(), "3");
    }

    #[test]
    fn numbers_are_written_in_italian() {
        assert_eq!(Cell::Plain(2_209_732).shown(), "2.209.732");
        assert_eq!(Cell::Share { n: 58, of: 100 }.shown(), "58,0 %");
        assert_eq!(Cell::Mean { sum: 46, n: 10 }.shown(), "4,60");
        assert_eq!(
            Cell::Share { n: 58, of: 100 }.exported(),
            serde_json::json!(0.58)
        );
    }
}
