//! Publishing: every recipient of a file (JSON Lines or CSV, as for `guide render`) checked and
//! evaluated, and every eligible one stored with a personal token.
//!
//! The accounting is `guide render`'s: every record read is published, listed as not eligible
//! (the campaign's `requires` is false for them), or rejected with its line number, key and
//! error, so `read = published + not eligible + rejected`.
//!
//! Recipients are written in batches of [`BATCH_ROWS`], one transaction each: a run killed at
//! any moment leaves every batch before the current one published and nothing of the current
//! one, and running it again completes the work. A recipient is found again by campaign and
//! keyed hash of the schema's `key` attribute: publishing again (after a storyboard fix, or
//! with updated data) keeps their token, replaces their record and window, and serves the new
//! campaign version. Nobody's link changes.

use crate::links::{LinkOptions, LinkWriter};
use crate::store::{NewRecipient, Store};
use crate::token::{new_tokens, version_of, KeyHasher};
use crate::PublishError;
use guide_render::csv::CsvMap;
use guide_render::input::{for_each_line, Items, LineBatches};
use guide_render::output::Sink;
use guide_render::InputFormat;
use guide_runtime::record::Value;
use guide_runtime::schema::Type;
use guide_runtime::timeline::Window;
use guide_runtime::{Date, EvalError, Evaluator, Outcome, Program, Record};
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::time::{Duration, Instant};

/// Recipients per transaction: 100,000 publish 2.2 million in 39 s where 10,000 took 69 s
/// (`bench/publish.sh`), for about 170 MB more memory; a killed run loses at most one batch,
/// which running it again completes.
pub const BATCH_ROWS: usize = 100_000;

/// Where a run reads and writes files.
#[derive(Debug, Clone)]
pub struct PublishPaths {
    /// The recipients.
    pub data: PathBuf,
    /// The rejected records (JSON Lines: line, key, error).
    pub rejects: PathBuf,
    /// The recipients who are not eligible (JSON Lines: line, key).
    pub not_eligible: PathBuf,
}

impl PublishPaths {
    /// The paths of a run; the lists default to files beside the data: `DATA.jsonl` (or
    /// `DATA.csv`) gives `DATA.rejects.jsonl` and `DATA.not-eligible.jsonl`.
    pub fn new(
        data: PathBuf,
        rejects: Option<PathBuf>,
        not_eligible: Option<PathBuf>,
    ) -> PublishPaths {
        let stem = data
            .file_stem()
            .map_or_else(|| "recipients".into(), |s| s.to_string_lossy().into_owned());
        let beside = |what: &str| data.with_file_name(format!("{stem}.{what}.jsonl"));
        PublishPaths {
            rejects: rejects.unwrap_or_else(|| beside("rejects")),
            not_eligible: not_eligible.unwrap_or_else(|| beside("not-eligible")),
            data,
        }
    }
}

/// How a run works.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    /// The format of the recipients file.
    pub input: InputFormat,
    /// Recipients per transaction.
    pub batch_rows: usize,
    /// The links manifest and QR codes, if wanted.
    pub links: Option<LinkOptions>,
    /// The reference date the campaign's `today` reads when eligibility and windows are
    /// decided (the recipient's page is evaluated again, as on the day of the view).
    pub as_of: Option<guide_runtime::Date>,
    /// Where every published recipient goes besides the database (the notifications outbox).
    pub outbox: Option<OutboxHandle>,
}

/// Receives every recipient once it is in the database, with its personal token: the host
/// writes the notifications (`guide publish --outbox`). Its files, like the lists, get their
/// final names only when the run completes.
pub trait Outbox {
    /// One published recipient: its validated record (JSON), its token and the first day the
    /// guide is no longer available (exclusive), if bounded.
    fn add(&mut self, record: &str, token: &str, until: Option<Date>) -> io::Result<()>;
    /// After the last recipient, inside the run's final commit.
    fn finish(&mut self) -> io::Result<()>;
}

/// A shared [`Outbox`].
#[derive(Clone)]
pub struct OutboxHandle(pub std::sync::Arc<std::sync::Mutex<dyn Outbox>>);

impl std::fmt::Debug for OutboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OutboxHandle")
    }
}

