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
    date_time(ms, false)
}

/// [`time`] to the second ("Wed 25 Nov, 02:00:05"), for a task's log and
/// timeline, whose lines often fall in the same minute.
pub fn time_to_the_second(ms: i64) -> String {
    date_time(ms, true)
}

fn date_time(ms: i64, with_seconds: bool) -> String {
    #[cfg(feature = "hydrate")]
    {
        let mut fields = vec![
            ("weekday", "short"),
            ("day", "numeric"),
            ("month", "short"),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
        ];
        if with_seconds {
            fields.push(("second", "2-digit"));
        }
        local_time(ms, &fields)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let secs = ms.div_euclid(1000);
        let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let seconds = if with_seconds {
            format!(":{:02}", rest % 60)
        } else {
            String::new()
        };
        format!(
            "day {days} of the Unix epoch, {:02}:{:02}{seconds} UTC",
            rest / 3600,
            rest % 3600 / 60
        )
    }
}

/// `ms` in the browser's time zone, with the `Intl.DateTimeFormat` fields
/// given.
#[cfg(feature = "hydrate")]
fn local_time(ms: i64, fields: &[(&str, &str)]) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let options = js_sys::Object::new();
    for (key, value) in fields {
        let _ = js_sys::Reflect::set(&options, &(*key).into(), &(*value).into());
    }
    String::from(date.to_locale_string("en-GB", &options))
}

/// A short day for a chart's axis ("Wed 25"); in the server render, the
/// day of the Unix epoch.
pub fn day(ms: i64) -> String {
    #[cfg(feature = "hydrate")]
    {
        local_time(ms, &[("weekday", "short"), ("day", "numeric")])
    }
    #[cfg(not(feature = "hydrate"))]
    {
        format!("day {}", ms.div_euclid(86_400_000))
    }
}

/// How long something took: `"850 ms"`, `"42 s"`, `"3 min 5 s"`,
/// `"2 h 10 min"`, `"3 d 4 h"`.
pub fn duration(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < 1000 {
        return format!("{ms} ms");
    }
    let secs = ms / 1000;
    let (days, hours, mins, secs) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    match (days, hours, mins) {
        (0, 0, 0) => format!("{secs} s"),
        (0, 0, _) => format!("{mins} min {secs} s"),
        (0, _, _) => format!("{hours} h {mins} min"),
        _ => format!("{days} d {hours} h"),
    }
}

/// A task's files for a table cell: `"30 / 40"`, or `"30 / ?"` while the
/// total is not known yet.
pub fn files_short(done: u64, total: Option<u64>) -> String {
    match total {
        Some(total) => format!("{done} / {total}"),
        None => format!("{done} / ?"),
    }
}

/// How fast a running task goes, and when it should be done: `"2.5 files/s ·
/// 1.2 MB/s · about 3 min left"`; while the total is not known yet, `"… · ?
/// files in all, time left unknown"`. `None` before there is anything to
/// measure (no time elapsed, nothing done yet).
pub fn rate_line(progress: &crate::api::ProgressView, started_at: i64, now: i64) -> Option<String> {
    let elapsed_ms = now - started_at;
    if elapsed_ms < 1000 || (progress.files_done == 0 && progress.bytes_done == 0) {
        return None;
    }
    let per_second = |n: u64| n as f64 * 1000.0 / elapsed_ms as f64;
    // Before the first file is done (one large file), only bytes move.
    let rate = match progress.files_done {
        0 => bytes_rate(per_second(progress.bytes_done)),
        files => format!(
            "{} · {}",
            files_rate(per_second(files)),
            bytes_rate(per_second(progress.bytes_done))
        ),
    };
    let left = match progress.files_total {
        None => "? files in all, time left unknown".to_string(),
        Some(total) => match remaining_ms(progress, total, elapsed_ms) {
            Some(ms) => time_left(ms),
            None => "time left unknown".to_string(),
        },
    };
    Some(format!("{rate} · {left}"))
}

/// Time left at the pace so far, by bytes when their total is known (files
/// differ in size), else by files.
fn remaining_ms(
    progress: &crate::api::ProgressView,
    files_total: u64,
    elapsed_ms: i64,
) -> Option<i64> {
    let (done, total) = if progress.bytes_total > 0 && progress.bytes_done > 0 {
        (progress.bytes_done, progress.bytes_total)
    } else {
        (progress.files_done, files_total)
    };
    if done == 0 {
        return None;
    }
    let left = total.saturating_sub(done) as f64;
    Some((elapsed_ms as f64 * left / done as f64).round() as i64)
}

/// `"about 3 min left"`, `"less than a minute left"`, `"about 2 h 10 min left"`.
pub fn time_left(ms: i64) -> String {
    let mins = (ms.max(0) as f64 / 60_000.0).round() as i64;
    match mins {
        0 => "less than a minute left".to_string(),
        1..=89 => format!("about {mins} min left"),
        90..=2879 => match mins % 60 {
            0 => format!("about {} h left", mins / 60),
            rest => format!("about {} h {rest} min left", mins / 60),
        },
        _ => format!("about {} days left", (mins as f64 / 1440.0).round() as i64),
    }
}

/// `"2.5 files/s"`; below one a second, `"12 files/min"`.
fn files_rate(per_second: f64) -> String {
    if per_second >= 1.0 {
        format!("{} files/s", one_decimal_below_ten(per_second))
    } else {
        format!("{} files/min", one_decimal_below_ten(per_second * 60.0))
    }
}

