//! `tend eval FILE`: scores the command understanding on a labeled JSONL
//! file (`{"text", "intent", "slots"}` per line): intent accuracy,
//! out-of-scope precision and recall, per-slot exact match, and the
//! confusion matrix.

use std::collections::BTreeMap;
use std::process::ExitCode;

use serde::Deserialize;
use serde_json::Value;

use crate::nlu::classifier::tune;
use crate::nlu::{Intent, Nlu};

#[derive(Debug, Deserialize)]
struct Labeled {
    text: String,
    intent: Intent,
    #[serde(default)]
    slots: serde_json::Map<String, Value>,
}

/// The scores of one evaluation run.
#[derive(Debug, Default, PartialEq)]
pub struct Report {
    pub items: usize,
    pub in_scope: usize,
    pub in_scope_correct: usize,
    pub oos_true_positive: usize,
    pub oos_false_positive: usize,
    pub oos_false_negative: usize,
    /// Items whose every slot matched exactly.
    pub slots_all_exact: usize,
    /// Per slot: (items where gold or prediction has it, exact matches).
    pub per_slot: BTreeMap<String, (usize, usize)>,
    /// (gold, predicted) → count.
    pub confusion: BTreeMap<(Intent, Intent), usize>,
    pub mistakes: Vec<String>,
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        1.0
    } else {
        n as f64 / d as f64
    }
}

impl Report {
    pub fn intent_accuracy(&self) -> f64 {
        ratio(self.in_scope_correct, self.in_scope)
    }
    pub fn oos_precision(&self) -> f64 {
        ratio(
            self.oos_true_positive,
            self.oos_true_positive + self.oos_false_positive,
        )
    }
    pub fn oos_recall(&self) -> f64 {
        ratio(
            self.oos_true_positive,
            self.oos_true_positive + self.oos_false_negative,
        )
    }
    pub fn slot_exact(&self) -> f64 {
        ratio(self.slots_all_exact, self.items)
    }
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-6,
        _ => a == b,
    }
}