impl OutboxHandle {
    fn with<T>(&self, f: impl FnOnce(&mut dyn Outbox) -> io::Result<T>) -> io::Result<T> {
        let mut g = self
            .0
            .lock()
            .map_err(|_| io::Error::other("the outbox failed before"))?;
        f(&mut *g)
    }
}

/// What a run did. `read == published + not_eligible + rejected`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Records read (blank lines are not records).
    pub read: u64,
    /// Recipients stored (new or updated).
    pub published: u64,
    /// Of those, recipients new to the database (a new token).
    pub created: u64,
    /// Recipients for whom the campaign's `requires` is false.
    pub not_eligible: u64,
    /// Records that could not be published: listed with their error.
    pub rejected: u64,
    /// Of the not eligible, recipients published before and withdrawn now: their link says
    /// the guide is no longer available, their personal data is deleted.
    pub withdrawn: u64,
    /// Wall time of the whole run.
    pub elapsed: Duration,
}

impl Summary {
    /// Recipients read per second.
    pub fn per_second(&self) -> f64 {
        self.read as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

fn io_err<'a>(what: &'a str, path: &'a Path) -> impl FnOnce(io::Error) -> PublishError + 'a {
    move |e| PublishError::Io(format!("cannot {what} {}: {e}", path.display()))
}

/// The rejects and not-eligible lists of a run, written under temporary names.
struct Lists {
    rejects: Sink,
    not_eligible: Sink,
}

/// A recipient waiting for its batch to be written.
struct Pending {
    row: NewRecipient,
    /// The key attribute's value, for the links manifest (empty when there is none).
    key: String,
}

/// What the writer does with one batch.
#[derive(Default)]
struct Batch {
    /// Eligible recipients, to publish.
    rows: Vec<Pending>,
    /// Key hashes of recipients not eligible, to withdraw if published before.
    withdrawn: Vec<Vec<u8>>,
}

/// The state of a run.
struct Run<'a> {
    program: &'a Program,
    ev: Evaluator<'a>,
    hasher: KeyHasher,
    key_slot: usize,
    key_name: &'a str,
    batch_rows: usize,
    pending: Batch,
    rejects: Sink,
    not_eligible: Sink,
    /// Whether the key's value is kept for the links manifest.
    want_keys: bool,
    summary: Summary,
    entry: Vec<u8>,
    /// Full batches, to the thread that writes them into the database.
    out: SyncSender<Batch>,
}

/// Writes the batches into the database, and their links.
struct Writer<'a> {
    store: &'a mut dyn Store,
    campaign: String,
    version: String,
    links: Option<LinkWriter>,
    outbox: Option<OutboxHandle>,
    published: u64,
    created: u64,
    withdrawn: u64,
    /// The day a withdrawn recipient's window ends.
    today: guide_runtime::Date,
}

