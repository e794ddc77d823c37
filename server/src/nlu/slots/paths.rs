//! Finding paths in free text and deciding which is the source and which the
//! destination. Paths are kept exactly as written (`~` included); only
//! surrounding quotes and trailing sentence punctuation are removed.

mod cjk_names;

use std::sync::LazyLock;

use regex::Regex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// "from": where the data comes from.
    Source,
    Destination,
    /// "in", "of", "at": a place. The first such path is the source when
    /// none is marked; the next one the destination when none is ("a
    /// snapshot of /srv/vm in /mnt/snaps", "from D:\\x, put them in C:\\y").
    Place,
    /// "the repo at", "using the repository", "仓库是": where snapshots
    /// live, the destination of a backup and the source of a restore.
    Repository,
    /// "using /x": the repository of a restore ("roll ./world back using
    /// ./backups"); in other commands a path like any unmarked one.
    Means,
    /// 把 X: what the verb acts on. The source of a backup or mirror
    /// (把 X 备份到 Y) and of a restore that names no other source (把 Y
    /// 里的快照恢复到 X); the target of a restore that reads from another
    /// path (用 Y 把 X 还原, 从 Y 把 X 恢复).
    Object,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SpottedPath {
    pub path: String,
    /// Role given by the word before it ("to", "from", ...), if any.
    pub role: Option<Role>,
    /// Byte span in the text, quotes included.
    pub start: usize,
    pub end: usize,
    /// A glob that ended the path ("/var/log/*.log" → "*.log").
    pub glob: Option<String>,
}

static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#""([^"\n]+)"|“([^”\n]+)”|'((?:/|~|\.{1,2}/|[A-Za-z]:\\|\\\\)[^'\n]*)'|‘([^’\n]+)’"#,
    )
    .expect("quoted pattern compiles")
});

static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\w.-]*[A-Za-z_][\w.-]*(?:/[\w .@+-]*)+$").expect("relative pattern compiles")
});

const DESTINATION_MARKERS: [&str; 7] = ["to", "into", "onto", "->", "→", "到", "至"];
const SOURCE_MARKERS: [&str; 2] = ["from", "从"];
const PLACE_MARKERS: [&str; 7] = ["in", "of", "under", "inside", "within", "at", "在"];

// Phrases that give a path its role by what they call it rather than by a
// preposition, read before the one-word markers above: "the repo at /x"
// is the repository, not a place; "put in /x" a destination. Each is
// matched against the words just before a path, lowercased.

static REPOSITORY_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:\b(?:repo|repository)(?:\s+(?:is|at|in|on|path|location|should\s+be|will\s+be|would\s+be|lives\s+(?:at|in)))?",
        r"|\busing(?:\s+(?:the|my))?\s+(?:repo|repository)(?:\s+(?:at|in|on))?",
        // "the backups in /x", "the weekly restic snapshots on /y",
        // "it was backed up to /z": where the backups are kept.
        r"|\b(?:backups|snapshots)\s+(?:in|on|at)|\bbacked\s+up\s+(?:to|into|on|in|at))\s*[:,=]?\s*$",
        r"|仓库(?:是|在|为|放在|路径是|地址是)?\s*[:：，,]?\s*$",
    ))
    .expect("repository before compiles")
});

static DESTINATION_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:put|store|save|place|drop)\s+(?:(?:it|them|this|that|those|these)\s+)?(?:in|into|on|at)\s*$",
        r"|\b(?:land|lands|end\s+up|ends\s+up)\s+(?:back\s+)?(?:in|into|on|at)\s*$",
        r"|\b(?:destination|target)(?:\s+(?:folder|directory|dir|drive|path))?\s*(?:is|should\s+be|will\s+be|[:=])?\s*$",
        r"|目标(?:目录|文件夹)?(?:是|为)?\s*[:：]?\s*$",
    ))
    .expect("destination before compiles")
});

