//! [`Nlu`]: the command-understanding service the server and CLI share,
//! created once at startup. With the encoder model it classifies intent by
//! nearest example phrases; without it, by keyword cues.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use super::batcher::{BatchError, BatchLimits, Batcher};
use super::classifier::{self, Cue, Example, IntentIndex, Method, Scores, Thresholds};
use super::encoder::{Encoder, EncoderError};
use super::explain;
use super::glm::{self, GlmError, GlmScorer};
use super::rules::RuleSet;
use super::{examined, intent, Intent, Slots, Understanding};
use app::api::ReadingView;
use tokenizers::Tokenizer;

#[derive(Debug, thiserror::Error)]
pub enum NluError {
    #[error(transparent)]
    Encoder(#[from] EncoderError),
    #[error(transparent)]
    Batch(#[from] BatchError),
    #[error(transparent)]
    Glm(#[from] GlmError),
    #[error("this backend has no example index to add examples to")]
    NoModel,
}

pub struct Nlu {
    backend: Backend,
    /// Admins' rules; swapped whole when they change, read per command.
    rules: RwLock<Arc<RuleSet>>,
}

enum Backend {
    Keywords,
    Encoder(Box<EncoderBackend>),
    /// One GLM pass at a time (its key/value cache is per pass).
    Glm(Arc<Mutex<GlmScorer>>),
}

struct EncoderBackend {
    encoder: Arc<Encoder>,
    batcher: Batcher,
    index: RwLock<IntentIndex>,
    /// Set for tuning and tests; otherwise the thresholds tuned for how
    /// the index scores ([`IntentIndex::tuning`]).
    thresholds: Option<Thresholds>,
}

/// Texts as the encoder is given them, and their embeddings.
pub type ModelInputs = (Vec<String>, Vec<Vec<f32>>);

/// What the intent decision is made from, for tuning.
pub struct Features {
    pub scores: Scores,
    pub cue: Cue,
    /// The intent when a rule decides before the model does (an admin's,
    /// or [`intent::asks_rather_than_commands`]).
    pub decided: Option<Intent>,
}

impl Nlu {
    /// Keyword cues only: no model needed.
    pub fn keywords() -> Nlu {
        Nlu::with_backend(Backend::Keywords)
    }

    /// Loads the encoder from `model_dir` and embeds the shipped examples.
    /// Takes a few seconds: call it off the async runtime.
    pub fn load(model_dir: &Path, limits: BatchLimits) -> Result<Nlu, NluError> {
        Nlu::load_cached(model_dir, limits, None)
    }

    /// [`Nlu::load`], keeping example embeddings in `cache` between runs so
    /// only new phrases are embedded.
    pub fn load_cached(
        model_dir: &Path,
        limits: BatchLimits,
        cache: Option<PathBuf>,
    ) -> Result<Nlu, NluError> {
        let mut encoder = Encoder::load(model_dir)?;
        if let Some(file) = cache {
            encoder = encoder.with_cache(file);
        }
        let encoder = Arc::new(encoder);
        let mut index = IntentIndex::default();
        index.set_family(encoder.family());
        let backend = EncoderBackend {
            batcher: Batcher::start(encoder.clone(), limits),
            encoder,
            index: RwLock::new(index),
            thresholds: None,
        };
        let nlu = Nlu::with_backend(Backend::Encoder(Box::new(backend)));
        nlu.add_examples(&classifier::default_examples())?;
        Ok(nlu)
    }

    /// Loads the GLM zero-shot backend from `dir` (config.json,
    /// tokenizer.json, safetensors shards). Call it off the async runtime.
    pub fn load_glm(dir: &Path) -> Result<Nlu, NluError> {
        let scorer = GlmScorer::load(dir, &classifier::default_examples())?;
        Ok(Nlu::with_backend(Backend::Glm(Arc::new(Mutex::new(
            scorer,
        )))))
    }

    /// The GLM backend on a model of `shape` with random weights, reading
    /// commands with `tokenizer` (GLM's own, or a stand-in of similar
    /// granularity): for timing only (`tend bench glm`).
    pub fn random_glm(shape: glm::Shape, tokenizer: &Path) -> Result<Nlu, NluError> {
        let tokens = Tokenizer::from_file(tokenizer).map_err(|e| GlmError::Load {
            path: tokenizer.to_path_buf(),
            message: e.to_string(),
        })?;
        let config = shape.config(tokens.get_vocab_size(true));
        let scorer = GlmScorer::random(&config, tokens, &classifier::default_examples())?;
        Ok(Nlu::with_backend(Backend::Glm(Arc::new(Mutex::new(
            scorer,
        )))))
    }

    fn with_backend(backend: Backend) -> Nlu {
        Nlu {
            backend,
            rules: RwLock::new(Arc::new(RuleSet::default())),
        }
    }

    /// The rules in force now.
    fn rules(&self) -> Arc<RuleSet> {
        self.rules.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Puts a new rule set in force for the next command. The model learns
    /// the admin examples that are new to it (only those are embedded) and
    /// forgets the ones that were removed; returns how many were embedded.
    /// Blocks on the model: call it off the async runtime.
    pub fn set_rules(&self, rules: RuleSet) -> Result<usize, NluError> {
        let embedded = match &self.backend {
            Backend::Keywords => 0,
            Backend::Glm(g) => {
                let mut examples = rules.examples().to_vec();
                examples.extend(classifier::default_examples());
                g.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .set_examples(&examples)?;
                0
            }
            Backend::Encoder(b) => b.learn_admin_examples(rules.examples())?,
        };
        *self.rules.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(rules);
        Ok(embedded)
    }

    /// [`Nlu::load`], or the keyword backend with a warning when the model
    /// cannot be loaded, so the server still runs.
    pub fn load_or_keywords(model_dir: &Path, limits: BatchLimits, cache: Option<PathBuf>) -> Nlu {
        match Nlu::load_cached(model_dir, limits, cache) {
            Ok(nlu) => {
                tracing::info!(backend = nlu.backend_name(), "intent model loaded");
                nlu
            }
            Err(e) => {
                tracing::warn!("{e} Falling back to keyword intent classification.");
                Nlu::keywords()
            }
        }
    }

    /// "encoder (all-MiniLM-L6-v2, cpu)" or "keywords", for logs and `tend eval`.
    pub fn backend_name(&self) -> String {
        match &self.backend {
            Backend::Keywords => "keywords".into(),
            Backend::Glm(g) => format!(
                "glm (zero-shot on {})",
                g.lock().map(|g| g.device_name()).unwrap_or("cpu")
            ),
            Backend::Encoder(b) => {
                let index = b.index.read().unwrap_or_else(|p| p.into_inner());
                format!(
                    "encoder ({} on {}, {} examples, {} classifier)",
                    b.encoder.name(),
                    b.encoder.device_name(),
                    index.len(),
                    index.scoring().as_str()
                )
            }
        }
    }

    /// Overrides the decision thresholds (tuning, tests).
    pub fn with_thresholds(mut self, thresholds: Thresholds) -> Nlu {
        if let Backend::Encoder(b) = &mut self.backend {
            b.thresholds = Some(thresholds);
        }
        self
    }

    /// The decision thresholds in force (`None` on backends without them).
    pub fn thresholds(&self) -> Option<Thresholds> {
        match &self.backend {
            Backend::Encoder(b) => Some(b.thresholds.unwrap_or_else(|| {
                let index = b.index.read().unwrap_or_else(|p| p.into_inner());
                index.tuning().thresholds
            })),
            _ => None,
        }
    }

    /// Scores commands by `method` from now on; trains the classifier
    /// when it needs one. Blocks for the training: call it off the async
    /// runtime.
    pub fn with_classifier(self, method: Method) -> Nlu {
        if let Backend::Encoder(b) = &self.backend {
            let mut index = b.index.write().unwrap_or_else(|p| p.into_inner());
            index.set_method(method);
            index.refresh();
        }
        self
    }

    /// Embeds the examples not already known and adds them to the index;
    /// returns how many were new. Blocks on the model: call it off the
    /// async runtime (`spawn_blocking`).
    pub fn add_examples(&self, examples: &[Example]) -> Result<usize, NluError> {
        let Backend::Encoder(b) = &self.backend else {
            return Err(NluError::NoModel);
        };
        let new: Vec<Example> = match b.index.read() {
            Ok(index) => index.missing(examples).into_iter().cloned().collect(),
            Err(poisoned) => poisoned
                .into_inner()
                .missing(examples)
                .into_iter()
                .cloned()
                .collect(),
        };
        let mut added = 0;
        for chunk in new.chunks(64) {
            let texts: Vec<&str> = chunk.iter().map(|e| e.text.as_str()).collect();
            let vectors = b.encoder.embed_examples(&texts)?;
            let mut index = b.index.write().unwrap_or_else(|p| p.into_inner());
            for (example, vector) in chunk.iter().zip(&vectors) {
                added += usize::from(index.insert(example, vector));
            }
        }
        b.index.write().unwrap_or_else(|p| p.into_inner()).refresh();
        b.encoder.save_cache();
        Ok(added)
    }

    /// How many example phrases the encoder has run through the model (the
    /// rest came from the embedding cache); `None` for other backends.
    pub fn examples_embedded(&self) -> Option<usize> {
        match &self.backend {
            Backend::Encoder(b) => Some(b.encoder.examples_embedded()),
            _ => None,
        }
    }

    /// The slots `text` states, aliases applied, whatever its intent.
    pub fn slots(&self, text: &str) -> Slots {
        self.rules().slots(examined(text))
    }

    /// The path `text` names: a location alias's, or `text` itself when
    /// it looks like a path.
    pub fn path_named(&self, text: &str) -> Option<String> {
        self.rules().path_named(text)
    }

    /// The whole understanding when an admin's rule decides the intent;
    /// otherwise what is known before the model runs: the slots (aliases
    /// applied) and the keyword cues' intent.
    fn read_first<'t>(&self, text: &'t str) -> Reading<'t> {
        let examined = examined(text);
        let rules = self.rules();
        let mut slots = rules.slots(examined);
        if let Some(intent) = rules.decide(examined, &mut slots) {
            return Reading::Decided(Understanding::new(text, intent, 1.0, slots));
        }
        if intent::asks_to_run_again(examined, &slots) {
            return Reading::Decided(Understanding::new(text, Intent::Retry, 0.95, slots));
        }
        if intent::stops_it(examined) {
            return Reading::Decided(Understanding::new(text, Intent::Cancel, 0.9, slots));
        }
        // "what failed last night?" asks about Tend's own tasks, however
        // much it reads like a question of knowledge.
        if let Some(question) = super::question::read(examined) {
            let mut u = Understanding::new(text, Intent::Status, 0.95, slots);
            u.slots.task_id = u.slots.task_id.or(super::question::task_id(examined));
            u.question = Some(question);
            return Reading::Decided(u);
        }
        if intent::asks_rather_than_commands(examined, &slots)
            || intent::about_something_else(examined, &slots)
        {
            let confidence = intent::ASKING_CONFIDENCE;
            return Reading::Decided(Understanding::new(
                text,
                Intent::OutOfScope,
                confidence,
                slots,
            ));
        }
        let keyword = intent::classify(examined, &slots);
        let grounded = intent::grounded(examined, &slots);
        let stated = intent::states_a_whole_request(keyword, &slots);
        Reading::ForModel(FirstReading {
            examined,
            slots,
            keyword,
            grounded,
            stated,
        })
    }

    /// `u` with the conditions its slots left out read again from the text
    /// as the admins' aliases expand it: "sweep photos of junk", with
    /// "photos" a place, names no kind of file.
    fn aliases_read(&self, mut u: Understanding) -> Understanding {
        let rules = self.rules();
        let places = rules.places_named(&u.text);
        let expanded = rules.expanded(&u.text);
        if expanded.is_none() && places.is_empty() {
            return u;
        }
        let mut masked =
            super::slots::without_task_qualifiers(expanded.as_deref().unwrap_or(&u.text));
        // What a phrase rule took as a place is no condition, named or not.
        for place in places {
            let place = place.to_lowercase();
            while let Some(at) = masked.find(&place).filter(|_| !place.trim().is_empty()) {
                masked.replace_range(at..at + place.len(), &" ".repeat(place.len()));
            }
        }
        u.unexplained = super::unexplained::find(&masked, u.intent, &u.slots);
        u
    }

    /// Understands one command, batching the model pass with concurrent ones.
    pub async fn understand(&self, text: &str) -> Understanding {
        let first = match self.read_first(text) {
            Reading::Decided(understanding) => return self.aliases_read(understanding),
            Reading::ForModel(first) => first,
        };
        let (examined, keyword) = (first.examined, first.keyword);
        let output = match &self.backend {
            Backend::Encoder(b) if !examined.trim().is_empty() => {
                ModelOutput::Embedding(b.batcher.embed(examined).await)
            }
            Backend::Glm(g) if !examined.trim().is_empty() => {
                let (g, owned) = (g.clone(), examined.to_string());
                let decided = tokio::task::spawn_blocking(move || glm_decide(&g, &owned, keyword))
                    .await
                    .unwrap_or(keyword);
                ModelOutput::Decided(decided)
            }
            _ => ModelOutput::Nothing,
        };
        self.finish(text, first, output)
    }

    /// The understanding of a command the model was left to, from what
    /// the model gave for it: [`Nlu::understand`] and
    /// [`Nlu::understand_many_blocking`] differ only in how they run it.
    fn finish(&self, text: &str, first: FirstReading, output: ModelOutput) -> Understanding {
        let reading = match (&self.backend, output) {
            (Backend::Encoder(b), ModelOutput::Embedding(embedding)) => {
                b.decide(embedding, first.keyword, first.cue())
            }
            (_, ModelOutput::Decided(decided)) => ModelReading::sure(decided),
            _ => ModelReading::sure(first.keyword),
        };
        self.aliases_read(reading.understanding(text, first.slots))
    }

    /// `text` read as `intent`, the reading a person picked: the slots as
    /// the text states them, nothing left to the model.
    pub fn understand_as(&self, text: &str, intent: Intent) -> Understanding {
        let slots = self.rules().slots(examined(text));
        let mut u = self.aliases_read(Understanding::new(text, intent, 1.0, slots));
        u.picked = true;
        u
    }

    /// How `text` is read and why, planning nothing ("Try it" on the Rules
    /// page). Blocks on the model: call it off the async runtime.
    pub fn explain(&self, text: &str) -> ReadingView {
        let u = self.understand_blocking(text);
        let rules = self.rules();
        let how = match self.read_first(text) {
            Reading::Decided(_) => Ok(decided_before(examined(text), &rules)),
            Reading::ForModel(first) => Err(self.model_view(&first)),
        };
        explain::view(&u, how, rules.expanded(examined(text)))
    }

    /// What the model saw: every intent's score and the nearest examples
    /// (`None` without an encoder, or when the embedding fails).
    fn model_view(&self, first: &FirstReading) -> Option<explain::ModelView> {
        let Backend::Encoder(b) = &self.backend else {
            return None;
        };
        let vector = b.encoder.embed(&[first.examined]).ok()?.pop()?;
        let index = b.index.read().unwrap_or_else(|p| p.into_inner());
        Some(explain::ModelView {
            scores: index.scores(&vector),
            keyword: first.keyword.0,
            nearest: index.nearest_examples(&vector, explain::NEAREST),
        })
    }

    /// [`Nlu::understand`] for code outside the async runtime (the CLI).
    pub fn understand_blocking(&self, text: &str) -> Understanding {
        let mut one = self.understand_many_blocking(&[text]);
        one.pop()
            .unwrap_or_else(|| Understanding::new(text, Intent::OutOfScope, 0.0, Slots::default()))
    }

    /// [`Nlu::understand`] for many commands at once, in order, outside the
    /// async runtime (`tend parse`): the model's passes for all of them are
    /// queued together, so they run in full batches on every core.
    pub fn understand_many_blocking(&self, texts: &[&str]) -> Vec<Understanding> {
        let firsts: Vec<Reading> = texts.iter().map(|text| self.read_first(text)).collect();
        let for_model: Vec<&str> = firsts
            .iter()
            .filter_map(|reading| match reading {
                Reading::ForModel(first) if !first.examined.trim().is_empty() => {
                    Some(first.examined)
                }
                _ => None,
            })
            .collect();
        let mut embeddings = match &self.backend {
            Backend::Encoder(b) => b.batcher.embed_many_blocking(&for_model),
            _ => Vec::new(),
        }
        .into_iter();
        texts
            .iter()
            .zip(firsts)
            .map(|(text, reading)| {
                let first = match reading {
                    Reading::Decided(understanding) => return self.aliases_read(understanding),
                    Reading::ForModel(first) => first,
                };
                let output = match &self.backend {
                    Backend::Encoder(_) if !first.examined.trim().is_empty() => {
                        ModelOutput::Embedding(
                            embeddings.next().unwrap_or(Err(BatchError::Stopped)),
                        )
                    }
                    Backend::Glm(g) if !first.examined.trim().is_empty() => {
                        ModelOutput::Decided(glm_decide(g, first.examined, first.keyword))
                    }
                    _ => ModelOutput::Nothing,
                };
                self.finish(text, first, output)
            })
            .collect()
    }

    /// Each text as the encoder is given it (prefix added, paths cut
    /// short) and its embedding: for running the same model elsewhere and
    /// comparing (`tend bench nlu`). `None` without an encoder.
    pub fn model_inputs(&self, texts: &[&str]) -> Option<Result<ModelInputs, NluError>> {
        let Backend::Encoder(b) = &self.backend else {
            return None;
        };
        let cut: Vec<&str> = texts.iter().map(|t| examined(t)).collect();
        let inputs = cut.iter().map(|t| b.encoder.as_read(t)).collect();
        Some(
            b.encoder
                .embed(&cut)
                .map(|vectors| (inputs, vectors))
                .map_err(NluError::from),
        )
    }

    /// The decision's inputs for each text (in batches), for threshold
    /// tuning; `None` on the keyword backend.
    pub fn features(&self, texts: &[&str]) -> Option<Result<Vec<Features>, NluError>> {
        let Backend::Encoder(b) = &self.backend else {
            return None;
        };
        let mut features = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(32) {
            let cut: Vec<&str> = chunk.iter().map(|t| examined(t)).collect();
            let vectors = match b.encoder.embed(&cut) {
                Ok(v) => v,
                Err(e) => return Some(Err(e.into())),
            };
            let index = b.index.read().unwrap_or_else(|p| p.into_inner());
            for (text, vector) in cut.iter().zip(&vectors) {
                // What the model is given is what `understand` gives it.
                let (cue, decided) = match self.read_first(text) {
                    Reading::Decided(u) => {
                        let grounded = u.slots.name_a_target();
                        (
                            Cue {
                                intent: u.intent,
                                grounded,
                                stated: false,
                            },
                            Some(u.intent),
                        )
                    }
                    Reading::ForModel(first) => (first.cue(), None),
                };
                features.push(Features {
                    scores: index.scores(vector),
                    cue,
                    decided,
                });
            }
        }
        Some(Ok(features))
    }
}

/// Which rule [`Nlu::read_first`] decided `examined` by, in its order.
fn decided_before(examined: &str, rules: &RuleSet) -> explain::Before {
    use explain::Before;
    if let Some(decider) = rules.decider(examined) {
        return Before::Rule(decider);
    }
    if intent::asks_to_run_again(examined, &rules.slots(examined)) {
        Before::Form("asks to run a task again")
    } else if intent::stops_it(examined) {
        Before::Form("a stop said alone")
    } else if super::question::read(examined).is_some() {
        Before::Form("a question about Tend's tasks")
    } else if intent::asks_rather_than_commands(examined, &rules.slots(examined)) {
        Before::Form("a question or a request that is not a command")
    } else {
        Before::Form("about something Tend does not act on")
    }
}

/// What the model made of a command.
struct ModelReading {
    intent: Intent,
    confidence: f32,
    /// Another of Tend's intents close enough to ask about.
    alternative: Option<Intent>,
}

impl ModelReading {
    /// A reading with nothing close behind it (the keyword cues, GLM).
    fn sure((intent, confidence): (Intent, f32)) -> ModelReading {
        ModelReading {
            intent,
            confidence,
            alternative: None,
        }
    }

    fn understanding(self, text: &str, slots: Slots) -> Understanding {
        let mut u = Understanding::new(text, self.intent, self.confidence, slots);
        u.alternative = self.alternative;
        u
    }
}

/// What the model gave for one command: the encoder's embedding, the
/// GLM's decision, or nothing (an empty command, the keyword backend).
enum ModelOutput {
    Embedding(Result<Vec<f32>, BatchError>),
    Decided((Intent, f32)),
    Nothing,
}

/// A command before the model: decided by a rule, or left to the model.
enum Reading<'t> {
    Decided(Understanding),
    ForModel(FirstReading<'t>),
}

struct FirstReading<'t> {
    examined: &'t str,
    slots: Slots,
    keyword: (Intent, f32),
    /// Whether it names something Tend acts on (see [`intent::grounded`]).
    grounded: bool,
    /// Whether it states a whole request (see
    /// [`intent::states_a_whole_request`]).
    stated: bool,
}

impl FirstReading<'_> {
    /// What the keyword cues tell the model's decision.
    fn cue(&self) -> Cue {
        Cue {
            intent: self.keyword.0,
            grounded: self.grounded,
            stated: self.stated,
        }
    }
}

