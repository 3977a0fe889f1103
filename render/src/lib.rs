//! Batch production (`guide render`): a file of recipients in, every recipient's guide out,
//! nothing lost, on every core.
//!
//! The pipeline streams: the input is cut into batches of consecutive records ([`input`]);
//! workers, each with its own reusable [`Evaluator`], decode, evaluate and format them
//! ([`formats`]); the writer puts the batches back in input order and appends them to the
//! output. Each worker reads its next batch and hands its results to the writer itself, so
//! every thread renders; the number of batches in flight is bounded, so memory stays flat
//! whatever the size of the input. With one thread everything runs on the calling thread.
//!
//! Every record read ends up in exactly one place: the output (rendered), the not-eligible list
//! (the campaign's `requires` is false for them) or the rejects file (the record does not fit
//! the schema, a value is out of range, the line is not JSON...), each listed with its line
//! number and its key attribute. So `read = rendered + not eligible + rejected`, always.
//!
//! Nothing is written under a final name before the run has succeeded ([`output`]), and an
//! interrupt (Ctrl-C, a termination signal) stops it leaving nothing behind ([`interrupt`]).

pub mod csv;
pub mod formats;
pub mod input;
pub mod interrupt;
pub mod output;
mod threads;

use self::csv::CsvMap;
use self::formats::OutputFormat;
use self::input::{for_each_line, Batch, Items, LineBatches, BATCH_ROWS};
use self::output::{CreateError, Folder, Sink};
use guide_runtime::record::Value;
use guide_runtime::schema::Type;
use guide_runtime::{EvalError, Evaluator, Outcome, Program, Record, Timeline};
use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use std::time::{Duration, Instant};

/// How the recipients file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// JSON Lines: one JSON object per line.
    Jsonl,
    /// CSV with a header row naming the attributes.
    Csv,
    /// CSV as spreadsheets in Italian export it: `1.234,56`, `0,75`, `01/05/2024`
    /// ([`csv::Locale::Italian`]).
    CsvIt,
}

impl InputFormat {
    /// Every input format, with its name on a command line and a one-line description.
    pub const ALL: [(InputFormat, &'static str, &'static str); 3] = [
        (
            InputFormat::Jsonl,
            "jsonl",
            "JSON Lines: one JSON object per line",
        ),
        (
            InputFormat::Csv,
            "csv",
            "CSV with a header row naming the attributes (separator `,` or `;`, from the header)",
        ),
        (
            InputFormat::CsvIt,
            "csv-it",
            "CSV as Italian spreadsheets write it: amounts 1.234,56, decimals 0,75, dates 01/05/2024",
        ),
    ];

    /// How the cells of a CSV format write numbers and dates.
    pub fn csv_locale(self) -> csv::Locale {
        match self {
            InputFormat::CsvIt => csv::Locale::Italian,
            _ => csv::Locale::Standard,
        }
    }

    /// The format a file name suggests: `.csv` is CSV, anything else JSON Lines.
    pub fn of_path(path: &Path) -> InputFormat {
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        {
            InputFormat::Csv
        } else {
            InputFormat::Jsonl
        }
    }
}

/// Where a run reads and writes.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The recipients.
    pub data: PathBuf,
    /// The timelines (JSON Lines), or the folder of per-recipient files.
    pub out: PathBuf,
    /// The rejected records (JSON Lines: line, key, error).
    pub rejects: PathBuf,
    /// The recipients who are not eligible (JSON Lines: line, key).
    pub not_eligible: PathBuf,
}