static SOURCE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:(?:exactly\s+)?like|same\s+as|identical\s+(?:to|with)|copy\s+of|in\s+line\s+with|(?:mirror|replica|clone|duplicate)\s+of)\s*$",
        // "get it back out of /x": where the files come from.
        r"|\bout\s+of\s*$",
        // "from the backup \\server\x", "from my backups on": the copy read.
        r"|\bfrom\s+(?:the|my|our)\s+(?:\w+\s+)?(?:backups?|snapshots?)(?:\s+(?:in|on|at))?\s*$",
        r"|\bsource(?:\s+(?:folder|directory|dir|drive|path))?\s*(?:is|should\s+be|[:=])?\s*$",
        r"|(?:源(?:目录|文件夹)?(?:是|为)?|要备份的(?:是)?|跟)\s*[:：]?\s*$",
    ))
    .expect("source before compiles")
});

/// Saying to restore: the repository then is where the files come from.
static RESTORE_VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\brestor|\broll(?:s|ed|ing)?\b[^.;]*?\bback\b|\b(?:get|want|need)\b[^.;]{0,60}?\bback\b|\brollback|\brecover|\brevert|\bundo\b|恢复|还原|回滚")
        .expect("restore verb compiles")
});
static BACKUP_VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bback(?:s|ed|ing)?\s+(?:\S+\s+)?up\b|\bbackup\b|\bsnapshot\s+of\b|备份")
        .expect("backup verb compiles")
});

/// Whether a repository named in `text` is the source (a restore) rather
/// than the destination (a backup): the verb said first decides, since
/// a restore talks of "the backup" it reads and a backup of restoring later.
///
/// `lower` is lowercased with its paths masked: "roll ./world back" is
/// one clause whatever dots the path holds.
pub fn repository_is_source(lower: &str) -> bool {
    match (RESTORE_VERB.find(lower), BACKUP_VERB.find(lower)) {
        (Some(restore), Some(backup)) => restore.start() < backup.start(),
        (Some(_), None) => true,
        _ => false,
    }
}

/// Characters that end a path when unquoted (CJK text, full-width punctuation).
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
}

fn is_glob(s: &str) -> bool {
    s.contains('*') || s.contains('?') || (s.contains('[') && s.contains(']'))
}

pub fn looks_like_path(s: &str) -> bool {
    if s.is_empty() || s.contains("://") {
        return false;
    }
    let b = s.as_bytes();
    s.starts_with('/')
        || s == "~"
        || s.starts_with("~/")
        || s.starts_with("./")
        || s.starts_with("../")
        || s.starts_with("\\\\")
        || (b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && (b[2] == b'\\' || b[2] == b'/'))
        || (RELATIVE.is_match(s) && !matches!(s, "and/or" | "either/or"))
}

/// Finds every path in `text`, in order.
pub fn spot(text: &str) -> Vec<SpottedPath> {
    let mut found = Vec::new();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for caps in QUOTED.captures_iter(text) {
        let (Some(whole), Some(inner)) = (caps.get(0), caps.iter().skip(1).flatten().next()) else {
            continue;
        };
        let candidate = inner.as_str().trim();
        if looks_like_path(candidate) && !is_glob_only(candidate) {
            taken.push((whole.start(), whole.end()));
            found.push(spotted(
                text,
                candidate.to_string(),
                whole.start(),
                whole.end(),
            ));
        }
    }
    for (start, end) in unquoted_tokens(text) {
        if taken.iter().any(|(s, e)| start < *e && end > *s) {
            continue;
        }
        let token = &text[start..end];
        if looks_like_path(token) && !is_glob_only(token) {
            found.push(spotted(text, token.to_string(), start, end));
        }
    }
    found.sort_by_key(|p| p.start);
    found
}

/// A bare glob ("*.log", "~*") is a pattern, not a path.
fn is_glob_only(s: &str) -> bool {
    is_glob(s) && !s.trim_start_matches('~').contains('/')
}

fn spotted(text: &str, raw: String, start: usize, end: usize) -> SpottedPath {
    let (path, glob) = split_glob(raw);
    SpottedPath {
        path,
        role: role_before(&text[..start]),
        start,
        end,
        glob,
    }
}

