//! `guide serve`: every recipient opens their own guide at `/g/TOKEN`, evaluated when asked
//! from the stored record and the campaign's current bytecode (loaded once per version).
//!
//! | Route | |
//! |---|---|
//! | `GET /g/TOKEN` | the player (the preview's `player.js` in recipient mode), the timeline embedded as JSON |
//! | `GET /g/TOKEN/audio` | the same guide spoken (Ogg Opus, [`audio`]); `202` while it is being made; `404` without `--audio-cache` |
//! | `GET /g/TOKEN/testo` | the text version of the same guide |
//! | `POST /g/TOKEN/rating` | the rating, acknowledged (`204`): the player reports it as an event |
//! | `POST /g/TOKEN/eventi` | what the player reports, stored anonymised ([`events`]) |
//! | `GET /visual/CAMPAIGN/NAME` | a scene's picture, from `--visuals DIR` ([`visuals`]) |
//! | `GET /static/NAME` | the preview's style sheet, script and fonts |
//! | `GET /healthz` | `ok`: for the proxy's health checks (and the benchmark's baseline) |
//!
//! Before the window opens: `200` with the day it opens; after it closes or once purged:
//! `410`; an unknown or malformed token: `404`, one page for both. A client whose failed
//! look-ups exhaust its budget ([`limiter`]) gets `429`. No token is ever written to the log:
//! a short hash of it instead.

pub mod audio;
pub mod events;
pub mod limiter;
pub mod pages;
pub mod visuals;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use guide_runtime::{Date, Outcome, Program};
use guide_web::axum::extract::{ConnectInfo, Path, Request, State};
use guide_web::axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use guide_web::axum::response::{IntoResponse, Response};
use guide_web::axum::routing::get;
use guide_web::axum::Router;
use guide_web::{Config, SecurityHeaders, Server};
use sha2::{Digest, Sha256};

use crate::store::Store;
use crate::token::is_token;
use limiter::Limiter;
use pages::Pages;

/// The policy of every page: scripts, styles and fonts from the server only, nothing else.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; media-src 'self' blob:; font-src 'self'; \
    connect-src 'self'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// How to serve.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The day guides are viewed on, instead of today (demos and tests only).
    pub as_of: Option<Date>,
    /// DEMOS ONLY: every guide is viewed as on the first day of its own window (the last day
    /// for a window with no first day), so that recipients whose windows do not overlap all
    /// play; nothing is purged. Overrides `as_of`.
    pub each_window: bool,
    /// Days personal data is kept after a window closes (the purge runs at start and daily).
    pub grace_days: u32,
    /// Failed look-ups a client may make per minute (and at once).
    pub failures_per_minute: u32,
    /// One line per request on standard error (the token as a short hash).
    pub log: bool,
    /// Connections one client address may hold (behind a reverse proxy, every connection is
    /// the proxy's).
    pub max_per_address: usize,
    /// The reverse proxies whose `X-Forwarded-For` names the client: the budget of failed
    /// look-ups is then the client's, not the proxy's. From any other address the header is
    /// ignored.
    pub trusted_proxies: Vec<IpAddr>,
    /// The campaigns' folder, whose `CAMPAIGN/NAME` pictures `/visual/` serves; none: no
    /// pictures (the player shows its neutral one).
    pub visuals: Option<std::path::PathBuf>,
    /// The voice: the guides spoken at `/g/TOKEN/audio`; none: no audio (`404`).
    pub voice: Option<audio::VoiceOptions>,
    /// Event batches one client address may send per minute (and at once).
    pub event_batches_per_minute: u32,
    /// Days events are kept (purged at start and then daily).
    pub event_days: u32,
}

