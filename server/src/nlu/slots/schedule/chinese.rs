//! Times of day as Chinese writes them, in digits or numerals, with the
//! part of the day that places them: 每天晚上十一点 → 23:00, 下午三点半 →
//! 15:30, 凌晨2点 → 2:00, 每周一早上八点十五分 → 8:15.

use std::sync::LazyLock;

use regex::Regex;

use super::super::numbers;

/// An hour before 点/时, its part of the day before it and its minutes
/// after it. 早/晚 alone come last, so 晚上 is read whole.
static CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:(?P<part>凌晨|清晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|夜间|半夜|深夜|午夜|早|晚)\s*)?",
        r"(?P<hour>\d{1,2}|[零一二两三四五六七八九十]{1,3})\s*[点點时]钟?",
        r"(?:\s*(?P<minute>\d{1,2}|[零一二两三四五六七八九十]{1,3})\s*分",
        r"|(?P<half>半)|(?P<quarter>一刻)|(?P<three_quarters>三刻)",
        r"|(?P<bare_minute>\d{2}|[零一二三四五六七八九十]{2,3}))?",
    ))
    .expect("chinese clock compiles")
});
/// Words that say a schedule: an hour in numerals counts only beside them,
/// for 一点 alone is as often "a little".
static CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"每|天天|星期|礼拜|周[一二三四五六日天末]|工作日|定时")
        .expect("chinese cue compiles")
});
/// A day of the week just before an hour: in 周二十点 the 二 is Tuesday's.
static DAY_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:周|星期|礼拜)[一二三四五六日天]?$").expect("day before compiles")
});
/// What may stand right before an hour in numerals said with no part of
/// the day: 每天|十点, 周日|三点, 在|八点; not 快|一点 ("a bit faster").
const BEFORE_A_BARE_HOUR: &[char] = &[
    '天', '日', '晚', '号', '末', '在', '于', '到', '是', '的', ',', '，', '、', '。', ';', '；',
    ':', '：',
];

/// (minute, hours) of the Chinese times of day in `lower`: every time said
/// at the first one's minute (每天早上八点和晚上八点 → 0, [8, 20]), or noon
/// or midnight said alone in a schedule (每天中午, 每周日午夜; not 中午前).
pub fn time_of_day(lower: &str) -> Option<(u32, Vec<u32>)> {
    let mut times = CLOCK.captures_iter(lower).filter_map(|c| clock(lower, &c));
    if let Some((minute, hour)) = times.next() {
        let mut hours = vec![hour];
        hours.extend(times.filter(|&(m, _)| m == minute).map(|(_, h)| h));
        hours.sort_unstable();
        hours.dedup();
        return Some((minute, hours));
    }
    if !CUE.is_match(lower) {
        None
    } else if lower.contains("午夜") {
        Some((0, vec![0]))
    } else {
        lower.contains("中午").then(|| (0, vec![12]))
    }
}

fn clock(lower: &str, c: &regex::Captures) -> Option<(u32, u32)> {
    let whole = c.get(0)?;
    let part = c.name("part").map(|m| m.as_str());
    let hour = c.name("hour")?;
    let mut numeral = hour.as_str();
    let before = &lower[..hour.start()];
    // 周二十点: the weekday took the 二.
    if numeral.chars().count() > 1 && part.is_none() && before.ends_with(['周', '期', '拜']) {
        numeral = &numeral[numeral.char_indices().nth(1)?.0..];
    }
    let digits = numeral.starts_with(|c: char| c.is_ascii_digit());
    if !digits && !said_as_hour(lower, before, part, numeral) {
        return None;
    }
    // 两点五GB, 2点5倍: a decimal point, not o'clock.
    let after = &lower[whole.end()..];
    let bare_minute = c.name("bare_minute").is_some();
    if after.starts_with(|c: char| c.is_ascii_digit() || "零一二两三四五六七八九十儿点".contains(c))
        || (bare_minute
            && after.starts_with(|c: char| c.is_ascii_alphabetic() || "%个倍天".contains(c)))
    {
        return None;
    }
    let minute = if let Some(m) = c.name("minute").or(c.name("bare_minute")) {
        numbers::whole(m.as_str())?
    } else if c.name("half").is_some() {
        30
    } else if c.name("quarter").is_some() {
        15
    } else if c.name("three_quarters").is_some() {
        45
    } else {
        0
    };
    let hour = in_part_of_day(part, numbers::whole(numeral)?)?;
    (minute < 60).then_some((minute, hour))
}

