//! The path policy: the only way to obtain an [`AllowedPath`], which is what
//! every workflow takes. A workflow therefore never sees a path that was not
//! canonicalized (symlinks and `..` resolved) and found inside an allowed root.

use std::path::{Component, Path, PathBuf};

/// Longest path text accepted before touching the filesystem.
const MAX_PATH_BYTES: usize = 4096;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PolicyError {
    #[error("No path was given.")]
    Empty,
    #[error("The path contains a NUL byte, which no file name can hold.")]
    NulByte,
    #[error("The path is longer than {MAX_PATH_BYTES} bytes.")]
    TooLong,
    #[error("\"{0}\" is a relative path. Give the full path, starting with / or ~/.")]
    Relative(String),
    #[error("\"{0}\" looks like a Windows path; this server runs on Unix and needs a path like /srv/data.")]
    Windows(String),
    #[error("\"{0}\" uses another user's home directory (~user), which Tend does not expand. Write the full path.")]
    OtherUsersHome(String),
    #[error("{0} does not exist.")]
    NotFound(String),
    #[error("{0} is an allowed root but is not there now (not mounted?). Mount it or create it, then try again.")]
    RootAbsent(String),
    #[error("{0} is not a directory.")]
    NotADirectory(String),
    #[error("{path} cannot be read: {reason}.")]
    Unreadable { path: String, reason: String },
    #[error("{shown} is outside the allowed roots ({roots}). An admin can add roots with allowed_roots in tend.toml or TEND_ALLOWED_ROOTS.")]
    OutsideRoots { shown: String, roots: String },
    #[error("{0} is protected: Tend never touches it (protected_paths in tend.toml, and Tend's own data directory).")]
    Protected(String),
}

impl PolicyError {
    /// Stable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::Empty => "path_missing",
            PolicyError::NulByte | PolicyError::TooLong => "path_invalid",
            PolicyError::Relative(_) => "path_relative",
            PolicyError::Windows(_) => "path_windows",
            PolicyError::OtherUsersHome(_) => "path_other_home",
            PolicyError::NotFound(_) => "path_not_found",
            PolicyError::RootAbsent(_) => "root_absent",
            PolicyError::NotADirectory(_) => "path_not_directory",
            PolicyError::Unreadable { .. } => "path_unreadable",
            PolicyError::OutsideRoots { .. } => "path_outside_roots",
            PolicyError::Protected(_) => "path_protected",
        }
    }
}

/// A canonical path inside one of the allowed roots. Only [`PathPolicy`] builds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedPath {
    path: PathBuf,
    root: PathBuf,
}

impl AllowedPath {
    pub fn as_path(&self) -> &Path {
        &self.path
    }

    /// The allowed root (canonical) that contains this path.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl std::fmt::Display for AllowedPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.path.display().fmt(f)
    }
}

/// Paths no workflow may touch, even inside an allowed root.
#[derive(Debug, Clone, Default)]
pub struct Protection {
    protected: Vec<PathBuf>,
    /// Carve-outs inside protected paths (Tend's data directory is
    /// protected, its `files` root is not).
    except: Vec<PathBuf>,
}

impl Protection {
    pub fn covers(&self, path: &Path) -> bool {
        self.protected.iter().any(|p| path.starts_with(p))
            && !self.except.iter().any(|e| path.starts_with(e))
    }
}

/// An allowed root as it stands at the moment it is looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootNow {
    /// The root as configured (made absolute).
    pub configured: PathBuf,
    /// Its canonical form, or `None` while it is missing or not a directory.
    pub resolved: Option<PathBuf>,
}

/// The allowed roots, plus how `~` expands and what is protected.
///
/// Roots are resolved each time a path is checked, not once at start: a
/// root that appears later (a NAS mounted after the server started) is
/// usable as soon as it is there, and one that goes away is refused with a
/// message that says so instead of a bare "outside the allowed roots".
#[derive(Debug, Clone)]
pub struct PathPolicy {
    roots: Vec<PathBuf>,
    home: Option<PathBuf>,
    protection: Protection,
}

impl PathPolicy {
    /// Builds the policy. A root that is not there yet is kept (and logged):
    /// it counts from the moment it exists.
    pub fn new(roots: impl IntoIterator<Item = PathBuf>, home: Option<PathBuf>) -> PathPolicy {
        let mut configured: Vec<PathBuf> = Vec::new();
        for root in roots {
            let root = std::path::absolute(&root).map_or(root, |a| lexical_normalize(&a));
            if !configured.contains(&root) {
                configured.push(root);
            }
        }
        let policy = PathPolicy {
            roots: configured,
            home,
            protection: Protection::default(),
        };
        for root in policy.roots_now() {
            if root.resolved.is_none() {
                tracing::warn!(root = %root.configured.display(), "allowed root is not there now; it is used once it appears");
            }
        }
        policy
    }