/// Why the server did not start.
#[derive(Debug)]
pub enum ServeError {
    /// The templates did not compile (a bug).
    Templates(String),
    /// The HTTP server did not start.
    Web(guide_web::Error),
    /// The first purge failed.
    Store(crate::StoreError),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Templates(e) => write!(f, "templates: {e}"),
            ServeError::Web(e) => write!(f, "{e}"),
            ServeError::Store(e) => write!(f, "purge: {e}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// The service's state, shared by every request.
struct App {
    /// Connections to the database, one per core: a request takes the first one free.
    stores: Vec<Mutex<Box<dyn Store>>>,
    /// The version served of each campaign, and when it was read.
    versions: Mutex<HashMap<String, (String, Instant)>>,
    programs: Mutex<HashMap<String, Arc<Program>>>,
    pages: Pages,
    limiter: Limiter,
    trusted_proxies: Vec<IpAddr>,
    events: events::Events,
    as_of: Option<Date>,
    each_window: bool,
    log: bool,
    /// Whether look-ups run on the server's threads ([`Store::lookups_are_brief`]) rather
    /// than on blocking ones.
    inline: bool,
    visuals: Option<std::path::PathBuf>,
    voice: Option<audio::Voice>,
}

/// A running `guide serve`: dropping it stops the server (the purge thread ends with the
/// process).
pub struct Running {
    server: Server,
}

impl Running {
    /// The address bound.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }
}

/// The day of a view: `as_of` if given, else today (UTC).
fn today(as_of: Option<Date>) -> Date {
    as_of.unwrap_or_else(crate::purge::today)
}

/// The client of a request that came from `peer`: `peer` itself, unless it is one of
/// `trusted` proxies; then the last address of `X-Forwarded-For` that is not a trusted proxy
/// (each proxy appends the address it was reached from, so the entries before the first
/// untrusted one from the right may be forged by the client).
pub fn client_address(peer: IpAddr, trusted: &[IpAddr], headers: &HeaderMap) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut client = peer;
    for value in headers.get_all("x-forwarded-for").iter().rev() {
        let Ok(value) = value.to_str() else {
            return client;
        };
        for entry in value.rsplit(',') {
            match entry.trim().parse::<IpAddr>() {
                Ok(ip) if trusted.contains(&ip) => client = ip,
                Ok(ip) => return ip,
                Err(_) => return client,
            }
        }
    }
    client
}

/// A short hash of a token, for the log (never the token).
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Purges `store` now, then every day on a thread of its own (`open` gives it its own
/// connection).
fn start_purge(
    open: impl Fn() -> Result<Box<dyn Store>, crate::StoreError> + Send + 'static,
    opts: &Options,
) -> Result<u64, ServeError> {
    if opts.each_window {
        return Ok(0);
    }
    let mut store = open().map_err(ServeError::Store)?;
    let n = crate::purge(store.as_mut(), today(opts.as_of), opts.grace_days)
        .map_err(ServeError::Store)?;
    events::purge(store.as_mut(), today(opts.as_of), opts.event_days).map_err(ServeError::Store)?;
    let (as_of, grace, event_days) = (opts.as_of, opts.grace_days, opts.event_days);
    let _ = std::thread::Builder::new()
        .name("guide-serve-purge".into())
        .spawn(move || loop {
            std::thread::sleep(Duration::from_secs(6 * 3600));
            match crate::purge(store.as_mut(), today(as_of), grace) {
                Ok(n) => eprintln!("purge: {n} recipient(s) purged"),
                Err(e) => eprintln!("purge failed: {e}"),
            }
            if let Err(e) = events::purge(store.as_mut(), today(as_of), event_days) {
                eprintln!("purge of events failed: {e}");
            }
        });
    Ok(n)
}

/// Every [`IDLE_READS`], ends the read transactions that look-ups have shared long enough on
/// the connections nobody is using ([`Store::end_idle_read`]): an idle server holds no snapshot
/// of the database (one would keep a publish's write-ahead log from being emptied). The thread
/// ends with the server.
fn start_idle_reads(app: std::sync::Weak<App>) {
    let _ = std::thread::Builder::new()
        .name("guide-serve-reads".into())
        .spawn(move || loop {
            std::thread::sleep(IDLE_READS);
            let Some(app) = app.upgrade() else { return };
            for store in &app.stores {
                if let Ok(mut s) = store.try_lock() {
                    if let Err(e) = s.end_idle_read() {
                        eprintln!("ending a read transaction failed: {e}");
                    }
                }
            }
        });
}

/// How often [`start_idle_reads`] looks.
const IDLE_READS: Duration = Duration::from_millis(50);

/// Starts serving: purges once (and every six hours after), then listens on `opts.addr`.
/// `open` opens the database (called twice: the server's connection and the purge's).
pub fn start(
    open: impl Fn() -> Result<Box<dyn Store>, crate::StoreError> + Send + 'static,
    opts: &Options,
) -> Result<(Running, u64), ServeError> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
    let stores = (0..cores)
        .map(|_| open().map(Mutex::new))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ServeError::Store)?;
    let inline = stores
        .iter()
        .all(|s| s.lock().map(|s| s.lookups_are_brief()).unwrap_or(false));
    let purged = start_purge(open, opts)?;
    let viewer_secret = match stores.first().map(|s| s.lock()) {
        Some(Ok(s)) => s.viewer_secret().to_vec(),
        _ => {
            return Err(ServeError::Store(crate::StoreError::Database(
                "no database connection".into(),
            )))
        }
    };
    let app = Arc::new(App {
        stores,
        versions: Mutex::new(HashMap::new()),
        programs: Mutex::new(HashMap::new()),
        pages: Pages::speaking(opts.voice.is_some()).map_err(ServeError::Templates)?,
        limiter: Limiter::new(opts.failures_per_minute),
        trusted_proxies: opts.trusted_proxies.clone(),
        events: events::Events::new(&viewer_secret, opts.event_batches_per_minute),
        as_of: opts.as_of,
        each_window: opts.each_window,
        log: opts.log,
        inline,
        visuals: opts.visuals.clone(),
        voice: opts.voice.as_ref().map(audio::Voice::new),
    });
    start_idle_reads(Arc::downgrade(&app));
    let router = Router::new()
        .route("/g/{token}", page(Page::Player))
        .route("/g/{token}/testo", page(Page::Text))
        .route("/g/{token}/audio", page(Page::Audio))
        .route("/g/{token}/rating", guide_web::axum::routing::post(rating))
        .route(
            "/g/{token}/eventi",
            guide_web::axum::routing::post(events::ingest).layer(
                guide_web::axum::extract::DefaultBodyLimit::max(events::MAX_BODY),
            ),
        )
        .route("/static/{*name}", get(asset))
        .route("/visual/{campaign}/{name}", get(visual))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(not_found)
        .with_state(app);
    let config = Config {
        addr: opts.addr,
        headers: SecurityHeaders {
            content_security_policy: CONTENT_SECURITY_POLICY.into(),
            cache_control: "private, no-store".into(),
        },
        thread_name: "guide-serve".into(),
        limits: guide_web::Limits {
            max_per_address: opts.max_per_address.max(1),
            max_connections: guide_web::Limits::default()
                .max_connections
                .max(opts.max_per_address + 64),
            ..guide_web::Limits::default()
        },
        ..Config::default()
    };
    let server = Server::start(config, router).map_err(ServeError::Web)?;
    Ok((Running { server }, purged))
}

