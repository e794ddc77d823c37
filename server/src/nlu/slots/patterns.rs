//! File patterns: explicit globs ("*.log"), extensions in words ("log
//! files", ".bak files", "files ending in .iso") and a few common aliases
//! ("temp files").

use std::sync::LazyLock;

use regex::Regex;

/// Words that name a file type when followed by "files" ("log files").
const EXTENSION_WORDS: &[&str] = &[
    "log",
    "tmp",
    "bak",
    "cache",
    "swp",
    "dmp",
    "dump",
    "iso",
    "zip",
    "gz",
    "tar",
    "tgz",
    "bz2",
    "xz",
    "7z",
    "rar",
    "pdf",
    "jpg",
    "jpeg",
    "png",
    "gif",
    "heic",
    "raw",
    "mp3",
    "mp4",
    "mkv",
    "avi",
    "mov",
    "txt",
    "csv",
    "json",
    "xml",
    "part",
    "crdownload",
    "orig",
    "core",
    "pyc",
    "o",
    "class",
];

static GLOB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[\s,;(\[“"'])([^\s,;()"'“”]*[*?\[][^\s,;()"'“”]*)"#)
        .expect("glob pattern compiles")
});
/// ".log files", ".tmp and .bak files", ".jpg, .png or .gif files".
static DOT_FILES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:^|\s)((?:\.[a-z0-9]{1,10}(?:\s*,\s*|\s+and\s+|\s+or\s+|\s*/\s*)?)+)\s+files?\b",
    )
    .expect("dot files compiles")
});
/// One extension, two-part ones whole: ".tar.gz" is `*.tar.gz`, not
/// `*.tar` and `*.gz`.
static DOT_EXTENSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\.([A-Za-z0-9]{1,10}(?:\.(?:gz|bz2|xz|zst|7z))?)").expect("dot extension compiles")
});
/// An extension standing alone as a word names a file type, with or
/// without "files" after it: "delete .cr3 older than 4 weeks", "the .mov
/// and .mp4 over 4 GB", ".o 和 .a 文件". Paths are masked, so no file
/// name's dot reaches here.
static BARE_DOTTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[\s(,，、和与及或\p{Han}])\.([a-z][a-z0-9]{0,9}(?:\.(?:gz|bz2|xz|zst|7z))?)(?:$|[\s),.;:!?，。、；\p{Han}])")
        .expect("bare dotted compiles")
});
/// A file type named in Chinese text by its bare extension: "10天以前的
/// mp4", "两周的 zip 包", "iso 删掉".
static CHINESE_BARE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[\p{Han}，。、])\s*([a-z0-9]{1,10})\s*(?:$|[\p{Han}，。、])")
        .expect("chinese bare word compiles")
});
static WORD_FILES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b([a-z0-9]{1,10})\s+files?\b|\b(logs)\b").expect("word files compiles")
});
static ENDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:ending (?:in|with)|with (?:the )?extension|extension|suffix)\s+\.?([a-z0-9]{1,10})\b").expect("ending compiles")
});
static TEMP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\btemp(?:orary)? files?\b|临时文件").expect("temp compiles"));
/// "tmp 文件", "log文件": a file kind named before 文件 (file).
static CHINESE_WORD_FILES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)([a-z0-9]{1,10})\s*文件").expect("chinese word files compiles")
});
static CHINESE_LOGS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"日志").expect("chinese logs compiles"));

