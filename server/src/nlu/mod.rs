//! TEMPORARY placeholder until the real module lands.
mod understanding;
pub use understanding::{Intent, Slots, Understanding};

pub fn understand(text: &str) -> Understanding {
    let lower = text.to_lowercase();
    let intent = if lower.contains("clean") {
        Intent::Cleanup
    } else {
        Intent::OutOfScope
    };
    let mut slots = Slots::default();
    for word in text.split_whitespace() {
        if word.starts_with('/') {
            slots.source = Some(word.trim_end_matches([',', '.']).to_string());
        }
        if word.contains('*') {
            slots
                .patterns
                .get_or_insert_with(Vec::new)
                .push(word.to_string());
        }
    }
    if let Some(i) = lower.find("older than ") {
        let rest = &lower[i + 11..];
        if let Some(n) = rest
            .split_whitespace()
            .next()
            .and_then(|w| w.parse::<f64>().ok())
        {
            slots.older_than_days = Some(n);
        }
    }
    Understanding {
        text: text.to_string(),
        intent,
        confidence: 0.5,
        slots,
    }
}