/// Scores `lines` of labeled JSONL. Fails on the first malformed line.
pub fn evaluate(nlu: &Nlu, lines: &str) -> Result<Report, String> {
    let mut report = Report::default();
    for item in parse_items(lines)? {
        let got = nlu.understand_blocking(&item.text);
        report.items += 1;
        *report
            .confusion
            .entry((item.intent, got.intent))
            .or_default() += 1;
        let gold_oos = item.intent == Intent::OutOfScope;
        let got_oos = got.intent == Intent::OutOfScope;
        match (gold_oos, got_oos) {
            (true, true) => report.oos_true_positive += 1,
            (false, true) => report.oos_false_positive += 1,
            (true, false) => report.oos_false_negative += 1,
            (false, false) => {}
        }
        if !gold_oos {
            report.in_scope += 1;
            if got.intent == item.intent {
                report.in_scope_correct += 1;
            }
        }
        let predicted = match serde_json::to_value(&got.slots) {
            Ok(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        let mut all_exact = true;
        let names: std::collections::BTreeSet<&String> =
            item.slots.keys().chain(predicted.keys()).collect();
        for name in names {
            let entry = report.per_slot.entry(name.clone()).or_default();
            entry.0 += 1;
            match (item.slots.get(name), predicted.get(name)) {
                (Some(a), Some(b)) if same_value(a, b) => entry.1 += 1,
                _ => all_exact = false,
            }
        }
        if all_exact {
            report.slots_all_exact += 1;
        }
        if got.intent != item.intent || !all_exact {
            report.mistakes.push(format!(
                "{:?}: expected {} {}, got {} {}",
                item.text,
                item.intent.as_str(),
                Value::Object(item.slots.clone()),
                got.intent.as_str(),
                Value::Object(predicted),
            ));
        }
    }
    Ok(report)
}

fn print(report: &Report, show_mistakes: bool) {
    println!("items: {}", report.items);
    println!(
        "in-scope intent accuracy: {:.1}% ({}/{})",
        100.0 * report.intent_accuracy(),
        report.in_scope_correct,
        report.in_scope
    );
    println!(
        "out-of-scope precision: {:.1}%",
        100.0 * report.oos_precision()
    );
    println!("out-of-scope recall: {:.1}%", 100.0 * report.oos_recall());
    println!(
        "slot exact match (all slots of an item): {:.1}% ({}/{})",
        100.0 * report.slot_exact(),
        report.slots_all_exact,
        report.items
    );
    println!("per slot (exact / items stating or predicting it):");
    for (name, (total, exact)) in &report.per_slot {
        println!(
            "  {name:<18} {:>5.1}% ({exact}/{total})",
            100.0 * ratio(*exact, *total)
        );
    }
    println!("confusion matrix (rows: expected, columns: predicted):");
    let header: Vec<String> = Intent::ALL
        .iter()
        .map(|i| format!("{:>8.8}", i.as_str()))
        .collect();
    println!("  {:<13}{}", "", header.join(" "));
    for gold in Intent::ALL {
        let row: Vec<String> = Intent::ALL
            .iter()
            .map(|got| {
                format!(
                    "{:>8}",
                    report.confusion.get(&(gold, *got)).copied().unwrap_or(0)
                )
            })
            .collect();
        println!("  {:<13}{}", gold.as_str(), row.join(" "));
    }
    if show_mistakes {
        println!("mistakes:");
        for m in &report.mistakes {
            println!("  {m}");
        }
    }
}

fn parse_items(lines: &str) -> Result<Vec<Labeled>, String> {
    lines
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| {
            serde_json::from_str(line).map_err(|e| format!("line {}: {e}", number + 1))
        })
        .collect()
}

/// `--tune`: sweeps the decision thresholds on `lines` and prints the best
/// settings next to the ones compiled in.
fn sweep_thresholds(nlu: &Nlu, lines: &str) -> Result<(), String> {
    let items = parse_items(lines)?;
    let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
    let features = match nlu.features(&texts) {
        Some(result) => result.map_err(|e| e.to_string())?,
        None => {
            return Err(
                "--tune needs the intent model; the keyword backend has no thresholds".into(),
            )
        }
    };
    let samples: Vec<tune::Sample> = items
        .iter()
        .zip(features)
        .map(|(item, f)| tune::Sample {
            gold: item.intent,
            scores: f.scores,
            cue: f.cue,
            decided: f.decided,
        })
        .collect();
    let show = |label: &str, o: &tune::Outcome| {
        println!(
            "{label} min_similarity {:.2} min_margin {:.2} keyword_weight {:.2} \
             ungrounded {:.2}: accuracy {:.1}%, in-scope {:.1}%, oos precision {:.1}%, recall {:.1}%",
            o.thresholds.min_similarity,
            o.thresholds.min_margin,
            o.thresholds.keyword_weight,
            o.thresholds.ungrounded_keyword_weight,
            100.0 * o.accuracy,
            100.0 * o.in_scope_accuracy,
            100.0 * o.oos_precision,
            100.0 * o.oos_recall,
        )
    };
    let compiled = nlu
        .thresholds()
        .ok_or("--tune needs the intent model; the keyword backend has no thresholds")?;
    show("compiled in:", &tune::score(&samples, compiled));
    println!("best of the sweep:");
    for outcome in tune::sweep(&samples).iter().take(15) {
        show(" ", outcome);
    }
    println!("asking on close calls, with the compiled thresholds:");
    for c in tune::close_calls(&samples, compiled) {
        println!(
            "  margin {:.2}: asks {} of {} ({} needlessly), rescues {} of {} wrong readings",
            c.margin,
            c.asked,
            samples.len(),
            c.asked_needlessly,
            c.rescued,
            c.wrong
        );
    }
    Ok(())
}

pub fn run(nlu: &Nlu, file: &str, show_mistakes: bool, tune_thresholds: bool) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("tend eval: cannot read {file}: {e}");
            return ExitCode::from(2);
        }
    };
    println!("backend: {}", nlu.backend_name());
    if tune_thresholds {
        return match sweep_thresholds(nlu, &text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("tend eval: {file}: {e}");
                ExitCode::from(2)
            }
        };
    }
    match evaluate(nlu, &text) {
        Ok(report) => {
            print(&report, show_mistakes);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tend eval: {file}: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_intents_oos_and_slots() {
        let data = r#"{"text": "back up /a to /b", "intent": "backup", "slots": {"source": "/a", "destination": "/b"}}
{"text": "clean up *.log in /x", "intent": "cleanup", "slots": {"source": "/x", "patterns": ["*.log"], "older_than_days": 3}}
{"text": "mount a drive", "intent": "out_of_scope", "slots": {}}
{"text": "tell me a joke", "intent": "status", "slots": {}}
"#;
        let r = evaluate(&Nlu::keywords(), data).unwrap();
        assert_eq!(r.items, 4);
        assert_eq!((r.in_scope, r.in_scope_correct), (3, 2));
        assert_eq!(
            (
                r.oos_true_positive,
                r.oos_false_positive,
                r.oos_false_negative
            ),
            (1, 1, 0)
        );
        assert_eq!(r.slots_all_exact, 3, "the cleanup misses older_than_days");
        assert_eq!(r.per_slot["older_than_days"], (1, 0));
        assert_eq!(r.per_slot["source"], (2, 2));
        assert_eq!(r.confusion[&(Intent::Status, Intent::OutOfScope)], 1);
        assert_eq!(r.mistakes.len(), 2);
        assert!(evaluate(&Nlu::keywords(), "{not json").is_err());
    }

    #[test]
    fn every_slot_is_scored_and_one_the_text_does_not_state_is_not_predicted() {
        let data = r#"{"text": "back up /a to /b, keep 7 daily and 4 weekly", "intent": "backup", "slots": {"source": "/a", "destination": "/b", "keep_daily": 7, "keep_weekly": 4}}
{"text": "sync /a to /b, compare by content", "intent": "sync", "slots": {"source": "/a", "destination": "/b", "checksum": true}}
{"text": "stop schedule 3", "intent": "cancel", "slots": {"schedule_id": 3}}
{"text": "back up /a to /b, keep 14", "intent": "backup", "slots": {"source": "/a", "destination": "/b", "keep_last": 14}}
"#;
        let r = evaluate(&Nlu::keywords(), data).unwrap();
        assert_eq!(r.slots_all_exact, 4, "{:?}", r.mistakes);
        assert_eq!(r.per_slot["keep_daily"], (1, 1));
        assert_eq!(r.per_slot["keep_weekly"], (1, 1));
        assert_eq!(r.per_slot["checksum"], (1, 1));
        assert_eq!(r.per_slot["schedule_id"], (1, 1));
        assert!(!r.per_slot.contains_key("keep_monthly"));
    }
}
