//! A mirror that also deletes at the destination what is gone from the
//! source (rsync's `--delete`): "remove what I deleted", "propagate
//! deletions", "源里删掉的也删掉". Deleting alone ("delete old logs") is a
//! cleanup, not this: every cue says what the source lacks or that the
//! copy is extra. A copy that must only match ("an exact copy", "1:1",
//! "一模一样") asks for nothing deleted: the product reads it as a plain
//! mirror, and deleting is asked in so many words.

use std::sync::LazyLock;

use regex::Regex;

use super::negation;

/// Verbs of deleting: "remove", "prune", "get rid of", "clean out".
const DELETE: &str = r"(?:remov|delet|drop|prun|purg|wip|nuk|trash|eras|toss|zap|cull)\w*|clean\w*(?:\s+(?:up|out))?|clear\w*(?:\s+out)?|get(?:ting)?\s+rid\s+of|got\s+rid\s+of";

/// What people call the destination: "the other side", "the usb".
const DESTINATION: &str = r"(?:other (?:side|end)|far (?:side|end)|destination|dest|target|backup|mirror|copy|replica|spare|remote|receiving (?:side|end)|usb(?: drive| stick)?|external(?: drive| disk)?|nas|server|share)\b";

/// Where the extra files are: "on the other side", "on the usb", "there".
fn at_destination() -> String {
    format!(r"(?:on|from|at|in|over)\s+(?:the\s+|my\s+)?(?:{DESTINATION})|\b(?:over )?there\b")
}

/// What the destination is compared with: "the source", "the original".
const SOURCE: &str = r"(?:source|src|originals?|origin|upstream|master|primary|local (?:side|copy|folder|disk|drive))\b";

/// Where a deletion was made: "locally", "here", "on my laptop".
const DELETED_HERE: &str = r"(?:locally|here|on (?:my|this) (?:side|end|machine|laptop|pc|computer|mac)|(?:at|on|in|from) (?:the )?source)\b";

/// Verbs of taking a file out of the source, past tense or not: "what I
/// removed", "anything I pulled out of Ready", "files I pull from Final",
/// "docs we retire".
const TAKEN_OUT: &str = r"(?:deleted?|removed?|trashed|erased|cull(?:ed)?|pruned|pull(?:ed)?\s+(?:out|from|off)|took\s+out|taken\s+out|retired?)";

