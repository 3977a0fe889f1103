//! `guide publish ... --outbox DIR`: the notifications of every published recipient, in the
//! shapes the institution's gateways take in. Sending stays with them.
//!
//! - `io.jsonl`: one app IO message request per line (`fiscal_code`, `content.subject`,
//!   `content.markdown` with the buttons' front matter, `content.due_date`);
//! - `sms.jsonl`: `to`, `text`, `segments`, `encoding`;
//! - `email/NNNNNNNN.eml`: one RFC 5322 message per recipient (multipart plain text and HTML,
//!   UTF-8), built by `mail-builder`; files are numbered, never named after a person;
//! - `skipped.jsonl`: each recipient a channel skipped, with the key and the reason;
//! - `summary.json`: per channel, how many were sent to the outbox and how many skipped, why.
//!
//! Every published recipient is accounted for on every channel. The folder gets its name when
//! the run completes; an interrupted run leaves nothing.

use guide_compiler::analysis::measure::LINK_MAX_CHARS;
use guide_compiler::ir::Channel;
use guide_compiler::notify::{Delivery, Message, Notifier};
use guide_render::output::Folder;
use guide_runtime::Date;
use guide_server::links::BaseUrl;
use guide_server::Outbox;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// The sender of the e-mails.
pub const FROM: (&str, &str) = ("INPS", "noreply@inps.it");

/// Why a recipient did not get a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Skip {
    /// The notification's condition is false (no consent, contacts not confirmed).
    NotApplicable,
    /// No contact on file.
    NoContact,
    /// A mobile number that is not well formed.
    BadNumber,
    /// An e-mail address that is not well formed.
    BadAddress,
}

impl Skip {
    fn name(self) -> &'static str {
        match self {
            Skip::NotApplicable => "condition not met (no consent)",
            Skip::NoContact => "no contact on file",
            Skip::BadNumber => "mobile number not well formed",
            Skip::BadAddress => "e-mail address not well formed",
        }
    }
}

/// The files of an outbox being written.
pub struct FileOutbox {
    notifier: Notifier,
    base: BaseUrl,
    key: String,
    campaign: String,
    folder: Option<Folder>,
    io: BufWriter<File>,
    sms: BufWriter<File>,
    skipped: BufWriter<File>,
    emails: u64,
    counts: BTreeMap<&'static str, BTreeMap<&'static str, u64>>,
    today: Option<guide_runtime::Date>,
}

fn line(w: &mut impl Write, v: &Value) -> io::Result<()> {
    serde_json::to_writer(&mut *w, v)?;
    w.write_all(b"\n")
}

/// Whether a mobile number is well formed: digits (spaces allowed), an optional leading `+`,
/// 8 to 15 digits.
pub fn well_formed_number(s: &str) -> Option<String> {
    let compact: String = s.chars().filter(|c| *c != ' ').collect();
    let digits = compact.strip_prefix('+').unwrap_or(&compact);
    let ok = (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(compact)
}

/// Whether an e-mail address is well formed enough to hand to a gateway: `local@domain.tld`,
/// at most 254 characters, no spaces, controls, quotes or angle brackets.
pub fn well_formed_address(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"".contains(c))
}

impl FileOutbox {
    /// The reference date the campaign's `today` reads in the messages (`--as-of`).
    #[must_use]
    pub fn at(mut self, today: Option<guide_runtime::Date>) -> Self {
        self.today = today;
        self
    }

    /// Starts the outbox folder `dir` (which must not exist or be empty).
    pub fn create(
        dir: &Path,
        notifier: Notifier,
        base: BaseUrl,
        key: &str,
        campaign: &str,
    ) -> io::Result<FileOutbox> {
        let longest = base.link(&"x".repeat(22)).len() + "?c=email".len();
        if longest > LINK_MAX_CHARS {
            return Err(io::Error::other(format!(
                "the links would have {longest} characters: the notifications are proven for \
                 links of at most {LINK_MAX_CHARS} (a base URL of at most {} characters)",
                LINK_MAX_CHARS - (longest - base.to_string().len())
            )));
        }
        let folder = Folder::create(dir).map_err(io::Error::from)?;
        let at = |name: &str| -> io::Result<BufWriter<File>> {
            Ok(BufWriter::new(File::create(folder.dir().join(name))?))
        };
        let (io, sms, skipped) = (at("io.jsonl")?, at("sms.jsonl")?, at("skipped.jsonl")?);
        std::fs::create_dir(folder.dir().join("email"))?;
        Ok(FileOutbox {
            notifier,
            base,
            key: key.to_owned(),
            campaign: campaign.to_owned(),
            folder: Some(folder),
            io,
            sms,
            skipped,
            emails: 0,
            counts: BTreeMap::new(),
            today: None,
        })
    }

