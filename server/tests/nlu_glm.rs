//! The GLM backend end to end on a tiny, randomly initialized GLM-4
//! checkpoint that the test writes itself (config.json, safetensors,
//! tokenizer.json): loading, prompting and scoring run, and give the same
//! answer every time.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device};
use candle_nn::{VarBuilder, VarMap};
use candle_transformers::models::glm4_new::{Config, ModelForCausalLM};
use tend::nlu::glm::GlmScorer;
use tend::nlu::{classifier, Intent, Nlu};
use tokenizers::models::wordlevel::WordLevel;
use tokenizers::pre_tokenizers::whitespace::Whitespace;
use tokenizers::Tokenizer;

/// Writes a 2-layer GLM-4-shaped model with random weights into `dir`.
fn write_tiny_checkpoint(dir: &Path) {
    // Every word of the prompt and labels, so the tokenizer knows them.
    let mut words: Vec<String> = vec!["[UNK]".into()];
    let mut text = String::new();
    for e in classifier::default_examples() {
        text.push_str(&e.text);
        text.push(' ');
    }
    text.push_str("classify the request to a file-management assistant into one intent intents examples request intent : - \n");
    for intent in Intent::ALL {
        text.push_str(intent.as_str());
        text.push(' ');
    }
    for word in text.split(|c: char| !c.is_alphanumeric() && c != '_') {
        let w = word.to_string();
        if !w.is_empty() && !words.contains(&w) && words.len() < 500 {
            words.push(w);
        }
    }
    for punct in [":", "-", ".", ",", "/", "*", "?"] {
        words.push(punct.into());
    }
    let vocab: HashMap<String, u32> = words
        .iter()
        .enumerate()
        .map(|(i, w)| (w.clone(), i as u32))
        .collect();
    let model = WordLevel::builder()
        .vocab(vocab.into_iter().collect())
        .unk_token("[UNK]".into())
        .build()
        .unwrap();
    let mut tokenizer = Tokenizer::new(model);
    tokenizer.with_pre_tokenizer(Some(Whitespace {}));
    tokenizer.save(dir.join("tokenizer.json"), false).unwrap();

    let config = serde_json::json!({
        "vocab_size": words.len(),
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "head_dim": 8,
        "partial_rotary_factor": 0.5,
        "attention_bias": true,
        "num_key_value_heads": 2,
        "max_position_embeddings": 4096,
        "sliding_window": null,
        "tie_word_embeddings": false,
        "rope_theta": 10000.0,
        "rms_norm_eps": 1e-5,
        "hidden_act": "silu",
        "eos_token_id": null
    });
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    let parsed: Config = serde_json::from_value(config).unwrap();
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
    ModelForCausalLM::new(&parsed, vb).unwrap();
    varmap.save(dir.join("model.safetensors")).unwrap();
}

#[test]
fn a_tiny_random_glm_loads_prompts_and_scores_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_checkpoint(dir.path());
    let examples = classifier::default_examples();

    let mut first = GlmScorer::load(dir.path(), &examples).unwrap();
    let mut second = GlmScorer::load(dir.path(), &examples).unwrap();
    for command in [
        "back up /srv/photos to /mnt/nas",
        "mount the usb drive",
        "把 /srv/www 同步到 /mnt/mirror",
        "",
    ] {
        let a = first.rank(command).unwrap();
        assert_eq!(a.len(), Intent::ALL.len(), "every intent is scored");
        assert!(a.iter().all(|(_, s)| s.is_finite() && *s <= 0.0), "{a:?}");
        assert!(a.windows(2).all(|w| w[0].1 >= w[1].1), "best first: {a:?}");
        // The same checkpoint gives the same scores, run after run.
        assert_eq!(a, first.rank(command).unwrap());
        assert_eq!(a, second.rank(command).unwrap());
        let (intent, confidence) = first.classify(command).unwrap();
        assert!(Intent::ALL.contains(&intent));
        assert!((0.0..=1.0).contains(&confidence));
    }
}

#[test]
fn the_service_uses_the_glm_backend_and_keeps_slots() {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_checkpoint(dir.path());
    let nlu = Nlu::load_glm(dir.path()).unwrap();
    assert!(
        nlu.backend_name().starts_with("glm"),
        "{}",
        nlu.backend_name()
    );
    let u = nlu.understand_blocking("sync /srv/a to /mnt/b");
    assert_eq!(u, nlu.understand_blocking("sync /srv/a to /mnt/b"));
    if u.intent != Intent::OutOfScope {
        assert_eq!(u.slots.source.as_deref(), Some("/srv/a"));
    }
    // Admins' rules apply on this backend too: a phrase rule decides before
    // the model, and their examples go into the prompt.
    let rules = app::api::RulesView {
        phrases: vec![app::api::PhraseRuleView {
            id: 1,
            intent: "status".into(),
            pattern: "how goes it".into(),
            added_by: None,
        }],
        examples: vec![app::api::ExampleView {
            id: 1,
            intent: "backup".into(),
            text: "stash /a in /b".into(),
            added_by: None,
        }],
        ..Default::default()
    };
    nlu.set_rules(tend::nlu::rules::RuleSet::from_view(&rules))
        .unwrap();
    assert_eq!(
        nlu.understand_blocking("How goes it?").intent,
        Intent::Status
    );
    let after = nlu.understand_blocking("sync /srv/a to /mnt/b");
    assert_eq!(after, nlu.understand_blocking("sync /srv/a to /mnt/b"));
    // A directory without a checkpoint is a clear error, not a panic.
    let empty = tempfile::tempdir().unwrap();
    let err = Nlu::load_glm(empty.path()).err().expect("no checkpoint");
    assert!(err.to_string().contains("config.json"), "{err}");
}
