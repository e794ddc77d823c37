//! Admins' rules, compiled for matching: phrase rules that decide the
//! intent before the model does, admin example phrases, and aliases that
//! stand for paths and globs. A [`RuleSet`] is immutable; a change builds a
//! new one and swaps it in (see `crate::rules`), so a command always sees
//! one consistent set.

mod aliases;
pub mod template;

use std::collections::HashMap;

use app::api::RulesView;

pub use aliases::{normalize_name, Aliases};
pub use template::{Placeholder, Template, TemplateError};

use super::classifier::Example;
use super::{slots, Intent, Slots};

struct PhraseRule {
    intent: Intent,
    template: Template,
    /// As the admin wrote it, for "Try it".
    pattern: String,
}

/// Which of the admins' rules decides a command's intent.
#[derive(Debug, Clone, PartialEq)]
pub enum Decider {
    /// A phrase rule, by its pattern.
    Phrase(String),
    /// An admin example typed verbatim.
    Example,
}

#[derive(Default)]
pub struct RuleSet {
    phrases: Vec<PhraseRule>,
    /// Admin example phrases, for the model.
    examples: Vec<Example>,
    /// The same, by normalized text: typed verbatim, an example decides.
    exact: HashMap<String, Intent>,
    aliases: Aliases,
}

/// How an exact phrase or example is compared: case, spacing and final
/// punctuation do not matter.
fn normalize_phrase(text: &str) -> String {
    normalize_name(
        text.trim()
            .trim_end_matches(['.', '!', '?', '。', '！', '？']),
    )
}

impl RuleSet {
    /// Compiles stored rules. They were validated when added; one that no
    /// longer compiles (a rule from a newer version) is skipped with a warning.
    pub fn from_view(view: &RulesView) -> RuleSet {
        let mut set = RuleSet::default();
        for rule in &view.phrases {
            match (
                Intent::parse(&rule.intent),
                Template::compile(&rule.pattern),
            ) {
                (Some(intent), Ok(template)) => set.phrases.push(PhraseRule {
                    intent,
                    template,
                    pattern: rule.pattern.clone(),
                }),
                _ => {
                    tracing::warn!(rule = rule.id, pattern = %rule.pattern, "skipping a phrase rule that does not compile")
                }
            }
        }
        for example in &view.examples {
            if let Some(intent) = Intent::parse(&example.intent) {
                set.exact.insert(normalize_phrase(&example.text), intent);
                set.examples.push(Example {
                    intent,
                    text: example.text.clone(),
                });
            }
        }
        let locations: Vec<(String, String)> = view
            .locations
            .iter()
            .map(|a| (a.name.clone(), a.path.clone()))
            .collect();
        let patterns: Vec<(String, Vec<String>)> = view
            .patterns
            .iter()
            .map(|a| (a.name.clone(), a.globs.clone()))
            .collect();
        set.aliases = Aliases::new(&locations, &patterns);
        set
    }

    pub fn examples(&self) -> &[Example] {
        &self.examples
    }

    /// The slots of `text`, with aliases standing for what they name.
    pub fn slots(&self, text: &str) -> Slots {
        if self.aliases.is_empty() {
            return slots::extract(text);
        }
        match self.aliases.expand(text, &slots::path_spans(text)) {
            Some(expanded) => slots::extract(&expanded),
            None => slots::extract(text),
        }
    }

    /// The words a phrase rule takes as places in `text` ("photos" in
    /// "sweep {dir} of {files}"), whether or not they name one.
    pub fn places_named(&self, text: &str) -> Vec<String> {
        let Some(rule) = self
            .phrases
            .iter()
            .find(|r| r.template.captures(text).is_some())
        else {
            return Vec::new();
        };
        rule.template
            .captures(text)
            .into_iter()
            .flatten()
            .filter(|(p, _)| matches!(p, Placeholder::Source | Placeholder::Destination))
            .map(|(_, value)| value.to_string())
            .collect()
    }

    /// `text` with its alias names replaced by what they stand for, when
    /// it names one.
    pub fn expanded(&self, text: &str) -> Option<String> {
        if self.aliases.is_empty() {
            return None;
        }
        self.aliases.expand(text, &slots::path_spans(text))
    }

    /// The intent a phrase rule (first match, oldest rule first) or an
    /// admin example typed verbatim decides for `text`; a rule's
    /// placeholders fill their slots.
    pub fn decide(&self, text: &str, slots: &mut Slots) -> Option<Intent> {
        for rule in &self.phrases {
            if let Some(captures) = rule.template.captures(text) {
                for (placeholder, value) in captures {
                    self.fill(slots, placeholder, value);
                }
                return Some(rule.intent);
            }
        }
        self.exact.get(&normalize_phrase(text)).copied()
    }

    /// The rule [`RuleSet::decide`] goes by for `text`, if any.
    pub fn decider(&self, text: &str) -> Option<Decider> {
        if let Some(rule) = self
            .phrases
            .iter()
            .find(|r| r.template.captures(text).is_some())
        {
            return Some(Decider::Phrase(rule.pattern.clone()));
        }
        self.exact
            .contains_key(&normalize_phrase(text))
            .then_some(Decider::Example)
    }