/// Patterns in the order the text states them, without duplicates.
pub fn extract(masked: &str) -> Vec<String> {
    let mut found: Vec<(usize, String)> = Vec::new();
    for c in GLOB.captures_iter(masked) {
        if let Some(m) = c.get(1) {
            let glob = m.as_str().trim_end_matches(['.', '!', ':', ')', ']']);
            let glob = glob.trim_end_matches('?');
            let meaningful = glob.contains('*')
                || glob.contains('?')
                || (glob.contains('[') && glob.contains(']'));
            // A bare `*` is a cron field or "everything", never a file type.
            let bare = glob.chars().all(|ch| ch == '*' || ch == '/');
            if meaningful && !bare && !glob.contains("://") {
                found.push((m.start(), glob.to_string()));
            }
        }
    }
    // "logs in /var/log/x ... delete *.log.*": beside globs that name log
    // files, the noun "logs" says what they name, not one more pattern.
    let logs_globbed = found.iter().any(|(_, g)| g.contains(".log"));
    for c in DOT_FILES.captures_iter(masked) {
        if let Some(list) = c.get(1) {
            for ext in DOT_EXTENSION.captures_iter(list.as_str()) {
                let at = list.start() + ext.get(0).map_or(0, |m| m.start());
                found.push((at, format!("*.{}", ext[1].to_lowercase())));
            }
        }
    }
    for c in BARE_DOTTED.captures_iter(masked) {
        if let Some(m) = c.get(1) {
            found.push((m.start(), format!("*.{}", m.as_str().to_lowercase())));
        }
    }
    for c in CHINESE_BARE_WORD.captures_iter(masked) {
        if let Some(m) = c.get(1) {
            let word = m.as_str().to_lowercase();
            if EXTENSION_WORDS.contains(&word.as_str()) {
                found.push((m.start(), format!("*.{word}")));
            }
        }
    }
    for c in WORD_FILES.captures_iter(masked) {
        if let Some(m) = c.get(1) {
            let word = m.as_str().to_lowercase();
            // ".tar.gz files" names one type, read whole above.
            let last_of_dotted = masked[..m.start()].ends_with('.');
            if EXTENSION_WORDS.contains(&word.as_str()) && !last_of_dotted {
                found.push((m.start(), format!("*.{word}")));
            }
        } else if let Some(m) = c.get(2).filter(|_| !logs_globbed) {
            found.push((m.start(), "*.log".to_string()));
        }
    }
    for c in ENDING.captures_iter(masked) {
        if let Some(m) = c.get(1) {
            found.push((m.start(), format!("*.{}", m.as_str().to_lowercase())));
        }
    }
    for m in TEMP.find_iter(masked) {
        for alias in ["*.tmp", "*.temp", "~*"] {
            found.push((m.start(), alias.to_string()));
        }
    }
    for c in CHINESE_WORD_FILES.captures_iter(masked) {
        if let Some(m) = c.get(1) {
            let word = m.as_str().to_lowercase();
            if EXTENSION_WORDS.contains(&word.as_str()) {
                found.push((m.start(), format!("*.{word}")));
            }
        }
    }
    if let Some(m) = CHINESE_LOGS.find(masked) {
        found.push((m.start(), "*.log".to_string()));
    }
    found.sort_by_key(|(at, _)| *at);
    let mut out: Vec<String> = Vec::new();
    for (_, p) in found {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Vec<String> {
        extract(text)
    }

    #[test]
    fn explicit_globs() {
        assert_eq!(p("clean up *.log and *.gz in x"), ["*.log", "*.gz"]);
        assert_eq!(
            p("remove '*.bak', core.[0-9]* and cache/*.bin"),
            ["*.bak", "core.[0-9]*", "cache/*.bin"]
        );
        assert_eq!(p("delete ~* files"), ["~*"]);
        assert!(p("what's running?").is_empty());
    }

    #[test]
    fn extensions_in_words() {
        assert_eq!(p("clean up log files"), ["*.log"]);
        assert_eq!(p("delete .bak files"), ["*.bak"]);
        assert_eq!(p("remove files ending in .iso"), ["*.iso"]);
        assert_eq!(p("clean up old logs"), ["*.log"]);
        assert_eq!(p("delete temp files"), ["*.tmp", "*.temp", "~*"]);
        assert!(p("delete old files").is_empty());
        assert!(p("delete large files").is_empty());
        assert_eq!(p("*.log and log files"), ["*.log"]);
        assert_eq!(
            p("logs in x are rotated, delete *.log.* and *.gz files there"),
            ["*.log.*", "*.gz"]
        );
        assert_eq!(p("clean up logs and *.gz"), ["*.log", "*.gz"]);
    }

    #[test]
    fn lists_of_extensions_and_cron_stars() {
        assert_eq!(
            p("delete all .tmp and .bak files in /srv"),
            vec!["*.tmp", "*.bak"]
        );
        assert_eq!(
            p("remove .jpg, .png or .gif files"),
            vec!["*.jpg", "*.png", "*.gif"]
        );
        assert!(p("back up /srv to /mnt/b with cron 0 4 * * *").is_empty());
    }

    #[test]
    fn extensions_standing_alone() {
        assert_eq!(p("delete .cr3 older than 4 week"), ["*.cr3"]);
        assert_eq!(p("the .mov and .mp4 more than 4 GB"), ["*.mov", "*.mp4"]);
        assert_eq!(p("clear out .xmp and .lrprev junk"), ["*.xmp", "*.lrprev"]);
        assert_eq!(p("rm .nef >2y, preview first"), ["*.nef"]);
        assert_eq!(
            p("get rid of .zip and .tar.gz files"),
            ["*.zip", "*.tar.gz"]
        );
        // A dot inside a word or a sentence is no extension.
        assert!(p("use node.js, e.g. version 2. done").is_empty());
    }

    #[test]
    fn chinese() {
        assert_eq!(p("清理日志"), ["*.log"]);
        assert_eq!(p("删除临时文件"), ["*.tmp", "*.temp", "~*"]);
        assert_eq!(p("每天清理一下 .tmp 和 .bak 文件"), ["*.tmp", "*.bak"]);
        assert_eq!(p("./obj 目录下的 .o 和 .a 文件"), ["*.o", "*.a"]);
        assert_eq!(p("删除10天以前的 mp4，每天执行"), ["*.mp4"]);
        assert_eq!(p("超过两周的 zip 包删掉"), ["*.zip"]);
        assert!(p("每6小时一次").is_empty());
    }
}
