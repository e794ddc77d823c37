//! Which snapshot to restore: "restore snapshot 1a2b3c4d of /mnt/nas/photos
//! into /tmp/check". Without one, a restore takes the latest.

use std::sync::LazyLock;

use regex::Regex;

/// A restic snapshot id, short (8 hex digits as `restic snapshots` shows
/// it) or long.
static SNAPSHOT_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bsnapshot\s+([0-9a-f]{6,64})\b").expect("snapshot pattern compiles")
});

/// The snapshot id the lowercased text names.
pub fn snapshot_id(lower: &str) -> Option<String> {
    Some(SNAPSHOT_ID.captures(lower)?.get(1)?.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_after_the_word_snapshot() {
        assert_eq!(
            snapshot_id("restore snapshot 1a2b3c4d from /mnt/nas into /tmp/x").as_deref(),
            Some("1a2b3c4d")
        );
        let long = "4f0c8d2e9a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d";
        assert_eq!(
            snapshot_id(&format!("restore snapshot {long}")).as_deref(),
            Some(long)
        );
    }

    #[test]
    fn no_id_means_none() {
        for text in [
            "restore the latest snapshot from /mnt/nas",
            "restore the snapshot from /mnt/snapshots/vm to /srv/vm-images",
            "restore snapshot 12ab",
            "restore snapshot xyz12345",
        ] {
            assert_eq!(snapshot_id(text), None, "{text}");
        }
    }
}