impl Paths {
    /// The paths of a run, the lists defaulting to files next to the output: `OUT.jsonl` gives
    /// `OUT.rejects.jsonl` and `OUT.not-eligible.jsonl` (for a folder `OUT`, the same beside
    /// it). When the output is standard output or a device such as `/dev/null`, they default
    /// to `rejects.jsonl` and `not-eligible.jsonl` in the current folder.
    pub fn new(
        data: PathBuf,
        out: PathBuf,
        rejects: Option<PathBuf>,
        not_eligible: Option<PathBuf>,
    ) -> Paths {
        let beside = |what: &str| {
            if output::is_special(&out) {
                return PathBuf::from(format!("{what}.jsonl"));
            }
            let name = out
                .file_name()
                .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
            let stem = name
                .strip_suffix(".jsonl")
                .or_else(|| name.strip_suffix(".json"))
                .unwrap_or(&name);
            out.with_file_name(format!("{stem}.{what}.jsonl"))
        };
        Paths {
            rejects: rejects.unwrap_or_else(|| beside("rejects")),
            not_eligible: not_eligible.unwrap_or_else(|| beside("not-eligible")),
            data,
            out,
        }
    }
}

/// How a run works.
#[derive(Clone)]
pub struct Options {
    /// The format of the recipients file.
    pub input: InputFormat,
    /// What to write.
    pub format: OutputFormat,
    /// Worker threads (1: everything on the calling thread).
    pub threads: usize,
    /// Show a progress bar on standard error.
    pub progress: bool,
    /// The reference date the campaign's `today` reads (see
    /// [`Evaluator::set_today`]); a campaign that reads it fails every record without one.
    pub as_of: Option<guide_runtime::Date>,
    /// What writes [`OutputFormat::Audio`] (required for it, unused otherwise).
    pub speaker: Option<Speaker>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("input", &self.input)
            .field("format", &self.format)
            .field("threads", &self.threads)
            .field("progress", &self.progress)
            .field("as_of", &self.as_of)
            .field("speaker", &self.speaker.is_some())
            .finish()
    }
}

/// Writes one recipient's guide spoken: the command line plugs in guide-voice (this crate
/// stays free of audio). An error stops the run like an output error: nothing is left.
pub type Speaker =
    std::sync::Arc<dyn Fn(&Timeline<'_>, &mut Vec<u8>) -> Result<(), String> + Send + Sync>;

/// What a run did. `read == rendered + not_eligible + rejected`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Records read (blank lines are not records).
    pub read: u64,
    /// Timelines written.
    pub rendered: u64,
    /// Recipients for whom the campaign's `requires` is false: listed, not rendered.
    pub not_eligible: u64,
    /// Records that could not be rendered: listed with their error.
    pub rejected: u64,
    /// Wall time of the whole run.
    pub elapsed: Duration,
}

impl Summary {
    /// Recipients read per second.
    pub fn per_second(&self) -> f64 {
        self.read as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Why a run could not be completed (no output file is left under its final name).
#[derive(Debug)]
pub enum RenderError {
    /// The input cannot be used as it is (a CSV header that does not match the schema...).
    Usage(String),
    /// Reading or writing failed (the message names the file).
    Io(String),
    /// An interrupt was requested ([`interrupt`]): the run stopped, its temporaries are removed.
    Interrupted,
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::Usage(m) | RenderError::Io(m) => f.write_str(m),
            RenderError::Interrupted => f.write_str("interrupted"),
        }
    }
}

impl std::error::Error for RenderError {}

fn io_err<'a>(what: &'a str, path: &'a Path) -> impl FnOnce(io::Error) -> RenderError + 'a {
    move |e| RenderError::Io(format!("cannot {what} {}: {e}", path.display()))
}

/// A file the run writes, for messages: `the rejects file out.rejects.jsonl`.
fn file_name(role: &str, path: &Path) -> String {
    if path == Path::new("-") {
        format!("{role} (standard output)")
    } else {
        format!("{role} {}", path.display())
    }
}

fn write_err(name: &str) -> impl FnOnce(io::Error) -> RenderError + '_ {
    move |e| RenderError::Io(format!("cannot write {name}: {e}"))
}

fn finish_err(name: &str) -> impl FnOnce(io::Error) -> RenderError + '_ {
    move |e| RenderError::Io(format!("cannot rename {name} to its final name: {e}"))
}