/// What a look-up found.
enum Lookup {
    Player(Vec<u8>),
    Audio(Vec<u8>),
    AudioPending,
    NotYet(Date),
    Gone(Option<Date>),
    NotFound,
    TooMany,
    Failed,
}

/// Which page of a guide.
#[derive(Clone, Copy)]
enum Page {
    Player,
    Text,
    Audio,
}

impl Page {
    /// What follows `/g/TOKEN` in the page's path.
    fn suffix(self) -> &'static str {
        match self {
            Page::Player => "",
            Page::Text => "/testo",
            Page::Audio => "/audio",
        }
    }
}

thread_local! {
    /// The timeline's JSON on its way into a page, one buffer per thread.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// How long the version served of a campaign is kept before it is read again: a campaign
/// published again reaches its links within this time.
const VERSION_TTL: Duration = Duration::from_secs(5);

impl App {
    /// A database connection: the first one free, else the first one.
    fn store(&self) -> Option<std::sync::MutexGuard<'_, Box<dyn Store>>> {
        for s in &self.stores {
            if let Ok(guard) = s.try_lock() {
                return Some(guard);
            }
        }
        self.stores.first()?.lock().ok()
    }

    /// The version of `campaign` served now.
    fn current_version(&self, campaign: &str) -> Option<String> {
        let now = Instant::now();
        if let Some((v, at)) = self.versions.lock().ok()?.get(campaign) {
            if now.duration_since(*at) < VERSION_TTL {
                return Some(v.clone());
            }
        }
        let v = self.store()?.current_version(campaign).ok()??;
        self.versions
            .lock()
            .ok()?
            .insert(campaign.to_string(), (v.clone(), now));
        Some(v)
    }

    fn program(&self, campaign: &str, version: &str) -> Option<Arc<Program>> {
        if let Some(p) = self.programs.lock().ok()?.get(version) {
            return Some(Arc::clone(p));
        }
        let bytes = self.store()?.bytecode(campaign, version).ok()??;
        let program = Arc::new(Program::from_bytes(&bytes).ok()?);
        self.programs
            .lock()
            .ok()?
            .insert(version.to_string(), Arc::clone(&program));
        Some(program)
    }

    fn look_up(&self, token: &str, client: IpAddr, page: Page) -> Lookup {
        if !self.limiter.allowed(client) {
            return Lookup::TooMany;
        }
        // A malformed token is looked up too: the same work, the same answer as an unknown one.
        let key = if is_token(token) { token } else { "-" };
        let found = match self.store() {
            Some(mut s) => s.recipient(key),
            None => return Lookup::Failed,
        };
        let row = match found {
            Ok(Some(row)) => row,
            Ok(None) => {
                self.limiter.failed(client);
                return Lookup::NotFound;
            }
            Err(_) => return Lookup::Failed,
        };
        let day = match (self.each_window, row.from, row.until) {
            (true, Some(from), _) => from,
            (true, None, Some(until)) => {
                Date::from_days(until.to_days() - 1).unwrap_or_else(|| today(self.as_of))
            }
            _ => today(self.as_of),
        };
        if row.until.is_some_and(|u| day >= u) {
            return Lookup::Gone(row.until);
        }
        let Some(record) = row.record else {
            return Lookup::Gone(row.until);
        };
        if let Some(from) = row.from.filter(|f| day < *f) {
            return Lookup::NotYet(from);
        }
        let version = self.current_version(&row.campaign).unwrap_or(row.version);
        let Some(program) = self.program(&row.campaign, &version) else {
            return Lookup::Failed;
        };
        let mut ev = program.evaluator();
        // `today` in the campaign is the day of the view.
        ev.set_today(Some(day));
        match ev.evaluate_json_str(&record) {
            Ok(Outcome::Eligible(t)) => match page {
                Page::Player => Lookup::Player(
                    SCRATCH.with_borrow_mut(|scratch| self.pages.player_bytes(t, token, scratch)),
                ),
                Page::Text => Lookup::Player(self.pages.text(t, token).into_bytes()),
                Page::Audio => match &self.voice {
                    Some(v) => match serde_json::from_str::<serde_json::Value>(&record) {
                        Ok(json) => {
                            match v.audio(t, (&row.campaign, &version), &program, &json, day) {
                                audio::Spoken::Ready(bytes) => Lookup::Audio(bytes),
                                audio::Spoken::Pending => Lookup::AudioPending,
                            }
                        }
                        Err(_) => Lookup::Failed,
                    },
                    None => Lookup::NotFound,
                },
            },
            Ok(Outcome::NotEligible) => Lookup::Gone(None),
            Err(_) => Lookup::Failed,
        }
    }

    fn answer(&self, found: Lookup) -> Response {
        let (status, body) = match found {
            Lookup::Audio(bytes) => {
                let media = self
                    .voice
                    .as_ref()
                    .map_or("audio/ogg", audio::Voice::content_type);
                return ([(header::CONTENT_TYPE, media)], bytes).into_response();
            }
            Lookup::AudioPending => {
                return (StatusCode::ACCEPTED, [(header::RETRY_AFTER, "2")]).into_response();
            }
            Lookup::Player(html) => (StatusCode::OK, html),
            Lookup::NotYet(from) => (StatusCode::OK, self.pages.not_yet(from).into_bytes()),
            Lookup::Gone(until) => (StatusCode::GONE, self.pages.gone(until).into_bytes()),
            Lookup::NotFound => (StatusCode::NOT_FOUND, self.pages.not_found().into_bytes()),
            Lookup::TooMany => (
                StatusCode::TOO_MANY_REQUESTS,
                self.pages.too_many().into_bytes(),
            ),
            Lookup::Failed => (
                StatusCode::SERVICE_UNAVAILABLE,
                self.pages.failed().into_bytes(),
            ),
        };
        let mut resp = (status, body).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        h.insert(
            "x-robots-tag",
            HeaderValue::from_static("noindex, nofollow"),
        );
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        if status == StatusCode::TOO_MANY_REQUESTS {
            h.insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        }
        resp
    }
}

