//! The process's own figures, as Prometheus's client libraries name them:
//! read from `/proc/self` at each scrape (Linux; elsewhere they stay 0).

use std::sync::atomic::AtomicU64;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

pub struct ProcessMetrics {
    cpu_seconds: Counter<f64, AtomicU64>,
    resident_bytes: Gauge,
    virtual_bytes: Gauge,
    open_fds: Gauge,
    threads: Gauge,
    start_time: Gauge<f64, AtomicU64>,
}

impl ProcessMetrics {
    pub fn register(registry: &mut Registry) -> ProcessMetrics {
        let m = ProcessMetrics {
            cpu_seconds: Counter::default(),
            resident_bytes: Gauge::default(),
            virtual_bytes: Gauge::default(),
            open_fds: Gauge::default(),
            threads: Gauge::default(),
            start_time: Gauge::default(),
        };
        registry.register(
            "process_cpu_seconds",
            "User and system CPU time spent, in seconds",
            m.cpu_seconds.clone(),
        );
        registry.register(
            "process_resident_memory_bytes",
            "Resident memory size in bytes",
            m.resident_bytes.clone(),
        );
        registry.register(
            "process_virtual_memory_bytes",
            "Virtual memory size in bytes",
            m.virtual_bytes.clone(),
        );
        registry.register(
            "process_open_fds",
            "Open file descriptors",
            m.open_fds.clone(),
        );
        registry.register("process_threads", "OS threads", m.threads.clone());
        registry.register(
            "process_start_time_seconds",
            "When the process started (Unix seconds)",
            m.start_time.clone(),
        );
        m
    }

    /// Reads the figures again.
    pub fn refresh(&self) {
        let Some(stat) = read_stat() else {
            return;
        };
        let ticks = ticks_per_second();
        let cpu = (stat.utime + stat.stime) as f64 / ticks;
        // A counter only grows: add what was spent since the last read.
        let seen = self.cpu_seconds.get();
        if cpu > seen {
            self.cpu_seconds.inc_by(cpu - seen);
        }
        let page = page_size();
        self.resident_bytes.set(stat.rss_pages.saturating_mul(page));
        self.virtual_bytes.set(stat.vsize_bytes);
        self.threads.set(stat.threads);
        if let Some(boot) = boot_time() {
            self.start_time
                .set(boot as f64 + stat.start_ticks as f64 / ticks);
        }
        if let Ok(fds) = std::fs::read_dir("/proc/self/fd") {
            self.open_fds.set(fds.count() as i64);
        }
    }
}

struct Stat {
    utime: u64,
    stime: u64,
    threads: i64,
    start_ticks: u64,
    vsize_bytes: i64,
    rss_pages: i64,
}

/// `/proc/self/stat`, after the command name (which may hold spaces).
fn read_stat() -> Option<Stat> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Field numbers in proc(5) count from 1 with pid; `after_name` starts
    // at field 3 (state).
    let field = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<i64>().ok());
    Some(Stat {
        utime: field(14)? as u64,
        stime: field(15)? as u64,
        threads: field(20)?,
        start_ticks: field(22)? as u64,
        vsize_bytes: field(23)?,
        rss_pages: field(24)?,
    })
}

fn boot_time() -> Option<i64> {
    std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|v| v.trim().parse().ok())
}

fn ticks_per_second() -> f64 {
    // SAFETY: sysconf only reads a system constant.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 {
        ticks as f64
    } else {
        100.0
    }
}

fn page_size() -> i64 {
    // SAFETY: sysconf only reads a system constant.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if size > 0 {
        size as i64
    } else {
        4096
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_figures() {
        let mut registry = Registry::default();
        let m = ProcessMetrics::register(&mut registry);
        m.refresh();
        assert!(m.resident_bytes.get() > 0);
        assert!(m.threads.get() >= 1);
        assert!(m.open_fds.get() >= 3);
        assert!(m.start_time.get() > 1.6e9);
    }
}
