//! Folder names written in Chinese, Japanese or Korean inside an unquoted
//! path: `D:\财务`, `/Volumes/Work/恢复`, `/srv/照片备份到/mnt/nas`.
//!
//! CJK text is written without spaces, so a path and the words after it
//! touch: in 把/srv/照片备份到/mnt/nas the folder is 照片 and 备份到 ("back up
//! to") is the sentence. A CJK run right after a separator is a folder name
//! up to the first word that belongs to the sentence; a run that starts
//! with such a word is a folder name when the word is a noun too
//! (/mnt/备份 is a folder called "backup").

/// Words that start the sentence again after a path: verbs of Tend's work,
/// places (里 "in"), directions (到 "to"), conditions and particles. Rare
/// inside a folder's name.
const SENTENCE_WORDS: &[&str] = &[
    "里",
    "中的",
    "下的",
    "中所有",
    "下所有",
    "目录",
    "文件夹",
    "这个",
    "备份",
    "还原",
    "恢复",
    "同步",
    "镜像",
    "清理",
    "清除",
    "删除",
    "删掉",
    "移到",
    "放到",
    "拷到",
    "复制",
    "到",
    "至",
    "并",
    "然后",
    "每",
    "保留",
    "超过",
    "大于",
    "小于",
    "以上",
    "以前",
    "之前",
    "的文件",
    "的所有",
    "和",
    "与",
    "跟",
    "吧",
    "吗",
    "呢",
    "了",
    "上的",
];

/// Sentence words that are nouns too, and so name folders: 备份 "backup".
const FOLDER_NOUNS: &[&str] = &["备份", "还原", "恢复", "同步", "镜像", "目录", "文件夹"];

/// Whether `c` is a CJK letter (not CJK punctuation, which always ends a path).
pub fn is_cjk_letter(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ac00}'..='\u{d7af}')
}

/// The byte length of the CJK folder name that starts `rest` inside an
/// unquoted path, 0 when the path ends where `rest` starts.
/// `after_separator`: `rest` follows a `/` or `\\` (D:\\财务), rather than
/// letters of a name (u盘, RAW备份).
pub fn folder_name_len(rest: &str, after_separator: bool) -> usize {
    let run = rest
        .char_indices()
        .find(|&(_, c)| !is_cjk_letter(c))
        .map_or(rest.len(), |(i, _)| i);
    let name = &rest[..run];
    let words: Vec<(usize, &str)> = name
        .char_indices()
        .filter_map(|(at, _)| {
            let word = SENTENCE_WORDS.iter().find(|w| name[at..].starts_with(*w))?;
            Some((at, *word))
        })
        .collect();
    let noun = |word: &str| FOLDER_NOUNS.contains(&word);
    let next = rest[run..].chars().next();
    let closes = next.is_none_or(|c| c.is_whitespace() || !c.is_alphanumeric());
    // Nouns only, not leading on ("备份到" is "back up to"), up to where the
    // path ends or goes on: the whole run names a folder (备份盘, 配置镜像, u盘).
    if closes && words.iter().all(|&(_, w)| noun(w)) && !name.ends_with(['到', '至']) {
        return run;
    }
    if !after_separator {
        return 0;
    }
    // After a separator, the name runs up to the sentence: the first word
    // that is no noun, or a noun used as a verb, right before one (照片|备份到;
    // but 备份盘|里).
    let used_as_verb = |at: usize, word: &str| {
        let after = at + word.len();
        words.iter().any(|&(next, w)| next == after && !noun(w))
    };
    words
        .iter()
        .find(|&&(at, w)| !noun(w) || used_as_verb(at, w))
        .map_or(run, |&(at, _)| at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(rest: &str) -> &str {
        &rest[..folder_name_len(rest, true)]
    }

    #[test]
    fn a_folder_name_ends_where_the_sentence_starts() {
        for (rest, want) in [
            ("财务", "财务"),
            ("财务 备份到 e:\\", "财务"),
            ("恢复", "恢复"),
            ("备份", "备份"),
            ("照片备份到/mnt/nas", "照片"),
            ("下载里超过7天的tmp文件", "下载"),
            ("客户资料同步到/mnt/b", "客户资料"),
            ("我的照片", "我的照片"),
            ("备份到/mnt", ""),
            ("到/mnt", ""),
            ("的文件", ""),
            ("工作/项目", "工作"),
            ("备份/code", "备份"),
            ("备份盘/nginx", "备份盘"),
            ("备份盘里的文件", "备份盘"),
            ("到", ""),
            ("写真。", "写真"),
        ] {
            assert_eq!(name(rest), want, "{rest}");
        }
    }
}