static CUES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    let at = at_destination();
    [
        // "remove what I deleted", "prune files that no longer exist",
        // "delete whatever's gone".
        format!(
            r"\b(?:{DELETE})\s+(?:what|whatever|anything|everything|files?|stuff|things|the ones|the files|those|ones)\b\s*(?:that\s+|which\s+)?(?:(?:i|you|we|they)(?:'ve| have|'d| had)?|was|were|is|are|'s|has been|have been|got|get|gets)?\s*(?:already\s+)?(?:deleted|removed|trashed|erased|dropped|gone|missing|no longer|delete|remove|got rid of|get rid of)\b"
        ),
        // "delete the deleted files on the backup too".
        format!(
            r"\b(?:{DELETE})\s+(?:the\s+|any\s+|all\s+)?(?:deleted|removed|missing)\s+(?:ones|files|items|stuff)\s+(?:{at}|too\b|as well\b)"
        ),
        // "delete extraneous files", "drop extra files on the other side",
        // "remove extras"; "delete the extra copies" is a duplicates
        // cleanup.
        format!(
            r"\b(?:{DELETE})\s+(?:(?:any|all|the|anything|everything|whatever(?:'s| is)?|files?|stuff|things)\s+){{0,2}}(?:(?:extraneous|superfluous|surplus)\b|extras\b|extra\s+(?:files|stuff|things|ones|items|(?:{at}))|extra\s*$)"
        ),
        // "extra files on the target should be deleted".
        r"\b(?:extra|extras|extraneous|superfluous|surplus)\b(?:\s+\S+){0,5}?\s+(?:get|gets|should be|must be|are|be|will be|can be)\s+(?:deleted|removed|pruned|purged|dropped|wiped|cleaned up|cleared)\b".to_string(),
        // "remove stale files on the destination": stale or orphaned
        // files elsewhere (lock files, thumbnails) are a cleanup's.
        format!(
            r"\b(?:{DELETE})\s+(?:(?:any|all|the|anything|everything|files?|stuff|things)\s+){{0,2}}(?:stale|orphan(?:ed|s)?|leftover|left-over|obsolete|dangling)\b(?:\s+\w+)?\s+(?:{at})"
        ),
        // "propagate deletions", "mirror deletions too", "with deletes".
        r"\b(?:propagat\w*|mirror\w*|sync\w*|carry(?:ing)?|carries|includ\w*|incl\.?|with|replicat\w*|reflect\w*|apply|applies|applied|applying|honou?r\w*|pass\w*|follow\w*|push\w*|forward\w*|respect\w*|track\w*|cop(?:y|ies|ying)|handl\w*)\s+(?:over\s+|along\s+|through\s+)?(?:the\s+|my\s+|any\s+|all\s+|local\s+)?(?:deletions?|deletes|removals|deleted files|file deletions)\b|\bwith\s+(?:delete|deletion|removal)\b".to_string(),
        // "deletions included", "deletions should be mirrored too".
        r"\b(?:deletions?|removals)(?:\s+(?:should|must|will|would|to|get|gets|are|is|be|being|also|need to|have to|please))*\s+(?:too|as well|also|included|propagat\w*|carr(?:y|ied|ies) over|sync\w*|mirror\w*|reflect\w*|replicat\w*|go(?:es)? through|come across|follow|apply|count)\b".to_string(),
        // "files that aren't in the source", "gone from the source".
        format!(r"(?:\bnot|\bno longer|n't)\s+(?:(?:exist\w*|present|there|found|available)\s+)?(?:any\s?more\s+)?(?:in|on|at)\s+(?:the\s+|my\s+)?{SOURCE}"),
        // "files which gone from here", "that's gone from /data/x" (a
        // masked path is a run of spaces), "pruned at the source".
        format!(r"\b(?:gone|missing|absent|vanished|disappeared|deleted|removed|erased|trashed|pruned)\s+(?:from|in|on|at)\s+(?:(?:the\s+|my\s+)?{SOURCE}|here\b| {{2,}})"),
        // "isn't in prod any more": what the source no longer holds.
        r"(?:\bnot|n't)\s+(?:in|on|at)\s+(?:the\s+)?[\w-]+\s+any\s?more\b".to_string(),
        // "files I deleted in E also delete in F", "make sure it gets
        // removed over there too", "also delete there".
        format!(r"\b{TAKEN_OUT}\b[^.;!?]{{0,40}}?\b(?:also|too)\s+(?:be\s+)?(?:{DELETE})"),
        // "the files which I removed must be delete too".
        format!(r"\b{TAKEN_OUT}\b[^.;!?]{{0,40}}?\b(?:must|should|shall|need to|needs to|has to|have to)\s+(?:be\s+|get\s+)?(?:{DELETE})\w*\s+(?:too|as well)\b"),
        format!(r"\b(?:{DELETE})\s+(?:over\s+)?there\s+(?:too|as well)\b|\balso\s+(?:{DELETE})\s+(?:over\s+)?there\b"),
        // "if I delete a file here, delete it there too", "files I
        // delete should also disappear from the backup".
        format!(
            r"\b(?:deleted?|removed?|trashed|erased|cull(?:ed)?)\b(?:\s+\S+){{0,3}}?\s+{DELETED_HERE}[^.;!?]{{0,60}}?(?:\b(?:too|as well|also|there)\b|{at})"
        ),
        format!(
            r"\b{TAKEN_OUT}\b[^.;!?]{{0,60}}?\b(?:disappear|vanish|go away|go|be (?:deleted|removed|gone|culled)|get (?:deleted|removed))\w*\s+(?:from|on|at|in)\s+(?:the\s+|my\s+)?(?:(?:\w+\s+)?(?:{DESTINATION}|folder|side|drive)|there\b)"
        ),
        // Its names: "--delete", "delete-extraneous", "rsync-style delete".
        r"--del(?:ete)?\b|\bdelete[ -]extraneous\b|\brsync[ -]style (?:delete|deletion|mirror)".to_string(),
        // "an exact mirror", "a true mirror": a mirror in rsync's sense,
        // named so. "An exact copy", "1:1", "identical" only match.
        r"\b(?:exact|true|strict|perfect|faithful|1:1|one[- ]to[- ]one)\s+(?:mirror|mirroring)\b".to_string(),
        // 删除目标里多余的, 多余的也删掉, 源里删掉的也删掉, 同步删除, 完全一致.
        r"(?:删(?:除|掉)?|清(?:理|除|掉)).{0,12}(?:多余|多出来|多出)".to_string(),
        // 删除目标上源端已经不存在的文件: deleting said before what the source lacks.
        r"(?:删(?:除|掉)?|清(?:理|除|掉))[^，。；,;]{0,10}(?:源|本地|原)[^，。；,;]{0,6}(?:不存在|没有|不在|删掉|删除|删了)".to_string(),
        r"(?:多余|多出来|多出)的?(?:文件|东西|部分)?(?:也|都|全)?(?:要|得|给)?(?:删|清|去掉)".to_string(),
        r"(?:删(?:除|掉)?|清(?:除|理|掉)|去掉).{0,6}(?:已|我)?(?:删除|删掉|删了)的".to_string(),
        r"(?:源|本地|这边|原)[^，。；,;]{0,8}(?:删|没有|不存在|没了|不在|不再有)[^。；;]{0,14}(?:删|清除|去掉)".to_string(),
        r"删(?:了|掉|除)的[^，。；,;]{0,10}(?:也|一并|一起|同步)(?:要)?删".to_string(),
        r"同步删除|镜像删除|删除也(?:要)?同步|(?:包括|包含|含|连同)删除|完全镜像|(?:一比一|一对一|1:1)\s*镜像".to_string(),
    ]
    .iter()
    .map(|p| Regex::new(p).unwrap_or_else(|e| panic!("delete extraneous cue {p:?}: {e}")))
    .collect()
});