/// "/var/log/*.log" → ("/var/log", Some("*.log")).
fn split_glob(raw: String) -> (String, Option<String>) {
    if !is_glob(&raw) {
        return (raw, None);
    }
    match raw.rfind('/') {
        Some(slash) if !is_glob(&raw[..slash]) => {
            let dir = if slash == 0 {
                "/".to_string()
            } else {
                raw[..slash].to_string()
            };
            (
                dir,
                Some(raw[slash + 1..].to_string()).filter(|g| !g.is_empty()),
            )
        }
        _ => (raw, None),
    }
}

/// Whitespace-separated tokens, cut at CJK characters but for a folder
/// named in them (`D:\财务`), with leading brackets and trailing sentence
/// punctuation removed. Yields byte spans.
fn unquoted_tokens(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    let mut folder_name_end = 0;
    let mut previous = ' ';
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let in_a_token = start.is_some() && i >= folder_name_end;
        if in_a_token && cjk_names::is_cjk_letter(c) {
            let after_separator = matches!(previous, '/' | '\\');
            folder_name_end = i + cjk_names::folder_name_len(&text[i..], after_separator);
        }
        previous = c;
        let breaks = c.is_whitespace() || (is_cjk(c) && i >= folder_name_end);
        match (start, breaks) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    spans
        .into_iter()
        .filter_map(|(s, e)| {
            let token = &text[s..e];
            let lead = token.len() - token.trim_start_matches(['(', '[', '{', '<', ',']).len();
            let mut trimmed = &token[lead..];
            while trimmed.len() > 1
                && trimmed.ends_with(['.', ',', ';', ':', '!', '?', ')', ']', '}', '>', '"', '\''])
            {
                // Keep "./" and "../" whole; they end in '/' anyway.
                trimmed = &trimmed[..trimmed.len() - 1];
            }
            (!trimmed.is_empty()).then_some((s + lead, s + lead + trimmed.len()))
        })
        .collect()
}

fn role_before(before: &str) -> Option<Role> {
    let before = before.trim_end().to_lowercase();
    if let Some(role) = role_by_phrase(&before) {
        return Some(role);
    }
    if before.ends_with(" using") || before == "using" || before.ends_with('用') {
        return Some(Role::Means);
    }
    // "into the /srv/x", "from the \\nas\\share": the article changes nothing.
    let before = match before.strip_suffix("the") {
        Some(rest) if rest.ends_with(char::is_whitespace) => rest.trim_end().to_string(),
        _ => before,
    };
    let ends_with_word = |marker: &str| {
        before.ends_with(marker)
            && before[..before.len() - marker.len()]
                .chars()
                .last()
                .is_none_or(|c| !c.is_alphanumeric() || is_cjk(c) || !marker.is_ascii())
    };
    if DESTINATION_MARKERS.iter().any(|m| ends_with_word(m)) {
        Some(Role::Destination)
    } else if SOURCE_MARKERS.iter().any(|m| ends_with_word(m)) {
        Some(Role::Source)
    } else if ends_with_word("把") {
        Some(Role::Object)
    } else if PLACE_MARKERS.iter().any(|m| ends_with_word(m)) {
        Some(direction_of_place(&before).unwrap_or(Role::Place))
    } else {
        None
    }
}

/// "to the old Synology at /x", "from the snapshot at /y": a place named
/// after the thing a direction word points at takes that direction.
static DIRECTION_OF_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(to|into|onto|from)\s+(?:the\s+|my\s+|our\s+|a\s+|an\s+)?(?:[\w'’-]+\s+){0,3}(?:at|in|on|under|inside)$")
        .expect("direction of place compiles")
});

fn direction_of_place(before: &str) -> Option<Role> {
    let c = DIRECTION_OF_PLACE.captures(before)?;
    Some(if &c[1] == "from" {
        Role::Source
    } else {
        Role::Destination
    })
}

