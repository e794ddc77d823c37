//! Which snapshot to restore: "restore snapshot 1a2b3c4d of /mnt/nas/photos
//! into /tmp/check". Without one, a restore takes the latest.

use std::sync::LazyLock;

use regex::Regex;

/// A restic snapshot id, short (8 hex digits as `restic snapshots` shows
/// it) or long.
static SNAPSHOT_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bsnapshot\s+([0-9a-f]{6,64})\b").expect("snapshot pattern compiles")
});

/// A day or time that says which snapshot to restore: "as it was on
/// Friday", "from two days ago", "yesterday's", 昨天的快照. Tend restores the
/// latest snapshot or one named by id, so these words must reach the plan's
/// check rather than be read as a schedule or a file age.
pub const POINT_IN_TIME: &str = concat!(
    r"\b(?:yesterday|this morning|last night|(?:on|last|this past)\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day",
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day'?s",
    r"|(?:\d+|a|an|one|two|three|four|five|six|seven|a few|a couple of)\s+(?:hours?|days?|weeks?|months?)\s+ago",
    r"|(?:as|how|the way)\s+it\s+(?:was|looked)|before\s+(?:the\s+|my\s+)?(?:upgrade|update|crash|change|mistake|edit))\b",
    r"|大前天|前天|昨天|上周|上个?星期|上个?月|(?:\d+|[一二两三四五六七八九十]+)\s*(?:天|周|个?星期|个?月|小时)(?:前|以前)",
);

/// A schedule said as a repetition ("every night", "weekly", 每天), not as
/// a point in time ("on Friday").
static RECURS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:every|each|nightly|daily|hourly|weekly|monthly|weekdays|weekends|once\s+a|twice\s+a|per\s+(?:day|week|month|hour))\b|每|天天")
        .expect("recurs compiles")
});

/// "The weekly backups", "nightly snapshots": which backups, not when.
static OF_BACKUPS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s+(?:[\w-]+\s+)?(?:backups?|snapshots?|copies|runs)\b")
        .expect("of backups compiles")
});

/// Whether lowercased text asks for something to repeat.
pub fn recurs(lower: &str) -> bool {
    RECURS
        .find_iter(lower)
        .any(|m| !OF_BACKUPS.is_match(&lower[m.end()..]))
}

/// The snapshot id the lowercased text names.
pub fn snapshot_id(lower: &str) -> Option<String> {
    Some(SNAPSHOT_ID.captures(lower)?.get(1)?.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_in_time_and_repetitions() {
        let when = Regex::new(POINT_IN_TIME).unwrap();
        for t in [
            "restore ~/x from /mnt/b as it was on friday",
            "the snapshot from two days ago",
            "yesterday's version",
            "before the upgrade",
            "用昨天的快照恢复",
            "恢复到3天前的样子",
        ] {
            assert!(when.is_match(t), "{t}");
            assert!(!recurs(t), "{t}");
        }
        for t in ["restore /srv/a from /mnt/b", "restore snapshot 1a2b3c4d"] {
            assert!(!when.is_match(t), "{t}");
        }
        assert!(recurs("restore it every night"));
        assert!(!recurs(
            "restore /opt/x from the weekly restic backups on /mnt/y"
        ));
        assert!(recurs("每天恢复一次"));
    }

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
