//! Shorthand for the command verbs, as terse admins type them: "bkp /srv
//! to /mnt/b", "rstr /mnt/usb -> /tank", "del *.pyc ~/src", "rm old logs".
//! The encoder splits "bkp" into word pieces that mean nothing, and the
//! keyword cues match whole words, so the shorthand is written out before
//! either reads the text.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// Each shorthand and the verb it stands for. Not
/// "bak": "the bak files" are `*.bak`.
const SHORTHAND: [(&str, &str); 9] = [
    ("bkp", "backup"),
    ("bkup", "backup"),
    ("bckp", "backup"),
    ("rstr", "restore"),
    ("rstor", "restore"),
    ("del", "delete"),
    ("rm", "delete"),
    ("cncl", "cancel"),
    ("cxl", "cancel"),
];

/// A shorthand as a word of its own: not part of a path, a glob or a file
/// name ("*.bak", "/srv/del", "rm.log").
static WORD: LazyLock<Regex> = LazyLock::new(|| {
    let words: Vec<&str> = SHORTHAND.iter().map(|(short, _)| *short).collect();
    Regex::new(&format!(
        r"(?i)(?:^|[\s,;:(])({})(?:$|[\s,;:)!?])",
        words.join("|")
    ))
    .expect("shorthand pattern compiles")
});

fn spelled_out(short: &str) -> Option<&'static str> {
    SHORTHAND
        .iter()
        .find(|(s, _)| s.eq_ignore_ascii_case(short))
        .map(|(_, verb)| *verb)
}

/// `text` with each shorthand verb written out ("bkp" → "backup").
pub fn expanded(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut at = 0;
    // Overlapping matches share a separator ("del rm x"), so search again
    // from the end of each word rather than with `captures_iter`.
    while let Some(c) = WORD.captures_at(text, at) {
        let word = c.get(1).expect("the group always takes part");
        let Some(verb) = spelled_out(word.as_str()) else {
            break;
        };
        out.push_str(&text[at..word.start()]);
        out.push_str(verb);
        at = word.end();
    }
    if at == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorthand_verbs_are_written_out() {
        assert_eq!(expanded("bkp /srv/a to /mnt/b"), "backup /srv/a to /mnt/b");
        assert_eq!(
            expanded("RSTR /mnt/usb -> /tank"),
            "restore /mnt/usb -> /tank"
        );
        assert_eq!(expanded("del *.pyc ~/src"), "delete *.pyc ~/src");
        assert_eq!(
            expanded("pls rm old logs, bkp later"),
            "pls delete old logs, backup later"
        );
        assert_eq!(expanded("cxl task 4"), "cancel task 4");
    }

    #[test]
    fn paths_globs_and_words_keep_their_letters() {
        for text in [
            "clean up *.bak in /srv",
            "restore /srv/del from /mnt/b",
            "delete rm.log",
            "the bakery folder",
            "delete bak files in /srv",
            "back up /home/rm to /mnt/x",
            "C:\\del\\files",
        ] {
            assert_eq!(expanded(text), text, "{text}");
        }
    }
}