/// "Purge removed files", "delete the missing ones": beside a mirror, the
/// files the source lost; alone, perhaps a trash emptied.
static DELETED_FILES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?:{DELETE})\s+(?:the\s+|any\s+|all\s+)?(?:deleted|removed|missing)(?:\s+(?:ones|files|items|stuff|photos|folders)\b|\s*(?:$|[,.;!?]))"
    ))
    .expect("deleted files compiles")
});

/// "Removing old forms we've deleted", "remove whatever I've taken out of
/// Finals": beside a copy, what the user took out of the source.
static WHAT_I_TOOK_OUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?:{DELETE})\s+(?:\S+\s+){{0,3}}?(?:that\s+|which\s+)?(?:i|we|you|they)(?:'ve| have|'d| had)?\s+(?:already\s+)?(?:{TAKEN_OUT}|taken\s+\w+\s+out|culled)\b"
    ))
    .expect("what i took out compiles")
});

/// "The files which are not more in tank", "not anymore on the laptop":
/// beside a verb of deleting and a copy, what the source no longer holds.
static NOT_ANY_MORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bnot\s+(?:any\s?)?more\s+(?:in|on|at)\s+\S").expect("not any more compiles")
});

/// "Files on the replica that were deleted on the main one": deleting at
/// the destination what was deleted elsewhere.
static DELETED_ELSEWHERE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?:{DELETE})\s+(?:the\s+|any\s+|all\s+)?(?:files?|anything|everything|stuff)\s+(?:{})\s+(?:that|which)\s+(?:were|was|are|got|have been|has been|(?:i|we|you)(?:'ve| have)?)\s+(?:already\s+)?(?:deleted|removed|trashed|erased|gone|pruned)\b",
        at_destination()
    ))
    .expect("deleted elsewhere compiles")
});

/// "Remove files from the replica that ...": beside a mirror, files
/// deleted at the destination are the ones the source lacks; alone, a
/// cleanup of the backup drive.
static DELETED_THERE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?:{DELETE})\s+(?:the\s+|any\s+|all\s+)?(?:files?|anything|everything|stuff)\s+(?:{})\s+(?:that|which)\b",
        at_destination()
    ))
    .expect("deleted there compiles")
});

/// Verbs of mirroring: a backup keeps snapshots, so files removed from
/// it are no extras.
static MIRRORS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:mirror|sync|replicat|rsync)\w*|同步|镜像").expect("mirrors compiles")
});
/// "remove files from the replica that are older than a year": a
/// condition of age or size makes it a cleanup of the replica.
static AGE_OR_SIZE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[^.;!?]{0,40}?\b(?:older|newer|younger|larger|bigger|smaller|than|over|under)\b")
        .expect("age or size compiles")
});

