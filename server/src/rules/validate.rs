//! Checks an admin's rule before it is stored, and puts it in the form it is
//! stored in. Every refusal says what to change.

use app::api::{NewExample, NewLocationAlias, NewPatternAlias, NewPhraseRule, INTENT_NAMES};

use crate::nlu::classifier::default_examples;
use crate::nlu::rules::{normalize_name, Template};
use crate::nlu::slots::looks_like_path;
use crate::nlu::Intent;

const MAX_EXAMPLE_CHARS: usize = 300;
const MAX_NAME_CHARS: usize = 64;
const MAX_PATH_BYTES: usize = 1024;
const MAX_GLOBS: usize = 20;
const MAX_GLOB_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

fn invalid(message: impl Into<String>) -> Invalid {
    Invalid(message.into())
}

fn intent(name: &str) -> Result<String, Invalid> {
    let name = name.trim().to_lowercase();
    Intent::parse(&name)
        .map(|i| i.as_str().to_string())
        .ok_or_else(|| {
            invalid(format!(
                "\"{name}\" is not an intent. Use one of: {}.",
                INTENT_NAMES.join(", ")
            ))
        })
}

fn no_control_characters(what: &str, text: &str) -> Result<(), Invalid> {
    if text.chars().any(char::is_control) {
        return Err(invalid(format!(
            "The {what} contains a control character (a line break or tab, say); write it on one line."
        )));
    }
    Ok(())
}

pub fn phrase_rule(rule: &NewPhraseRule) -> Result<NewPhraseRule, Invalid> {
    let pattern = rule
        .pattern
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    no_control_characters("pattern", &pattern)?;
    Template::compile(&pattern).map_err(|e| invalid(e.to_string()))?;
    Ok(NewPhraseRule {
        intent: intent(&rule.intent)?,
        pattern,
    })
}

pub fn example(example: &NewExample) -> Result<NewExample, Invalid> {
    let text = example
        .text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    no_control_characters("example", &text)?;
    if text.is_empty() {
        return Err(invalid(
            "The example is empty: type a phrase someone would say.",
        ));
    }
    let chars = text.chars().count();
    if chars > MAX_EXAMPLE_CHARS {
        return Err(invalid(format!(
            "The example is {chars} characters long; at most {MAX_EXAMPLE_CHARS} are allowed."
        )));
    }
    let intent = intent(&example.intent)?;
    let normalized = normalize_name(&text);
    if let Some(shipped) = default_examples()
        .into_iter()
        .find(|e| normalize_name(&e.text) == normalized)
    {
        return Err(invalid(format!(
            "Tend already ships \"{}\" as an example of {}.",
            shipped.text,
            shipped.intent.as_str()
        )));
    }
    Ok(NewExample { intent, text })
}

/// An alias name: what people say, not a path.
fn name(raw: &str) -> Result<String, Invalid> {
    let name = normalize_name(raw);
    no_control_characters("name", &name)?;
    if name.is_empty() {
        return Err(invalid(
            "The name is empty: type the words people use, like \"the nas\".",
        ));
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(invalid(format!(
            "The name is {chars} characters long; at most {MAX_NAME_CHARS} are allowed."
        )));
    }
    if !name.chars().any(char::is_alphabetic) {
        return Err(invalid("A name needs at least one letter."));
    }
    if looks_like_path(&name) || name.contains(['"', '{', '}', '*', '?']) {
        return Err(invalid(format!(
            "\"{name}\" looks like a path or a pattern; a name is the words people say, like \"the nas\"."
        )));
    }
    Ok(name)
}

pub fn location_alias(alias: &NewLocationAlias) -> Result<NewLocationAlias, Invalid> {
    let path = alias.path.trim().to_string();
    no_control_characters("path", &path)?;
    if !(path.starts_with('/') || path == "~" || path.starts_with("~/")) {
        return Err(invalid(format!(
            "\"{path}\" is not an absolute path; write it in full, like /mnt/nas or ~/photos."
        )));
    }
    if path.len() > MAX_PATH_BYTES || path.contains('"') {
        return Err(invalid(format!(
            "The path must be at most {MAX_PATH_BYTES} bytes and contain no double quote."
        )));
    }
    Ok(NewLocationAlias {
        name: name(&alias.name)?,
        path,
    })
}