/// Whether an hour in numerals is one: a part of the day names it (but 早一点
/// and 晚一点 are "a bit earlier/later"), or it follows a day or a
/// preposition in a sentence that states a schedule.
fn said_as_hour(lower: &str, before: &str, part: Option<&str>, numeral: &str) -> bool {
    match part {
        Some("早" | "晚") => numeral != "一",
        Some(_) => true,
        None => {
            let before = before.trim_end();
            let placed = before.is_empty()
                || before.ends_with(BEFORE_A_BARE_HOUR)
                || DAY_BEFORE.is_match(before);
            placed && CUE.is_match(lower)
        }
    }
}

/// The hour of the day that `hour` said in `part` is: 下午三点 is 15,
/// 晚上十点 22, 晚上十二点 and 凌晨十二点 midnight, 半夜两点 2.
fn in_part_of_day(part: Option<&str>, hour: u32) -> Option<u32> {
    let hour = match (part, hour) {
        (_, h) if h > 12 => h,
        (Some("凌晨" | "半夜" | "午夜" | "深夜" | "夜里" | "夜间" | "晚上" | "晚"), 12) => {
            0
        }
        (Some("下午" | "傍晚"), h) if h < 12 => h + 12,
        (Some("中午"), h) if h < 6 => h + 12,
        (Some("晚上" | "晚" | "夜里" | "夜间" | "深夜"), h) if (5..12).contains(&h) => {
            h + 12
        }
        (_, h) => h,
    };
    (hour < 24).then_some(hour)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_in_numerals_and_digits() {
        for (text, want) in [
            ("每天晚上十一点半", (30, 23)),
            ("每周四早上八点", (0, 8)),
            ("每天凌晨两点十分", (10, 2)),
            ("每周六晚上九点", (0, 21)),
            ("工作日下午五点半", (30, 17)),
            ("每天中午十二点", (0, 12)),
            ("每天中午一点", (0, 13)),
            ("每天晚上十二点", (0, 0)),
            ("每天二十三点", (0, 23)),
            ("每天零点", (0, 0)),
            ("每晚十点", (0, 22)),
            ("每天早上七点一刻", (15, 7)),
            ("每天下午四点三刻", (45, 16)),
            ("每天上午九点二十分", (20, 9)),
            ("每天上午九点二十", (20, 9)),
            ("每天早上六点零五分", (5, 6)),
            ("每天早上八点钟", (0, 8)),
            ("每天傍晚六点", (0, 18)),
            ("每天半夜三点", (0, 3)),
            ("每天深夜十一点", (0, 23)),
            ("每天十点", (0, 10)),
            ("每周二十点", (0, 10)),
            ("星期三十一点", (0, 11)),
            ("每周日二十点", (0, 20)),
            ("每天下午3点", (0, 15)),
            ("每天8点30分", (30, 8)),
            ("每天21时", (0, 21)),
            ("每天中午", (0, 12)),
            ("每周日午夜", (0, 0)),
        ] {
            assert_eq!(time_of_day(text), Some((want.0, vec![want.1])), "{text}");
        }
    }

    #[test]
    fn several_times_in_one_sentence() {
        for (text, want) in [
            ("每天早上八点和晚上八点", (0, vec![8, 20])),
            ("每天上午九点、下午三点各备份一次", (0, vec![9, 15])),
            ("每天12点和18点", (0, vec![12, 18])),
            // Minutes that differ cannot share one cron line: the first time stays.
            ("每天八点半和晚上十点", (30, vec![8])),
        ] {
            assert_eq!(time_of_day(text), Some(want), "{text}");
        }
    }

    #[test]
    fn numerals_that_are_no_hour() {
        for text in [
            "每天备份，快一点",
            "每天晚一点再跑",
            "每天备份一点点数据",
            "每天清理大于两点五gb的文件",
            "每天清理大于2点5g的文件",
            "保留最近十个快照",
            "删除三十天以前的文件",
            "一点也不急",
            "中午前备份好",
        ] {
            assert_eq!(time_of_day(text), None, "{text}");
        }
    }
}