/// Verbs that copy, where deleting is said of what a mirror deletes.
static COPIES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:mirror|sync|cop(?:y|ie)|back(?:ing)? up|backup|replicat|rsync|clone|duplicat|transfer|restor|snapshot|upload|download|push|pull)\w*|同步|备份|镜像|复制|拷贝|恢复")
        .expect("copies compiles")
});

/// Whether lowercased `lower` copies files somewhere: a mirror, a backup,
/// a transfer.
pub fn copies(lower: &str) -> bool {
    COPIES.is_match(lower)
}

/// What the source lacks, said of a place that is only the source beside
/// a verb of deleting: "not present locally", "not on my laptop", "not in
/// /srv/a" (a masked path is a run of spaces, so "in" is followed by more
/// than one), also "not exist anymore in /srv/a".
static NOT_HERE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\bnot|\bno longer|n't)\s+(?:(?:exist\w*|present|there|found|available)\s+)?(?:any\s?more\s+)?(?:(?:in|on|at|under) {2,}|(?:locally|here\s+any\s?more|on (?:my|this) (?:side|end|laptop|machine|pc|computer|mac)|in (?:my|the) (?:library|catalog|local folder))\b)")
        .expect("not here compiles")
});

/// "Prune whatever's not in dist", "delete files that aren't in build
/// any more": beside a copy, what a place named by a word (the source,
/// whose path was masked) lacks. The place is checked apart
/// ([`NO_PLACE`]).
static NOT_IN_A_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?:{DELETE})\s+(?:(?:the|all|any|old)\s+)*(?:what|whatever|anything|everything|files?|stuff|things|ones)(?:'s|\s+(?:that|which)(?:'s)?)?(?:\s+(?:is|are|was|were|do|does))?(?:\s+not|\s+no longer|n't)\s+(?:(?:exist\w*|present|there|found)\s+)?(?:any\s?more\s+)?(?:in|on|at|inside|within)\s+(?:the\s+)?(?P<place>\w[\w.-]*)"
    ))
    .expect("not in a place compiles")
});

/// Words after "not in" that name no place: "not in use", "not in sync".
static NO_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:use|sync|order|progress|stock|time|line|list|place|fact|case|charge|effect)$")
        .expect("no place compiles")
});

/// "The extra files on the share delete them": the extras named first,
/// then deleted; beside a mirror, the ones the source lacks (a backup
/// keeps snapshots, and "extra files in downloads" are a cleanup's). Not
/// "the extra copies", a duplicates cleanup.
static EXTRAS_THEN_DELETE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?:(?:extra|extraneous|superfluous|surplus)\s+(?:files|stuff|things|ones|items)|extras)\b[^.;!?]{{0,40}}?\b(?:{DELETE})\s+(?:them|those|these|it)\b"
    ))
    .expect("extras then delete compiles")
});

/// A negation inside a cue that spans a clause: "the extra files on the
/// share, don't delete them".
static NEGATED_INSIDE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:no|not|never|don't|dont|do not|mustn't|shouldn't)\b")
        .expect("negated inside compiles")
});

static DELETES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"\b(?:{DELETE})")).expect("deletes compiles"));

/// Whether lowercased `lower` has a verb of deleting.
pub(super) fn deletes(lower: &str) -> bool {
    DELETES.is_match(lower)
}

/// Words before a cue that keep what it would delete: "keep files deleted
/// from the source", "保留多余的文件". "Keep the target the same as the
/// source" keeps nothing.
static KEPT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:keep|keeping|leave|leaving|preserve|preserving|retain|retaining)\s+(?:any\s+|all\s+|the\s+)?(?:files?|extras?|anything|everything|what|whatever|stuff|things|them|those|it|orphans?)\b|保留|留着|别动")
        .expect("kept compiles")
});

/// Deleting denied inside a Chinese cue: "多余的文件不要删".
static DENIED_INSIDE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:不要|不用|不必|无需|不|别|勿)(?:要|用)?(?:删|清|去)")
        .expect("denied inside compiles")
});

