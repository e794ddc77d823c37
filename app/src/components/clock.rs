use leptos::prelude::*;

/// The browser's time (Unix ms), ticking once a second, for the rates,
/// time left and running durations on a page. Zero in the server render
/// and until the page is hydrated, so both renders agree; views show no
/// time-dependent figure while it is zero.
#[derive(Clone, Copy)]
pub struct Clock(ReadSignal<i64>);

impl Clock {
    /// Starts a clock for this component and those below it.
    pub fn provide() -> Clock {
        let (now, set_now) = signal(0i64);
        Effect::new(move |_| start_ticking(set_now));
        let clock = Clock(now);
        provide_context(clock);
        clock
    }

    /// The clock a component above provided; one that never ticks if none did.
    pub fn expect() -> Clock {
        use_context::<Clock>().unwrap_or_else(|| Clock(signal(0).0))
    }

    /// The current time, tracked: a view reading it is redrawn every second.
    pub fn now(self) -> i64 {
        self.0.get()
    }
}

/// The browser's time (Unix ms); 0 in the server render, which has no use
/// for it.
pub fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

#[cfg(feature = "hydrate")]
fn start_ticking(set_now: WriteSignal<i64>) {
    let tick = move || set_now.set(now_ms());
    tick();
    if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
        on_cleanup(move || handle.clear());
    }
}

#[cfg(not(feature = "hydrate"))]
fn start_ticking(_set_now: WriteSignal<i64>) {}