fn create_err(name: &str) -> impl FnOnce(CreateError) -> RenderError + '_ {
    move |e| match e {
        CreateError::Interrupted => RenderError::Interrupted,
        CreateError::Io(e) => RenderError::Io(format!("cannot create {name}: {e}")),
    }
}

/// The records of the input, batch after batch.
enum Source {
    Lines(LineBatches<File>),
    Csv {
        reader: ::csv::Reader<File>,
        seq: u64,
    },
}

impl Source {
    fn next(&mut self) -> io::Result<Option<Batch>> {
        match self {
            Source::Lines(l) => l.next_batch(Vec::new()),
            Source::Csv { reader, seq } => {
                let mut rows = Vec::with_capacity(BATCH_ROWS);
                while rows.len() < BATCH_ROWS {
                    let mut rec = ::csv::ByteRecord::new();
                    if !reader
                        .read_byte_record(&mut rec)
                        .map_err(io::Error::other)?
                    {
                        break;
                    }
                    let line = rec.position().map_or(0, ::csv::Position::line);
                    rows.push((line, rec));
                }
                if rows.is_empty() {
                    return Ok(None);
                }
                let b = Batch {
                    seq: *seq,
                    items: Items::Csv(rows),
                    bytes_done: reader.position().byte(),
                };
                *seq += 1;
                Ok(Some(b))
            }
        }
    }
}

/// The results of one batch.
#[derive(Debug, Default)]
struct Done {
    seq: u64,
    out: Vec<u8>,
    rejects: Vec<u8>,
    not_eligible_list: Vec<u8>,
    read: u64,
    rendered: u64,
    not_eligible: u64,
    rejected: u64,
    bytes_done: u64,
    /// A per-recipient file could not be written, or an interrupt came: the run stops.
    error: Option<RenderError>,
    /// The worker that rendered the batch (its buffers go back to it, still in its cache).
    owner: usize,
}

impl Done {
    fn reset(&mut self, seq: u64, bytes_done: u64) {
        let out = std::mem::take(&mut self.out);
        let rejects = std::mem::take(&mut self.rejects);
        let list = std::mem::take(&mut self.not_eligible_list);
        *self = Done {
            seq,
            bytes_done,
            out,
            rejects,
            not_eligible_list: list,
            owner: self.owner,
            ..Done::default()
        };
        self.out.clear();
        self.rejects.clear();
        self.not_eligible_list.clear();
    }
}

/// Decodes, evaluates and formats records.
struct Worker<'a> {
    program: &'a Program,
    ev: Evaluator<'a>,
    format: OutputFormat,
    speaker: Option<&'a Speaker>,
    folder: Option<&'a Path>,
    csv: Option<&'a CsvMap>,
    /// The top-level position of the schema's key attribute, and its name.
    key: Option<(usize, &'a str)>,
    scratch: Vec<u8>,
}