/// `Some(true)` when lowercased `lower` asks a mirror to delete what the
/// source lacks, else `None` (also when it says not to).
pub fn asked(lower: &str) -> Option<bool> {
    let lower = lower.replace('’', "'");
    let said = CUES
        .iter()
        .flat_map(|cue| cue.find_iter(&lower))
        .chain(
            NOT_HERE
                .find_iter(&lower)
                .filter(|_| DELETES.is_match(&lower)),
        )
        .chain(DELETED_FILES.find_iter(&lower).filter(|_| copies(&lower)))
        .chain(WHAT_I_TOOK_OUT.find_iter(&lower).filter(|_| copies(&lower)))
        .chain(
            NOT_ANY_MORE
                .find_iter(&lower)
                .filter(|_| copies(&lower) && DELETES.is_match(&lower)),
        )
        .chain(
            NOT_IN_A_PLACE
                .captures_iter(&lower)
                .filter(|c| {
                    c.name("place")
                        .is_some_and(|p| !NO_PLACE.is_match(p.as_str()))
                })
                .filter_map(|c| c.get(0))
                .filter(|_| copies(&lower)),
        )
        .chain(
            EXTRAS_THEN_DELETE
                .find_iter(&lower)
                .filter(|m| MIRRORS.is_match(&lower) && !NEGATED_INSIDE.is_match(m.as_str())),
        )
        .chain(DELETED_ELSEWHERE.find_iter(&lower))
        .chain(
            DELETED_THERE
                .find_iter(&lower)
                .filter(|m| MIRRORS.is_match(&lower) && !AGE_OR_SIZE.is_match(&lower[m.end()..])),
        )
        .any(|m| !denied(&lower, &m));
    said.then_some(true)
}

