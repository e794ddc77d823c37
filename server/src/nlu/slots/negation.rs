//! Whether the words that state a flag are said in the negative: "no dry
//! run", "don't propagate deletions", "不要删除多余的". A flag is
//! `Some(true)` or unset, and unset is each workflow's default, so a
//! negated cue leaves the flag unset rather than setting it to false.

use std::sync::LazyLock;

use regex::Regex;

/// Words that deny what follows them within a few words.
static NEGATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:no|not|never|nor|without|dont|don't|do not|doesn't|does not|won't|shouldn't|mustn't|skip|skipping|avoid|avoiding|instead of|rather than)\b|不要|不用|不必|不需要|无需|别|勿|不|跳过|没有|没")
        .expect("negator compiles")
});

/// Where the clause a cue sits in starts: punctuation or a connective
/// ("sync without checksums and propagate deletions" denies the
/// checksums only).
static CLAUSE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[,;:.!?()，。；：！？、]|\b(?:and|but|then|so|plus|also|while)\b|但是|但|然后|并且|并|而且|再")
        .expect("clause start compiles")
});

/// Words after a cue that deny it: "dry run not needed", "deletions
/// aren't propagated".
static DENIED_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:is |are |will be |should be )?(?:not|isn't|aren't|never)\s+(?:needed|necessary|required|wanted|included|propagated|mirrored|synced|carried over|applied)\b")
        .expect("denied after compiles")
});

/// How many words before a cue a negator reaches: "don't want a dry run",
/// "no need for a preview", "no need to show me a preview".
const REACH: usize = 6;

/// How many characters before a Chinese cue a negator reaches: "不需要先"
/// denies "预览", while the 不 of "不在源里的多余文件" is no denial of what
/// follows.
const REACH_CHINESE: usize = 4;

/// The last words of the clause before byte `start` of `lower`.
pub fn words_before(lower: &str, start: usize) -> &str {
    let before = &lower[..start];
    let clause = CLAUSE_START
        .find_iter(before)
        .last()
        .map_or(before, |m| &before[m.end()..])
        .trim_end();
    if clause.chars().next_back().is_some_and(|c| !c.is_ascii()) {
        let from = clause
            .char_indices()
            .rev()
            .take(REACH_CHINESE)
            .last()
            .map_or(0, |(i, _)| i);
        return &clause[from..];
    }
    let mut from = clause.len();
    for _ in 0..REACH {
        match clause[..from].trim_end().rfind(char::is_whitespace) {
            Some(i) => from = i,
            None => return clause,
        }
    }
    &clause[from..]
}

/// Whether the cue at `start..end` of `lower` is denied by the words just
/// before it or after it.
pub fn denied(lower: &str, start: usize, end: usize) -> bool {
    NEGATOR.is_match(words_before(lower, start)) || DENIED_AFTER.is_match(&lower[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn denied_cue(text: &str, cue: &str) -> bool {
        let start = text.find(cue).expect("the cue is in the text");
        denied(text, start, start + cue.len())
    }

    #[test]
    fn negators_before_or_after_deny() {
        for (text, cue) in [
            ("no dry run", "dry run"),
            ("i don't want a dry run", "dry run"),
            ("no need for a preview", "preview"),
            ("skip the preview", "preview"),
            ("dry run not needed", "dry run"),
            ("don't propagate deletions", "propagate deletions"),
            ("不要删除多余的", "删除多余"),
            ("不需要先预览", "预览"),
        ] {
            assert!(denied_cue(text, cue), "{text}");
        }
    }

    #[test]
    fn a_negator_in_another_clause_or_far_before_does_not() {
        for (text, cue) in [
            ("don't hurry, dry run", "dry run"),
            (
                "sync without checksums and propagate deletions",
                "propagate deletions",
            ),
            ("no rush at all today, please do a preview", "preview"),
            ("clean it up, preview first", "preview"),
            ("dry run", "dry run"),
            ("先预览", "预览"),
            ("不在源里的多余文件也删掉", "多余文件也删掉"),
        ] {
            assert!(!denied_cue(text, cue), "{text}");
        }
    }
}
