//! The intent encoder with the real multilingual-e5-small weights (the default model): embedding
//! shape and length, a few decisions, and batching that changes nothing.
//! Skipped where scripts/test's set-up has not installed the model (a
//! failure under CI).

mod support;

use std::path::PathBuf;
use std::sync::Arc;

use tend::nlu::batcher::{BatchLimits, Batcher};
use tend::nlu::encoder::{Encoder, Kernels, DIM};
use tend::nlu::{Intent, Nlu};

fn model_dir() -> Option<PathBuf> {
    support::default_model("the encoder tests")
}

fn close(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-4)
}

#[test]
fn embeddings_are_unit_vectors_of_384() {
    let Some(dir) = model_dir() else { return };
    let encoder = Encoder::load(&dir).unwrap();
    let vectors = encoder
        .embed(&["back up /srv to /mnt/nas", "把 /srv 备份到 /mnt/nas"])
        .unwrap();
    assert_eq!(vectors.len(), 2);
    for v in &vectors {
        assert_eq!(v.len(), DIM);
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
    }
}

#[test]
fn commands_and_look_alikes_are_told_apart() {
    let Some(dir) = model_dir() else { return };
    let nlu = Nlu::load(&dir, BatchLimits::default()).unwrap();
    assert!(
        nlu.backend_name().starts_with("encoder"),
        "{}",
        nlu.backend_name()
    );
    let backup = nlu.understand_blocking("back up /srv to /mnt/nas");
    assert_eq!(backup.intent, Intent::Backup);
    assert_eq!(backup.slots.source.as_deref(), Some("/srv"));
    assert_eq!(
        nlu.understand_blocking("mount the usb drive").intent,
        Intent::OutOfScope
    );
}

#[test]
fn questions_are_decided_before_the_model() {
    let Some(dir) = model_dir() else { return };
    let nlu = Nlu::load(&dir, BatchLimits::default()).unwrap();
    // The embedding of each is nearest to a workflow's examples: without
    // the rule these were a cleanup, a status, a sync, a cancel and a backup.
    for text in [
        "is it okay to delete /var/cache/apt/archives?",
        "what version of tend am I running",
        "should I sync /srv/a to /mnt/b or back it up?",
        "what happens if I cancel a running backup?",
        "remind me to back up /srv/photos to /mnt/nas",
    ] {
        let u = nlu.understand_blocking(text);
        assert_eq!(u.intent, Intent::OutOfScope, "{text}");
        assert_eq!(u.slots, Default::default(), "{text}");
    }
    // A question about a task is a status request.
    assert_eq!(
        nlu.understand_blocking("why is task 5 taking so long?")
            .intent,
        Intent::Status
    );
}

