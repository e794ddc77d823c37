//! Misspelled command verbs ("bakcup", "restoer", "cancl"): the keyword cues
//! match exact words and the encoder splits a typo into unrelated word
//! pieces, so a near-miss of a verb is recognized here.

use super::Intent;

/// Verbs that name a workflow on their own, as one word.
// Not "remove": one letter from "remote", a common word in admin talk.
const VERBS: [(&str, Intent); 12] = [
    ("backup", Intent::Backup),
    ("snapshot", Intent::Backup),
    ("restore", Intent::Restore),
    ("recover", Intent::Restore),
    ("sync", Intent::Sync),
    ("mirror", Intent::Sync),
    ("synchronize", Intent::Sync),
    ("synchronise", Intent::Sync),
    ("cleanup", Intent::Cleanup),
    ("delete", Intent::Cleanup),
    ("status", Intent::Status),
    ("cancel", Intent::Cancel),
];

/// The intent of the first word (or two words run together, "backk up")
/// that is one typo away from a verb: a letter added, dropped, changed, or
/// two neighbours swapped. Four-letter words only count swaps ("sycn").
pub fn misspelled_verb(text: &str) -> Option<Intent> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    for (i, word) in words.iter().enumerate() {
        let joined = words.get(i + 1).map(|next| format!("{word}{next}"));
        for candidate in std::iter::once(word).chain(joined.as_ref()) {
            for (verb, intent) in VERBS {
                if is_one_typo_away(candidate, verb) {
                    return Some(intent);
                }
            }
        }
    }
    None
}

fn is_one_typo_away(word: &str, verb: &str) -> bool {
    if word == verb || word.len() < 4 {
        return false;
    }
    let (a, b) = (word.as_bytes(), verb.as_bytes());
    if a.len() == b.len() {
        let differ: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
        let swapped = differ.len() == 2
            && differ[1] == differ[0] + 1
            && a[differ[0]] == b[differ[1]]
            && a[differ[1]] == b[differ[0]];
        return swapped || (differ.len() == 1 && a.len() >= 5);
    }
    if a.len().abs_diff(b.len()) != 1 || a.len().min(b.len()) < 4 {
        return false;
    }
    // One letter inserted into the shorter gives the longer.
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    let first_difference = (0..short.len())
        .find(|&i| short[i] != long[i])
        .unwrap_or(short.len());
    short[first_difference..] == long[first_difference + 1..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_typos_of_verbs_are_recognized() {
        for (text, intent) in [
            ("bakcup /srv to /mnt", Intent::Backup),
            ("bakup /var/www", Intent::Backup),
            ("backk up /opt to /mnt", Intent::Backup),
            ("rstore task 18", Intent::Restore),
            ("restoer ~/work", Intent::Restore),
            ("mirorr /srv/iso to /mnt", Intent::Sync),
            ("sycn ~/docs", Intent::Sync),
            ("synchronse /srv/a to /mnt/b", Intent::Sync),
            ("stauts", Intent::Status),
            ("cancl it", Intent::Cancel),
            ("cnacel job 5", Intent::Cancel),
            ("delte all .tmp", Intent::Cleanup),
        ] {
            assert_eq!(misspelled_verb(text), Some(intent), "{text}");
        }
    }

    #[test]
    fn other_words_are_not_verbs() {
        for text in [
            "mount a drive",
            "rename files",
            "mount the remote share",
            "check disk usage",
            "sync",
            "restore",
            "show me a tree",
            "",
        ] {
            assert_eq!(misspelled_verb(text), None, "{text}");
        }
    }
}