    /// Adds protected paths (and carve-outs inside them). Paths that exist
    /// are canonicalized so symlinked spellings are caught too.
    pub fn protect(
        mut self,
        protected: impl IntoIterator<Item = PathBuf>,
        except: impl IntoIterator<Item = PathBuf>,
    ) -> PathPolicy {
        let resolve = |p: PathBuf| p.canonicalize().unwrap_or(p);
        self.protection
            .protected
            .extend(protected.into_iter().map(resolve));
        self.protection
            .except
            .extend(except.into_iter().map(resolve));
        self
    }

    pub fn protection(&self) -> &Protection {
        &self.protection
    }

    /// Every configured root, resolved now.
    pub fn roots_now(&self) -> Vec<RootNow> {
        self.roots
            .iter()
            .map(|configured| RootNow {
                configured: configured.clone(),
                resolved: configured.canonicalize().ok().filter(|c| c.is_dir()),
            })
            .collect()
    }

    /// Checks a directory the user named (as typed: `~` allowed).
    pub fn check_dir(&self, raw: &str) -> Result<AllowedPath, PolicyError> {
        let allowed = self.check_existing(raw)?;
        if !allowed.path.is_dir() {
            return Err(PolicyError::NotADirectory(
                allowed.path.display().to_string(),
            ));
        }
        Ok(allowed)
    }

    /// Checks any existing path the user named.
    pub fn check_existing(&self, raw: &str) -> Result<AllowedPath, PolicyError> {
        let expanded = self.expand(raw)?;
        let roots = self.roots_now();
        refuse_under_absent_root(&roots, &expanded)?;
        let canonical = match expanded.canonicalize() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(PolicyError::NotFound(raw.trim().to_string()))
            }
            Err(e) => {
                return Err(PolicyError::Unreadable {
                    path: raw.trim().to_string(),
                    reason: e.to_string(),
                })
            }
        };
        self.inside_roots(&roots, raw.trim(), &expanded, canonical)
    }

    /// Checks a directory that a workflow will create if it is missing (a
    /// sync destination, a backup repository). The nearest existing ancestor
    /// is canonicalized and must lie inside a root; the missing part may only
    /// hold plain names, so `..` cannot climb out once it is created.
    pub fn check_target(&self, raw: &str) -> Result<AllowedPath, PolicyError> {
        let expanded = self.expand(raw)?;
        if expanded.exists() || expanded.is_symlink() {
            return self.check_dir(raw);
        }
        // Before the walk up: under an unmounted root it would reach the
        // mount point's parent and report the path as outside every root.
        let roots = self.roots_now();
        refuse_under_absent_root(&roots, &expanded)?;
        let mut missing: Vec<std::ffi::OsString> = Vec::new();
        let mut existing = expanded.as_path();
        while !(existing.exists() || existing.is_symlink()) {
            match (existing.file_name(), existing.parent()) {
                (Some(name), Some(parent)) => {
                    missing.push(name.to_os_string());
                    existing = parent;
                }
                // `..` or `.` in the part that does not exist yet.
                _ => return Err(PolicyError::NotFound(raw.trim().to_string())),
            }
        }
        if expanded
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::CurDir))
        {
            let lexical = lexical_normalize(&expanded);
            if !lexical.starts_with(existing) {
                return Err(PolicyError::NotFound(raw.trim().to_string()));
            }
        }
        let base = existing
            .canonicalize()
            .map_err(|e| PolicyError::Unreadable {
                path: existing.display().to_string(),
                reason: e.to_string(),
            })?;
        if !base.is_dir() {
            return Err(PolicyError::NotADirectory(base.display().to_string()));
        }
        let mut canonical = base;
        for name in missing.iter().rev() {
            canonical.push(name);
        }
        self.inside_roots(&roots, raw.trim(), &expanded, canonical)
    }

    /// Creates a checked target directory and checks it again once it exists.
    pub fn create_target(&self, target: &AllowedPath) -> Result<AllowedPath, PolicyError> {
        if let Err(e) = std::fs::create_dir_all(target.as_path()) {
            return Err(PolicyError::Unreadable {
                path: target.as_path().display().to_string(),
                reason: e.to_string(),
            });
        }
        self.recheck(target.as_path())
    }

    /// Re-checks a canonical path stored earlier (a task's parameters), so a
    /// root removed since the plan was made is honoured at run time.
    pub fn recheck(&self, stored: &Path) -> Result<AllowedPath, PolicyError> {
        let text = stored.to_string_lossy();
        self.check_dir(&text)
    }

    fn inside_roots(
        &self,
        roots: &[RootNow],
        raw: &str,
        expanded: &Path,
        canonical: PathBuf,
    ) -> Result<AllowedPath, PolicyError> {
        let containing = roots
            .iter()
            .filter_map(|r| r.resolved.as_ref())
            .find(|root| canonical.starts_with(root));
        if let Some(root) = containing {
            if self.protection.covers(&canonical) {
                return Err(PolicyError::Protected(canonical.display().to_string()));
            }
            return Ok(AllowedPath {
                path: canonical,
                root: root.clone(),
            });
        }
        // Say where the path really leads when a symlink or `..` moved it.
        let lexical = lexical_normalize(expanded);
        let shown = if lexical == canonical {
            canonical.display().to_string()
        } else {
            format!("{raw} (which resolves to {})", canonical.display())
        };
        Err(PolicyError::OutsideRoots {
            shown,
            roots: roots_text(roots),
        })
    }

    fn expand(&self, raw: &str) -> Result<PathBuf, PolicyError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(PolicyError::Empty);
        }
        if raw.contains('\0') {
            return Err(PolicyError::NulByte);
        }
        if raw.len() > MAX_PATH_BYTES {
            return Err(PolicyError::TooLong);
        }
        if looks_windows(raw) {
            return Err(PolicyError::Windows(raw.to_string()));
        }
        if raw == "~" || raw.starts_with("~/") {
            let home = self
                .home
                .clone()
                .ok_or_else(|| PolicyError::Relative(raw.to_string()))?;
            let rest = raw.trim_start_matches('~').trim_start_matches('/');
            return Ok(if rest.is_empty() {
                home
            } else {
                home.join(rest)
            });
        }
        if raw.starts_with('~') {
            return Err(PolicyError::OtherUsersHome(raw.to_string()));
        }
        let path = PathBuf::from(raw);
        if path.is_relative() {
            return Err(PolicyError::Relative(raw.to_string()));
        }
        Ok(path)
    }
}

