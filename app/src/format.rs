//! Human formatting shared by the server's messages and the browser.

/// `1536` → `"1.5 KiB"`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A task's files: `"30 of 40 files"`, `"1 of 1 file"`, or `"30 files so
/// far"` while the total is not known yet.
pub fn files_progress(done: u64, total: Option<u64>) -> String {
    let files = |n: u64| if n == 1 { "file" } else { "files" };
    match total {
        Some(total) => format!("{done} of {total} {}", files(total)),
        None => format!("{done} {} so far", files(done)),
    }
}

/// `7.0` → `"7 days"`, `1.5` → `"1.5 days"`, `1.0` → `"1 day"`.
pub fn days(d: f64) -> String {
    let rendered = if d.fract() == 0.0 {
        format!("{d:.0}")
    } else {
        let s = format!("{d:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    if rendered == "1" {
        "1 day".to_string()
    } else {
        format!("{rendered} days")
    }
}

/// Unix milliseconds as a date and time in the browser's time zone
/// ("Wed 25 Nov, 02:00"); in the server render, UTC.
pub fn time(ms: i64) -> String {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
        let options = js_sys::Object::new();
        for (key, value) in [
            ("weekday", "short"),
            ("day", "numeric"),
            ("month", "short"),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
        ] {
            let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
        }
        String::from(date.to_locale_string("en-GB", &options))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let secs = ms.div_euclid(1000);
        let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        format!(
            "day {days} of the Unix epoch, {:02}:{:02} UTC",
            rest / 3600,
            rest % 3600 / 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_human() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(5 * 1024 * 1024 * 1024), "5.0 GiB");
    }

    #[test]
    fn a_file_count_without_a_known_total_is_not_shown_as_zero() {
        assert_eq!(files_progress(30, None), "30 files so far");
        assert_eq!(files_progress(1, None), "1 file so far");
        assert_eq!(files_progress(0, None), "0 files so far");
        assert_eq!(files_progress(2, Some(2)), "2 of 2 files");
        assert_eq!(files_progress(0, Some(1)), "0 of 1 file");
        assert_eq!(files_progress(0, Some(0)), "0 of 0 files");
    }

    #[test]
    fn days_are_human() {
        assert_eq!(days(1.0), "1 day");
        assert_eq!(days(7.0), "7 days");
        assert_eq!(days(1.5), "1.5 days");
        assert_eq!(days(0.25), "0.25 days");
    }
}