impl<'a> Worker<'a> {
    fn new(
        program: &'a Program,
        opts: &'a Options,
        folder: Option<&'a Path>,
        csv: Option<&'a CsvMap>,
    ) -> Worker<'a> {
        let schema = program.schema();
        let key = schema
            .key
            .as_deref()
            .and_then(|k| schema.attributes.get(k).map(|(i, _)| (i, k)));
        Worker {
            program,
            ev: program.evaluator(),
            format: opts.format,
            speaker: opts.speaker.as_ref(),
            folder,
            csv,
            key,
            scratch: Vec::new(),
        }
    }

    fn process(&mut self, batch: Batch, d: &mut Done) {
        d.reset(batch.seq, batch.bytes_done);
        match batch.items {
            Items::Jsonl {
                data,
                first_line,
                too_long,
            } => {
                for n in too_long {
                    d.read += 1;
                    reject(d, n, None, "the line is longer than 16 MiB");
                }
                for_each_line(&data, first_line, |n, line| self.jsonl(n, line, d));
            }
            Items::Csv(rows) => {
                for (n, row) in rows {
                    self.csv_row(n, &row, d);
                }
            }
        }
    }

    fn jsonl(&mut self, n: u64, line: &[u8], d: &mut Done) {
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        d.read += 1;
        let r = self.ev.evaluate_json_slice(line);
        match r {
            Ok(Outcome::Eligible(t)) => {
                if let Some(dir) = rendered(
                    (self.format, self.speaker),
                    self.folder,
                    &mut self.scratch,
                    t,
                    d,
                ) {
                    let key = record_key(self.program, self.key, self.ev.last_record());
                    self.file(dir, key, n, d);
                }
            }
            Ok(Outcome::NotEligible) => {
                let key = record_key(self.program, self.key, self.ev.last_record());
                not_eligible(d, n, key.as_deref());
            }
            Err(e) => {
                let key = self.key.and_then(|(_, k)| json_key(line, k));
                reject(d, n, key.as_deref(), &e.to_string());
            }
        }
    }

    fn csv_row(&mut self, n: u64, row: &::csv::ByteRecord, d: &mut Done) {
        d.read += 1;
        let Some(map) = self.csv else {
            return;
        };
        let cells: Result<Vec<&str>, _> = row.iter().map(std::str::from_utf8).collect();
        let Ok(cells) = cells else {
            reject(d, n, None, "the row is not valid UTF-8");
            return;
        };
        let key = map.key(&cells).map(str::to_owned);
        let schema = self.program.schema();
        let record = match map.to_json(schema, &cells) {
            Ok(j) => Record::from_json(schema, &j).map_err(|e| EvalError::Record(e).to_string()),
            Err(e) => Err(e),
        };
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                reject(d, n, key.as_deref(), &e);
                return;
            }
        };
        match self.ev.evaluate(&record) {
            Ok(Outcome::Eligible(t)) => {
                if let Some(dir) = rendered(
                    (self.format, self.speaker),
                    self.folder,
                    &mut self.scratch,
                    t,
                    d,
                ) {
                    self.file(dir, key, n, d);
                }
            }
            Ok(Outcome::NotEligible) => not_eligible(d, n, key.as_deref()),
            Err(e) => reject(d, n, key.as_deref(), &e.to_string()),
        }
    }

    /// Writes the per-recipient file held in `scratch` (nothing once the batch has failed or
    /// an interrupt came: see [`interrupt`]).
    fn file(&mut self, dir: &Path, key: Option<String>, n: u64, d: &mut Done) {
        if d.error.is_some() {
            return;
        }
        let Ok(_g) = interrupt::guard() else {
            d.error = Some(RenderError::Interrupted);
            return;
        };
        let name = key.unwrap_or_else(|| format!("line-{n}"));
        let ext = self.format.extension().unwrap_or("out");
        if let Err(e) = output::write_named(dir, &name, n, ext, &self.scratch) {
            d.error = Some(RenderError::Io(format!(
                "cannot write the guide of line {n}: {e}"
            )));
        }
    }
}

/// Counts a rendered recipient and writes its guide: into the batch's output, or into
/// `scratch` when it goes to a file of its own in the returned folder.
fn rendered<'d>(
    (format, speaker): (OutputFormat, Option<&Speaker>),
    folder: Option<&'d Path>,
    scratch: &mut Vec<u8>,
    t: &Timeline<'_>,
    d: &mut Done,
) -> Option<&'d Path> {
    d.rendered += 1;
    match folder {
        None => {
            format.write(t, &mut d.out);
            None
        }
        Some(dir) => {
            scratch.clear();
            if format == OutputFormat::Audio {
                let spoken = match speaker {
                    Some(speak) => speak(t, scratch),
                    None => Err("no voice was given".into()),
                };
                if let Err(e) = spoken {
                    d.error
                        .get_or_insert(RenderError::Io(format!("voice: {e}")));
                    return None;
                }
            } else {
                format.write(t, scratch);
            }
            Some(dir)
        }
    }
}

