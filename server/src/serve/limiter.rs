//! Failed token look-ups, counted per client: a token bucket per address (an IPv6 client by its
//! /64 network) of [`Limiter::burst`] look-ups, refilled at the same number per minute. An
//! empty bucket answers `429` to every look-up of that client until it refills.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Clients remembered at most; past this, the ones whose bucket is full again are forgotten.
const MAX_CLIENTS: usize = 100_000;

/// Per-client budgets of failed look-ups.
pub struct Limiter {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

/// The key of a client: its IPv4 address, or its IPv6 /64 network.
pub(crate) fn client(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut s = v6.segments();
                s[4..].fill(0);
                IpAddr::V6(s.into())
            }
        },
    }
}

impl Limiter {
    /// A limiter allowing `per_minute` failed look-ups per client per minute (as a burst too).
    pub fn new(per_minute: u32) -> Limiter {
        Limiter {
            per_minute: per_minute.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The burst: failed look-ups a fresh client may make at once.
    pub fn burst(&self) -> u32 {
        self.per_minute
    }

    fn level(&self, entry: (f64, Instant), now: Instant) -> f64 {
        let refill = now.duration_since(entry.1).as_secs_f64() * f64::from(self.per_minute) / 60.0;
        (entry.0 + refill).min(f64::from(self.per_minute))
    }

    /// Whether `ip` may look a token up now (its bucket is not empty).
    pub fn allowed(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let Ok(buckets) = self.buckets.lock() else {
            return false;
        };
        buckets
            .get(&client(ip))
            .is_none_or(|e| self.level(*e, now) >= 1.0)
    }

    /// Counts one failed look-up of `ip`.
    pub fn failed(&self, ip: IpAddr) {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return;
        };
        if buckets.len() >= MAX_CLIENTS {
            let full = f64::from(self.per_minute);
            buckets.retain(|_, e| self.level(*e, now) < full);
        }
        let full = (f64::from(self.per_minute), now);
        let entry = buckets.entry(client(ip)).or_insert(full);
        let level = self.level(*entry, now);
        *entry = ((level - 1.0).max(0.0), now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_budget_then_waits_others_do_not() {
        let l = Limiter::new(3);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert!(l.allowed(a));
            l.failed(a);
        }
        assert!(!l.allowed(a));
        assert!(l.allowed(b));
    }

    #[test]
    fn an_ipv6_client_counts_by_its_64_network() {
        let l = Limiter::new(1);
        l.failed("2001:db8::1".parse().unwrap());
        assert!(!l.allowed("2001:db8::ffff:1".parse().unwrap()));
        assert!(l.allowed("2001:db8:0:1::1".parse().unwrap()));
    }
}