/// Publishes every record of `paths.data` with `program` into `store`; see the
/// [module documentation](self).
pub fn publish(
    store: &mut dyn Store,
    program: &Program,
    paths: &PublishPaths,
    opts: &PublishOptions,
) -> Result<Summary, PublishError> {
    let t0 = Instant::now();
    let schema = program.schema();
    let key_name = schema.key.as_deref().ok_or_else(|| {
        PublishError::Usage(
            "the campaign's schema declares no `key` attribute: publishing needs one to find a \
             recipient again when the campaign is published again"
                .into(),
        )
    })?;
    let key_slot = schema
        .attributes
        .get(key_name)
        .map(|(i, _)| i)
        .ok_or_else(|| PublishError::Usage(format!("the key {key_name:?} is not an attribute")))?;
    let file = File::open(&paths.data).map_err(io_err("read", &paths.data))?;
    let mut csv_source = None;
    let mut lines = None;
    match opts.input {
        InputFormat::Jsonl => lines = Some(LineBatches::new(file)),
        InputFormat::Csv | InputFormat::CsvIt => {
            let mut file = file;
            let separator = guide_render::csv::detect_separator(&mut file)
                .map_err(io_err("read", &paths.data))?;
            let mut reader = ::csv::ReaderBuilder::new()
                .delimiter(separator)
                .flexible(true)
                .from_reader(file);
            let headers: Vec<String> = reader
                .byte_headers()
                .map_err(|e| {
                    PublishError::Io(format!("cannot read {}: {e}", paths.data.display()))
                })?
                .iter()
                .map(|h| {
                    String::from_utf8_lossy(h)
                        .trim_start_matches('\u{feff}')
                        .to_owned()
                })
                .collect();
            let map = CsvMap::new(schema, &headers)
                .map_err(|e| PublishError::Usage(format!("{}: {e}", paths.data.display())))?
                .with_locale(opts.input.csv_locale());
            csv_source = Some((reader, map));
        }
    }
    let links = opts
        .links
        .as_ref()
        .map(|l| LinkWriter::create(l, key_name))
        .transpose()
        .map_err(|e| PublishError::Io(format!("cannot create the links: {e}")))?;
    let bytecode = program.to_bytes();
    let version = version_of(&bytecode);
    let campaign = program.metadata().id.to_owned();
    store.put_version(&campaign, &version, &bytecode)?;
    let (out, batches) = sync_channel::<Batch>(2);
    let mut ev = program.evaluator();
    ev.set_today(opts.as_of);
    let run = Run {
        program,
        ev,
        hasher: KeyHasher::new(store.key_secret()),
        key_slot,
        key_name,
        batch_rows: opts.batch_rows.max(1),
        pending: Batch::default(),
        rejects: Sink::create(&paths.rejects)
            .map_err(io::Error::from)
            .map_err(io_err("create", &paths.rejects))?,
        not_eligible: Sink::create(&paths.not_eligible)
            .map_err(io::Error::from)
            .map_err(io_err("create", &paths.not_eligible))?,
        want_keys: links.is_some(),
        summary: Summary::default(),
        entry: Vec::new(),
        out,
    };
    let mut writer = Writer {
        store,
        campaign,
        version,
        links,
        outbox: opts.outbox.clone(),
        published: 0,
        created: 0,
        withdrawn: 0,
        today: crate::purge::today(),
    };
    // Two threads: this one writes into the database while the other reads, checks and
    // evaluates the next batch.
    let (read, written) = std::thread::scope(|s| {
        let reader = s.spawn(move || run.read_all(lines, csv_source));
        let mut written = Ok(());
        for batch in batches.iter() {
            written = writer.write(batch);
            if written.is_err() {
                break;
            }
        }
        // The reader stops at its next batch if the writer failed.
        drop(batches);
        (reader.join(), written)
    });
    written?;
    let (mut summary, lists) =
        read.map_err(|_| PublishError::Io("the reading thread failed".into()))??;
    // Every file gets its final name in one commit, after the last batch is in the database:
    // an interrupt before it removes them all, one after it lets the run end normally.
    let links = writer.links.take();
    let outbox = writer.outbox.take();
    guide_render::interrupt::commit(|| -> io::Result<()> {
        lists.rejects.finish()?;
        lists.not_eligible.finish()?;
        if let Some(o) = &outbox {
            o.with(|o| o.finish())?;
        }
        match links {
            Some(l) => l.finish(),
            None => Ok(()),
        }
    })
    .map_err(|_| PublishError::Interrupted)?
    .map_err(|e| PublishError::Io(format!("cannot finish the lists and the links: {e}")))?;
    summary.published = writer.published;
    summary.created = writer.created;
    summary.withdrawn = writer.withdrawn;
    summary.elapsed = t0.elapsed();
    Ok(summary)
}

impl Writer<'_> {
    /// Writes one batch in one transaction, new tokens for the recipients that are new; then
    /// withdraws the batch's recipients who are not eligible (in a transaction of its own: a
    /// run killed in between withdraws them when run again).
    fn write(&mut self, batch: Batch) -> Result<(), PublishError> {
        self.withdrawn += self
            .store
            .withdraw(&self.campaign, &batch.withdrawn, self.today)?;
        let pending = batch.rows;
        let tokens = new_tokens(pending.len())?;
        let mut rows = Vec::with_capacity(pending.len());
        let mut keys = Vec::with_capacity(pending.len());
        for (p, t) in pending.into_iter().zip(tokens) {
            let mut row = p.row;
            row.token = t;
            rows.push(row);
            keys.push(p.key);
        }
        let stored = self
            .store
            .publish_batch(&self.campaign, &self.version, &rows)?;
        for ((row, key), token) in rows.iter().zip(&keys).zip(&stored) {
            self.published += 1;
            if *token == row.token {
                self.created += 1;
            }
            if let Some(l) = &mut self.links {
                l.add(key, token, row.from, row.until)
                    .map_err(|e| PublishError::Io(format!("cannot write the links: {e}")))?;
            }
            if let Some(o) = &self.outbox {
                o.with(|o| o.add(&row.record, token, row.until))
                    .map_err(|e| PublishError::Io(format!("cannot write the outbox: {e}")))?;
            }
        }
        Ok(())
    }
}