async fn view(app: Arc<App>, token: String, client: IpAddr, page: Page) -> Response {
    let hash = app.log.then(|| token_hash(&token));
    // Speaking a guide takes seconds: never on the server's own threads.
    let found = if app.inline && !matches!(page, Page::Audio) {
        app.look_up(&token, client, page)
    } else {
        let a = Arc::clone(&app);
        guide_web::tokio::task::spawn_blocking(move || a.look_up(&token, client, page))
            .await
            .unwrap_or(Lookup::Failed)
    };
    let resp = app.answer(found);
    if let Some(hash) = hash {
        eprintln!("GET /g/#{hash}{} {}", page.suffix(), resp.status().as_u16());
    }
    resp
}

/// The route of one of a recipient's pages: `/g/TOKEN` and its text and spoken versions.
fn page(page: Page) -> guide_web::axum::routing::MethodRouter<Arc<App>> {
    get(
        move |State(app): State<Arc<App>>,
              Path(token): Path<String>,
              ConnectInfo(peer): ConnectInfo<SocketAddr>,
              request: Request| async move {
            let client = client_address(peer.ip(), &app.trusted_proxies, request.headers());
            view(app, token, client, page).await
        },
    )
}

/// The rating is acknowledged, not stored here: the player reports it as an event
/// (`/g/TOKEN/eventi`), which the dashboard counts.
async fn rating(Path(_token): Path<String>) -> StatusCode {
    StatusCode::NO_CONTENT
}