    fn count(&mut self, channel: Channel, what: &'static str) {
        *self
            .counts
            .entry(channel.name())
            .or_default()
            .entry(what)
            .or_default() += 1;
    }

    fn skip(&mut self, key: &str, channel: Channel, why: Skip) -> io::Result<()> {
        self.count(channel, why.name());
        line(
            &mut self.skipped,
            &json!({ "key": key, "channel": channel.name(), "reason": why.name() }),
        )
    }

    fn email(&mut self, m: &Message, to: &str) -> io::Result<()> {
        self.emails += 1;
        let id = format!("{}.{}@guide.inps.it", self.campaign, self.emails);
        let bytes = mail_builder::MessageBuilder::new()
            .from(FROM)
            .to(to)
            .subject(m.subject.clone().unwrap_or_default())
            .message_id(id)
            .text_body(m.text.clone())
            .html_body(m.html.clone().unwrap_or_default())
            .write_to_vec()?;
        let dir = match &self.folder {
            Some(f) => f.dir().join("email"),
            None => return Err(io::Error::other("the outbox is finished")),
        };
        std::fs::write(dir.join(format!("{:08}.eml", self.emails)), bytes)
    }
}

impl Outbox for FileOutbox {
    fn add(&mut self, record: &str, token: &str, until: Option<Date>) -> io::Result<()> {
        let value: Value = serde_json::from_str(record)?;
        let key = value
            .get(&self.key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let link = self.base.link(token);
        let rendered = self
            .notifier
            .render_at(
                &value,
                &|c: Channel| format!("{link}?c={}", c.name()),
                self.today,
            )
            .map_err(|e| io::Error::other(e.to_string()))?;
        let Some(deliveries) = rendered else {
            return Ok(());
        };
        for (channel, delivery) in deliveries {
            let m = match delivery {
                Delivery::Send(m) => m,
                Delivery::NotApplicable => {
                    self.skip(&key, channel, Skip::NotApplicable)?;
                    continue;
                }
                Delivery::NoContact => {
                    self.skip(&key, channel, Skip::NoContact)?;
                    continue;
                }
            };
            match channel {
                Channel::Io => {
                    let mut content = json!({
                        "subject": m.subject.clone().unwrap_or_default(),
                        "markdown": m.io_markdown(),
                    });
                    if let Some(last) = until.and_then(|u| Date::from_days(u.to_days() - 1)) {
                        content["due_date"] = json!(format!("{last}T23:59:59Z"));
                    }
                    line(
                        &mut self.io,
                        &json!({ "fiscal_code": key, "content": content }),
                    )?;
                    self.count(channel, "sent");
                }
                Channel::Sms => {
                    let Some(number) = m.to.as_deref().and_then(well_formed_number) else {
                        self.skip(&key, channel, Skip::BadNumber)?;
                        continue;
                    };
                    let (encoding, _, segments) = m.sms_count();
                    line(
                        &mut self.sms,
                        &json!({ "to": number, "text": m.text, "segments": segments, "encoding": encoding.name() }),
                    )?;
                    self.count(channel, "sent");
                }
                Channel::Email => {
                    let to = m.to.clone().unwrap_or_default();
                    if !well_formed_address(&to) {
                        self.skip(&key, channel, Skip::BadAddress)?;
                        continue;
                    }
                    self.email(&m, &to)?;
                    self.count(channel, "sent");
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.io.flush()?;
        self.sms.flush()?;
        self.skipped.flush()?;
        let Some(folder) = self.folder.take() else {
            return Ok(());
        };
        let mut summary = serde_json::Map::new();
        for c in self.notifier.channels() {
            let counts = self.counts.get(c.name()).cloned().unwrap_or_default();
            summary.insert(c.name().to_owned(), json!(counts));
        }
        let text = serde_json::to_string_pretty(&Value::Object(summary))?;
        std::fs::write(folder.dir().join("summary.json"), text + "\n")?;
        folder.finish()
    }
}