impl Run<'_> {
    /// Reads every record, queues the eligible ones, lists the others; hands back the lists,
    /// still under their temporary names.
    fn read_all(
        mut self,
        lines: Option<LineBatches<File>>,
        csv_source: Option<(::csv::Reader<File>, CsvMap)>,
    ) -> Result<(Summary, Lists), PublishError> {
        let read_err = |e: io::Error| PublishError::Io(format!("cannot read the recipients: {e}"));
        if let Some(mut lines) = lines {
            let mut buf = Vec::new();
            while let Some(batch) = lines.next_batch(buf).map_err(read_err)? {
                let Items::Jsonl {
                    data,
                    first_line,
                    too_long,
                } = batch.items
                else {
                    buf = Vec::new();
                    continue;
                };
                for n in too_long {
                    self.summary.read += 1;
                    self.reject(n, None, "the line is longer than 16 MiB")?;
                }
                let mut failed = None;
                for_each_line(&data, first_line, |n, line| {
                    if failed.is_none() {
                        failed = self.jsonl(n, line).err();
                    }
                });
                if let Some(e) = failed {
                    return Err(e);
                }
                buf = data;
            }
        }
        if let Some((mut reader, map)) = csv_source {
            let mut rec = ::csv::ByteRecord::new();
            while reader
                .read_byte_record(&mut rec)
                .map_err(|e| read_err(io::Error::other(e)))?
            {
                let line = rec.position().map_or(0, ::csv::Position::line);
                self.csv_row(line, &rec, &map)?;
            }
        }
        self.flush()?;
        Ok((
            self.summary,
            Lists {
                rejects: self.rejects,
                not_eligible: self.not_eligible,
            },
        ))
    }

    fn jsonl(&mut self, n: u64, line: &[u8]) -> Result<(), PublishError> {
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        self.summary.read += 1;
        let window = match self.ev.evaluate_json_slice(line) {
            Ok(Outcome::Eligible(t)) => t.available(),
            Ok(Outcome::NotEligible) => {
                let key = key_text(self.program, self.key_slot, self.ev.last_record());
                return self.list_not_eligible(n, key.as_deref(), key.as_deref());
            }
            Err(e) => {
                let key = json_key(line, self.key_name);
                return self.reject(n, key.as_deref(), &e.to_string());
            }
        };
        let key = key_text(self.program, self.key_slot, self.ev.last_record());
        // The line was decoded as JSON: it is UTF-8.
        let text = String::from_utf8_lossy(line.trim_ascii()).into_owned();
        self.add(n, key, text, window)
    }

    fn csv_row(
        &mut self,
        n: u64,
        row: &::csv::ByteRecord,
        map: &CsvMap,
    ) -> Result<(), PublishError> {
        self.summary.read += 1;
        let cells: Result<Vec<&str>, _> = row.iter().map(std::str::from_utf8).collect();
        let Ok(cells) = cells else {
            return self.reject(n, None, "the row is not valid UTF-8");
        };
        let cell_key = map.key(&cells).map(str::to_owned);
        let schema = self.program.schema();
        let parsed = map.to_json(schema, &cells).and_then(|j| {
            Record::from_json(schema, &j)
                .map(|r| (j, r))
                .map_err(|e| EvalError::Record(e).to_string())
        });
        let (json, record) = match parsed {
            Ok(x) => x,
            Err(e) => return self.reject(n, cell_key.as_deref(), &e),
        };
        let window = match self.ev.evaluate(&record) {
            Ok(Outcome::Eligible(t)) => t.available(),
            Ok(Outcome::NotEligible) => {
                let key = key_text(self.program, self.key_slot, &record);
                return self.list_not_eligible(n, cell_key.as_deref(), key.as_deref());
            }
            Err(e) => return self.reject(n, cell_key.as_deref(), &e.to_string()),
        };
        let key = key_text(self.program, self.key_slot, &record);
        self.add(n, key, json.to_string(), window)
    }

    /// Queues an eligible recipient; writes the batch when it is full.
    fn add(
        &mut self,
        n: u64,
        key: Option<String>,
        record: String,
        window: Window,
    ) -> Result<(), PublishError> {
        let Some(key) = key else {
            return self.reject(
                n,
                None,
                "the key attribute has no value: the recipient cannot be found again",
            );
        };
        let row = NewRecipient {
            token: String::new(),
            key_hash: self.hasher.hash(&key),
            record,
            from: window.from,
            until: window.until.and_then(next_day),
        };
        let key = if self.want_keys { key } else { String::new() };
        self.pending.rows.push(Pending { row, key });
        if self.pending.rows.len() >= self.batch_rows {
            self.flush()?;
        }
        Ok(())
    }

    /// Hands the queued recipients to the database writer.
    fn flush(&mut self) -> Result<(), PublishError> {
        if self.pending.rows.is_empty() && self.pending.withdrawn.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(
            &mut self.pending,
            Batch {
                rows: Vec::with_capacity(self.batch_rows),
                withdrawn: Vec::new(),
            },
        );
        self.out
            .send(batch)
            .map_err(|_| PublishError::Io("the database writer stopped".into()))
    }

    fn reject(&mut self, line: u64, key: Option<&str>, error: &str) -> Result<(), PublishError> {
        self.summary.rejected += 1;
        let entry = serde_json::json!({"line": line, "key": key, "error": error});
        write_entry(&mut self.entry, &mut self.rejects, &entry)
    }

    /// Lists a recipient who is not eligible (`shown`: their key as in the file), and queues
    /// their withdrawal (`key`: the key attribute's value) in case they were published before.
    fn list_not_eligible(
        &mut self,
        line: u64,
        shown: Option<&str>,
        key: Option<&str>,
    ) -> Result<(), PublishError> {
        self.summary.not_eligible += 1;
        if let Some(k) = key {
            self.pending.withdrawn.push(self.hasher.hash(k));
            if self.pending.withdrawn.len() >= self.batch_rows {
                self.flush()?;
            }
        }
        let key = shown;
        let entry = serde_json::json!({"line": line, "key": key});
        write_entry(&mut self.entry, &mut self.not_eligible, &entry)
    }
}