    /// The path `text` names: a location alias's, or `text` itself (quotes
    /// and final punctuation removed) when it looks like a path.
    pub fn path_named(&self, text: &str) -> Option<String> {
        let text = text
            .trim()
            .trim_matches(|c: char| matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’'))
            .trim_end_matches([',', ';', '.']);
        match self.aliases.location(text) {
            Some(path) => Some(path.to_string()),
            None if slots::looks_like_path(text) => Some(text.to_string()),
            None => None,
        }
    }

    fn fill(&self, slots: &mut Slots, placeholder: Placeholder, value: &str) {
        match placeholder {
            Placeholder::Source | Placeholder::Destination => {
                let Some(path) = self.path_named(value) else {
                    return;
                };
                let (this, other) = if placeholder == Placeholder::Source {
                    (&mut slots.source, &mut slots.destination)
                } else {
                    (&mut slots.destination, &mut slots.source)
                };
                // The sentence's own reading may have put it in the other role.
                if other.as_deref() == Some(path.as_str()) {
                    *other = None;
                }
                *this = Some(path);
            }
            Placeholder::Schedule => {
                if let Some(s) = slots::schedule_in(value) {
                    slots.schedule = Some(s);
                }
            }
            Placeholder::Age => {
                if let Some(days) = slots::age_in(value) {
                    slots.older_than_days = Some(days);
                }
            }
            Placeholder::Patterns => {
                let expanded = self.aliases.expand(value, &[]);
                let globs = slots::patterns_in(expanded.as_deref().unwrap_or(value));
                if !globs.is_empty() {
                    slots.patterns = Some(globs);
                }
            }
            Placeholder::Size => {
                if let Some(bytes) = slots::size_in(value) {
                    slots.min_size_bytes = Some(bytes);
                }
            }
            Placeholder::Task => {
                if let Some(id) = slots::count_in(value).and_then(|n| i64::try_from(n).ok()) {
                    slots.task_id = Some(id);
                }
            }
            Placeholder::Keep => {
                if let Some(n) = slots::count_in(value).and_then(|n| u32::try_from(n).ok()) {
                    slots.keep_last = Some(n).filter(|n| *n > 0);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::api::{ExampleView, LocationAliasView, PatternAliasView, PhraseRuleView};

    fn rules() -> RuleSet {
        RuleSet::from_view(&RulesView {
            phrases: vec![
                PhraseRuleView {
                    id: 1,
                    intent: "cleanup".into(),
                    pattern: "sweep {dir} every {schedule}".into(),
                    added_by: None,
                },
                PhraseRuleView {
                    id: 2,
                    intent: "backup".into(),
                    pattern: "stash {src} in {dest}, keep {keep}".into(),
                    added_by: None,
                },
                PhraseRuleView {
                    id: 3,
                    intent: "cleanup".into(),
                    pattern: "zap {files} older than {age} in {dir}".into(),
                    added_by: None,
                },
            ],
            examples: vec![ExampleView {
                id: 1,
                intent: "status".into(),
                text: "How are my chores?".into(),
                added_by: None,
            }],
            locations: vec![
                LocationAliasView {
                    id: 1,
                    name: "photos".into(),
                    path: "/srv/photos".into(),
                    added_by: None,
                },
                LocationAliasView {
                    id: 2,
                    name: "the nas".into(),
                    path: "/mnt/nas".into(),
                    added_by: None,
                },
            ],
            patterns: vec![PatternAliasView {
                id: 1,
                name: "junk".into(),
                globs: vec!["*.tmp".into(), "*.bak".into()],
                added_by: None,
            }],
            proposals: Vec::new(),
        })
    }

    fn decide(text: &str) -> (Option<Intent>, Slots) {
        let set = rules();
        let mut slots = set.slots(text);
        (set.decide(text, &mut slots), slots)
    }

    #[test]
    fn phrase_rules_decide_and_fill_their_placeholders() {
        let (intent, slots) = decide("Sweep /srv/tmp every night at 2am");
        assert_eq!(intent, Some(Intent::Cleanup));
        assert_eq!(slots.source.as_deref(), Some("/srv/tmp"));
        assert_eq!(slots.schedule.as_deref(), Some("0 2 * * *"));

        let (intent, slots) = decide("stash photos in the NAS, keep seven");
        assert_eq!(intent, Some(Intent::Backup));
        assert_eq!(slots.source.as_deref(), Some("/srv/photos"));
        assert_eq!(slots.destination.as_deref(), Some("/mnt/nas"));
        assert_eq!(slots.keep_last, Some(7));

        let (intent, slots) = decide("zap junk older than two weeks in /var/x");
        assert_eq!(intent, Some(Intent::Cleanup));
        assert_eq!(
            slots.patterns,
            Some(vec!["*.tmp".to_string(), "*.bak".to_string()])
        );
        assert_eq!(slots.older_than_days, Some(14.0));
        assert_eq!(slots.source.as_deref(), Some("/var/x"));
    }

    #[test]
    fn a_placeholder_path_takes_its_role_from_the_rule() {
        let (_, slots) = decide("stash /a/b in /c, keep 3");
        assert_eq!(slots.source.as_deref(), Some("/a/b"));
        assert_eq!(slots.destination.as_deref(), Some("/c"));
    }

    #[test]
    fn examples_typed_verbatim_decide() {
        assert_eq!(decide("how are my  chores").0, Some(Intent::Status));
        assert_eq!(decide("how are my chores today").0, None);
    }

    #[test]
    fn aliases_apply_without_a_rule() {
        let (intent, slots) = decide("back up my photos to the NAS");
        assert_eq!(intent, None);
        assert_eq!(slots.source.as_deref(), Some("/srv/photos"));
        assert_eq!(slots.destination.as_deref(), Some("/mnt/nas"));
        let (_, slots) = decide("clean up junk in /srv/photos/2020");
        assert_eq!(slots.source.as_deref(), Some("/srv/photos/2020"));
        assert_eq!(
            slots.patterns,
            Some(vec!["*.tmp".to_string(), "*.bak".to_string()])
        );
    }
}
