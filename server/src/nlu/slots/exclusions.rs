//! What a backup leaves out: "back up /srv/photos excluding *.tmp". A
//! backup takes whole directories, so the files a backup command names
//! are only ever things to leave out, and only when it says so.

use std::sync::LazyLock;

use regex::Regex;

/// Words that make the patterns of a command things to leave out.
static EXCLUDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:exclud\w*|except|skip\w*|without|ignor\w*|leave out|but not|not the)\b")
        .expect("exclusion pattern compiles")
});

/// The patterns to leave out: all of `patterns` when the lowercased,
/// path-masked text says to leave files out, else none.
pub fn excludes(lower: &str, patterns: &[String]) -> Option<Vec<String>> {
    (!patterns.is_empty() && EXCLUDING.is_match(lower)).then(|| patterns.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn globs(g: &[&str]) -> Vec<String> {
        g.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn named_files_are_left_out_when_the_words_say_so() {
        let tmp = globs(&["*.tmp"]);
        for text in [
            "back up /srv to /mnt/nas excluding *.tmp",
            "back up /srv to /mnt/nas except *.tmp",
            "back up /srv to /mnt/nas, skip *.tmp",
            "back up /srv to /mnt/nas without the *.tmp files",
            "back up /srv to /mnt/nas and ignore *.tmp",
            "back up /srv to /mnt/nas but leave out *.tmp",
            "back up /srv to /mnt/nas but not the *.tmp files",
        ] {
            assert_eq!(excludes(text, &tmp), Some(tmp.clone()), "{text}");
        }
    }

    #[test]
    fn files_named_without_those_words_or_none_named_leave_nothing_out() {
        assert_eq!(
            excludes(
                "back up the *.jpg files in /srv to /mnt/nas",
                &globs(&["*.jpg"])
            ),
            None
        );
        assert_eq!(excludes("back up /srv excluding nothing", &[]), None);
    }
}