fn write_entry(
    buf: &mut Vec<u8>,
    sink: &mut Sink,
    entry: &serde_json::Value,
) -> Result<(), PublishError> {
    buf.clear();
    serde_json::to_writer(&mut *buf, entry)
        .map_err(|e| PublishError::Io(format!("cannot write a list entry: {e}")))?;
    buf.push(b'\n');
    sink.write_all(buf)
        .map_err(|e| PublishError::Io(format!("cannot write a list: {e}")))
}

/// The day after `d` (the exclusive end of a window whose last day is `d`).
fn next_day(d: Date) -> Option<Date> {
    Date::from_days(d.to_days() + 1)
}

/// The key attribute of a decoded record, as text (the same for JSON Lines and CSV input).
fn key_text(program: &Program, slot: usize, record: &Record) -> Option<String> {
    Some(match record.get(slot) {
        Value::Str(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Decimal(x) => x.to_string(),
        Value::Date(d) => d.to_string(),
        Value::Money(c) => format!("{}.{:02}", c / 100, (c % 100).abs()),
        Value::Enum(i) => {
            let ty = program.schema().attributes.0.get(slot).map(|(_, a)| &a.ty);
            let values = match ty {
                Some(Type::Enum(v)) => v,
                Some(Type::Optional(t)) => match &**t {
                    Type::Enum(v) => v,
                    _ => return None,
                },
                _ => return None,
            };
            values.get(usize::from(*i))?.clone()
        }
        _ => return None,
    })
}

/// The key attribute of a JSON line that could not be decoded, if it can be found.
fn json_key(text: &[u8], key: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(text).ok()?;
    match v.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
