//! Finding paths in free text and deciding which is the source and which the
//! destination. Paths are kept exactly as written (`~` included); only
//! surrounding quotes and trailing sentence punctuation are removed.

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
const SOURCE_MARKERS: [&str; 3] = ["from", "从", "把"];
const PLACE_MARKERS: [&str; 7] = ["in", "of", "under", "inside", "within", "at", "在"];

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

/// Whitespace-separated tokens, cut at CJK characters, with leading brackets
/// and trailing sentence punctuation removed. Yields byte spans.
fn unquoted_tokens(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let breaks = c.is_whitespace() || is_cjk(c);
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
    } else if PLACE_MARKERS.iter().any(|m| ends_with_word(m)) {
        Some(Role::Place)
    } else {
        None
    }
}

/// Marked paths take their role; places, then unmarked paths, fill the
/// source, then the destination.
pub fn assign_roles(paths: &[SpottedPath]) -> (Option<String>, Option<String>) {
    let mut source = None;
    let mut destination = None;
    for p in paths {
        match p.role {
            Some(Role::Source) if source.is_none() => source = Some(p.path.clone()),
            Some(Role::Destination) if destination.is_none() => destination = Some(p.path.clone()),
            _ => {}
        }
    }
    let places = paths.iter().filter(|p| p.role == Some(Role::Place));
    for p in places.chain(paths.iter().filter(|p| p.role.is_none())) {
        if source.is_none() {
            source = Some(p.path.clone());
        } else if destination.is_none() && source.as_deref() != Some(p.path.as_str()) {
            destination = Some(p.path.clone());
        }
    }
    (source, destination)
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

    fn roles(text: &str) -> (Option<String>, Option<String>) {
        assign_roles(&spot(text))
    }

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