/// The GLM's decision, or the keyword cues' when the model fails.
fn glm_decide(glm: &Mutex<GlmScorer>, text: &str, keyword: (Intent, f32)) -> (Intent, f32) {
    let mut scorer = glm.lock().unwrap_or_else(|p| p.into_inner());
    scorer.classify(text).unwrap_or_else(|e| {
        tracing::warn!("{e}; using keyword cues for this command");
        keyword
    })
}

impl EncoderBackend {
    /// Embeds the admin examples the index lacks and drops the ones no
    /// longer wanted; returns how many were embedded.
    fn learn_admin_examples(&self, wanted: &[Example]) -> Result<usize, NluError> {
        let (new, gone) = {
            let index = self.index.read().unwrap_or_else(|p| p.into_inner());
            let new: Vec<Example> = index.missing(wanted).into_iter().cloned().collect();
            (new, index.admin_not_in(wanted))
        };
        let vectors = if new.is_empty() {
            Vec::new()
        } else {
            let texts: Vec<&str> = new.iter().map(|e| e.text.as_str()).collect();
            let vectors = self.encoder.embed_examples(&texts)?;
            self.encoder.save_cache();
            vectors
        };
        let mut index = self.index.write().unwrap_or_else(|p| p.into_inner());
        for text in &gone {
            index.remove_admin(text);
        }
        let added = new
            .iter()
            .zip(&vectors)
            .filter(|(example, vector)| index.insert_admin(example, vector))
            .count();
        index.refresh();
        Ok(added)
    }

    fn decide(
        &self,
        embedding: Result<Vec<f32>, BatchError>,
        keyword: (Intent, f32),
        cue: Cue,
    ) -> ModelReading {
        match embedding {
            Ok(vector) => {
                let index = self.index.read().unwrap_or_else(|p| p.into_inner());
                let scores = index.scores(&vector);
                let thresholds = self.thresholds.unwrap_or_else(|| index.tuning().thresholds);
                let decision = classifier::decide(&scores, cue, &thresholds);
                ModelReading {
                    intent: decision.intent,
                    confidence: decision.confidence,
                    alternative: decision.alternative,
                }
            }
            Err(e) => {
                tracing::warn!("{e}; using keyword cues for this command");
                ModelReading::sure(keyword)
            }
        }
    }
}
