//! `POST /g/TOKEN/eventi`: what a recipient's player reports (see `assets/events.js`), checked
//! against the recipient's own guide and stored anonymised by construction.
//!
//! A batch is JSON: `{"id": BATCH, "c": CHANNEL, "e": [{"k": KIND, "s": ID, "v": N}, ...]}`.
//! `BATCH` is 22 URL-safe base64 characters the player draws at random: a batch sent again is
//! answered `409` and stored once. Kinds follow the xAPI video profile where it has a verb
//! (`initialized`, `played`, `paused`, `seeked`, `completed`, `interacted` for `popup`,
//! `button` and `rated`) and add what the dashboard counts:
//!
//! | `k` | `s` | `v` |
//! |---|---|---|
//! | `initialized`, `played`, `paused`, `seeked`, `text` | | |
//! | `progressed` | | 10, 20, ... 100 (percent watched) |
//! | `completed` | | 80 or 100 |
//! | `scene` | a scene id of the guide | |
//! | `popup` | a pop-up id of the guide | |
//! | `button` | the address of a service button of the guide (stored as its service id) | |
//! | `rated` | | within the guide's rating scale |
//! | `captions` | | 1 on, 0 off |
//!
//! What is stored per event: campaign, version, variant, kind, id, value, day, channel (one of
//! [`CHANNELS`], else `altro`; `diretto` without one), device class (from the user-agent, which
//! is then dropped) and the viewer: HMAC-SHA256 of the token under the database's viewer secret,
//! 128 bits. Never the token, the address, the user-agent or anything of the record.
//!
//! Everything is bounded: [`MAX_BODY`] bytes, [`MAX_EVENTS`] events, [`BATCHES_PER_TOKEN`]
//! batches per token per minute, and a per-address budget of batches per minute. A batch that
//! breaks any rule is refused whole (`400`, `404`, `409`, `410`, `413`, `429`) and nothing of
//! it is stored.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use guide_runtime::{Date, Outcome};
use guide_web::axum::body::Bytes;
use guide_web::axum::extract::{ConnectInfo, Path, State};
use guide_web::axum::http::{header, HeaderMap, StatusCode};
use guide_web::axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::{today, token_hash, App};
use crate::store::StoredEvent;
use crate::token::is_token;

/// The largest batch body accepted, in bytes.
pub const MAX_BODY: usize = 32 * 1024;
/// The most events in one batch.
pub const MAX_EVENTS: usize = 200;
/// Batches one token may send per minute (and at once).
pub const BATCHES_PER_TOKEN: u32 = 30;
/// The channels counted by name (the `?c=` of the links); any other is counted as `altro`.
pub const CHANNELS: &[&str] = &["qr", "myinps", "io", "sms", "email"];
/// Days a batch id is remembered (a retry comes within seconds; a replay later is refused by
/// the window and the per-token budget anyway).
pub const BATCH_ID_DAYS: i64 = 3;

/// The kinds of event, as stored.
const KINDS: &[&str] = &[
    "initialized",
    "played",
    "paused",
    "seeked",
    "progressed",
    "completed",
    "scene",
    "popup",
    "button",
    "rated",
    "captions",
    "text",
];

/// A batch as sent.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Batch {
    id: String,
    #[serde(default)]
    c: Option<String>,
    e: Vec<Event>,
}

/// An event as sent.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Event {
    k: String,
    #[serde(default)]
    s: Option<String>,
    #[serde(default)]
    v: Option<i64>,
}

/// Token buckets per key: `per_minute` at once, refilled at `per_minute` a minute.
pub(super) struct Rate<K> {
    per_minute: u32,
    buckets: Mutex<HashMap<K, (f64, Instant)>>,
}

/// Keys remembered at most by a [`Rate`]; past this, the ones whose bucket is full are dropped.
const MAX_KEYS: usize = 100_000;

