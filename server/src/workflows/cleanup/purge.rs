//! Purging old quarantines: a cleanup's quarantine is kept for the
//! configured retention, then deleted for good.
//!
//! Quarantines outside Tend's data directory (on other filesystems) are
//! listed in `<data_dir>/quarantine/elsewhere.txt` when created, so the
//! purge finds them too.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const ELSEWHERE: &str = "elsewhere.txt";

/// Remembers a quarantine base outside the data directory.
pub fn remember_base(data_quarantine: &Path, base: &Path) -> io::Result<()> {
    if base == data_quarantine || known_bases(data_quarantine)?.iter().any(|b| b == base) {
        return Ok(());
    }
    let mut file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(data_quarantine.join(ELSEWHERE))?;
    writeln!(file, "{}", base.display())?;
    file.sync_all()
}

fn known_bases(data_quarantine: &Path) -> io::Result<Vec<PathBuf>> {
    match fs::read_to_string(data_quarantine.join(ELSEWHERE)) {
        Ok(text) => Ok(text
            .lines()
            .filter(|l| !l.is_empty())
            .map(PathBuf::from)
            .collect()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// A purged quarantine.
#[derive(Debug, Clone, PartialEq)]
pub struct Purged {
    pub task_id: i64,
    pub dir: PathBuf,
}

/// Deletes every task quarantine created more than `retention` before `now`
/// (by its `meta.json`). Returns what was purged.
pub fn purge_expired(
    data_quarantine: &Path,
    retention: Duration,
    now: SystemTime,
) -> io::Result<Vec<Purged>> {
    let mut bases = vec![data_quarantine.to_path_buf()];
    bases.extend(known_bases(data_quarantine)?);
    let mut purged = Vec::new();
    for base in bases {
        let Ok(entries) = fs::read_dir(&base) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(task_id) = name
                .to_str()
                .and_then(|n| n.strip_prefix("task-"))
                .and_then(|id| id.parse::<i64>().ok())
            else {
                continue;
            };
            let dir = entry.path();
            let created = fs::metadata(dir.join("meta.json")).and_then(|m| m.modified());
            let expired = created
                .ok()
                .and_then(|c| now.duration_since(c).ok())
                .is_some_and(|age| age > retention);
            if expired {
                fs::remove_dir_all(&dir)?;
                purged.push(Purged { task_id, dir });
            }
        }
    }
    Ok(purged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make(base: &Path, id: i64, age_days: u64) {
        let dir = base.join(format!("task-{id}"));
        fs::create_dir_all(dir.join("files")).unwrap();
        fs::write(dir.join("files/x"), "x").unwrap();
        let meta = dir.join("meta.json");
        fs::write(&meta, "{}").unwrap();
        let when = SystemTime::now() - Duration::from_secs(age_days * 86_400);
        fs::File::options()
            .write(true)
            .open(&meta)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }

    #[test]
    fn only_expired_quarantines_go_including_remembered_ones() {
        let home = tempfile::tempdir().unwrap();
        let data = home.path().join("q");
        let other = home.path().join("other/.tend-quarantine");
        fs::create_dir_all(&data).unwrap();
        make(&data, 1, 40);
        make(&data, 2, 5);
        make(&other, 3, 31);
        fs::create_dir_all(data.join("not-a-task")).unwrap();
        remember_base(&data, &other).unwrap();
        remember_base(&data, &other).unwrap();
        assert_eq!(known_bases(&data).unwrap().len(), 1);

        let mut purged =
            purge_expired(&data, Duration::from_secs(30 * 86_400), SystemTime::now()).unwrap();
        purged.sort_by_key(|p| p.task_id);
        assert_eq!(purged.iter().map(|p| p.task_id).collect::<Vec<_>>(), [1, 3]);
        assert!(!data.join("task-1").exists());
        assert!(data.join("task-2/files/x").exists());
        assert!(!other.join("task-3").exists());
        assert!(data.join("not-a-task").exists());
    }
}
