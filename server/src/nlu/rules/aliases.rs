//! Location aliases ("the NAS" → /mnt/nas) and pattern aliases ("temp
//! files" → *.tmp *.temp ~*). Before slots are extracted, each alias named in
//! the text (outside any path) is replaced by what it stands for, so the
//! usual extractors and their "to"/"from" role markers do the rest.

use std::collections::HashMap;

use regex::Regex;

/// "  The  NAS " → "the nas": how names are stored and compared.
pub fn normalize_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Words that may stand before a location name ("to the NAS", "my photos");
/// they go with the name when it is replaced.
const ARTICLES: &str = "the|my|our|their|his|her|your";

enum Meaning {
    Location(String),
    Patterns(Vec<String>),
}

#[derive(Default)]
pub struct Aliases {
    by_name: HashMap<String, Meaning>,
    /// Every name, longest first, so "the old nas" wins over "nas".
    finder: Option<Regex>,
}

/// A character that would make a name part of a longer word.
fn joins_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '/' || c == '\\'
}

impl Aliases {
    pub fn new(locations: &[(String, String)], patterns: &[(String, Vec<String>)]) -> Aliases {
        let mut by_name = HashMap::new();
        for (name, globs) in patterns {
            by_name.insert(normalize_name(name), Meaning::Patterns(globs.clone()));
        }
        // A name used for both: the location wins (it is the more specific).
        for (name, path) in locations {
            by_name.insert(normalize_name(name), Meaning::Location(path.clone()));
        }
        let mut names: Vec<&String> = by_name.keys().filter(|n| !n.is_empty()).collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let finder = (!names.is_empty()).then(|| {
            let alternatives: Vec<String> = names
                .iter()
                .map(|n| {
                    n.split(' ')
                        .map(regex::escape)
                        .collect::<Vec<_>>()
                        .join(r"\s+")
                })
                .collect();
            Regex::new(&format!(
                r"(?i)(?:\b(?:{ARTICLES})\s+)?({})",
                alternatives.join("|")
            ))
            // Every name is escaped, so the alternation always compiles;
            // should it not, aliases are simply not applied.
            .ok()
        });
        Aliases {
            by_name,
            finder: finder.flatten(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// The path a location alias names ("the NAS", "nas").
    pub fn location(&self, name: &str) -> Option<&str> {
        let name = normalize_name(name.trim_matches(|c: char| c == '"' || c == '\''));
        let bare = ARTICLES
            .split('|')
            .find_map(|a| name.strip_prefix(&format!("{a} ")))
            .unwrap_or(&name);
        [name.as_str(), bare]
            .iter()
            .find_map(|n| match self.by_name.get(*n) {
                Some(Meaning::Location(path)) => Some(path.as_str()),
                _ => None,
            })
    }

    /// `text` with every alias outside `keep_out` spans (the paths already
    /// in the text) replaced: a location by its quoted path, a pattern name
    /// by its globs.
    pub fn expand(&self, text: &str, keep_out: &[(usize, usize)]) -> Option<String> {
        let finder = self.finder.as_ref()?;
        let mut out = String::with_capacity(text.len() + 32);
        let mut at = 0;
        for caps in finder.captures_iter(text) {
            let (Some(whole), Some(name)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            let before = text[..name.start()].chars().next_back();
            let after = text[name.end()..].chars().next();
            let first = name.as_str().chars().next();
            let last = name.as_str().chars().next_back();
            // Only whole words: "nas" is not in "nasty" (names in CJK
            // script have no word boundaries to check).
            let cut_word = (first.is_some_and(joins_word) && before.is_some_and(joins_word))
                || (last.is_some_and(joins_word) && after.is_some_and(joins_word));
            let in_path = keep_out
                .iter()
                .any(|(s, e)| whole.start() < *e && whole.end() > *s);
            if cut_word || in_path {
                continue;
            }
            let Some(meaning) = self.by_name.get(&normalize_name(name.as_str())) else {
                continue;
            };
            let replacement = match meaning {
                Meaning::Location(path) => format!("\"{path}\""),
                Meaning::Patterns(globs) => globs.join(", "),
            };
            // An article goes with a location; before a pattern it stays.
            let start = match meaning {
                Meaning::Location(_) => whole.start(),
                Meaning::Patterns(_) => name.start(),
            };
            out.push_str(&text[at..start]);
            out.push_str(&replacement);
            at = name.end();
        }
        if at == 0 {
            return None;
        }
        out.push_str(&text[at..]);
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aliases() -> Aliases {
        Aliases::new(
            &[
                ("photos".into(), "/srv/photos".into()),
                ("The NAS".into(), "/mnt/nas".into()),
                ("照片".into(), "/srv/photos".into()),
            ],
            &[(
                "temp files".into(),
                vec!["*.tmp".into(), "*.temp".into(), "~*".into()],
            )],
        )
    }

    #[test]
    fn names_become_paths_and_globs() {
        let a = aliases();
        assert_eq!(
            a.expand("back up my photos to the NAS", &[]).as_deref(),
            Some(r#"back up "/srv/photos" to "/mnt/nas""#)
        );
        assert_eq!(
            a.expand("clean up the temp  files in /x", &[]).as_deref(),
            Some("clean up the *.tmp, *.temp, ~* in /x")
        );
        assert_eq!(
            a.expand("把照片备份到the nas", &[]).as_deref(),
            Some(r#"把"/srv/photos"备份到"/mnt/nas""#)
        );
    }

    #[test]
    fn only_whole_words_outside_paths() {
        let a = aliases();
        assert_eq!(a.expand("back up nasty photoshop files", &[]), None);
        let text = "back up /srv/photos to /mnt/x";
        assert_eq!(a.expand(text, &[(8, 19)]), None);
        assert_eq!(a.expand("nothing here", &[]), None);
        assert_eq!(Aliases::default().expand("photos", &[]), None);
    }

    #[test]
    fn lookup_ignores_case_articles_and_quotes() {
        let a = aliases();
        assert_eq!(a.location("the nas"), Some("/mnt/nas"));
        assert_eq!(a.location("  My Photos"), Some("/srv/photos"));
        assert_eq!(a.location("\"photos\""), Some("/srv/photos"));
        assert_eq!(a.location("temp files"), None);
        assert_eq!(a.location("videos"), None);
    }
}
