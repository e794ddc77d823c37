//! Minimum sizes: "larger than 500MB", "over 1.5 GiB", "超过100MB".

use std::sync::LazyLock;

use regex::Regex;

static SIZE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:(?:larger|bigger|greater)\s+(?:than|then|as)|more than|over|above|at least|exceeding|>=?|超过|大于)\s*(\d+(?:\.\d+)?)\s*(bytes?|b|kib|kb|k|mib|mb|m|gib|gb|g|tib|tb|t)(?:$|[^a-z0-9])|(\d+(?:\.\d+)?)\s*(bytes?|b|kib|kb|k|mib|mb|m|gib|gb|g|tib|tb|t)\s*(?:\+|or (?:more|larger|bigger)|以上)")
        .expect("size pattern compiles")
});

fn multiplier(unit: &str) -> f64 {
    match unit {
        "k" | "kb" => 1e3,
        "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mib" => 1024.0 * 1024.0,
        "g" | "gb" => 1e9,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" => 1e12,
        "tib" => 1024f64.powi(4),
        _ => 1.0,
    }
}

/// The minimum size in bytes, from lowercased text with paths masked out.
pub fn min_size_bytes(lower: &str) -> Option<u64> {
    let c = SIZE.captures(lower)?;
    let (n, u) = super::numbers::number_and_unit(&c)?;
    let bytes = n.parse::<f64>().ok()? * multiplier(u);
    (bytes.is_finite() && bytes >= 0.0 && bytes < u64::MAX as f64).then(|| bytes.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_and_binary_units() {
        assert_eq!(min_size_bytes("larger than 500mb"), Some(500_000_000));
        assert_eq!(min_size_bytes("over 1.5 gib"), Some(1_610_612_736));
        assert_eq!(min_size_bytes("bigger than 10 kb"), Some(10_000));
        assert_eq!(min_size_bytes("at least 4kib"), Some(4096));
        assert_eq!(min_size_bytes("files 2gb or more"), Some(2_000_000_000));
        assert_eq!(min_size_bytes("超过100mb的文件"), Some(100_000_000));
        assert_eq!(min_size_bytes("more than 100 bytes"), Some(100));
    }

    #[test]
    fn comparisons_said_loosely() {
        assert_eq!(
            min_size_bytes("files larger then 200 mb"),
            Some(200_000_000)
        );
        assert_eq!(min_size_bytes("the file bigger as 750 kb"), Some(750_000));
    }

    #[test]
    fn not_sizes() {
        assert_eq!(min_size_bytes("older than 7 days"), None);
        assert_eq!(min_size_bytes("keep 14"), None);
        assert_eq!(min_size_bytes("over 99999999999999999999999 tb"), None);
    }
}
