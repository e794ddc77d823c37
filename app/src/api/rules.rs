//! Admins' routing rules as the rules editor and the JSON API see them.
//! Phrase rules and location/pattern aliases take precedence over the
//! model; example phrases teach it.

use serde::{Deserialize, Serialize};

/// Everything an admin has added, each list oldest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RulesView {
    pub phrases: Vec<PhraseRuleView>,
    pub examples: Vec<ExampleView>,
    pub locations: Vec<LocationAliasView>,
    pub patterns: Vec<PatternAliasView>,
    /// Readings operators asked Tend to remember, for an admin to accept
    /// (it becomes an example) or reject.
    #[serde(default)]
    pub proposals: Vec<ProposalView>,
}

/// "Remember this" from an operator: a sentence and the intent it means,
/// waiting for an admin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposalView {
    pub id: i64,
    pub intent: String,
    pub text: String,
    pub proposed_by: String,
    pub created_at: i64,
}

/// `POST /api/rules/remember`: a sentence and the intent it means, from
/// "Remember this" after a correction or a question answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RememberRequest {
    pub intent: String,
    pub text: String,
}

/// What became of a "Remember this".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RememberResponse {
    /// `example` (an admin's: in force now) or `proposal` (an operator's:
    /// an admin accepts it on the Rules page).
    pub remembered: String,
    pub message: String,
}

/// "clean {dir} every {schedule}" → cleanup: a command that matches the
/// pattern gets this intent, and each placeholder fills its parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhraseRuleView {
    pub id: i64,
    pub intent: String,
    pub pattern: String,
    /// Who added it (absent for rules added before Tend kept track).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_by: Option<String>,
}

/// One more example phrase for an intent, for the model to learn from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExampleView {
    pub id: i64,
    pub intent: String,
    pub text: String,
    /// Who added it (absent for rules added before Tend kept track).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_by: Option<String>,
}

/// "the NAS" → /mnt/nas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationAliasView {
    pub id: i64,
    pub name: String,
    pub path: String,
    /// Who added it (absent for rules added before Tend kept track).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_by: Option<String>,
}

/// "temp files" → *.tmp, *.temp, ~*.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternAliasView {
    pub id: i64,
    pub name: String,
    pub globs: Vec<String>,
    /// Who added it (absent for rules added before Tend kept track).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPhraseRule {
    pub intent: String,
    pub pattern: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewExample {
    pub intent: String,
    pub text: String,
}

/// Adding a name that exists replaces its path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewLocationAlias {
    pub name: String,
    pub path: String,
}

/// Adding a name that exists replaces its globs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPatternAlias {
    pub name: String,
    pub globs: Vec<String>,
}

/// The kinds of rule, as they appear in API paths
/// (`/api/rules/{kind}/{id}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    Phrases,
    Examples,
    Locations,
    Patterns,
    /// Deleting a proposal rejects it.
    Proposals,
}

impl RuleKind {
    pub const ALL: [RuleKind; 5] = [
        RuleKind::Phrases,
        RuleKind::Examples,
        RuleKind::Locations,
        RuleKind::Patterns,
        RuleKind::Proposals,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Phrases => "phrases",
            RuleKind::Examples => "examples",
            RuleKind::Locations => "locations",
            RuleKind::Patterns => "patterns",
            RuleKind::Proposals => "proposals",
        }
    }

    pub fn parse(s: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The intents a rule may name, as the API spells them.
pub const INTENT_NAMES: [&str; 7] = [
    "backup",
    "restore",
    "sync",
    "cleanup",
    "status",
    "cancel",
    "out_of_scope",
];

/// `POST /api/rules/try` body: a sentence to read without planning it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TryRequest {
    pub text: String,
}

/// One intent's score in a reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentScore {
    pub intent: String,
    /// The model's score: a probability with the trained classifier, a
    /// similarity with nearest examples.
    pub score: f32,
}

/// An example phrase near the sentence, and how near.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearExample {
    pub text: String,
    pub intent: String,
    /// Cosine similarity, -1 to 1.
    pub similarity: f32,
    /// Added by an admin (the rest ship with Tend).
    pub admin: bool,
}

/// How Tend reads a sentence, and why: what `POST /api/rules/try` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadingView {
    pub text: String,
    pub intent: String,
    pub confidence: f32,
    /// What decided the intent: "phrase rule", "admin example",
    /// "rule: …" (a question, a retry) or "model" / "keyword cues".
    pub decided_by: String,
    /// The phrase rule that matched, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Every intent's score, best first, when the model decided.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scores: Vec<IntentScore>,
    /// The best intent after the chosen one, when the model decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_up: Option<IntentScore>,
    /// The intent the keyword cues point at ("out_of_scope" for none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    /// The example phrases nearest the sentence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nearest: Vec<NearExample>,
    /// The sentence with the admins' aliases applied, when any were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aliased: Option<String>,
    /// The parameters read, as `tend parse` prints them.
    pub slots: serde_json::Value,
    /// Another reading close enough that the console would ask.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative: Option<String>,
    /// Conditions stated that the parameters leave out (the console refuses).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unexplained: Vec<String>,
}
