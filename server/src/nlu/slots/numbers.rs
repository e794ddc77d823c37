//! Numbers written in digits or words.

/// Regex alternation matching a number in digits or common words.
pub const NUMBER: &str = r"\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|eighteen|twenty|thirty|forty|fifty|sixty|ninety|hundred|a couple of|a few|half an?";

/// [`NUMBER`] with every word up to ninety-nine: the teens and tens it
/// lacks and the compounds ("forty-five", "twenty one"). The longer words
/// come first, so that "forty-five days" is not read as "forty" nor
/// "eighty hours" as "eight y(ears)". Read by [`value_to_99`].
pub const NUMBER_TO_99: &str = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-](?:one|two|three|four|five|six|seven|eight|nine)\b|\d+(?:\.\d+)?|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|ten|one|two|three|four|five|six|seven|eight|nine|hundred|a couple of|a few|half an?|an?";

/// Regex alternation matching a count of things in digits or words: no
/// fractions, and no "a"/"an", which in "keep a copy offsite" or "keep an
/// eye on it" count nothing.
pub const COUNT: &str = r"\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|a dozen|a couple(?: of)?";

/// [`COUNT`] as Chinese writes it: digits or numerals up to 99 (十五, 两).
pub const CHINESE_COUNT: &str = r"\d+|[一二两三四五六七八九十]+";

/// A Chinese whole number up to 999 in digits or numerals: 128, 十六,
/// 一百二十八. Read by [`whole_with_hundreds`].
pub const CHINESE_NUMBER: &str = r"\d+|[零一二两三四五六七八九十百]+";

/// Regex alternation matching an ordinal word up to "thirty-first", the
/// compound ones first so that "twenty-first" is not read as "twenty".
pub const ORDINAL: &str = r"(?:twenty|thirty)[\s-]?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth";

/// The (number, unit) of a match whose pattern has two alternatives, each
/// capturing a number and a unit: groups 1–2 or groups 3–4.
pub fn number_and_unit<'t>(c: &regex::Captures<'t>) -> Option<(&'t str, &'t str)> {
    match (c.get(1), c.get(2), c.get(3), c.get(4)) {
        (Some(n), Some(u), _, _) | (_, _, Some(n), Some(u)) => Some((n.as_str(), u.as_str())),
        _ => None,
    }
}

/// Value of a number matched by [`NUMBER`].
pub fn value(word: &str) -> Option<f64> {
    let v = match word.trim() {
        "a" | "an" | "one" => 1.0,
        "two" | "a couple of" | "a couple" | "couple of" => 2.0,
        "three" | "a few" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" | "a dozen" => 12.0,
        "thirteen" => 13.0,
        "fourteen" => 14.0,
        "fifteen" => 15.0,
        "sixteen" => 16.0,
        "seventeen" => 17.0,
        "eighteen" => 18.0,
        "nineteen" => 19.0,
        "twenty" => 20.0,
        "thirty" => 30.0,
        "forty" => 40.0,
        "fifty" => 50.0,
        "sixty" => 60.0,
        "seventy" => 70.0,
        "eighty" => 80.0,
        "ninety" => 90.0,
        "hundred" => 100.0,
        "half a" | "half an" | "半" => 0.5,
        digits if digits.starts_with(|c: char| c.is_ascii_digit()) => {
            digits.parse::<f64>().ok().filter(|v| v.is_finite())?
        }
        chinese => chinese_value(chinese)?,
    };
    Some(v)
}

/// Value of a whole number matched by [`COUNT`] or [`CHINESE_COUNT`]: "two",
/// "12", "十一"; none for a fraction or one too large for a `u32`.
pub fn whole(word: &str) -> Option<u32> {
    let v = value(word)?;
    (v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v)).then_some(v as u32)
}

/// Value of a number matched by [`NUMBER_TO_99`]: the compounds
/// ("forty-five", "twenty one") and what [`value`] reads.
pub fn value_to_99(word: &str) -> Option<f64> {
    if let Some(v) = value(word) {
        return Some(v);
    }
    let (tens, unit) = word.trim().split_once([' ', '-'])?;
    let tens = value(tens).filter(|t| (20.0..=90.0).contains(t) && t % 10.0 == 0.0)?;
    let unit = value(unit).filter(|u| (1.0..=9.0).contains(u) && u.fract() == 0.0)?;
    Some(tens + unit)
}

/// Value of a whole number matched by [`CHINESE_NUMBER`]: what [`whole`]
/// reads and the hundreds, 一百二十八 → 128, 三百零五 → 305, and 一百二
/// → 120 as it is said (a lone digit after 百 counts tens).
pub fn whole_with_hundreds(word: &str) -> Option<u32> {
    let Some((hundreds, rest)) = word.trim().split_once('百') else {
        return whole(word);
    };
    let hundreds = match hundreds {
        "" => 1,
        h => whole(h).filter(|h| (1..=9).contains(h))?,
    };
    let rest = match rest.chars().count() {
        0 => 0,
        1 if rest != "十" => whole(rest)? * 10,
        _ => whole(rest).filter(|r| *r < 100)?,
    };
    Some(hundreds * 100 + rest)
}