/// `"1.2 MB/s"`, `"350 kB/s"`, `"80 B/s"`: decimal units, as transfer rates
/// are usually given.
fn bytes_rate(per_second: f64) -> String {
    if per_second >= 1e6 {
        format!("{} MB/s", one_decimal_below_ten(per_second / 1e6))
    } else if per_second >= 1e3 {
        format!("{} kB/s", one_decimal_below_ten(per_second / 1e3))
    } else {
        format!("{per_second:.0} B/s")
    }
}

/// `2.46` → `"2.5"`, `12.4` → `"12"`: precision where it is readable.
fn one_decimal_below_ten(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

/// `[("state", "failed"), ("q", "a b")]` → `"?state=failed&q=a%20b"`; empty
/// values are left out, and nothing at all gives `""`.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let encoded: Vec<String> = pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| format!("{}={}", url_component(key), url_component(value)))
        .collect();
    if encoded.is_empty() {
        String::new()
    } else {
        format!("?{}", encoded.join("&"))
    }
}

/// Percent-encodes all but the characters a URL never needs escaped.
fn url_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
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

    #[test]
    fn the_server_render_gives_times_in_utc() {
        assert_eq!(
            time(86_400_000 + 3_723_000),
            "day 1 of the Unix epoch, 01:02 UTC"
        );
        assert_eq!(
            time_to_the_second(86_400_000 + 3_723_000),
            "day 1 of the Unix epoch, 01:02:03 UTC"
        );
    }

    #[test]
    fn durations_are_human() {
        assert_eq!(duration(850), "850 ms");
        assert_eq!(duration(42_000), "42 s");
        assert_eq!(duration(185_000), "3 min 5 s");
        assert_eq!(duration(2 * 3_600_000 + 10 * 60_000 + 5_000), "2 h 10 min");
        assert_eq!(duration(3 * 86_400_000 + 4 * 3_600_000), "3 d 4 h");
        assert_eq!(duration(-5), "0 ms");
    }

    #[test]
    fn an_unknown_file_total_is_a_question_mark() {
        assert_eq!(files_short(30, Some(40)), "30 / 40");
        assert_eq!(files_short(30, None), "30 / ?");
    }

    fn progress(
        files_done: u64,
        files_total: Option<u64>,
        bytes_done: u64,
        bytes_total: u64,
    ) -> crate::api::ProgressView {
        crate::api::ProgressView {
            files_done,
            files_total,
            bytes_done,
            bytes_total,
            current: None,
        }
    }

    #[test]
    fn the_rate_and_time_left_come_from_the_pace_so_far() {
        // A quarter of the bytes in 60 s: three times as long to go.
        let p = progress(10, Some(40), 25_000_000, 100_000_000);
        assert_eq!(
            rate_line(&p, 0, 60_000).unwrap(),
            "10 files/min · 417 kB/s · about 3 min left"
        );
        // Without a byte total the files set the pace.
        let p = progress(300, Some(400), 0, 0);
        assert_eq!(
            rate_line(&p, 1_000, 11_000).unwrap(),
            "30 files/s · 0 B/s · less than a minute left"
        );
        let p = progress(50, Some(100), 0, 0);
        assert_eq!(
            rate_line(&p, 0, 2 * 3_600_000).unwrap(),
            "0.4 files/min · 0 B/s · about 2 h left"
        );
    }

    #[test]
    fn a_first_large_file_moves_bytes_but_no_files_yet() {
        let p = progress(0, Some(1), 1_220_000_000, 32_000_000_000);
        assert_eq!(
            rate_line(&p, 0, 5_000).unwrap(),
            "244 MB/s · about 2 min left"
        );
    }

    #[test]
    fn a_total_not_known_yet_gives_no_time_left() {
        let p = progress(120, None, 12_000_000, 12_000_000);
        assert_eq!(
            rate_line(&p, 0, 4_000).unwrap(),
            "30 files/s · 3.0 MB/s · ? files in all, time left unknown"
        );
    }

    #[test]
    fn nothing_to_measure_gives_no_rate() {
        assert_eq!(rate_line(&progress(0, Some(4), 0, 10), 0, 60_000), None);
        assert_eq!(rate_line(&progress(2, Some(4), 10, 10), 0, 500), None);
        // A clock behind the start (another machine's) measures nothing.
        assert_eq!(rate_line(&progress(2, Some(4), 10, 10), 5_000, 0), None);
    }

    #[test]
    fn time_left_is_rounded_to_what_a_person_plans_by() {
        assert_eq!(time_left(20_000), "less than a minute left");
        assert_eq!(time_left(3 * 60_000 + 10_000), "about 3 min left");
        assert_eq!(time_left(130 * 60_000), "about 2 h 10 min left");
        assert_eq!(time_left(5 * 86_400_000), "about 5 days left");
    }

    #[test]
    fn query_strings_escape_values_and_leave_out_empty_ones() {
        assert_eq!(query_string(&[]), "");
        assert_eq!(query_string(&[("state", String::new())]), "");
        assert_eq!(
            query_string(&[
                ("state", "failed".into()),
                ("workflow", String::new()),
                ("q", "/srv/my photos&more".into()),
            ]),
            "?state=failed&q=%2Fsrv%2Fmy%20photos%26more"
        );
        assert_eq!(query_string(&[("q", "été".into())]), "?q=%C3%A9t%C3%A9");
    }
}