impl<K: Hash + Eq> Rate<K> {
    pub(super) fn new(per_minute: u32) -> Rate<K> {
        Rate {
            per_minute: per_minute.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one from `key`'s bucket; `false` if it is empty.
    fn take(&self, key: K) -> bool {
        let now = Instant::now();
        let full = f64::from(self.per_minute);
        let level = |e: &(f64, Instant)| {
            (e.0 + now.duration_since(e.1).as_secs_f64() * full / 60.0).min(full)
        };
        let Ok(mut buckets) = self.buckets.lock() else {
            return false;
        };
        if buckets.len() >= MAX_KEYS {
            buckets.retain(|_, e| level(e) < full);
        }
        let e = buckets.entry(key).or_insert((full, now));
        let l = level(e);
        if l < 1.0 {
            *e = (l, now);
            return false;
        }
        *e = (l - 1.0, now);
        true
    }
}

/// The state of event ingestion.
pub(super) struct Events {
    viewer_key: Hmac<Sha256>,
    per_address: Rate<IpAddr>,
    per_token: Rate<[u8; 16]>,
}

impl Events {
    /// Ingestion pseudonymising viewers under `secret`, allowing `per_address` batches per
    /// minute from one client.
    pub(super) fn new(secret: &[u8], per_address: u32) -> Events {
        Events {
            viewer_key: <Hmac<Sha256> as Mac>::new_from_slice(secret)
                .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length")),
            per_address: Rate::new(per_address),
            per_token: Rate::new(BATCHES_PER_TOKEN),
        }
    }

    /// The pseudonymous viewer of `token`: 128 bits of its keyed hash.
    fn viewer(&self, token: &str) -> [u8; 16] {
        let mut m = self.viewer_key.clone();
        m.update(token.as_bytes());
        let full = m.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        out
    }
}

/// The coarse class of a device from its user-agent (which is not kept).
pub fn device_class(user_agent: &str) -> &'static str {
    let ua = user_agent.to_ascii_lowercase();
    if ua.contains("ipad")
        || ua.contains("tablet")
        || (ua.contains("android") && !ua.contains("mobile"))
    {
        "tablet"
    } else if ua.contains("mobi") || ua.contains("iphone") || ua.contains("android") {
        "mobile"
    } else {
        "desktop"
    }
}

/// The channel counted for the `c` of a batch.
pub fn channel(c: Option<&str>) -> &'static str {
    match c {
        None | Some("") => "diretto",
        Some(c) => CHANNELS
            .iter()
            .find(|k| **k == c)
            .copied()
            .unwrap_or("altro"),
    }
}

/// What a recipient's guide holds that events may name.
struct Guide {
    campaign: String,
    version: String,
    variant: String,
    scenes: HashSet<String>,
    popups: HashSet<String>,
    /// The service id of each button's address.
    services: HashMap<String, String>,
    rating: Option<(u8, u8)>,
}

impl App {
    /// The guide of `token` as served today, or the status that refuses its events.
    fn events_guide(&self, token: &str, client: IpAddr) -> Result<Guide, StatusCode> {
        let row = match self.store().map(|mut s| s.recipient(token)) {
            Some(Ok(Some(row))) => row,
            Some(Ok(None)) => {
                self.limiter.failed(client);
                return Err(StatusCode::NOT_FOUND);
            }
            _ => return Err(StatusCode::SERVICE_UNAVAILABLE),
        };
        let day = today(self.as_of);
        let closed = row.until.is_some_and(|u| day >= u);
        let not_yet = row.from.is_some_and(|f| day < f);
        let Some(record) = row.record.filter(|_| !closed && !not_yet) else {
            return Err(StatusCode::GONE);
        };
        let version = self
            .current_version(&row.campaign)
            .unwrap_or(row.version.clone());
        let program = self
            .program(&row.campaign, &version)
            .ok_or(StatusCode::SERVICE_UNAVAILABLE)?;
        let json = serde_json::from_str::<serde_json::Value>(&record)
            .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
        let t = match program.evaluate_json(&json) {
            Ok(Outcome::Eligible(t)) => t,
            Ok(Outcome::NotEligible) => return Err(StatusCode::GONE),
            Err(_) => return Err(StatusCode::SERVICE_UNAVAILABLE),
        };
        let mut guide = Guide {
            campaign: row.campaign,
            version,
            variant: t.variant().to_string(),
            scenes: HashSet::new(),
            popups: HashSet::new(),
            services: HashMap::new(),
            rating: t.rating().map(|r| (r.min, r.max)),
        };
        for s in t.all_scenes() {
            guide.scenes.insert(s.id().to_string());
            guide.popups.extend(s.popups().map(|p| p.id.to_string()));
            guide.services.extend(
                s.buttons()
                    .map(|b| (b.url.to_string(), b.service.to_string())),
            );
        }
        Ok(guide)
    }

    /// Checks and stores one batch; the status to answer.
    fn ingest(&self, token: &str, client: IpAddr, device: &'static str, body: &[u8]) -> StatusCode {
        match self.try_ingest(token, client, device, body) {
            Ok(s) | Err(s) => s,
        }
    }

