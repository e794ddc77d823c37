//! Phrase templates: "clean {dir} every {schedule}" compiled to an anchored,
//! case-insensitive regex whose groups are the placeholders. A template
//! without placeholders is an exact phrase.

use regex::Regex;

/// Longest template accepted.
pub const MAX_TEMPLATE_CHARS: usize = 200;

/// The parameter a placeholder fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    Source,
    Destination,
    Schedule,
    Age,
    Patterns,
    Size,
    Task,
    Keep,
}

/// Placeholder names and the parameter each fills; several names per
/// parameter so templates read naturally.
const NAMES: &[(&str, Placeholder)] = &[
    ("source", Placeholder::Source),
    ("src", Placeholder::Source),
    ("dir", Placeholder::Source),
    ("directory", Placeholder::Source),
    ("folder", Placeholder::Source),
    ("path", Placeholder::Source),
    ("from", Placeholder::Source),
    ("destination", Placeholder::Destination),
    ("dest", Placeholder::Destination),
    ("to", Placeholder::Destination),
    ("target", Placeholder::Destination),
    ("repo", Placeholder::Destination),
    ("repository", Placeholder::Destination),
    ("schedule", Placeholder::Schedule),
    ("when", Placeholder::Schedule),
    ("age", Placeholder::Age),
    ("days", Placeholder::Age),
    ("older_than", Placeholder::Age),
    ("pattern", Placeholder::Patterns),
    ("patterns", Placeholder::Patterns),
    ("files", Placeholder::Patterns),
    ("size", Placeholder::Size),
    ("min_size", Placeholder::Size),
    ("task", Placeholder::Task),
    ("task_id", Placeholder::Task),
    ("keep", Placeholder::Keep),
    ("keep_last", Placeholder::Keep),
];

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    #[error("The pattern is empty.")]
    Empty,
    #[error("The pattern is {0} characters long; at most {MAX_TEMPLATE_CHARS} are allowed.")]
    TooLong(usize),
    #[error("{{{0}}} is not a placeholder Tend knows. Use one of: {names}.", names = known_names())]
    UnknownPlaceholder(String),
    #[error("{{{0}}} appears twice; each placeholder can be used once.")]
    DuplicatePlaceholder(String),
    #[error("Two placeholders need words between them, or Tend cannot tell where one ends.")]
    AdjacentPlaceholders,
    #[error("A {{ has no matching }} (or the other way round).")]
    UnbalancedBraces,
    #[error(
        "The pattern needs at least one word besides placeholders, or it would match everything."
    )]
    NoWords,
}