/// The role that the words before a path give it by naming it ("the repo
/// at", "put in", "same as"), if any.
fn role_by_phrase(before: &str) -> Option<Role> {
    // Only the clause that leads to the path speaks of it.
    let start = before.len().saturating_sub(60);
    let start = (start..before.len())
        .find(|i| before.is_char_boundary(*i))
        .unwrap_or(before.len());
    let tail = &before[start..];
    if REPOSITORY_BEFORE.is_match(tail) {
        Some(Role::Repository)
    } else if DESTINATION_BEFORE.is_match(tail) {
        Some(Role::Destination)
    } else if SOURCE_BEFORE.is_match(tail) {
        Some(Role::Source)
    } else {
        None
    }
}

/// Marked paths take their role, a repository the one `repository_is_source`
/// gives it; then places and unmarked paths, in the order said, fill the
/// source, then the destination ("keep /srv/music in sync with the copy
/// at /mnt/pi": the first said is the source).
pub fn assign_roles(
    paths: &[SpottedPath],
    repository_is_source: bool,
) -> (Option<String>, Option<String>) {
    let repository_is_source = repository_is_source || repository_beside_a_target(paths);
    let read_from_elsewhere = repository_is_source
        && paths
            .iter()
            .any(|p| matches!(p.role, Some(Role::Means | Role::Source | Role::Repository)));
    let role = |p: &SpottedPath| match p.role {
        Some(Role::Repository) if repository_is_source => Some(Role::Source),
        Some(Role::Repository) => Some(Role::Destination),
        Some(Role::Means) if repository_is_source => Some(Role::Source),
        Some(Role::Means) => None,
        Some(Role::Object) if read_from_elsewhere => Some(Role::Destination),
        Some(Role::Object) => Some(Role::Source),
        role => role,
    };
    let marked = |wanted: Role| paths.iter().filter(move |p| role(p) == Some(wanted));
    let mut source = marked(Role::Source).next().map(|p| p.path.clone());
    let mut destination = marked(Role::Destination).next().map(|p| p.path.clone());
    let unmarked: Vec<_> = paths
        .iter()
        .filter(|p| matches!(role(p), None | Some(Role::Place)))
        .collect();
    if source.is_none() && unmarked.is_empty() {
        if let [first, .., last] = marked(Role::Destination).collect::<Vec<_>>()[..] {
            // Two places things went to and none they came from: the first
            // is where the data was put, the last where it goes now ("I
            // imported the cards into ~/x. Back that folder up to /mnt/y").
            return (Some(first.path.clone()), Some(last.path.clone()));
        }
    }
    if destination.is_none() && unmarked.is_empty() {
        if let [first, .., last] = marked(Role::Source).collect::<Vec<_>>()[..] {
            // Two places things came from and none they go to: the first
            // tells where a reader takes its files, the last what it must
            // copy ("the tablet pulls from /x; make it a copy of /y").
            return (Some(last.path.clone()), Some(first.path.clone()));
        }
    }
    for p in unmarked {
        if source.is_none() {
            source = Some(p.path.clone());
        } else if destination.is_none() && source.as_deref() != Some(p.path.as_str()) {
            destination = Some(p.path.clone());
        }
    }
    (source, destination)
}

/// "The target should be D:\\x ... from the repository, D:\\y": another
/// path named the destination, and none the source, leaves the repository
/// only the place files come from.
fn repository_beside_a_target(paths: &[SpottedPath]) -> bool {
    let with = |role: Role| paths.iter().filter(move |p| p.role == Some(role));
    with(Role::Source).next().is_none()
        && with(Role::Repository)
            .any(|repo| with(Role::Destination).any(|target| target.path != repo.path))
}

/// The source and destination `text` names: its paths spotted, then their
/// roles assigned, a repository's by the verb said first.
pub fn roles(text: &str) -> (Option<String>, Option<String>) {
    let mut spotted = spot(text);
    let lower = mask(text, &spotted).to_lowercase();
    let restoring = repository_is_source(&lower);
    if restoring {
        mark_restored_in_place(&lower, &mut spotted);
    }
    assign_roles(&spotted, restoring)
}

