//! A bounded load run against a running `guide serve`: N keep-alive connections (default 256)
//! for a few seconds (default 10), each sending `GET /g/TOKEN` for tokens drawn at random from
//! a file (one token a line), or `GET PATH` when the file's name is `-` followed by the path.
//! Prints views per second, latency percentiles and the status codes seen. Client and server
//! share the machine's cores: the figures are a floor. Used by `bench/serve.sh`.
//!
//! Without RATE the load is closed: each connection sends its next request as soon as the last
//! answer is in, so the run measures the most the server can answer (and, by Little's law, its
//! mean latency is connections / throughput). With RATE (requests per second, all connections
//! together) the load is open: each connection sends on a fixed schedule, and a request's
//! latency is counted from when it was due, not from when it could be sent (a server that falls
//! behind is charged for the wait: no coordinated omission).
//!
//! ```text
//! cargo run --release -p guide-server --example serve_load -- ADDR TOKENS|-/PATH [CONNECTIONS] [SECONDS] [RATE]
//! ```

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use guide_web::tokio;
use guide_web::tokio::io::AsyncWriteExt;

#[path = "common/http.rs"]
mod http;
use http::response;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr: std::net::SocketAddr = args.next().ok_or("ADDR")?.parse()?;
    let source = args.next().ok_or("TOKENS or -/PATH")?;
    let connections: usize = args.next().map_or(Ok(256), |a| a.parse())?;
    let seconds: u64 = args.next().map_or(Ok(10), |a| a.parse())?;
    let rate: Option<f64> = args.next().map(|a| a.parse()).transpose()?;
    // The interval between two requests of one connection, in the open mode.
    let every = rate
        .filter(|r| *r > 0.0)
        .map(|r| Duration::from_secs_f64(connections as f64 / r));
    let paths: Vec<String> = match source.strip_prefix('-') {
        Some(path) => vec![path.to_string()],
        None => std::fs::read_to_string(&source)?
            .lines()
            .filter(|l| !l.is_empty())
            .map(|t| format!("/g/{t}"))
            .collect(),
    };
    if paths.is_empty() {
        return Err("no tokens".into());
    }
    let paths = std::sync::Arc::new(paths);
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let run = Duration::from_secs(seconds);
    let started = Instant::now();
    let results: Vec<(Vec<u32>, BTreeMap<u16, u64>)> = client.block_on(async move {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..connections {
            let paths = std::sync::Arc::clone(&paths);
            tasks.spawn(async move {
                let mut lat = Vec::new();
                let mut statuses = BTreeMap::new();
                let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
                    return (lat, statuses);
                };
                let _ = s.set_nodelay(true);
                let mut buf = Vec::with_capacity(32 * 1024);
                // xorshift64, one sequence per connection.
                let mut x = 0x9e37_79b9_7f4a_7c15_u64 ^ (i as u64 + 1).wrapping_mul(0x2545_f491);
                // The open mode's schedule, from when the connection is up (a connection that
                // waited in the listen queue is not charged to its requests): connections
                // spread evenly over one interval.
                let mut due = every.map(|e| {
                    tokio::time::Instant::now() + e.mul_f64(i as f64 / connections as f64)
                });
                while started.elapsed() < run {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let path = &paths[(x % paths.len() as u64) as usize];
                    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
                    let at = match (due, every) {
                        (Some(d), Some(e)) => {
                            tokio::time::sleep_until(d).await;
                            due = Some(d + e);
                            d.into_std()
                        }
                        _ => Instant::now(),
                    };
                    if s.write_all(req.as_bytes()).await.is_err() {
                        break;
                    }
                    let Some(status) = response(&mut s, &mut buf).await else {
                        break;
                    };
                    lat.push(at.elapsed().as_micros() as u32);
                    *statuses.entry(status).or_insert(0) += 1;
                }
                (lat, statuses)
            });
        }
        let mut all = Vec::new();
        while let Some(Ok(r)) = tasks.join_next().await {
            all.push(r);
        }
        all
    });
    let elapsed = started.elapsed();
    let mut latencies: Vec<u32> = results
        .iter()
        .flat_map(|(l, _)| l.iter().copied())
        .collect();
    let mut statuses = BTreeMap::new();
    for (_, s) in &results {
        for (k, v) in s {
            *statuses.entry(*k).or_insert(0u64) += v;
        }
    }
    latencies.sort_unstable();
    let pct = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q) as usize)
            .map_or(0.0, |&us| f64::from(us) / 1000.0)
    };
    let mode = match rate {
        Some(r) => format!(" (open load, {r:.0} requests/s offered)"),
        None => String::new(),
    };
    println!(
        "{} requests over {connections} keep-alive connections{mode} in {:.1} s: {:.0} requests/s; \
         latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; statuses {statuses:?}",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    Ok(())
}