/// Value of an ordinal matched by [`ORDINAL`]: "first" → 1, "twenty-third" → 23.
pub fn ordinal_value(word: &str) -> Option<u32> {
    const UNITS: [&str; 9] = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    ];
    const TEENS: [&str; 10] = [
        "tenth",
        "eleventh",
        "twelfth",
        "thirteenth",
        "fourteenth",
        "fifteenth",
        "sixteenth",
        "seventeenth",
        "eighteenth",
        "nineteenth",
    ];
    let unit = |w: &str| UNITS.iter().position(|u| *u == w).map(|i| i as u32 + 1);
    let word = word.trim();
    for (tens, name) in [(20, "twenty"), (30, "thirty")] {
        if let Some(rest) = word.strip_prefix(name) {
            let rest = rest.trim_start_matches([' ', '-']);
            return Some(tens + unit(rest)?);
        }
    }
    match word {
        "twentieth" => Some(20),
        "thirtieth" => Some(30),
        _ => unit(word).or_else(|| TEENS.iter().position(|t| *t == word).map(|i| i as u32 + 10)),
    }
}

/// A Chinese numeral up to 99: 三, 十五, 二十, 两, 零五.
fn chinese_value(word: &str) -> Option<f64> {
    let digit = |c: char| {
        "零一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .or((c == '两').then_some(2))
    };
    let chars: Vec<char> = word.chars().collect();
    let v = match chars.as_slice() {
        ['十'] => 10,
        [d] => digit(*d)?,
        ['零', d] => digit(*d)?,
        ['十', d] => 10 + digit(*d)?,
        [t, '十'] => digit(*t)? * 10,
        [t, '十', d] => digit(*t)? * 10 + digit(*d)?,
        _ => return None,
    };
    Some(v as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_digits() {
        assert_eq!(value("two"), Some(2.0));
        assert_eq!(value("a"), Some(1.0));
        assert_eq!(value("1.5"), Some(1.5));
        assert_eq!(value("a couple of"), Some(2.0));
        assert_eq!(value("a dozen"), Some(12.0));
        assert_eq!(value("nineteen"), Some(19.0));
        assert_eq!(value("lots"), None);
        assert_eq!(value("三"), Some(3.0));
        assert_eq!(value("两"), Some(2.0));
        assert_eq!(value("十"), Some(10.0));
        assert_eq!(value("十五"), Some(15.0));
        assert_eq!(value("二十"), Some(20.0));
        assert_eq!(value("三十六"), Some(36.0));
        assert_eq!(value("十十"), None);
        assert_eq!(value("零五"), Some(5.0));
        assert_eq!(whole("十一"), Some(11));
        assert_eq!(whole("1.5"), None);
    }

    #[test]
    fn words_up_to_ninety_nine() {
        assert_eq!(value_to_99("ninety"), Some(90.0));
        assert_eq!(value_to_99("ninety-nine"), Some(99.0));
        assert_eq!(value_to_99("forty five"), Some(45.0));
        assert_eq!(value_to_99("seventy"), Some(70.0));
        assert_eq!(value_to_99("a couple of"), Some(2.0));
        assert_eq!(value_to_99("2.5"), Some(2.5));
        // No compound of a teen or of two units.
        assert_eq!(value_to_99("twelve-one"), None);
        assert_eq!(value_to_99("twenty-twenty"), None);
        let number = regex::Regex::new(&format!("^(?:{NUMBER_TO_99})$")).expect("compiles");
        for word in ["ninety-nine", "twenty one", "seventeen", "eighty", "half a"] {
            assert!(number.is_match(word), "{word}");
        }
        let first = regex::Regex::new(NUMBER_TO_99).expect("compiles");
        for (text, word) in [("eighty hours", "eighty"), ("seventeen weeks", "seventeen")] {
            assert_eq!(first.find(text).map(|m| m.as_str()), Some(word), "{text}");
        }
    }

    #[test]
    fn chinese_hundreds() {
        assert_eq!(whole_with_hundreds("128"), Some(128));
        assert_eq!(whole_with_hundreds("十六"), Some(16));
        assert_eq!(whole_with_hundreds("一百二十八"), Some(128));
        assert_eq!(whole_with_hundreds("三百零五"), Some(305));
        assert_eq!(whole_with_hundreds("两百"), Some(200));
        assert_eq!(whole_with_hundreds("百"), Some(100));
        assert_eq!(whole_with_hundreds("一百二"), Some(120));
        assert_eq!(whole_with_hundreds("一百一十五"), Some(115));
        assert_eq!(whole_with_hundreds("十百"), None);
        assert_eq!(whole_with_hundreds("一百百"), None);
    }

    #[test]
    fn ordinals() {
        assert_eq!(ordinal_value("first"), Some(1));
        assert_eq!(ordinal_value("twelfth"), Some(12));
        assert_eq!(ordinal_value("twentieth"), Some(20));
        assert_eq!(ordinal_value("twenty-first"), Some(21));
        assert_eq!(ordinal_value("thirty first"), Some(31));
        assert_eq!(ordinal_value("twenty"), None);
        assert_eq!(ordinal_value("last"), None);
    }
}
