//! Admission of connections: a total limit and a per-address limit, checked at accept time.
//!
//! An IPv6 client commonly holds a whole /64 network and can connect from any address in it:
//! IPv6 addresses count by their /64 prefix (an IPv4-mapped address counts as its IPv4).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, PoisonError};

/// Counts the open connections, in total and per client address.
#[derive(Debug, Default)]
pub(crate) struct Admission {
    max_total: usize,
    max_per_address: usize,
    open: Mutex<Open>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// Why a connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Its address holds as many connections as it may.
    Address,
    /// The server holds as many connections as it may.
    Total,
}

/// A connection's place: given back when dropped.
#[derive(Debug)]
pub(crate) struct Permit {
    admission: Arc<Admission>,
    address: IpAddr,
}

/// The address a client's connections are counted under.
pub(crate) fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
    }
}

impl Admission {
    pub(crate) fn new(max_total: usize, max_per_address: usize) -> Admission {
        Admission {
            max_total,
            max_per_address,
            open: Mutex::default(),
        }
    }

    /// A place for a connection from `address`, if there is one.
    pub(crate) fn admit(self: &Arc<Self>, address: IpAddr) -> Result<Permit, Refused> {
        let address = client_key(address);
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let from_address = open.by_address.get(&address).copied().unwrap_or(0);
        if from_address >= self.max_per_address {
            return Err(Refused::Address);
        }
        if open.total >= self.max_total {
            return Err(Refused::Total);
        }
        open.total += 1;
        open.by_address.insert(address, from_address + 1);
        Ok(Permit {
            admission: Arc::clone(self),
            address,
        })
    }

    /// Connections open now.
    pub(crate) fn total(&self) -> usize {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total
    }

    /// Connections open now from `address`.
    pub(crate) fn from(&self, address: IpAddr) -> usize {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .by_address
            .get(&client_key(address))
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut open = self
            .admission
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.by_address.get_mut(&self.address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.by_address.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_address_and_in_total() {
        let a: IpAddr = "127.0.0.2".parse().expect("ip");
        let b: IpAddr = "127.0.0.3".parse().expect("ip");
        let c: IpAddr = "127.0.0.4".parse().expect("ip");
        let adm = Arc::new(Admission::new(3, 2));
        let a1 = adm.admit(a).expect("first");
        let _a2 = adm.admit(a).expect("second");
        assert_eq!(adm.admit(a).err(), Some(Refused::Address));
        let _b1 = adm.admit(b).expect("another address");
        assert_eq!(adm.admit(c).err(), Some(Refused::Total));
        assert_eq!((adm.total(), adm.from(a), adm.from(c)), (3, 2, 0));
        drop(a1);
        assert_eq!((adm.total(), adm.from(a)), (2, 1));
        let _c1 = adm.admit(c).expect("a place was given back");
    }

    #[test]
    fn ipv6_counts_by_its_64_prefix() {
        let adm = Arc::new(Admission::new(10, 2));
        let a: IpAddr = "2001:db8:1:2::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
        let other: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        let _a = adm.admit(a).expect("first");
        let _b = adm.admit(b).expect("second, same network");
        assert_eq!(adm.admit(a).err(), Some(Refused::Address));
        assert_eq!(adm.from(b), 2);
        let _o = adm.admit(other).expect("another network");
        let mapped: IpAddr = "::ffff:127.0.0.2".parse().expect("ip");
        let _m = adm.admit(mapped).expect("mapped");
        assert_eq!(adm.from("127.0.0.2".parse().expect("ip")), 1);
    }

    #[test]
    fn addresses_are_forgotten_when_their_last_connection_closes() {
        let adm = Arc::new(Admission::new(10, 1));
        for i in 0..100u8 {
            let p = adm.admit(IpAddr::from([10, 0, 0, i])).expect("admitted");
            drop(p);
        }
        let open = adm.open.lock().expect("lock");
        assert!(open.by_address.is_empty());
        assert_eq!(open.total, 0);
    }
}