/// Refuses a path that lies (as written) under a root that is missing now,
/// so the user hears about the root rather than "does not exist".
fn refuse_under_absent_root(roots: &[RootNow], expanded: &Path) -> Result<(), PolicyError> {
    let lexical = lexical_normalize(expanded);
    match roots
        .iter()
        .find(|r| r.resolved.is_none() && lexical.starts_with(&r.configured))
    {
        Some(absent) => Err(PolicyError::RootAbsent(
            absent.configured.display().to_string(),
        )),
        None => Ok(()),
    }
}

/// "/srv, /mnt/nas (not there now)".
fn roots_text(roots: &[RootNow]) -> String {
    if roots.is_empty() {
        return "none are configured".to_string();
    }
    roots
        .iter()
        .map(|r| match &r.resolved {
            Some(resolved) => resolved.display().to_string(),
            None => format!("{} (not there now)", r.configured.display()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn looks_windows(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    raw.starts_with("\\\\")
        || (bytes.len() >= 3
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && (bytes[2] == b'\\' || bytes[2] == b'/'))
}

/// Resolves `.` and `..` without touching the filesystem.
fn lexical_normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixture {
        _dir: tempfile::TempDir,
        root: PathBuf,
        outside: PathBuf,
        policy: PathPolicy,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(root.join("photos")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("escape")).unwrap();
        let policy = PathPolicy::new([root.clone()], Some(root.join("photos")));
        let root = root.canonicalize().unwrap();
        let outside = outside.canonicalize().unwrap();
        Fixture {
            _dir: dir,
            root,
            outside,
            policy,
        }
    }

    #[test]
    fn accepts_inside_and_canonicalizes() {
        let f = fixture();
        let raw = format!("{}/photos/../photos/", f.root.display());
        let p = f.policy.check_dir(&raw).unwrap();
        assert_eq!(p.as_path(), f.root.join("photos"));
        assert_eq!(p.root(), f.root);
    }

    #[test]
    fn target_may_be_missing_but_not_escape() {
        let f = fixture();
        let raw = format!("{}/photos/new/deeper", f.root.display());
        let t = f.policy.check_target(&raw).unwrap();
        assert_eq!(t.as_path(), f.root.join("photos/new/deeper"));
        assert!(!t.as_path().exists());
        let created = f.policy.create_target(&t).unwrap();
        assert!(created.as_path().is_dir());

        let through_link = format!("{}/escape/new", f.root.display());
        assert!(matches!(
            f.policy.check_target(&through_link),
            Err(PolicyError::OutsideRoots { .. })
        ));
        let climbing = format!("{}/nothing/../../outside/x", f.root.display());
        assert!(f.policy.check_target(&climbing).is_err());
        assert!(!f.outside.join("x").exists());
    }

    #[test]
    fn home_expands() {
        let f = fixture();
        assert_eq!(
            f.policy.check_dir("~").unwrap().as_path(),
            f.root.join("photos")
        );
        assert_eq!(
            f.policy.check_dir("~/nope").unwrap_err(),
            PolicyError::NotFound("~/nope".into())
        );
        assert!(matches!(
            f.policy.check_dir("~bob/x"),
            Err(PolicyError::OtherUsersHome(_))
        ));
    }

    #[test]
    fn refuses_outside_dotdot_and_symlink_escapes() {
        let f = fixture();
        let outside = f
            .policy
            .check_dir(&f.outside.display().to_string())
            .unwrap_err();
        assert_eq!(outside.code(), "path_outside_roots");
        assert!(outside.to_string().contains("outside the allowed roots"));

        let dotdot = format!("{}/../outside", f.root.display());
        let err = f.policy.check_dir(&dotdot).unwrap_err();
        assert_eq!(err.code(), "path_outside_roots");

        let link = format!("{}/escape", f.root.display());
        let err = f.policy.check_dir(&link).unwrap_err();
        assert!(err.to_string().contains("which resolves to"), "{err}");
    }

    #[test]
    fn refuses_bad_text() {
        let f = fixture();
        assert_eq!(f.policy.check_dir("  ").unwrap_err(), PolicyError::Empty);
        assert_eq!(
            f.policy.check_dir("/a\0b").unwrap_err(),
            PolicyError::NulByte
        );
        assert_eq!(
            f.policy.check_dir(&"/a".repeat(3000)).unwrap_err(),
            PolicyError::TooLong
        );
        assert!(matches!(
            f.policy.check_dir("photos"),
            Err(PolicyError::Relative(_))
        ));
        assert!(matches!(
            f.policy.check_dir("C:\\Users"),
            Err(PolicyError::Windows(_))
        ));
        assert!(matches!(
            f.policy.check_dir("/definitely/not/here"),
            Err(PolicyError::NotFound(_))
        ));
    }

    #[test]
    fn a_file_is_not_a_directory() {
        let f = fixture();
        let file = f.root.join("photos/a.jpg");
        std::fs::write(&file, b"x").unwrap();
        assert!(matches!(
            f.policy.check_dir(&file.display().to_string()),
            Err(PolicyError::NotADirectory(_))
        ));
        assert!(f.policy.check_existing(&file.display().to_string()).is_ok());
    }

    #[test]
    fn protected_paths_are_refused_except_carve_outs() {
        let f = fixture();
        let policy = f
            .policy
            .clone()
            .protect([f.root.join("photos")], [f.root.join("photos/inbox")]);
        std::fs::create_dir_all(f.root.join("photos/inbox")).unwrap();
        let err = policy
            .check_dir(&f.root.join("photos").display().to_string())
            .unwrap_err();
        assert_eq!(err.code(), "path_protected");
        assert!(policy
            .check_dir(&f.root.join("photos/inbox").display().to_string())
            .is_ok());
        assert!(policy.protection().covers(&f.root.join("photos/a.jpg")));
        assert!(!policy
            .protection()
            .covers(&f.root.join("photos/inbox/a.jpg")));
        assert!(!policy.protection().covers(&f.root.join("elsewhere")));
    }

    #[test]
    fn a_root_missing_at_start_counts_once_it_appears() {
        let dir = tempfile::tempdir().unwrap();
        let nas = dir.path().join("nas");
        let policy = PathPolicy::new([nas.clone()], None);
        let inside = format!("{}/photos", nas.display());
        let absent = PolicyError::RootAbsent(nas.display().to_string());
        assert_eq!(policy.check_dir(&inside).unwrap_err(), absent);
        assert_eq!(policy.check_target(&inside).unwrap_err(), absent);
        assert!(absent
            .to_string()
            .contains("is an allowed root but is not there now (not mounted?)"));
        let elsewhere = policy.check_dir("/").unwrap_err().to_string();
        assert!(elsewhere.contains("(not there now)"), "{elsewhere}");

        std::fs::create_dir_all(nas.join("photos")).unwrap();
        let allowed = policy.check_dir(&inside).unwrap();
        assert_eq!(allowed.root(), nas.canonicalize().unwrap());

        // Unmounted again: refused again, never treated as outside.
        std::fs::remove_dir_all(&nas).unwrap();
        assert_eq!(policy.recheck(allowed.as_path()).unwrap_err(), absent);
    }

    #[test]
    fn no_roots_at_all_says_so() {
        let policy = PathPolicy::new(Vec::<PathBuf>::new(), None);
        let err = policy.check_dir("/").unwrap_err();
        assert!(err.to_string().contains("none are configured"));
    }
}
