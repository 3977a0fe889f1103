//! The server: a tokio runtime of its own, an accept loop that admits connections within the
//! limits, hyper serving each admitted connection with the application's axum `Router`.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

use crate::admission::{Admission, Refused};
use crate::io::{drain, Guarded};
use crate::limits::MIN_HEAD;
use crate::{layers, Limits};

/// Refused connections being answered at once; past this many, they are closed unanswered.
const MAX_REFUSING: usize = 256;
/// How long a refused connection's request is drained so that it reads its `503`.
const REFUSE_DRAIN: Duration = Duration::from_millis(250);

/// The answer to a connection over a limit.
const BUSY: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
Content-Length: 30\r\nRetry-After: 1\r\nConnection: close\r\n\r\nthe server is busy: try again";

/// The security headers whose values depend on the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityHeaders {
    /// `Content-Security-Policy` of every response; `frame-ancestors 'none'` is added when the
    /// policy does not say otherwise.
    pub content_security_policy: String,
    /// `Cache-Control` of every response that does not set its own (static assets do).
    pub cache_control: String,
}

impl Default for SecurityHeaders {
    /// Nothing loaded from anywhere, nothing stored.
    fn default() -> SecurityHeaders {
        SecurityHeaders {
            content_security_policy: "default-src 'none'; frame-ancestors 'none'".into(),
            cache_control: "no-store".into(),
        }
    }
}

/// How to run a server.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address to listen on; port 0 for a free one (default `127.0.0.1:0`).
    pub addr: SocketAddr,
    /// The bounds on what clients control.
    pub limits: Limits,
    /// The application's security headers.
    pub headers: SecurityHeaders,
    /// On a loopback address, answer `421` to requests whose `Host` is not a loopback name
    /// with the server's port: a defence against DNS rebinding (default true).
    pub check_host: bool,
    /// One line per request on standard error: method, path, status, time (default false).
    pub log_requests: bool,
    /// Threads serving connections (default 0: one per core).
    pub worker_threads: usize,
    /// The name of the server's threads (default `guide-web`).
    pub thread_name: String,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            limits: Limits::default(),
            headers: SecurityHeaders::default(),
            check_host: true,
            log_requests: false,
            worker_threads: 0,
            thread_name: "guide-web".into(),
        }
    }
}

/// Why a server did not start.
#[derive(Debug)]
pub enum Error {
    /// The address could not be listened on.
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the system said.
        source: std::io::Error,
    },
    /// The runtime or its thread could not be started.
    Runtime(std::io::Error),
    /// A configured header value is not a valid header value.
    Config(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            Error::Runtime(e) => write!(f, "cannot start the server's threads: {e}"),
            Error::Config(e) => write!(f, "bad server configuration: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Bind { source, .. } | Error::Runtime(source) => Some(source),
            Error::Config(_) => None,
        }
    }
}

/// A running server. Dropping it stops it, as [`Server::stop`] does.
pub struct Server {
    addr: SocketAddr,
    admission: Arc<Admission>,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Listens on `config.addr` and serves `app` there, on threads of its own, until stopped.
    pub fn start(config: Config, app: Router) -> Result<Server, Error> {
        let mut rt = tokio::runtime::Builder::new_multi_thread();
        rt.enable_all().thread_name(config.thread_name.clone());
        if config.worker_threads > 0 {
            rt.worker_threads(config.worker_threads);
        }
        let rt = rt.build().map_err(Error::Runtime)?;
        let listener = rt
            .block_on(TcpListener::bind(config.addr))
            .map_err(|source| Error::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: config.addr,
            source,
        })?;
        let app = layers::wrap(app, &config, addr).map_err(Error::Config)?;
        let limits = config.limits.clone();
        let admission = Arc::new(Admission::new(
            limits.max_connections,
            limits.max_per_address,
        ));
        let (stop, stopped) = watch::channel(false);
        let thread = {
            let admission = Arc::clone(&admission);
            let log = config.log_requests;
            std::thread::Builder::new()
                .name(format!("{}-accept", config.thread_name))
                .spawn(move || {
                    let grace = limits.shutdown_grace;
                    rt.block_on(accept_loop(listener, app, limits, admission, stopped, log));
                    rt.shutdown_timeout(grace);
                })
                .map_err(Error::Runtime)?
        };
        Ok(Server {
            addr,
            admission,
            stop,
            thread: Some(thread),
        })
    }

    /// The address bound (with the port chosen when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Connections open now.
    pub fn connections(&self) -> usize {
        self.admission.total()
    }

    /// Connections open now from `address`.
    pub fn connections_from(&self, address: IpAddr) -> usize {
        self.admission.from(address)
    }

    /// Stops accepting, lets open requests finish for [`Limits::shutdown_grace`], then closes
    /// every connection and returns.
    pub fn stop(self) {}
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    admission: Arc<Admission>,
    mut stopped: watch::Receiver<bool>,
    log: bool,
) {
    let refusing = Arc::new(AtomicUsize::new(0));
    let mut conns = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = stopped.changed() => break,
            a = listener.accept() => a,
        };
        while conns.try_join_next().is_some() {}
        let (stream, peer) = match accepted {
            Ok(a) => a,
            // Out of file descriptors, a connection reset before it was accepted...: wait a
            // little and go on listening.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        match admission.admit(peer.ip()) {
            Ok(permit) => {
                let io = Guarded::new(stream, permit, limits.write_timeout);
                conns.spawn(serve_connection(
                    io,
                    peer,
                    app.clone(),
                    limits.clone(),
                    stopped.clone(),
                ));
            }
            Err(why) => {
                if log {
                    let why = match why {
                        Refused::Address => "its address",
                        Refused::Total => "the server",
                    };
                    eprintln!("- {peer} 503 (busy: {why} holds as many connections as it may)");
                }
                refuse(stream, &refusing);
            }
        }
    }
    drop(listener);
    let grace = limits.shutdown_grace;
    let _ = tokio::time::timeout(grace, async { while conns.join_next().await.is_some() {} }).await;
    conns.abort_all();
}

/// Answers a connection over a limit with `503` without waiting for its request, and closes it.
fn refuse(stream: TcpStream, refusing: &Arc<AtomicUsize>) {
    // A new socket's send buffer is empty: the answer fits, or the client is gone.
    let _ = stream.try_write(BUSY);
    if refusing.fetch_add(1, Ordering::SeqCst) >= MAX_REFUSING {
        refusing.fetch_sub(1, Ordering::SeqCst);
        return;
    }
    let refusing = Arc::clone(refusing);
    tokio::spawn(async move {
        drain(stream, REFUSE_DRAIN, 64 * 1024).await;
        refusing.fetch_sub(1, Ordering::SeqCst);
    });
}

async fn serve_connection(
    io: Guarded,
    peer: SocketAddr,
    app: Router,
    limits: Limits,
    mut stopped: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        let app = app.clone();
        async move { Ok::<_, Infallible>(app.oneshot(req).await.unwrap_or_else(|e| match e {})) }
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(limits.max_head.max(MIN_HEAD))
        .max_headers(limits.max_headers)
        .keep_alive(true);
    let conn = http.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stopped.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}
