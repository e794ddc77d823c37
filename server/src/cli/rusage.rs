//! CPU time and context switches around one measured run, so a bench shows
//! not only how long each tool took but how: CPU spent, cores kept busy,
//! and how often its threads handed work to each other (each hand-off that
//! finds the other thread asleep is a context switch).

use std::time::Duration;

/// Resource use of this process (Tend's engines run in it) or of its
/// waited-for children (the other tools).
#[derive(Debug, Clone, Copy)]
pub enum Who {
    ThisProcess,
    Children,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    pub user: Duration,
    pub system: Duration,
    pub context_switches: u64,
}

impl Usage {
    pub fn now(who: Who) -> Self {
        let which = match who {
            Who::ThisProcess => libc::RUSAGE_SELF,
            Who::Children => libc::RUSAGE_CHILDREN,
        };
        // SAFETY: getrusage only writes the struct it is given.
        let mut raw: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(which, &mut raw) } != 0 {
            return Self::default();
        }
        let time = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
        };
        Self {
            user: time(raw.ru_utime),
            system: time(raw.ru_stime),
            context_switches: (raw.ru_nvcsw + raw.ru_nivcsw) as u64,
        }
    }

    /// What was used between `earlier` and this reading.
    pub fn since(self, earlier: Self) -> Self {
        Self {
            user: self.user.saturating_sub(earlier.user),
            system: self.system.saturating_sub(earlier.system),
            context_switches: self
                .context_switches
                .saturating_sub(earlier.context_switches),
        }
    }

    /// One line for a run of `wall` seconds: CPU split, busy cores, switches.
    pub fn describe(&self, wall: Duration) -> String {
        let cpu = (self.user + self.system).as_secs_f64();
        format!(
            "cpu {cpu:.1}s (user {:.1}s, system {:.1}s), {:.2} cores busy, {} context switches",
            self.user.as_secs_f64(),
            self.system.as_secs_f64(),
            cpu / wall.as_secs_f64().max(1e-9),
            self.context_switches
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_done_between_two_readings_shows_in_their_difference() {
        let before = Usage::now(Who::ThisProcess);
        // Spin on a core for a while, then let another thread wake us.
        let spin_until = std::time::Instant::now() + Duration::from_millis(60);
        let mut x = 0u64;
        while std::time::Instant::now() < spin_until {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        for _ in 0..20 {
            std::thread::spawn(|| ()).join().unwrap();
        }
        let used = Usage::now(Who::ThisProcess).since(before);
        assert!(
            used.user + used.system >= Duration::from_millis(40),
            "{used:?}"
        );
        assert!(used.context_switches >= 1, "{used:?}");
        assert!(used
            .describe(Duration::from_millis(60))
            .starts_with("cpu 0."));
    }

    #[test]
    fn a_later_reading_never_gives_negative_use() {
        let later = Usage::now(Who::ThisProcess);
        let earlier = Usage {
            user: later.user + Duration::from_secs(1),
            ..later
        };
        assert_eq!(later.since(earlier).user, Duration::ZERO);
    }
}