/// The key attribute of a decoded record, as text.
fn record_key(program: &Program, key: Option<(usize, &str)>, record: &Record) -> Option<String> {
    let (slot, _) = key?;
    let v = record.get(slot);
    Some(match v {
        Value::Str(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Decimal(x) => x.to_string(),
        Value::Date(d) => d.to_string(),
        Value::Money(c) => format!("{}.{:02}", c / 100, (c % 100).abs()),
        Value::Enum(i) => {
            let attr = program.schema().attributes.0.get(slot).map(|(_, a)| &a.ty);
            match attr {
                Some(Type::Enum(vals)) => vals.get(usize::from(*i)).cloned().unwrap_or_default(),
                Some(Type::Optional(t)) => match &**t {
                    Type::Enum(vals) => vals.get(usize::from(*i)).cloned().unwrap_or_default(),
                    _ => return None,
                },
                _ => return None,
            }
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

fn reject(d: &mut Done, line: u64, key: Option<&str>, error: &str) {
    d.rejected += 1;
    let entry = serde_json::json!({"line": line, "key": key, "error": error});
    let _ = serde_json::to_writer(&mut d.rejects, &entry);
    d.rejects.push(b'\n');
}

fn not_eligible(d: &mut Done, line: u64, key: Option<&str>) {
    d.not_eligible += 1;
    let entry = serde_json::json!({"line": line, "key": key});
    let _ = serde_json::to_writer(&mut d.not_eligible_list, &entry);
    d.not_eligible_list.push(b'\n');
}

/// Puts batches back in order and writes them.
struct Writer {
    out: Option<Sink>,
    rejects: Sink,
    not_eligible: Sink,
    /// The files, for messages: output, rejects, not-eligible list.
    names: [String; 3],
    pending: BTreeMap<u64, Done>,
    next: u64,
    summary: Summary,
    progress: Option<indicatif::ProgressBar>,
}

impl Writer {
    /// Takes one batch's results; returns the batches written, for their buffers to be reused.
    fn accept(&mut self, d: Done, spent: &mut Vec<Done>) -> Result<(), RenderError> {
        if let Some(e) = d.error {
            return Err(e);
        }
        self.pending.insert(d.seq, d);
        // Every write into a temporary is made under the gate (see `interrupt`): one per batch.
        let _g = interrupt::guard().map_err(|_| RenderError::Interrupted)?;
        while let Some(d) = self.pending.remove(&self.next) {
            let [out_name, rejects_name, list_name] = &self.names;
            if let Some(out) = &mut self.out {
                out.write_all(&d.out).map_err(write_err(out_name))?;
            }
            self.rejects
                .write_all(&d.rejects)
                .map_err(write_err(rejects_name))?;
            self.not_eligible
                .write_all(&d.not_eligible_list)
                .map_err(write_err(list_name))?;
            let s = &mut self.summary;
            s.read += d.read;
            s.rendered += d.rendered;
            s.not_eligible += d.not_eligible;
            s.rejected += d.rejected;
            if let Some(p) = &self.progress {
                p.set_position(d.bytes_done);
                p.set_message(format!("{} recipients", s.read));
            }
            self.next += 1;
            spent.push(d);
        }
        Ok(())
    }
}

/// Renders every record of `paths.data` with `program`; see the [module documentation](self).
/// An error (or an interrupt) leaves nothing: no temporary, nothing under a final name.
pub fn render(program: &Program, paths: &Paths, opts: &Options) -> Result<Summary, RenderError> {
    let r = render_files(program, paths, opts);
    // A worker may have met an error caused by the interrupt itself: the interrupt wins.
    match r {
        Err(_) if interrupt::requested() => Err(RenderError::Interrupted),
        r => r,
    }
}

fn render_files(program: &Program, paths: &Paths, opts: &Options) -> Result<Summary, RenderError> {
    let t0 = Instant::now();
    if interrupt::requested() {
        return Err(RenderError::Interrupted);
    }
    let data = &paths.data;
    let file = File::open(data).map_err(io_err("read", data))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let (source, csv_map) = match opts.input {
        InputFormat::Jsonl => (Source::Lines(LineBatches::new(file)), None),
        InputFormat::Csv | InputFormat::CsvIt => {
            let mut file = file;
            let separator = csv::detect_separator(&mut file).map_err(io_err("read", data))?;
            let mut reader = ::csv::ReaderBuilder::new()
                .delimiter(separator)
                .flexible(true)
                .from_reader(file);
            let headers: Vec<String> = reader
                .byte_headers()
                .map_err(|e| RenderError::Io(format!("cannot read {}: {e}", data.display())))?
                .iter()
                .map(|h| {
                    String::from_utf8_lossy(h)
                        .trim_start_matches('\u{feff}')
                        .to_owned()
                })
                .collect();
            let map = CsvMap::new(program.schema(), &headers)
                .map_err(|e| RenderError::Usage(format!("{}: {e}", data.display())))?
                .with_locale(opts.input.csv_locale());
            (Source::Csv { reader, seq: 0 }, Some(map))
        }
    };
    let names = [
        file_name(
            if opts.format.extension().is_some() {
                "the output folder"
            } else {
                "the output"
            },
            &paths.out,
        ),
        file_name("the rejects file", &paths.rejects),
        file_name("the not-eligible list", &paths.not_eligible),
    ];
    let folder = match opts.format.extension() {
        Some(_) => Some(Folder::create(&paths.out).map_err(create_err(&names[0]))?),
        None => None,
    };
    let out = match folder {
        Some(_) => None,
        None => Some(Sink::create(&paths.out).map_err(create_err(&names[0]))?),
    };
    let rejects = Sink::create(&paths.rejects).map_err(create_err(&names[1]))?;
    let not_eligible = Sink::create(&paths.not_eligible).map_err(create_err(&names[2]))?;
    let progress = opts.progress.then(|| {
        let p = indicatif::ProgressBar::with_draw_target(
            Some(total),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {percent:>3}% {msg} (eta {eta})",
        ) {
            p.set_style(style.progress_chars("=> "));
        }
        p
    });
    let mut writer = Writer {
        out,
        rejects,
        not_eligible,
        names,
        pending: BTreeMap::new(),
        next: 0,
        summary: Summary::default(),
        progress,
    };
    let dir = folder.as_ref().map(Folder::dir);
    if opts.threads <= 1 {
        threads::run_inline(
            program,
            opts,
            dir,
            csv_map.as_ref(),
            source,
            data,
            &mut writer,
        )?;
    } else {
        threads::run_parallel(
            program,
            opts,
            dir,
            csv_map.as_ref(),
            source,
            data,
            &mut writer,
        )?;
    }
    if let Some(p) = &writer.progress {
        p.finish_and_clear();
    }
    let Writer {
        mut out,
        mut rejects,
        mut not_eligible,
        names: [out_name, rejects_name, list_name],
        mut summary,
        ..
    } = writer;
    // Everything is written first, then renamed: a full disk (the usual failure) leaves no
    // file under its final name. Nothing is renamed once an interrupt is requested.
    interrupt::commit(|| {
        if let Some(out) = &mut out {
            out.flush().map_err(write_err(&out_name))?;
        }
        rejects.flush().map_err(write_err(&rejects_name))?;
        not_eligible.flush().map_err(write_err(&list_name))?;
        rejects.finish().map_err(finish_err(&rejects_name))?;
        not_eligible.finish().map_err(finish_err(&list_name))?;
        if let Some(out) = out {
            out.finish().map_err(finish_err(&out_name))?;
        }
        if let Some(f) = folder {
            f.finish().map_err(finish_err(&out_name))?;
        }
        Ok(())
    })
    .map_err(|_| RenderError::Interrupted)??;
    summary.elapsed = t0.elapsed();
    Ok(summary)
}

fn read_err(data: &Path) -> impl FnOnce(io::Error) -> RenderError + '_ {
    move |e| {
        RenderError::Io(format!(
            "cannot read the recipients {}: {e}",
            data.display()
        ))
    }
}