fn denied(lower: &str, m: &regex::Match) -> bool {
    negation::denied(lower, m.start(), m.end())
        || KEPT.is_match(negation::words_before(lower, m.start()))
        || DENIED_INSIDE.is_match(m.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asked_in_many_words() {
        for t in [
            "and remove what i deleted",
            "mirror ~/docs to /media/usb and remove what i deleted",
            "remove what i've deleted",
            "make the usb an exact copy of the shared folder, including removing anything we've deleted",
            "files i delete should also disappear from the backup",
            "anything i delete on my laptop should also be deleted on the nas",
            "if i cull photos here, cull them there too",
            "rejects i delete should go from the backup too",
            "one-way mirror incl. deletes",
            "sync to the usb and purge removed files",
            "sync and prune orphans on the target",
            "clean up files that no longer exist upstream",
            "delete remote files not present locally",
            "delete the files which not exist in source",
            "remove in destination the files deleted in source",
            "when delete in source, delete also in target",
            "remove what i’ve deleted",
            "and also delete stuff i removed",
            "delete whatever's gone",
            "get rid of files that are missing",
            "prune files that no longer exist in the source",
            "delete files missing from the source",
            "delete stuff on the target that isn't in the source",
            "delete files that aren't in the source",
            "remove anything on the usb that's not on the original",
            "delete files on                that aren't in          ",
            "anything gone from the source should go",
            "make an exact mirror",
            "a true mirror please",
            "keep them identical, deletions included",
            "drop extra files on the other side",
            "and delete anything extra there",
            "delete extraneous files",
            "delete-extraneous",
            "remove extras",
            "extra files on the target should be deleted",
            "remove stale files on the destination",
            "prune orphaned files from the backup",
            "--delete",
            "--delete style",
            "rsync --delete-after",
            "propagate deletions",
            "mirror deletions too",
            "sync deletions as well",
            "including deletions",
            "with deletes",
            "sync with delete",
            "deletions should be mirrored too",
            "if i delete a file here, delete it there too",
            "files removed locally should be removed on the backup",
            "删除目标中多余的文件",
            "删除目标里多余的",
            "并删掉我已删除的",
            "源里删掉的也删掉",
            "源里没有的也删掉",
            "多余的文件也删掉",
            "本地删了的远程也删",
            "同步删除",
            "目标端多出来的文件删掉",
            "源端删除的文件，目标端也删除",
            "与源完全同步（包括删除）",
            "做成完全镜像",
            "一比一镜像",
            // Taken out of the source, and so of the copy.
            "i want e mirrored to f, and files which i deleted in e also delete in f",
            "anything on staging that isn't in prod any more should be removed",
            "if we retire a document at hq, please make sure it gets removed over there too",
            "the old files which not exist anymore in source, remove them from nas",
            "also delete there the files which gone from here",
            "movies i remove from the library should go away from the spare as well",
            "anything i pulled out of ready should vanish from the shared folder too",
            "drop anything in the warehouse folder that's gone from             ",
            "delete files on the copy that were pruned at the source",
            "清理目标里多余的文件",
            "删除目标上源端已经不存在的文件",
            "mirror it, and remove files from the replica that were compacted away",
            // Said the way people write it.
            "sync ~/a to /mnt/b nightly, prune deleted",
            "copy the exports to the share, remove deleted.",
            "copy the forms to the laptop, including removing old forms we've deleted",
            "duplicate the selects onto the client drive and remove whatever i've taken out of selects",
            "sync it and also erase on the stick the photos which are not more in the library",
            "copy music to the nas, the old songs which i removed must be deleted too",
            "the replica should match, and purge files on the replica that were deleted on the main box",
        ] {
            assert_eq!(asked(t), Some(true), "{t}");
        }
    }

    #[test]
    fn what_the_source_lacks_said_loosely() {
        for t in [
            // A place named by a word, its path masked elsewhere.
            "rsync-style          to              , prune whatever's not in dist",
            "copy the site to the server, delete whatever isn't in site",
            "clone it and remove files that don't exist in build anymore",
            // A masked path after "anymore".
            "sync from              to              and remove the old files in              which not exist anymore in              ",
            "mirror a to b, drop what doesn't exist any more in            ",
            // The extras named first, then deleted.
            "mirror \"                       \" on                      , and the extra files on the share delete them",
            "sync the photos to the nas; the extras on the nas, remove them",
            "keep the nas in sync; extra stuff on the nas: delete it",
            // Pulled from the source, so gone from the copy.
            "files i pull from the source should disappear from the share too",
            "files i pull from final should be removed from the share as well",
            "photos i pulled off the selects should vanish from the spare as well",
            // Gone from the source.
            "delete what's gone from the source",
            "sync a to b and remove anything that's vanished from the original",
        ] {
            assert_eq!(asked(t), Some(true), "{t}");
        }
        for t in [
            "don't delete anything on the target",
            "please don't delete anything on the pi side, i sometimes drop extra albums there",
            "mirror a to b; the extra files on the share, don't delete them",
            "there are extra files in downloads, delete them",
            "clean up whatever's not in use",
            "sync a to b and delete whatever's not in use",
            "i pull from the source every night",
            "copy the files i pull from the server to the share",
            "delete files not in the list",
        ] {
            assert_eq!(asked(t), None, "{t}");
        }
    }

    #[test]
    fn deleting_alone_is_a_cleanup() {
        for t in [
            "delete old logs",
            "delete *.tmp",
            "remove the deleted task",
            "delete files older than 30 days",
            "restore the files i deleted",
            "i deleted some photos by mistake, get them back",
            "recover deleted files",
            "purge deleted files",
            "show me what i deleted",
            "clean up leftover files in /tmp",
            "remove stale lock files",
            "delete orphaned thumbnails in ~/.cache",
            "delete the extra copies in ~/photos",
            "find and delete exact duplicates",
            "delete exact duplicate files",
            "skip identical files",
            "mirror /srv/a to /mnt/b",
            "keep ~/notes and /mnt/nas/notes in sync",
            "back up exactly at 2am",
            "删除 /tmp 里的日志",
            "删除不同的文件",
            "i'm not here tomorrow, delete the old logs",
            "delete old snapshots and go to the backup drive",
            "back up /srv, the same as last time",
            "源文件夹备份到 /mnt/nas",
            "delete files on the backup drive that are older than a year",
            "mirror /a to /b and remove files from the mirror that are older than a year",
            "clean up the folder i removed files from",
            "delete the photos we've deleted from the catalog",
            "i'm not more in the office, delete old logs",
            // Matching alone deletes nothing.
            "make it an exact copy",
            "must be exact copy",
            "a 1:1 copy",
            "sync them 1:1",
            "make the usb look exactly like the source",
            "keep target same as source",
            "make dest identical to src",
            "保持完全一致",
            "让它跟源一模一样",
        ] {
            assert_eq!(asked(t), None, "{t}");
        }
    }

    #[test]
    fn said_not_to_is_unset() {
        for t in [
            "don't delete anything on the destination",
            "without removing extras",
            "mirror without deletions",
            "no deletions",
            "don't propagate deletions",
            "never remove what i deleted",
            "deletions not propagated",
            "keep files deleted from the source on the backup",
            "keep whatever i removed from the source on the backup",
            "leave extras alone",
            "don't make it an exact copy",
            "不要删除目标里多余的文件",
            "多余的文件不要删",
            "保留多余的文件",
        ] {
            assert_eq!(asked(t), None, "{t}");
        }
    }
}