async fn not_found(State(app): State<Arc<App>>) -> Response {
    app.answer(Lookup::NotFound)
}

/// A scene's picture ([`visuals`]).
async fn visual(
    State(app): State<Arc<App>>,
    Path((campaign, name)): Path<(String, String)>,
) -> Response {
    let found = app
        .visuals
        .as_deref()
        .and_then(|dir| visuals::find(dir, &campaign, &name));
    match found.and_then(|(path, media)| Some((std::fs::read(path).ok()?, media))) {
        Some((bytes, media)) => ([(header::CONTENT_TYPE, media)], bytes).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The style sheet of the recipient's page, after the preview's.
const RECIPIENT_CSS: &[u8] = include_bytes!("assets/recipient.css");

/// The script that reports what the recipient does to `POST /g/TOKEN/eventi`.
const EVENTS_JS: &[u8] = include_bytes!("assets/events.js");

/// The preview's static files (one player, two hosts), and the recipient's style sheet.
async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    if name == "recipient.css" {
        return guide_web::assets::serve(RECIPIENT_CSS, "text/css; charset=utf-8", &headers);
    }
    if name == "events.js" {
        return guide_web::assets::serve(EVENTS_JS, "text/javascript; charset=utf-8", &headers);
    }
    match guide_preview::assets::get(&name) {
        Some(a) => guide_web::assets::serve(a.bytes, a.content_type, &headers),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).expect("header"));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("address")
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let proxy = ip("127.0.0.1");
        let h = forwarded(&["203.0.113.7"]);
        // Not trusted: the header is ignored, whoever sends it.
        assert_eq!(client_address(proxy, &[], &h), proxy);
        assert_eq!(
            client_address(ip("198.51.100.1"), &[proxy], &h),
            ip("198.51.100.1")
        );
        // Trusted: the client the proxy saw.
        assert_eq!(client_address(proxy, &[proxy], &h), ip("203.0.113.7"));
        // No header, or garbage: the proxy itself.
        assert_eq!(client_address(proxy, &[proxy], &HeaderMap::new()), proxy);
        assert_eq!(
            client_address(proxy, &[proxy], &forwarded(&["nonsense"])),
            proxy
        );
    }

    #[test]
    fn a_forged_forwarded_for_does_not_choose_the_client() {
        let proxy = ip("10.0.0.2");
        let inner = ip("10.0.0.3");
        // The client wrote "1.2.3.4" itself; nginx appended the address it came from.
        let h = forwarded(&["1.2.3.4, 203.0.113.7"]);
        assert_eq!(client_address(proxy, &[proxy], &h), ip("203.0.113.7"));
        // Two proxies in a row, both trusted: the first untrusted address from the right.
        let h = forwarded(&["1.2.3.4, 203.0.113.7, 10.0.0.3"]);
        assert_eq!(
            client_address(proxy, &[proxy, inner], &h),
            ip("203.0.113.7")
        );
        // Several header lines are one list, in order.
        let h = forwarded(&["1.2.3.4", "203.0.113.7"]);
        assert_eq!(client_address(proxy, &[proxy], &h), ip("203.0.113.7"));
    }
}
