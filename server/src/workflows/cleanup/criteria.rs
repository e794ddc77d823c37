use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use super::CleanupParams;
use crate::domain::{AllowedPath, Protection};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CriteriaError {
    #[error("Say which files to clean up: a pattern (like *.tmp), an age (older than 7 days), a size (larger than 100MB) or empty directories. Cleaning a whole directory is refused.")]
    NoCriteria,
    #[error("\"{pattern}\" is not a valid pattern: {reason}")]
    BadPattern { pattern: String, reason: String },
    #[error("The age must be a positive number of days.")]
    BadAge,
}

/// The compiled selection rules of one cleanup.
#[derive(Debug, Clone)]
pub struct Criteria {
    pub root: AllowedPath,
    name_globs: Option<GlobSet>,
    path_globs: Option<GlobSet>,
    modified_before: Option<SystemTime>,
    min_size: Option<u64>,
    /// Also remove directories left empty.
    pub empty_dirs: bool,
    /// What the walk never enters or selects (protected paths, Tend's data).
    pub protection: Protection,
    selects_files: bool,
}

impl Criteria {
    pub fn new(
        params: &CleanupParams,
        root: AllowedPath,
        protection: Protection,
    ) -> Result<Criteria, CriteriaError> {
        let patterns: Vec<&str> = params
            .patterns
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect();
        let selects_files = !patterns.is_empty()
            || params.modified_before_ms.is_some()
            || params.min_size_bytes.is_some();
        if !selects_files && !params.empty_dirs {
            return Err(CriteriaError::NoCriteria);
        }
        let (mut names, mut paths) = (GlobSetBuilder::new(), GlobSetBuilder::new());
        let (mut any_name, mut any_path) = (false, false);
        for pattern in patterns {
            let by_path = pattern.contains('/');
            let glob = compile(pattern.trim_start_matches("./"), by_path)?;
            if by_path {
                paths.add(glob);
                any_path = true;
            } else {
                names.add(glob);
                any_name = true;
            }
        }
        let build =
            |builder: GlobSetBuilder, used: bool| -> Result<Option<GlobSet>, CriteriaError> {
                if !used {
                    return Ok(None);
                }
                builder
                    .build()
                    .map(Some)
                    .map_err(|e| CriteriaError::BadPattern {
                        pattern: String::new(),
                        reason: e.to_string(),
                    })
            };
        let modified_before = match params.modified_before_ms {
            Some(ms) if ms >= 0 => Some(UNIX_EPOCH + Duration::from_millis(ms as u64)),
            Some(_) => return Err(CriteriaError::BadAge),
            None => None,
        };
        Ok(Criteria {
            root,
            name_globs: build(names, any_name)?,
            path_globs: build(paths, any_path)?,
            modified_before,
            min_size: params.min_size_bytes,
            empty_dirs: params.empty_dirs,
            protection,
            selects_files,
        })
    }

    /// False for "remove empty directories" alone: then no file is selected.
    pub fn selects_files(&self) -> bool {
        self.selects_files
    }

    /// Whether a regular file (`relative` to the root) is selected.
    pub fn matches(&self, relative: &Path, size: u64, modified: Option<SystemTime>) -> bool {
        let by_glob = match (&self.name_globs, &self.path_globs) {
            (None, None) => true,
            (names, paths) => {
                let name_hit = names.as_ref().is_some_and(|g| {
                    relative
                        .file_name()
                        .is_some_and(|n| g.is_match(Path::new(n)))
                });
                name_hit || paths.as_ref().is_some_and(|g| g.is_match(relative))
            }
        };
        let by_age = match (self.modified_before, modified) {
            (None, _) => true,
            (Some(cutoff), Some(m)) => m < cutoff,
            // Unknown age never counts as old.
            (Some(_), None) => false,
        };
        let by_size = self.min_size.is_none_or(|min| size >= min);
        by_glob && by_age && by_size
    }
}

fn compile(pattern: &str, by_path: bool) -> Result<Glob, CriteriaError> {
    GlobBuilder::new(pattern)
        .literal_separator(by_path)
        .backslash_escape(true)
        .build()
        .map_err(|e| CriteriaError::BadPattern {
            pattern: pattern.to_string(),
            reason: e.kind().to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PathPolicy;
    use std::path::PathBuf;

    fn root() -> (tempfile::TempDir, AllowedPath) {
        let dir = tempfile::tempdir().unwrap();
        let policy = PathPolicy::new([dir.path().to_path_buf()], None);
        let root = policy.check_dir(&dir.path().display().to_string()).unwrap();
        (dir, root)
    }

    fn params(patterns: &[&str], before: Option<i64>, min: Option<u64>) -> CleanupParams {
        CleanupParams {
            directory: PathBuf::from("/"),
            patterns: patterns.iter().map(|s| s.to_string()).collect(),
            older_than_days: None,
            modified_before_ms: before,
            min_size_bytes: min,
            empty_dirs: false,
            work_list: None,
        }
    }

    #[test]
    fn refuses_no_criteria_and_bad_globs() {
        let (_d, r) = root();
        assert_eq!(
            Criteria::new(&params(&[], None, None), r.clone(), Protection::default()).unwrap_err(),
            CriteriaError::NoCriteria
        );
        assert_eq!(
            Criteria::new(
                &params(&["  "], None, None),
                r.clone(),
                Protection::default()
            )
            .unwrap_err(),
            CriteriaError::NoCriteria
        );
        assert!(matches!(
            Criteria::new(&params(&["a[b"], None, None), r, Protection::default()),
            Err(CriteriaError::BadPattern { .. })
        ));
    }

    #[test]
    fn names_paths_age_and_size_combine() {
        let (_d, r) = root();
        let now = SystemTime::now();
        let old = now - Duration::from_secs(10 * 86400);
        let cutoff_ms = (now - Duration::from_secs(7 * 86400))
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let c = Criteria::new(
            &params(&["*.tmp", "cache/*.bin"], Some(cutoff_ms), Some(10)),
            r,
            Protection::default(),
        )
        .unwrap();
        assert!(c.matches(Path::new("deep/dir/a.tmp"), 10, Some(old)));
        assert!(c.matches(Path::new("cache/x.bin"), 10, Some(old)));
        assert!(
            !c.matches(Path::new("other/cache/x.bin"), 10, Some(old)),
            "path globs are anchored"
        );
        assert!(!c.matches(Path::new("a.tmp"), 9, Some(old)), "too small");
        assert!(!c.matches(Path::new("a.tmp"), 10, Some(now)), "too new");
        assert!(
            !c.matches(Path::new("a.tmp"), 10, None),
            "unknown age is not old"
        );
        assert!(!c.matches(Path::new("a.tmpx"), 10, Some(old)));
    }
}
