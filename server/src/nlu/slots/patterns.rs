//! File patterns: explicit globs ("*.log"), extensions in words ("log
//! files", ".bak files", "files ending in .iso", "clean jpgs", "csv only")
//! and a few common aliases ("temp files").

use std::sync::LazyLock;

use regex::Regex;

/// Words that name a file type when followed by "files" ("log files").
/// Not "raw": raw files are camera raw photos in general (.cr3, .nef,
/// .arw), no one extension.
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

/// [`EXTENSION_WORDS`] that name no file type standing alone, being
/// words or places too: "check the log", "/tmp", "clear the cache", "8
/// cores", "spare parts", "ISO 3200". The others do, singular or plural:
/// "clean jpgs", "csv only", "pdf bigger than 20 MB".
const NOT_ALONE: &[&str] = &[
    "log", "tmp", "cache", "dump", "iso", "tar", "part", "orig", "core", "o", "class",
];

/// [`NOT_ALONE`] words whose plural names the type: "old logs", "the
/// ISOs", "tars".
const PLURAL_ALONE: &[&str] = &["log", "tar", "iso"];

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
    Regex::new(r"(?i)\b([a-z0-9]{1,10})\s+files?\b").expect("word files compiles")
});
/// A word standing alone that may name a type ([`NOT_ALONE`]): not part of a
/// file name ("report.pdf") or a glob.
static TYPE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^\w.*/\\-])([a-z0-9]{1,11})\b").expect("type word compiles")
});
/// Words after a type word that make it something else: a place ("the pdf
/// folder"), a camera setting ("iso 3200"), a verb ("zip it up"), part of
/// a longer name ("json-rpc").
static NO_TYPE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^[-_./\\]\w|^\s*(?:\d|(?:folders?|dirs?|director(?:y|ies)|subfolders?|it|them)\b|up\s*(?:$|[,.;:!?]|(?:the|these|those|everything|all|my)\b))",
    )
    .expect("no type after compiles")
});
/// An explicit extension just before a type word: in "compressed .gz
/// logs" or "*.gz logs" the noun says what the extension's files are, not
/// one more type.
static EXTENSION_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\.[A-Za-z0-9]{1,10}|\*\S*)\s+$").expect("extension before compiles")
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
    let named: Vec<String> = found.iter().map(|(_, g)| g.clone()).collect();
    found.extend(type_words(masked, &named));
    found.sort_by_key(|(at, _)| *at);
    let mut out: Vec<String> = Vec::new();
    for (_, p) in found {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// File types named by their extension standing alone ([`NOT_ALONE`]),
/// with where each is said. Beside patterns already `named` for the type
/// the word describes them, not one more: "logs in /var/log/x ... delete
/// *.log.*", "the JPEG previews ... delete the .jpg files".
fn type_words(masked: &str, named: &[String]) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for c in TYPE_WORD.captures_iter(masked) {
        let Some(m) = c.get(1) else { continue };
        let word = m.as_str().to_lowercase();
        let Some(extension) = type_named_alone(&word) else {
            continue;
        };
        if named.iter().any(|g| names_type(g, extension))
            || NO_TYPE_AFTER.is_match(&masked[m.end()..])
            || EXTENSION_BEFORE.is_match(&masked[..m.start()])
        {
            continue;
        }
        found.push((m.start(), format!("*.{extension}")));
    }
    found
}

/// The extension `word` (lowercase) names standing alone: "pdf", "jpgs",
/// "logs" but not "log" ([`NOT_ALONE`]).
fn type_named_alone(word: &str) -> Option<&str> {
    let known = |w: &str| EXTENSION_WORDS.contains(&w);
    if known(word) && !NOT_ALONE.contains(&word) {
        return Some(word);
    }
    let base = word.strip_suffix('s')?;
    (known(base) && (!NOT_ALONE.contains(&base) || PLURAL_ALONE.contains(&base))).then_some(base)
}

/// Whether `pattern` names files of type `extension`, spelled either way
/// ("*.jpg" for "jpeg").
fn names_type(pattern: &str, extension: &str) -> bool {
    let spelled = match extension {
        "jpeg" => "jpg",
        "jpg" => "jpeg",
        other => other,
    };
    pattern.contains(&format!(".{extension}")) || pattern.contains(&format!(".{spelled}"))
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
        assert!(p("back up the raw files").is_empty());
    }

    #[test]
    fn types_named_by_their_extension_alone() {
        assert_eq!(p("clean jpgs >90 days old out of x"), ["*.jpg"]);
        assert_eq!(p("           , csv only, older than 2 months"), ["*.csv"]);
        assert_eq!(
            p("which PDFs in             are more than a month old?"),
            ["*.pdf"]
        );
        assert_eq!(p("pdf bigger than 20 MB in x, please to remove"), ["*.pdf"]);
        assert_eq!(p("remove all heic in x, they are copies"), ["*.heic"]);
        assert_eq!(p("old ISOs and zips can go"), ["*.iso", "*.zip"]);
        assert_eq!(p("mp4s and MOVs over 2 GB"), ["*.mp4", "*.mov"]);
        assert_eq!(p("another big zip in x"), ["*.zip"]);
        assert_eq!(p("delete the old tars"), ["*.tar"]);
        assert_eq!(p("logs up to a week old"), ["*.log"]);
    }

    #[test]
    fn words_that_are_no_file_type() {
        for text in [
            "check the log of task 3",
            "the raw files in x",
            "delete the raws",
            "clear the cache",
            "a box with 8 cores",
            "tar it up",
            "zip them up first",
            "zip up the folder",
            "shots at iso 3200",
            "the iso images don't match",
            "restore report.pdf from x",
            "clean the pdf folder",
            "os updates and spare parts",
            "compare by json-rpc",
        ] {
            assert!(p(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn an_extension_before_a_noun_names_the_kind() {
        assert_eq!(p("compressed .gz logs behind in x"), ["*.gz"]);
        assert_eq!(p("wipe the *.gz logs"), ["*.gz"]);
        assert_eq!(
            p("old .tar.gz logs and .zip archives"),
            ["*.tar.gz", "*.zip"]
        );
        assert_eq!(p("rotated logs and .gz files"), ["*.log", "*.gz"]);
        assert_eq!(
            p("the JPEG previews next to the raws: delete the .jpg files"),
            ["*.jpg"]
        );
        assert_eq!(p("jpgs and *.jpeg"), ["*.jpeg"]);
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