fn known_names() -> String {
    NAMES
        .iter()
        .map(|(n, _)| format!("{{{n}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Clone)]
pub struct Template {
    regex: Regex,
    placeholders: Vec<Placeholder>,
}

enum Piece<'a> {
    Literal(&'a str),
    Placeholder(&'a str),
}

fn pieces(pattern: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = pattern;
    while !rest.is_empty() {
        match (rest.find('{'), rest.find('}')) {
            (None, None) => {
                out.push(Piece::Literal(rest));
                break;
            }
            (Some(open), Some(close)) if open < close => {
                if open > 0 {
                    out.push(Piece::Literal(&rest[..open]));
                }
                let name = &rest[open + 1..close];
                if name.contains('{') {
                    return Err(TemplateError::UnbalancedBraces);
                }
                out.push(Piece::Placeholder(name));
                rest = &rest[close + 1..];
            }
            _ => return Err(TemplateError::UnbalancedBraces),
        }
    }
    Ok(out)
}

/// A literal piece as regex: words escaped, any run of spaces flexible.
fn literal_regex(literal: &str) -> String {
    let mut out = String::new();
    let mut in_space = false;
    for c in literal.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push_str(r"\s+");
            }
            in_space = true;
        } else {
            in_space = false;
            out.push_str(&regex::escape(&c.to_string()));
        }
    }
    out
}

impl Template {
    pub fn compile(pattern: &str) -> Result<Template, TemplateError> {
        let pattern = pattern.trim();
        if pattern.is_empty() {
            return Err(TemplateError::Empty);
        }
        let chars = pattern.chars().count();
        if chars > MAX_TEMPLATE_CHARS {
            return Err(TemplateError::TooLong(chars));
        }
        let mut regex = String::from(r"(?is)^\s*");
        let mut placeholders = Vec::new();
        let mut names_seen = Vec::new();
        let mut previous_was_placeholder = false;
        let mut has_words = false;
        for piece in pieces(pattern)? {
            match piece {
                Piece::Literal(text) => {
                    has_words |= text.chars().any(char::is_alphanumeric);
                    // Whitespace alone between placeholders does not separate them.
                    if text.trim().is_empty() && previous_was_placeholder {
                        return Err(TemplateError::AdjacentPlaceholders);
                    }
                    regex.push_str(&literal_regex(text));
                    previous_was_placeholder = false;
                }
                Piece::Placeholder(raw) => {
                    let name = raw.trim().to_lowercase();
                    let Some(&(_, placeholder)) = NAMES.iter().find(|(n, _)| *n == name) else {
                        return Err(TemplateError::UnknownPlaceholder(raw.trim().to_string()));
                    };
                    if previous_was_placeholder {
                        return Err(TemplateError::AdjacentPlaceholders);
                    }
                    if names_seen.contains(&placeholder) {
                        return Err(TemplateError::DuplicatePlaceholder(name));
                    }
                    names_seen.push(placeholder);
                    placeholders.push(placeholder);
                    regex.push_str("(.+?)");
                    previous_was_placeholder = true;
                }
            }
        }
        if !has_words {
            return Err(TemplateError::NoWords);
        }
        // Sentence punctuation at the end does not stop a match.
        regex.push_str(r"\s*[.!?。！？]*\s*$");
        let regex = Regex::new(&regex).map_err(|_| TemplateError::UnbalancedBraces)?;
        Ok(Template {
            regex,
            placeholders,
        })
    }

    /// The text each placeholder captured, if the whole text matches.
    pub fn captures<'t>(&self, text: &'t str) -> Option<Vec<(Placeholder, &'t str)>> {
        let caps = self.regex.captures(text)?;
        Some(
            self.placeholders
                .iter()
                .zip(caps.iter().skip(1))
                .filter_map(|(p, m)| m.map(|m| (*p, m.as_str().trim())))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_capture_their_parts() {
        let t = Template::compile("clean {dir} every {schedule}").unwrap();
        assert_eq!(
            t.captures("Clean  /srv/tmp every night at 2am."),
            Some(vec![
                (Placeholder::Source, "/srv/tmp"),
                (Placeholder::Schedule, "night at 2am")
            ])
        );
        assert_eq!(t.captures("please clean /srv every day"), None);
        assert_eq!(t.captures("clean /srv"), None);
    }

    #[test]
    fn exact_phrases_and_chinese() {
        let t = Template::compile("do the photo backup").unwrap();
        assert!(t.captures("Do the photo backup!").is_some());
        assert!(t.captures("do the photo backup now").is_none());
        let t = Template::compile("清理{dir}").unwrap();
        assert_eq!(
            t.captures("清理/tmp/x"),
            Some(vec![(Placeholder::Source, "/tmp/x")])
        );
    }

    #[test]
    fn regex_characters_are_literal() {
        let t = Template::compile("tidy (a.k.a. clean) {dir}").unwrap();
        assert!(t.captures("tidy (a.k.a. clean) /x").is_some());
        assert!(t.captures("tidy xa.k.a. clean) /x").is_none());
    }

    #[test]
    fn bad_templates_are_explained() {
        use TemplateError::*;
        assert_eq!(Template::compile("  ").unwrap_err(), Empty);
        assert!(matches!(
            Template::compile("clean {where}").unwrap_err(),
            UnknownPlaceholder(n) if n == "where"
        ));
        assert!(matches!(
            Template::compile("copy {dir} and {dir}").unwrap_err(),
            DuplicatePlaceholder(_)
        ));
        assert_eq!(
            Template::compile("sync {src} {dest}").unwrap_err(),
            AdjacentPlaceholders
        );
        assert_eq!(Template::compile("{dir}").unwrap_err(), NoWords);
        assert_eq!(
            Template::compile("clean {dir").unwrap_err(),
            UnbalancedBraces
        );
        assert_eq!(
            Template::compile("clean dir}").unwrap_err(),
            UnbalancedBraces
        );
        assert!(matches!(
            Template::compile(&"a".repeat(300)).unwrap_err(),
            TooLong(300)
        ));
        assert!(UnknownPlaceholder("x".into())
            .to_string()
            .contains("{schedule}"));
    }
}