pub fn pattern_alias(alias: &NewPatternAlias) -> Result<NewPatternAlias, Invalid> {
    let mut globs: Vec<String> = Vec::new();
    for glob in alias
        .globs
        .iter()
        .map(|g| g.trim())
        .filter(|g| !g.is_empty())
    {
        if glob.chars().count() > MAX_GLOB_CHARS
            || glob.chars().any(|c| c.is_whitespace() || c.is_control())
            || glob.contains(['"', ','])
        {
            return Err(invalid(format!(
                "\"{glob}\" is not a usable pattern: at most {MAX_GLOB_CHARS} characters, no spaces, quotes or commas."
            )));
        }
        globset::Glob::new(glob)
            .map_err(|e| invalid(format!("\"{glob}\" is not a valid pattern: {e}")))?;
        if !globs.iter().any(|g| g == glob) {
            globs.push(glob.to_string());
        }
    }
    if globs.is_empty() {
        return Err(invalid("Give at least one pattern, like *.tmp."));
    }
    if globs.len() > MAX_GLOBS {
        return Err(invalid(format!("At most {MAX_GLOBS} patterns per name.")));
    }
    Ok(NewPatternAlias {
        name: name(&alias.name)?,
        globs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrase(intent: &str, pattern: &str) -> Result<NewPhraseRule, Invalid> {
        phrase_rule(&NewPhraseRule {
            intent: intent.into(),
            pattern: pattern.into(),
        })
    }

    #[test]
    fn phrase_rules_are_normalized_or_explained() {
        let ok = phrase(" Cleanup ", "  clean   {dir} every {schedule} ").unwrap();
        assert_eq!(ok.intent, "cleanup");
        assert_eq!(ok.pattern, "clean {dir} every {schedule}");
        assert!(phrase("defrag", "defrag {dir}")
            .unwrap_err()
            .0
            .contains("backup, restore"));
        assert!(phrase("cleanup", "clean {where}")
            .unwrap_err()
            .0
            .contains("{dir}"));
    }

    #[test]
    fn examples_must_be_new_and_short() {
        assert!(example(&NewExample {
            intent: "status".into(),
            text: "x".repeat(400),
        })
        .is_err());
        assert!(example(&NewExample {
            intent: "status".into(),
            text: "  ".into(),
        })
        .is_err());
        let shipped = default_examples().remove(0);
        let err = example(&NewExample {
            intent: "status".into(),
            text: shipped.text.to_uppercase(),
        })
        .unwrap_err();
        assert!(err.0.contains("already ships"), "{err}");
        let ok = example(&NewExample {
            intent: "status".into(),
            text: " how are my   chores ".into(),
        })
        .unwrap();
        assert_eq!(ok.text, "how are my chores");
    }

    #[test]
    fn aliases_need_a_name_and_a_real_target() {
        let loc = |name: &str, path: &str| {
            location_alias(&NewLocationAlias {
                name: name.into(),
                path: path.into(),
            })
        };
        assert_eq!(loc("  The   NAS ", "/mnt/nas").unwrap().name, "the nas");
        assert!(loc("/mnt/x", "/mnt/nas").is_err());
        assert!(loc("nas", "mnt/nas").is_err());
        assert!(loc("nas", "/mnt/\"x").is_err());
        assert!(loc("123", "/mnt/x").is_err());
        assert!(loc("nas", "/mnt/a\tb").is_err());
        let pat = |globs: &[&str]| {
            pattern_alias(&NewPatternAlias {
                name: "junk".into(),
                globs: globs.iter().map(|g| g.to_string()).collect(),
            })
        };
        assert_eq!(
            pat(&["*.tmp", " *.tmp ", "~*"]).unwrap().globs,
            vec!["*.tmp", "~*"]
        );
        assert!(pat(&[]).is_err());
        assert!(pat(&["a b"]).is_err());
        assert!(pat(&["[unclosed"]).is_err());
    }
}
