//! `guide dashboard`: the staff's monitoring dashboard of the campaigns served by
//! `guide serve`, from the anonymised events the recipients' players report
//! (`guide_server::serve::events`) and the count of guides published.
//!
//! It listens on an address of its own (loopback by default), apart from the recipients'
//! service: nothing of it is reachable through `guide serve` or with a recipient's token.
//! Put it behind the staff's network or an authenticating proxy (see the README).
//!
//! | Route | |
//! |---|---|
//! | `GET /` | every campaign with its summary |
//! | `GET /c/CAMPAIGN` | every figure of a campaign: charts, and the tables behind them |
//! | `GET /c/CAMPAIGN/TABLE.csv`, `.json` | one table exported |
//! | `GET /c/CAMPAIGN/tutto.json` | every table of a campaign |
//! | `GET /static/dashboard.css` | the style sheet (no script, no font, nothing from the network) |
//!
//! Every cell counting fewer than [`figures::THRESHOLD`] viewers shows `< 10`, in the page and
//! in the exports.

pub mod export;
pub mod figures;
pub mod page;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use guide_server::{Store, StoreError};
use guide_web::axum::extract::{Path, State};
use guide_web::axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use guide_web::axum::response::{IntoResponse, Response};
use guide_web::axum::routing::get;
use guide_web::axum::Router;
use guide_web::{Config, SecurityHeaders, Server};

/// The policy of every page: the style sheet from the server, nothing else (no script at all).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
    img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The style sheet.
const CSS: &[u8] = include_bytes!("assets/dashboard.css");

/// How to serve the dashboard.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where to listen.
    pub addr: SocketAddr,
    /// One line per request on standard error.
    pub log: bool,
}

/// Why the dashboard did not start.
#[derive(Debug)]
pub enum DashboardError {
    /// The database could not be opened.
    Store(StoreError),
    /// The HTTP server did not start.
    Web(guide_web::Error),
}

impl std::fmt::Display for DashboardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DashboardError::Store(e) => write!(f, "{e}"),
            DashboardError::Web(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for DashboardError {}

/// A running dashboard: dropping it stops the server.
pub struct Running {
    server: Server,
}

impl Running {
    /// The address bound.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }
}

struct App {
    store: Mutex<Box<dyn Store>>,
    log: bool,
}

/// Starts the dashboard on `opts.addr` over the database `store`.
pub fn start(store: Box<dyn Store>, opts: &Options) -> Result<Running, DashboardError> {
    let app = Arc::new(App {
        store: Mutex::new(store),
        log: opts.log,
    });
    let router = Router::new()
        .route("/", get(index))
        .route("/c/{campaign}", get(campaign))
        .route("/c/{campaign}/{file}", get(export))
        .route(
            "/static/dashboard.css",
            get(|headers: HeaderMap| async move {
                guide_web::assets::serve(CSS, "text/css; charset=utf-8", &headers)
            }),
        )
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { html(StatusCode::NOT_FOUND, page::not_found()) })
        .with_state(app);
    let config = Config {
        addr: opts.addr,
        headers: SecurityHeaders {
            content_security_policy: CONTENT_SECURITY_POLICY.into(),
            cache_control: "private, no-store".into(),
        },
        thread_name: "guide-dashboard".into(),
        ..Config::default()
    };
    let server = Server::start(config, router).map_err(DashboardError::Web)?;
    Ok(Running { server })
}

/// What a request asked for.
enum Answer {
    Html(String),
    Csv(String),
    Json(String),
    NotFound,
    Failed,
}

impl App {
    fn answer(&self, path: &[String]) -> Answer {
        let Ok(mut guard) = self.store.lock() else {
            return Answer::Failed;
        };
        let store = guard.as_mut();
        let Ok(campaigns) = store.campaigns() else {
            return Answer::Failed;
        };
        let report = |store: &mut dyn Store, c: &str| figures::report(store, c);
        match path {
            [] => {
                let reports: Result<Vec<_>, _> =
                    campaigns.iter().map(|c| report(store, c)).collect();
                reports.map_or(Answer::Failed, |r| Answer::Html(page::index(&r)))
            }
            [c, rest @ ..] if campaigns.contains(c) => {
                let Ok(r) = report(store, c) else {
                    return Answer::Failed;
                };
                match rest {
                    [] => Answer::Html(page::campaign(&r)),
                    [f] if f == "tutto.json" => Answer::Json(export::report_json(&r).to_string()),
                    [f] => match f.rsplit_once('.') {
                        Some((id, "csv")) => r.table(id).map_or(Answer::NotFound, |t| {
                            export::csv(t).map_or(Answer::Failed, Answer::Csv)
                        }),
                        Some((id, "json")) => r.table(id).map_or(Answer::NotFound, |t| {
                            Answer::Json(export::table_json(c, t).to_string())
                        }),
                        _ => Answer::NotFound,
                    },
                    _ => Answer::NotFound,
                }
            }
            _ => Answer::NotFound,
        }
    }
}

fn html(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

async fn respond(app: Arc<App>, path: Vec<String>) -> Response {
    let shown = format!("/{}", path.join("/"));
    let a = Arc::clone(&app);
    let answer = guide_web::tokio::task::spawn_blocking(move || a.answer(&path))
        .await
        .unwrap_or(Answer::Failed);
    let resp = match answer {
        Answer::Html(b) => html(StatusCode::OK, b),
        Answer::Csv(b) => ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], b).into_response(),
        Answer::Json(b) => ([(header::CONTENT_TYPE, "application/json")], b).into_response(),
        Answer::NotFound => html(StatusCode::NOT_FOUND, page::not_found()),
        Answer::Failed => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the database could not be read",
        )
            .into_response(),
    };
    if app.log {
        eprintln!("GET {shown} {}", resp.status().as_u16());
    }
    resp
}

async fn index(State(app): State<Arc<App>>) -> Response {
    respond(app, Vec::new()).await
}

async fn campaign(State(app): State<Arc<App>>, Path(c): Path<String>) -> Response {
    respond(app, vec![c]).await
}

async fn export(State(app): State<Arc<App>>, Path((c, f)): Path<(String, String)>) -> Response {
    respond(app, vec![c, f]).await
}