    fn try_ingest(
        &self,
        token: &str,
        client: IpAddr,
        device: &'static str,
        body: &[u8],
    ) -> Result<StatusCode, StatusCode> {
        if !self.events.per_address.take(super::limiter::client(client))
            || !self.limiter.allowed(client)
        {
            return Err(StatusCode::TOO_MANY_REQUESTS);
        }
        if body.len() > MAX_BODY {
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        }
        let batch: Batch = serde_json::from_slice(body).map_err(|_| StatusCode::BAD_REQUEST)?;
        if !is_token(&batch.id) || batch.e.is_empty() {
            return Err(StatusCode::BAD_REQUEST);
        }
        if batch.e.len() > MAX_EVENTS {
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        }
        if !is_token(token) {
            self.limiter.failed(client);
            return Err(StatusCode::NOT_FOUND);
        }
        let viewer = self.events.viewer(token);
        if !self.events.per_token.take(viewer) {
            return Err(StatusCode::TOO_MANY_REQUESTS);
        }
        let guide = self.events_guide(token, client)?;
        let viewer: String = viewer.iter().map(|b| format!("{b:02x}")).collect();
        let channel = channel(batch.c.as_deref());
        let mut events = Vec::with_capacity(batch.e.len());
        for e in &batch.e {
            let (kind, target, value) = check(&guide, e).ok_or(StatusCode::BAD_REQUEST)?;
            events.push(StoredEvent {
                campaign: guide.campaign.clone(),
                version: guide.version.clone(),
                variant: guide.variant.clone(),
                kind,
                target,
                value,
                channel,
                device,
                viewer: viewer.clone(),
            });
        }
        let day = today(self.as_of);
        let stored = self
            .store()
            .ok_or(StatusCode::SERVICE_UNAVAILABLE)?
            .record_events(&batch.id, day, &events);
        match stored {
            Ok(true) => Ok(StatusCode::NO_CONTENT),
            Ok(false) => Err(StatusCode::CONFLICT),
            Err(_) => Err(StatusCode::SERVICE_UNAVAILABLE),
        }
    }
}

/// An event checked against the guide: (kind, id, value), or `None` if the guide has no such
/// thing.
fn check(guide: &Guide, e: &Event) -> Option<(&'static str, String, i32)> {
    let kind = *KINDS.iter().find(|k| **k == e.k)?;
    let named = |set: &HashSet<String>| -> Option<String> {
        let s = e.s.as_deref()?;
        set.contains(s).then(|| s.to_string())
    };
    let value = |ok: &dyn Fn(i64) -> bool| -> Option<i32> {
        let v = e.v?;
        if ok(v) {
            i32::try_from(v).ok()
        } else {
            None
        }
    };
    let none = e.s.is_none() && e.v.is_none();
    Some(match kind {
        "scene" if e.v.is_none() => (kind, named(&guide.scenes)?, 0),
        "popup" if e.v.is_none() => (kind, named(&guide.popups)?, 0),
        "button" if e.v.is_none() => (kind, guide.services.get(e.s.as_deref()?)?.clone(), 0),
        "progressed" if e.s.is_none() => (
            kind,
            String::new(),
            value(&|v| (10..=100).contains(&v) && v % 10 == 0)?,
        ),
        "completed" if e.s.is_none() => (kind, String::new(), value(&|v| v == 80 || v == 100)?),
        "captions" if e.s.is_none() => (kind, String::new(), value(&|v| v == 0 || v == 1)?),
        "rated" if e.s.is_none() => {
            let (min, max) = guide.rating?;
            (
                kind,
                String::new(),
                value(&|v| (i64::from(min)..=i64::from(max)).contains(&v))?,
            )
        }
        "initialized" | "played" | "paused" | "seeked" | "text" if none => (kind, String::new(), 0),
        _ => return None,
    })
}

/// Deletes events older than `keep_days` days before `day`, and batch ids older than
/// [`BATCH_ID_DAYS`].
pub fn purge(
    store: &mut dyn crate::Store,
    day: Date,
    keep_days: u32,
) -> Result<u64, crate::StoreError> {
    let back = |n: i64| Date::from_days(day.to_days() - n).unwrap_or(Date::MIN);
    store.purge_events(back(i64::from(keep_days)), back(BATCH_ID_DAYS))
}

/// `POST /g/TOKEN/eventi`.
pub(super) async fn ingest(
    State(app): State<Arc<App>>,
    Path(token): Path<String>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let device = device_class(
        headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    );
    let hash = token_hash(&token);
    // Behind a trusted reverse proxy, the client its `X-Forwarded-For` names.
    let client = super::client_address(client.ip(), &app.trusted_proxies, &headers);
    let a = Arc::clone(&app);
    let status =
        guide_web::tokio::task::spawn_blocking(move || a.ingest(&token, client, device, &body))
            .await
            .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    if app.log {
        eprintln!("POST /g/#{hash}/eventi {}", status.as_u16());
    }
    status.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_coarse_classes() {
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148";
        let tab = "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 Safari/537.36";
        let phone = "Mozilla/5.0 (Linux; Android 13; Pixel 7) Mobile Safari/537.36";
        assert_eq!(device_class(iphone), "mobile");
        assert_eq!(device_class(tab), "tablet");
        assert_eq!(device_class(phone), "mobile");
        assert_eq!(device_class("Mozilla/5.0 (X11; Linux x86_64)"), "desktop");
        assert_eq!(device_class(""), "desktop");
    }

    #[test]
    fn channels_are_a_closed_list() {
        assert_eq!(channel(Some("sms")), "sms");
        assert_eq!(channel(Some("RSSMRA80A01H501U")), "altro");
        assert_eq!(channel(None), "diretto");
    }

    #[test]
    fn a_rate_allows_its_burst_per_key() {
        let r = Rate::new(2);
        assert!(r.take(1));
        assert!(r.take(1));
        assert!(!r.take(1));
        assert!(r.take(2));
    }
}