/// What follows the one path of a restore that says it is what gets
/// restored, from a snapshot it does not place: "restore /etc from
/// yesterday's snapshot", "get ~/x back", "revert ./site to how it was".
static RESTORED_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^\s*(?:back\b|from\s+(?:the\s+|my\s+|a\s+)?(?:[\w'’-]+\s+){0,3}?(?:snapshot|backup|version)s?\b[^/\\~]*$",
        r"|(?:back\s+)?to\s+(?:how|the\s+way|what|the\s+state)\b|(?:back\s+)?(?:as|like)\s+it\s+(?:was|looked)\b",
        r"|(?:back\s+)?to\s+(?:the\s+|its\s+|an?\s+)?(?:last|latest|previous|earlier|newest|most\s+recent|yesterday's|last\s+night's)\s+(?:\w+\s+)?(?:snapshot|backup|version|state)\b)",
    ))
    .expect("restored after compiles")
});

/// A restore's one path, unmarked, followed by words that say it is the
/// thing restored, is where the files go: the repository is left to ask.
fn mark_restored_in_place(lower: &str, spotted: &mut [SpottedPath]) {
    if let [only] = spotted {
        if only.role.is_none() && RESTORED_AFTER.is_match(&lower[only.end..]) {
            only.role = Some(Role::Destination);
        }
    }
}

