//! Wrong admin tokens and passwords, counted per client address and per
//! user name: after [`LIMIT`] wrong tries within [`WINDOW`] that address
//! (or name) may not try again (not even with the right secret, which would
//! otherwise tell a guesser when it hit) until the window has passed. This
//! keeps a script from trying at network speed, from one address against
//! many names or from many addresses against one name.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong tokens an address may send within one window.
pub const LIMIT: u32 = 10;
/// How long an address's count lasts from its first wrong token.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at most; past it, expired entries are dropped
/// first, then the oldest, so a spray of addresses cannot grow memory.
const MAX_TRACKED: usize = 10_000;

#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<Key, Strikes>>,
}

/// What wrong tries are counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Address(IpAddr),
    /// A user name, lower case (names are unique regardless of case).
    Name(String),
}

impl Key {
    fn counted(self) -> Key {
        match self {
            Key::Address(ip) => Key::Address(counted(ip)),
            Key::Name(name) => Key::Name(name.to_lowercase()),
        }
    }
}

impl From<IpAddr> for Key {
    fn from(ip: IpAddr) -> Key {
        Key::Address(ip)
    }
}

#[derive(Clone, Copy)]
struct Strikes {
    since: Instant,
    count: u32,
}

/// The address counted for `ip`: IPv6 by its /64, the block one host is
/// usually given, so that a host cannot get fresh tries by changing its
/// interface id; IPv4-mapped IPv6 as the IPv4 address it is.
fn counted(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(Ipv6Addr::from(segments))
            }
        },
    }
}

impl Throttle {
    /// How long `who` must wait before trying again; `None` when it may.
    pub fn wait(&self, who: impl Into<Key>, now: Instant) -> Option<Duration> {
        let who = who.into().counted();
        let failures = self.failures.lock().ok()?;
        let strikes = failures.get(&who)?;
        let ends = strikes.since + WINDOW;
        (strikes.count >= LIMIT && ends > now).then(|| ends - now)
    }

    /// Counts a wrong token or password from `who`.
    pub fn failed(&self, who: impl Into<Key>, now: Instant) {
        let who = who.into().counted();
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        if failures.len() >= MAX_TRACKED && !failures.contains_key(&who) {
            failures.retain(|_, s| s.since + WINDOW > now);
            if failures.len() >= MAX_TRACKED {
                if let Some(oldest) = failures
                    .iter()
                    .min_by_key(|(_, s)| s.since)
                    .map(|(key, _)| key.clone())
                {
                    failures.remove(&oldest);
                }
            }
        }
        let strikes = failures.entry(who).or_insert(Strikes {
            since: now,
            count: 0,
        });
        if strikes.since + WINDOW <= now {
            *strikes = Strikes {
                since: now,
                count: 0,
            };
        }
        strikes.count += 1;
    }

    /// The right token: the address starts afresh.
    pub fn succeeded(&self, who: impl Into<Key>) {
        let who = who.into().counted();
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&who);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, last])
    }

    #[test]
    fn an_address_is_held_off_after_the_limit_until_its_window_ends() {
        let throttle = Throttle::default();
        let start = Instant::now();
        for _ in 0..LIMIT - 1 {
            throttle.failed(ip(1), start);
        }
        assert_eq!(throttle.wait(ip(1), start), None, "under the limit");
        throttle.failed(ip(1), start + Duration::from_secs(10));
        assert_eq!(
            throttle.wait(ip(1), start + Duration::from_secs(15)),
            Some(WINDOW - Duration::from_secs(15))
        );
        assert_eq!(
            throttle.wait(ip(2), start),
            None,
            "other addresses are not held off"
        );
        assert_eq!(
            throttle.wait(ip(1), start + WINDOW),
            None,
            "the window has passed"
        );
        // A new window starts with the next wrong token.
        throttle.failed(ip(1), start + WINDOW);
        assert_eq!(throttle.wait(ip(1), start + WINDOW), None);
    }

    #[test]
    fn an_ipv6_host_is_counted_by_its_64_block() {
        let throttle = Throttle::default();
        let now = Instant::now();
        for i in 0..LIMIT {
            let ip: IpAddr = format!("2001:db8:1:2::{:x}", i + 1).parse().unwrap();
            throttle.failed(ip, now);
        }
        let same_block: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert!(throttle.wait(same_block, now).is_some());
        let next_block: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(throttle.wait(next_block, now), None);
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        throttle.failed(mapped, now);
        assert_eq!(
            throttle
                .failures
                .lock()
                .unwrap()
                .get(&Key::Address(ip(1)))
                .unwrap()
                .count,
            1
        );
    }

    #[test]
    fn the_right_token_clears_the_count() {
        let throttle = Throttle::default();
        let now = Instant::now();
        for _ in 0..LIMIT - 1 {
            throttle.failed(ip(3), now);
        }
        throttle.succeeded(ip(3));
        throttle.failed(ip(3), now);
        assert_eq!(throttle.wait(ip(3), now), None);
    }

    #[test]
    fn a_name_is_counted_whatever_its_case_and_apart_from_addresses() {
        let throttle = Throttle::default();
        let now = Instant::now();
        for _ in 0..LIMIT {
            throttle.failed(Key::Name("Alice".into()), now);
        }
        assert!(throttle.wait(Key::Name("alice".into()), now).is_some());
        assert_eq!(throttle.wait(Key::Name("bob".into()), now), None);
        assert_eq!(throttle.wait(ip(1), now), None);
    }

    #[test]
    fn memory_stays_bounded_under_a_spray_of_addresses() {
        let throttle = Throttle::default();
        let now = Instant::now();
        for i in 0..(MAX_TRACKED as u32 + 50) {
            throttle.failed(IpAddr::from(i.to_be_bytes()), now);
        }
        assert!(throttle.failures.lock().unwrap().len() <= MAX_TRACKED);
    }
}
