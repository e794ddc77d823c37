//! Minimum sizes: "larger than 500MB", "over 1.5 GiB", "超过100MB".

use std::sync::LazyLock;

use regex::Regex;

use super::numbers::{self, NUMBER_TO_99 as NUMBER};

/// Units of size as written after digits: "500mb", "4 k", "1.5 GiB".
const UNIT: &str = r"bytes?|b|kib|kb|k|kilobytes?|kibibytes?|mib|mb|m|megabytes?|megs?|mebibytes?|gib|gb|g|gigabytes?|gigs?|gibibytes?|tib|tb|t|terabytes?|teras?|tebibytes?";

/// Units of size after a number in words: no single letters, which in
/// "over a t" or "more than a m" would read letters of words as sizes.
const WORD_UNIT: &str = r"bytes?|kib|kb|kilobytes?|kibibytes?|mib|mb|megabytes?|megs?|mebibytes?|gib|gb|gigabytes?|gigs?|gibibytes?|tib|tb|terabytes?|teras?|tebibytes?";

/// Words that say "larger than", also as second-language writers put
/// them: "bigger like 1GB", "more big than 2 GiB", "bigger as 750 kb".
const LARGER: &str = r"(?:(?:more|much)\s+)?(?:larger|bigger|greater|heavier|big|large|heavy)\s+(?:than|then|as|like)|more than|over|above|at least|exceed(?:s|ing)?|in excess of|upwards of|>=?|超过|大于";

/// An amount of bytes, digits or words: groups 1–2 or 3–4 (see
/// [`numbers::number_and_unit`]).
fn amount() -> String {
    format!(r"(\d+(?:\.\d+)?)\s*({UNIT})|\b({NUMBER})\s+({WORD_UNIT})")
}

/// A size after words that make it a minimum: "larger than 500MB", "over
/// two gigabytes", "超过100MB". The unit must end there, so that "over 2
/// months" names no size.
static LARGER_THAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?:{LARGER})\s*(?:{})(?:$|[^a-z0-9])", amount()))
        .expect("larger than compiles")
});

/// A size before words that make it a minimum: "2gb or more", "two
/// gigabytes or larger", "100MB以上".
static OR_MORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:{})\s*(?:\+|or (?:more|larger|bigger)|以上)",
        amount()
    ))
    .expect("or more compiles")
});

fn multiplier(unit: &str) -> f64 {
    let binary = unit.ends_with("ib") || unit.contains("bibyte");
    let power = match unit.chars().next() {
        Some('k') => 1,
        Some('m') => 2,
        Some('g') => 3,
        Some('t') => 4,
        _ => 0,
    };
    // GB and MB are powers of 1000, GiB and MiB of 1024, as disks count.
    let base: f64 = if binary { 1024.0 } else { 1000.0 };
    base.powi(power)
}

/// The minimum size in bytes, from lowercased text with paths masked out.
pub fn min_size_bytes(lower: &str) -> Option<u64> {
    let c = [&*LARGER_THAN, &*OR_MORE]
        .iter()
        .filter_map(|pattern| pattern.captures(lower))
        .min_by_key(|c| c.get(0).map_or(usize::MAX, |m| m.start()))?;
    let (n, u) = numbers::number_and_unit(&c)?;
    let bytes = numbers::value_to_99(n)? * multiplier(u);
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
    fn sizes_in_words() {
        for (text, want) in [
            ("bigger than two gigabytes", 2_000_000_000),
            ("larger than half a gig", 500_000_000),
            ("over a terabyte", 1_000_000_000_000),
            ("more than ten megs", 10_000_000),
            ("more than twenty-five megabytes", 25_000_000),
            ("over eighty gigs", 80_000_000_000),
            ("above twenty megabytes", 20_000_000),
            ("bigger than three gibibytes", 3_221_225_472),
            ("anything over 5 gb", 5_000_000_000),
            ("a file that's above 100 mb", 100_000_000),
            ("two gigabytes or more", 2_000_000_000),
        ] {
            assert_eq!(min_size_bytes(text), Some(want), "{text}");
        }
    }

    #[test]
    fn larger_said_by_second_language_writers() {
        for (text, want) in [
            ("the files bigger like 1gb", 1_000_000_000),
            ("the files more big than 2 gb", 2_000_000_000),
            ("proxy files more big than 2 gib", 2_147_483_648),
            ("videos more large than 700 mb", 700_000_000),
            ("files which exceed 3 gb", 3_000_000_000),
            ("in excess of 250 mb", 250_000_000),
        ] {
            assert_eq!(min_size_bytes(text), Some(want), "{text}");
        }
    }

    #[test]
    fn not_sizes() {
        assert_eq!(min_size_bytes("older than 7 days"), None);
        assert_eq!(min_size_bytes("keep 14"), None);
        assert_eq!(min_size_bytes("over 99999999999999999999999 tb"), None);
        for text in [
            "moved over at 3am",
            "more than a month old",
            "over two months",
            "bigger than the others",
            "more than two files",
            "over a megapixel",
            "larger like a house",
            "bigger than a breadbox",
        ] {
            assert_eq!(min_size_bytes(text), None, "{text}");
        }
    }
}
