//! A bounded burst of event batches against a running `guide serve`: N keep-alive connections
//! (default 64) for a few seconds (default 10), each posting `POST /g/TOKEN/eventi` batches of
//! E events (default 25: initialized, played, scenes, progress, completion, captions, paused)
//! for tokens taken in turn from a file (one token a line; every token must be in its window and
//! of the NASpI demo campaign). Prints batches and events stored per second and the status
//! codes seen. Client and server share the machine's cores: the figures are a floor. Used by
//! `bench/events.sh`.
//!
//! ```text
//! cargo run --release -p guide-server --example events_load -- ADDR TOKENS [CONNECTIONS] [SECONDS] [EVENTS]
//! ```

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use guide_web::tokio;
use guide_web::tokio::io::AsyncWriteExt;

#[path = "common/http.rs"]
mod http;
use http::response;

/// `n` valid events of a NASpI guide.
fn events(n: usize) -> String {
    let pool = [
        r#"{"k":"initialized"}"#.to_string(),
        r#"{"k":"played"}"#.to_string(),
        r#"{"k":"scene","s":"intro"}"#.to_string(),
        r#"{"k":"scene","s":"importo"}"#.to_string(),
        r#"{"k":"captions","v":0}"#.to_string(),
        r#"{"k":"completed","v":80}"#.to_string(),
        r#"{"k":"paused"}"#.to_string(),
    ];
    let progress = (1..=10).map(|i| format!(r#"{{"k":"progressed","v":{}}}"#, i * 10));
    let all: Vec<String> = pool.into_iter().chain(progress).collect();
    (0..n)
        .map(|i| all[i % all.len()].as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr: std::net::SocketAddr = args.next().ok_or("ADDR")?.parse()?;
    let tokens: Vec<String> = std::fs::read_to_string(args.next().ok_or("TOKENS")?)?
        .lines()
        .map(str::to_string)
        .filter(|t| !t.is_empty())
        .collect();
    let connections: usize = args.next().map_or(Ok(64), |a| a.parse())?;
    let seconds: u64 = args.next().map_or(Ok(10), |a| a.parse())?;
    let per_batch: usize = args.next().map_or(Ok(25), |a| a.parse())?;
    if tokens.is_empty() {
        return Err("no token".into());
    }
    let body_events = Arc::new(events(per_batch));
    let tokens = Arc::new(tokens);
    let next = Arc::new(AtomicUsize::new(0));
    let stamp = std::process::id();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let statuses = rt.block_on(async move {
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let (tokens, next, body_events) =
                (Arc::clone(&tokens), Arc::clone(&next), Arc::clone(&body_events));
            tasks.push(tokio::spawn(async move {
                let mut seen: BTreeMap<u16, u64> = BTreeMap::new();
                let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
                    return seen;
                };
                let mut buf = Vec::new();
                while Instant::now() < until {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let token = &tokens[n % tokens.len()];
                    let body = format!(
                        r#"{{"id":"{:010x}{:012x}","c":"sms","e":[{}]}}"#,
                        stamp,
                        n,
                        body_events
                    );
                    let req = format!(
                        "POST /g/{token}/eventi HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: load (Mobile)\r\n\
                         Content-Type: text/plain;charset=UTF-8\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if s.write_all(req.as_bytes()).await.is_err() {
                        break;
                    }
                    match response(&mut s, &mut buf).await {
                        Some(code) => *seen.entry(code).or_default() += 1,
                        None => break,
                    }
                }
                seen
            }));
        }
        let mut all: BTreeMap<u16, u64> = BTreeMap::new();
        for t in tasks {
            if let Ok(seen) = t.await {
                for (k, v) in seen {
                    *all.entry(k).or_default() += v;
                }
            }
        }
        all
    });
    let secs = started.elapsed().as_secs_f64();
    let stored = statuses.get(&204).copied().unwrap_or(0);
    println!(
        "event batches: {connections} connections, {seconds} s, {per_batch} events a batch: \
         {:.0} batches/s stored, {:.0} events/s stored; statuses {statuses:?}",
        stored as f64 / secs,
        stored as f64 * per_batch as f64 / secs,
    );
    Ok(())
}