/// The text with every spotted path blanked out (byte lengths kept).
pub fn mask(text: &str, paths: &[SpottedPath]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for p in paths {
        if p.start < at {
            continue;
        }
        out.push_str(&text[at..p.start]);
        out.extend(std::iter::repeat_n(' ', p.end - p.start));
        at = p.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn absolute_home_relative_and_windows() {
        assert_eq!(
            roles("back up /srv/photos to /mnt/nas"),
            (s("/srv/photos"), s("/mnt/nas"))
        );
        assert_eq!(
            roles("mirror ~/docs to /media/usb"),
            (s("~/docs"), s("/media/usb"))
        );
        assert_eq!(
            roles("sync ./site to ../mirror"),
            (s("./site"), s("../mirror"))
        );
        assert_eq!(
            roles("back up data/files to backups/"),
            (s("data/files"), s("backups/"))
        );
        assert_eq!(
            roles(r"back up C:\Users\me to D:/backup"),
            (s(r"C:\Users\me"), s("D:/backup"))
        );
        assert_eq!(
            roles(r"copy \\server\share to ~"),
            (s(r"\\server\share"), s("~"))
        );
    }

    #[test]
    fn quotes_keep_spaces() {
        assert_eq!(
            roles(r#"back up "/srv/my photos" to '/mnt/the nas'"#),
            (s("/srv/my photos"), s("/mnt/the nas"))
        );
        assert_eq!(
            roles("sync “/srv/a b” to ‘/x y’"),
            (s("/srv/a b"), s("/x y"))
        );
        // An apostrophe is not a quote.
        assert_eq!(
            roles("don't touch anything but clean /tmp/x"),
            (s("/tmp/x"), None)
        );
    }

    #[test]
    fn punctuation_is_not_part_of_the_path() {
        assert_eq!(
            roles("clean up *.log in /var/log/app, show me first"),
            (s("/var/log/app"), None)
        );
        assert_eq!(roles("back up /srv/photos."), (s("/srv/photos"), None));
        assert_eq!(roles("clean (/tmp/x)!"), (s("/tmp/x"), None));
        assert_eq!(
            roles("archive /srv/file.tar.gz to /"),
            (s("/srv/file.tar.gz"), s("/"))
        );
    }

    #[test]
    fn roles_follow_markers() {
        assert_eq!(
            roles("restore /srv/photos from /mnt/nas"),
            (s("/mnt/nas"), s("/srv/photos"))
        );
        assert_eq!(roles("to /b back up from /a"), (s("/a"), s("/b")));
        assert_eq!(
            roles("make a backup of ~/docs on /mnt/nas"),
            (s("~/docs"), s("/mnt/nas"))
        );
        assert_eq!(
            roles("把 /srv/photos 备份到 /mnt/nas"),
            (s("/srv/photos"), s("/mnt/nas"))
        );
        assert_eq!(roles("清理/tmp下超过7天的文件"), (s("/tmp"), None));
    }

    #[test]
    fn the_one_path_of_a_restore_said_as_restored_is_the_target() {
        for text in [
            "restore /etc from yesterday's snapshot",
            "get /srv/minecraft/world back to how it looked in yesterday's snapshot",
            "revert ./site to the last snapshot",
            "I want ~/notes back as it was",
        ] {
            let (_, destination) = roles(text);
            assert!(destination.is_some(), "{text}");
        }
        // A repository named alone stays the source.
        assert_eq!(
            roles("restore from /mnt/backup/repo"),
            (s("/mnt/backup/repo"), None)
        );
        assert_eq!(
            roles("restore the latest snapshot of /mnt/backup/repo"),
            (s("/mnt/backup/repo"), None)
        );
        // A backup is no restore: its one path is what is backed up.
        assert_eq!(roles("back up /etc from now on"), (s("/etc"), None));
    }

    #[test]
    fn folders_named_in_chinese() {
        assert_eq!(
            roles(r"把 D:\财务 备份到 E:\备份"),
            (s(r"D:\财务"), s(r"E:\备份"))
        );
        assert_eq!(
            roles("把/srv/照片备份到/mnt/nas"),
            (s("/srv/照片"), s("/mnt/nas"))
        );
        assert_eq!(
            roles("restore /Volumes/Work/恢复 from /mnt/bk"),
            (s("/mnt/bk"), s("/Volumes/Work/恢复"))
        );
        assert_eq!(
            roles("清理/tmp/下载里超过7天的文件"),
            (s("/tmp/下载"), None)
        );
        // 把 marks what a restore writes when another path is read from.
        assert_eq!(
            roles("用 /mnt/bk 把 /srv/site 还原"),
            (s("/mnt/bk"), s("/srv/site"))
        );
        assert_eq!(
            roles("从 /mnt/bk 把 /srv/site 恢复回来"),
            (s("/mnt/bk"), s("/srv/site"))
        );
        assert_eq!(
            roles("把 /mnt/bk 里的快照恢复到 /srv/site"),
            (s("/mnt/bk"), s("/srv/site"))
        );
        // Text that only touches a path after a name stays out of it.
        assert_eq!(roles("把/srv/a备份到/mnt/b"), (s("/srv/a"), s("/mnt/b")));
        assert_eq!(
            roles("~/笔记 同步到 /mnt/u盘/笔记"),
            (s("~/笔记"), s("/mnt/u盘/笔记"))
        );
        assert_eq!(
            roles(r"D:\RAW备份\重复 里大于50MB的文件"),
            (s(r"D:\RAW备份\重复"), None)
        );
        // Two places: where from, then where to.
        assert_eq!(
            roles("keep 3 snapshots of /srv/vm-images in /mnt/snaps"),
            (s("/srv/vm-images"), s("/mnt/snaps"))
        );
        assert_eq!(
            roles(r"my files back from D:\Backups, put them in C:\Users\ana"),
            (s(r"D:\Backups"), s(r"C:\Users\ana"))
        );
        // A place never displaces a marked end.
        assert_eq!(
            roles("restore the files of /home/ana from /mnt/nas"),
            (s("/mnt/nas"), s("/home/ana"))
        );
        assert_eq!(
            roles("in /srv/a copy to /mnt/b"),
            (s("/srv/a"), s("/mnt/b"))
        );
    }

    #[test]
    fn roles_by_what_a_path_is_called() {
        for (text, want) in [
            (
                "backup for the data dir /var/lib/pg, put in /srv/bk/pg, every 6 hours",
                ("/var/lib/pg", "/srv/bk/pg"),
            ),
            (
                "the repo at /backups/gitea should receive a snapshot of /var/lib/gitea",
                ("/var/lib/gitea", "/backups/gitea"),
            ),
            (
                "the destination repo is /mnt/vm (the big disk). what i want in there is /var/vm",
                ("/var/vm", "/mnt/vm"),
            ),
            (
                "back up /var/lib/mysql into the repository at /srv/mysql-repo",
                ("/var/lib/mysql", "/srv/mysql-repo"),
            ),
            (
                r"is possible to backup the C:\Users\r in \\nas\bk every week?",
                (r"C:\Users\r", r"\\nas\bk"),
            ),
            (
                "make the /mnt/backup/isos look exactly like /mnt/disk1/isos",
                ("/mnt/disk1/isos", "/mnt/backup/isos"),
            ),
            (
                "keep /mnt/b exactly in line with /srv/a, every evening",
                ("/srv/a", "/mnt/b"),
            ),
            (
                "i want /mnt/new to be a one-way mirror of /srv/old",
                ("/srv/old", "/mnt/new"),
            ),
            (
                "let /mnt/b become identical with /srv/a",
                ("/srv/a", "/mnt/b"),
            ),
            (
                "i broke ~/site. can i get last night's version back out of /mnt/bk?",
                ("/mnt/bk", "~/site"),
            ),
            (
                "revert /etc/app to yesterday using the backups in /mnt/nas/app",
                ("/mnt/nas/app", "/etc/app"),
            ),
            (
                "restore /opt/x from the nightly restic snapshots on /mnt/y",
                ("/mnt/y", "/opt/x"),
            ),
            (
                "recover my thesis? it was backed up to /mnt/usb/repo and it should land in ~/thesis",
                ("/mnt/usb/repo", "~/thesis"),
            ),
            (
                "~/notes 坏了，用 /mnt/bk 里的快照把它恢复",
                ("/mnt/bk", "~/notes"),
            ),
            (
                "sync my exports, ~/x, to the client drive at /Volumes/C",
                ("~/x", "/Volumes/C"),
            ),
            (
                "i imported the cards into ~/cards. back that folder up to /Volumes/repo",
                ("~/cards", "/Volumes/repo"),
            ),
            // A repository is where a restore reads from.
            (
                "roll back /var/lib/mysql using the repo /srv/mysql-repo",
                ("/srv/mysql-repo", "/var/lib/mysql"),
            ),
            (
                "roll ./world back using ./world-bk",
                ("./world-bk", "./world"),
            ),
            (
                r"the target should be D:\Rec, nothing else. i need the latest snapshot from the repository, D:\Repo",
                (r"D:\Repo", r"D:\Rec"),
            ),
            (
                "restore /var/lib/pg from the snapshot at /mnt/snaps/pg",
                ("/mnt/snaps/pg", "/var/lib/pg"),
            ),
            (
                "数据库目录 /var/lib/pg 需要备份，仓库放在 /srv/bk/pg",
                ("/var/lib/pg", "/srv/bk/pg"),
            ),
            (
                "仓库是 /mnt/restic，要备份的是 /mnt/movies",
                ("/mnt/movies", "/mnt/restic"),
            ),
            (
                "让 /mnt/backup/roms 跟 /mnt/disk1/roms 一样",
                ("/mnt/disk1/roms", "/mnt/backup/roms"),
            ),
        ] {
            assert_eq!(roles(text), (s(want.0), s(want.1)), "{text}");
        }
        // "using" in other commands marks nothing.
        assert_eq!(
            roles("i've been using /data/wal for archiving, delete files there older than 10 days"),
            (s("/data/wal"), None)
        );
    }

    #[test]
    fn globs_urls_times_are_not_paths() {
        let p = spot("clean up /var/log/*.log and ~* and *.tmp, see http://x.org/a at 3:30 or 24/7 and/or 30d");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].path, "/var/log");
        assert_eq!(p[0].glob.as_deref(), Some("*.log"));
    }

    #[test]
    fn masking_keeps_offsets() {
        let text = "back up /srv/2am to /mnt/500MB";
        let masked = mask(text, &spot(text));
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("2am") && !masked.contains("500MB"));
    }
}
