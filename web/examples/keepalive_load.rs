//! A bounded load run against guide-web itself: a server with one small JSON route on
//! 127.0.0.1, and N keep-alive connections (default 256) sending requests for a few seconds
//! (default 5), from the same process: back to back, or paced to a total RATE of requests per
//! second (open loop: each connection sends on its own schedule). Prints requests per second
//! and latency percentiles. Client and server share the machine's cores, so the figures are a
//! floor.
//!
//! ```text
//! cargo run --release -p guide-web --example keepalive_load -- [CONNECTIONS] [SECONDS] [RATE]
//! ```

use std::time::{Duration, Instant};

use guide_web::axum::{routing::get, Router};
use guide_web::tokio;
use guide_web::tokio::io::{AsyncReadExt, AsyncWriteExt};
use guide_web::{Config, Limits, Server};

const BODY: &str = r#"{"variant":"v-3f2a","scenes":["intro","importo","pagamento","fine"]}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let connections: usize = args.next().map_or(Ok(256), |a| a.parse())?;
    let seconds: u64 = args.next().map_or(Ok(5), |a| a.parse())?;
    let rate: f64 = args.next().map_or(Ok(0.0), |a| a.parse())?;
    // Each connection's interval between requests when paced.
    let interval = (rate > 0.0).then(|| Duration::from_secs_f64(connections as f64 / rate));
    let server = Server::start(
        Config {
            limits: Limits {
                max_per_address: connections + 1,
                max_connections: connections + 16,
                ..Limits::default()
            },
            ..Config::default()
        },
        Router::new().route(
            "/v",
            get(|| async { ([("content-type", "application/json")], BODY) }),
        ),
    )?;
    let addr = server.addr();
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let run = Duration::from_secs(seconds);
    let started = Instant::now();
    let mut latencies: Vec<u32> = client.block_on(async move {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..connections {
            tasks.spawn(async move {
                let mut lat = Vec::new();
                let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
                    return lat;
                };
                let _ = s.set_nodelay(true);
                let req = format!("GET /v HTTP/1.1\r\nHost: {addr}\r\n\r\n");
                let mut buf = vec![0u8; 4096];
                // Paced connections start spread over one interval.
                let mut next = interval.map(|d| started + d.mul_f64(i as f64 / connections as f64));
                while started.elapsed() < run {
                    if let (Some(at), Some(d)) = (next, interval) {
                        tokio::time::sleep_until(at.into()).await;
                        next = Some(at + d);
                    }
                    let at = Instant::now();
                    if s.write_all(req.as_bytes()).await.is_err() {
                        break;
                    }
                    // One response: its head, then its announced body (BODY's length).
                    let mut got = 0;
                    let complete = loop {
                        match s.read(&mut buf[got..]).await {
                            Ok(0) | Err(_) => break false,
                            Ok(n) => got += n,
                        }
                        if buf[..got].ends_with(BODY.as_bytes()) {
                            break true;
                        }
                        if got == buf.len() {
                            break false;
                        }
                    };
                    if !complete {
                        break;
                    }
                    lat.push(at.elapsed().as_micros() as u32);
                }
                lat
            });
        }
        let mut all = Vec::new();
        while let Some(Ok(l)) = tasks.join_next().await {
            all.extend(l);
        }
        all
    });
    let elapsed = started.elapsed();
    server.stop();
    latencies.sort_unstable();
    let pct = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q) as usize)
            .map_or(0.0, |&us| f64::from(us) / 1000.0)
    };
    println!(
        "{} requests over {connections} keep-alive connections in {:.1} s: {:.0} requests/s; \
         latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    Ok(())
}
