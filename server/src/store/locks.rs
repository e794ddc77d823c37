//! Per-path locks: two tasks whose paths overlap, where either writes
//! there, never run at the same time, on any node.
//!
//! A task's locks are worked out from its parameters when it is made
//! ([`crate::workflows::WorkflowParams::path_locks`]) and stored with it.
//! The claim checks them against every running task inside the one write
//! transaction all nodes serialize on ([`super::SqlStore`]), so two nodes
//! can never both start tasks that collide; the later task is `waiting`
//! until the one that holds the path ends.

use std::path::Path;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Only reads there (a backup's source, a mirror's source): many
    /// readers may share a path.
    Read,
    /// Changes what is there (a mirror's destination, a repository, a
    /// cleaned directory, a restore's target).
    Write,
}

/// One path a task touches, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathLock {
    pub path: String,
    pub access: Access,
}

impl PathLock {
    pub fn read(path: impl AsRef<Path>) -> PathLock {
        PathLock {
            path: path.as_ref().display().to_string(),
            access: Access::Read,
        }
    }

    pub fn write(path: impl AsRef<Path>) -> PathLock {
        PathLock {
            path: path.as_ref().display().to_string(),
            access: Access::Write,
        }
    }

    /// Whether the two may not be held at once: their trees overlap (one
    /// is the other or inside it, compared by whole components) and either
    /// writes.
    pub fn conflicts_with(&self, other: &PathLock) -> bool {
        let (a, b) = (Path::new(&self.path), Path::new(&other.path));
        let overlap = a.starts_with(b) || b.starts_with(a);
        overlap && (self.access == Access::Write || other.access == Access::Write)
    }
}

/// The first lock in `held` that one of `wanted` collides with: its path
/// is what the waiting task names ("waiting for #12 (/srv/photos)").
pub fn first_conflict<'a>(wanted: &[PathLock], held: &'a [PathLock]) -> Option<&'a PathLock> {
    held.iter()
        .find(|h| wanted.iter().any(|w| w.conflicts_with(h)))
}

/// Locks as stored (a JSON list); an unreadable list holds nothing.
pub fn parse(text: &str) -> Vec<PathLock> {
    serde_json::from_str(text).unwrap_or_default()
}

pub fn to_text(locks: &[PathLock]) -> String {
    serde_json::to_string(locks).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writers_exclude_everyone_on_overlapping_trees() {
        let dest = PathLock::write("/mnt/nas/photos");
        assert!(dest.conflicts_with(&PathLock::write("/mnt/nas/photos")));
        assert!(dest.conflicts_with(&PathLock::read("/mnt/nas")));
        assert!(dest.conflicts_with(&PathLock::write("/mnt/nas/photos/2024")));
        assert!(PathLock::read("/mnt/nas/photos/2024").conflicts_with(&dest));
    }

    #[test]
    fn readers_share_and_neighbours_do_not_collide() {
        let source = PathLock::read("/srv/photos");
        assert!(!source.conflicts_with(&PathLock::read("/srv/photos")));
        assert!(!source.conflicts_with(&PathLock::read("/srv")));
        // A shared prefix of characters is not an overlap of trees.
        assert!(!PathLock::write("/srv/photos").conflicts_with(&PathLock::write("/srv/photos2")));
        assert!(!PathLock::write("/srv/a").conflicts_with(&PathLock::write("/srv/b")));
    }

    #[test]
    fn a_cleanup_of_a_source_waits_for_its_backup() {
        let backup = [PathLock::read("/srv/photos"), PathLock::write("/mnt/repo")];
        let cleanup = [PathLock::write("/srv/photos")];
        assert_eq!(
            first_conflict(&cleanup, &backup),
            Some(&PathLock::read("/srv/photos"))
        );
        let other_backup = [PathLock::read("/srv/photos"), PathLock::write("/mnt/other")];
        assert_eq!(first_conflict(&other_backup, &backup), None);
    }

    #[test]
    fn stored_text_round_trips() {
        let locks = vec![PathLock::read("/a b/ü"), PathLock::write("/c")];
        assert_eq!(parse(&to_text(&locks)), locks);
        assert!(parse("not json").is_empty());
    }
}