/// Tend's packed CPU pass against candle's BERT, the reference it replaces
/// on the CPU: the same vectors up to rounding, for short, long, Chinese and
/// cut-off commands, alone and packed together.
#[test]
fn the_packed_pass_gives_candles_embeddings() {
    let Some(dir) = model_dir() else { return };
    let long = "please ".repeat(80) + "back up /srv/photos to /mnt/nas";
    let texts = [
        "status",
        "back up /srv/photos to /mnt/nas every night at 2am, keep 14",
        "把 /srv/scratch 里超过7天的 tmp 文件清理掉",
        "Hey, could you mirror ~/docs to /media/usb and remove what I deleted? Thanks!",
        long.as_str(),
    ];
    let packed = Encoder::load_with(&dir, Kernels::Packed).unwrap();
    let candle = Encoder::load_with(&dir, Kernels::Candle).unwrap();
    let ours = packed.embed(&texts).unwrap();
    let reference = candle.embed(&texts).unwrap();
    for ((a, b), text) in ours.iter().zip(&reference).zip(texts) {
        let cosine: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        assert!(cosine > 0.99999, "{text}: cosine {cosine}");
        assert!(close(a, b), "{text}: an element differs by 1e-4 or more");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batched_embeddings_equal_unbatched_ones() {
    let Some(dir) = model_dir() else { return };
    let encoder = Arc::new(Encoder::load(&dir).unwrap());
    let texts = [
        "status",
        "clean up *.log older than 30 days in /var/log/app, show me first",
        "mount the usb drive",
        "cancel task 12",
    ];
    let alone: Vec<Vec<f32>> = texts
        .iter()
        .map(|t| encoder.embed(&[t]).unwrap().remove(0))
        .collect();
    // One pass over texts of different lengths.
    let together = encoder.embed(&texts).unwrap();
    for (a, b) in alone.iter().zip(&together) {
        assert!(close(a, b), "padded batch differs from a lone pass");
    }
    // Concurrent requests through the batcher, which gathers them into one pass.
    let batcher = Batcher::start(
        encoder.clone(),
        BatchLimits {
            max_batch: 32,
            max_wait: std::time::Duration::from_millis(20),
            workers: 1,
        },
    );
    let requests = texts.iter().map(|t| {
        let batcher = batcher.clone();
        async move { batcher.embed(t).await.unwrap() }
    });
    let batched = futures::future::join_all(requests).await;
    for (a, b) in alone.iter().zip(&batched) {
        assert!(close(a, b), "batcher result differs from a lone pass");
    }
}

#[test]
fn admin_examples_are_learned_and_forgotten_without_a_reload() {
    use app::api::{ExampleView, RulesView};
    use tend::nlu::rules::RuleSet;
    let Some(dir) = model_dir() else { return };
    let nlu = Nlu::load(&dir, BatchLimits::default()).unwrap();
    // Phrasings the shipped examples do not cover, and the intent an admin means.
    let probes = [
        ("shovel out /srv/attic", Intent::Cleanup),
        ("squirrel away /srv/docs into /mnt/vault", Intent::Backup),
        ("how are my chores coming along", Intent::Status),
    ];
    for (text, _) in probes {
        assert_eq!(
            nlu.understand_blocking(text).intent,
            Intent::OutOfScope,
            "{text}"
        );
    }
    let example = |intent: &str, text: &str| ExampleView {
        id: 0,
        intent: intent.into(),
        text: text.into(),
        added_by: None,
    };
    let taught = RulesView {
        examples: vec![
            example("cleanup", "shovel out /srv/garage"),
            example("backup", "squirrel away /home/me into /mnt/box"),
            example("status", "how are my chores going"),
        ],
        ..Default::default()
    };
    assert_eq!(nlu.set_rules(RuleSet::from_view(&taught)).unwrap(), 3);
    for (text, intent) in probes {
        assert_eq!(nlu.understand_blocking(text).intent, intent, "{text}");
    }
    // Nothing changed: nothing is embedded again.
    assert_eq!(nlu.set_rules(RuleSet::from_view(&taught)).unwrap(), 0);
    // Removed examples are forgotten.
    assert_eq!(nlu.set_rules(RuleSet::default()).unwrap(), 0);
    for (text, _) in probes {
        assert_eq!(
            nlu.understand_blocking(text).intent,
            Intent::OutOfScope,
            "{text}"
        );
    }
}

#[test]
fn a_second_start_takes_the_example_embeddings_from_the_cache() {
    use app::api::{ExampleView, RulesView};
    use tend::nlu::rules::RuleSet;
    let Some(dir) = model_dir() else { return };
    let data = tempfile::tempdir().unwrap();
    let cache = data.path().join("cache/embeddings.bin");
    let probes = [
        "back up /srv/photos to /mnt/nas every night",
        "mount the usb drive",
        "shovel out /srv/attic",
    ];
    let admin = RulesView {
        examples: vec![ExampleView {
            id: 1,
            intent: "cleanup".into(),
            text: "shovel out /srv/garage".into(),
            added_by: None,
        }],
        ..Default::default()
    };

    let first = Nlu::load_cached(&dir, BatchLimits::default(), Some(cache.clone())).unwrap();
    let shipped = first.examples_embedded().unwrap();
    assert!(shipped > 400, "{shipped}");
    first.set_rules(RuleSet::from_view(&admin)).unwrap();
    assert_eq!(first.examples_embedded(), Some(shipped + 1));
    assert!(cache.is_file());
    let decided: Vec<_> = probes
        .iter()
        .map(|t| first.understand_blocking(t))
        .collect();
    drop(first);

    // Same model, same phrases: nothing goes through the model again, and
    // every decision and score is the same.
    let second = Nlu::load_cached(&dir, BatchLimits::default(), Some(cache.clone())).unwrap();
    second.set_rules(RuleSet::from_view(&admin)).unwrap();
    assert_eq!(second.examples_embedded(), Some(0));
    for (text, before) in probes.iter().zip(&decided) {
        let now = second.understand_blocking(text);
        assert_eq!(now.intent, before.intent, "{text}");
        assert_eq!(now.confidence, before.confidence, "{text}");
    }

    // A damaged cache costs time, not answers.
    std::fs::write(&cache, b"not a cache").unwrap();
    let third = Nlu::load_cached(&dir, BatchLimits::default(), Some(cache)).unwrap();
    assert_eq!(third.examples_embedded(), Some(shipped));
    assert_eq!(
        third.understand_blocking(probes[0]).intent,
        decided[0].intent
    );
}
