//! Example phrases per intent: the classifier's knowledge. The defaults ship
//! inside the binary from `server/nlu/examples.jsonl` and
//! `server/nlu/examples-personas.jsonl` (written from four users' personas
//! and voices); admins' phrases can be added at runtime
//! ([`super::IntentIndex::insert`]).

use serde::Deserialize;

use crate::nlu::Intent;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Example {
    pub intent: Intent,
    pub text: String,
}

const DEFAULT_EXAMPLES: &str = include_str!("../../../nlu/examples.jsonl");
const PERSONA_EXAMPLES: &str = include_str!("../../../nlu/examples-personas.jsonl");

#[derive(Debug, thiserror::Error)]
#[error("example line {line}: {message}")]
pub struct ExampleError {
    pub line: usize,
    pub message: String,
}

/// Parses JSONL `{"intent": "...", "text": "..."}` lines; blank lines and
/// lines starting with `//` are skipped so the file can carry notes.
pub fn parse(jsonl: &str) -> Result<Vec<Example>, ExampleError> {
    jsonl
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.trim_start().starts_with("//"))
        .map(|(index, line)| {
            serde_json::from_str(line).map_err(|e| ExampleError {
                line: index + 1,
                message: e.to_string(),
            })
        })
        .collect()
}

/// The shipped examples.
pub fn defaults() -> Vec<Example> {
    // The file is part of the build and checked by a test, so a parse
    // failure here cannot come from user input.
    [DEFAULT_EXAMPLES, PERSONA_EXAMPLES]
        .into_iter()
        .flat_map(|file| parse(file).unwrap_or_default())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_examples_parse_and_cover_every_intent() {
        assert!(parse(PERSONA_EXAMPLES).is_ok());
        let examples = parse(DEFAULT_EXAMPLES).unwrap();
        for intent in Intent::ALL {
            let n = examples.iter().filter(|e| e.intent == intent).count();
            assert!(n >= 20, "{} has only {n} examples", intent.as_str());
        }
        let chinese = examples
            .iter()
            .filter(|e| {
                e.text
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
            })
            .count();
        assert!(chinese >= 20, "only {chinese} Chinese examples");
    }

    #[test]
    fn the_examples_copy_no_eval_item_and_none_twice() {
        // The eval sets measure phrases the classifier has not seen, the
        // blind ones above all; short phrases ("list schedules") written
        // independently can still coincide, and then the example goes.
        let mut examples = std::collections::HashSet::new();
        for example in defaults() {
            let text = example.text.trim().to_lowercase();
            assert!(examples.insert(text.clone()), "example twice: {text}");
        }
        for file in [
            "intents-dev.jsonl",
            "intents-dev2.jsonl",
            "intents-dev3.jsonl",
            "intents-heldout.jsonl",
            "slots-dev.jsonl",
            "blind/intents.jsonl",
            "blind2/intents.jsonl",
        ] {
            let path = format!("{}/eval/{file}", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let item: serde_json::Value = serde_json::from_str(line).unwrap();
                let eval_text = item["text"].as_str().unwrap().trim().to_lowercase();
                assert!(
                    !examples.contains(&eval_text),
                    "{file} item among the examples: {eval_text}"
                );
            }
        }
    }
}
