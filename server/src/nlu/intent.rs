//! Keyword-cue intent classification: the earliest strong verb wins, so
//! "mirror X to Y and remove what I deleted" is a sync, not a cleanup.

use std::sync::LazyLock;

use regex::Regex;

use super::{Intent, Slots};

struct Cue {
    intent: Intent,
    pattern: Regex,
    /// Strong cues are unambiguous verbs; weak ones ("copy") lower confidence.
    strong: bool,
}

fn cue(intent: Intent, pattern: &str, strong: bool) -> Cue {
    Cue {
        intent,
        pattern: Regex::new(&format!("(?i){pattern}")).expect("cue pattern compiles"),
        strong,
    }
}

static CUES: LazyLock<Vec<Cue>> = LazyLock::new(|| {
    use Intent::*;
    vec![
        // Before the verbs they hold, so that at the same place they win:
        // "is the photo backup done" asks about a task; "get rid of the
        // recurring cleanup", "disable the nightly backup" stop one.
        cue(
            Status,
            r"^\s*(?:is|are|was|were|has|have)\s+(?:the|my|our|that|this)\s+(?:[\w-]+\s+){0,2}?(?:backups?|syncs?|mirrors?|cleanups?|restores?|jobs?|tasks?)\s+(?:\w+\s+){0,2}?(?:done|finished|complete|completed|over|through|still|running|stuck|started|failed|succeeded)\b|(?:备份|同步|镜像|清理|恢复|任务)[^，。？,?]{0,4}(?:跑到|进行到|做到)(?:多少|哪)|(?:备份|同步|镜像|清理|恢复|任务)[^，。？,?]{0,6}还要多久",
            true,
        ),
        cue(
            Cancel,
            r"\b(?:drop|disable|get rid of|call off|turn off|switch off|unschedule)\s+(?:the|my|our|that|this)\s+(?:[\w-]+\s+){0,3}?(?:pending|queued|running|recurring|scheduled|current)\s+(?:[\w-]+\s+)?(?:backups?|restores?|syncs?|mirrors?|cleanups?|jobs?|tasks?|schedules?)\b|\b(?:disable|turn off|switch off|unschedule)\s+(?:the|my|our|that|this)\s+(?:[\w-]+\s+){0,3}?(?:backups?|syncs?|mirrors?|cleanups?|jobs?|tasks?|schedules?)\b",
            true,
        ),
        cue(
            Backup,
            r"\bback(?:s|ed|ing)?[ -]?up\b|\bbackups?\b|\bbackuped\b|\bback(?:ing)?\s+(?:it|them|this|that|these|those|everything|(?:the|my|our|this|that)\s+(?:[\w-]+\s+){0,2}?[\w-]+)\s+up\b|\bsnapshot\b|\barchive\b|备份",
            true,
        ),
        cue(
            Restore,
            r"\brestore\b|\brecover\b|\brevert\b|\bbring back\b|\broll ?back\b|\bput (?:it |them |.{0,20})?back\b|\b(?:get|want|need|have)\s+(?:[\w'’/~.-]+\s+){0,4}?back(?:\s*$|\s+(?:from|to|please|as|like|now|again|into|in|out)\b|\s*[,.!?;])|\b(?:pull|extract|grab|get|take|fetch)\s+(?:the\s+|my\s+)?(?:latest|newest|last|most\s+recent|previous|yesterday's)\s+(?:snapshot|backup)\b|\bundo\b|\bun-?quarantine\b|\b(?:out of|from) (?:the )?quarantine\b|恢复|还原|撤销|撤回",
            true,
        ),
        cue(
            Sync,
            r"\bsync(?:s|ed|ing|hroni[sz](?:e|es|ed|ing))?\b|\bmirror(?:s|ed|ing)?\b|\breplicat(?:e|es|ed|ing)\b|\brsync\b|同步|镜像",
            true,
        ),
        // A mirror asked for by how the copy should look: "make X look
        // exactly like Y", "keep the Pi's folder matching the desktop one".
        cue(
            Sync,
            r"\blooks?\s+(?:exactly\s+)?(?:like|the\s+same\s+as)\b|\b(?:keep|make|have)\b[^.?!]{0,40}?\b(?:matching|identical\s+(?:to|with)|the\s+same\s+as|an?\s+exact\s+copy)\b|\bone[- ]to[- ]one\b|保持一致",
            true,
        ),
        cue(Sync, r"\bcopy\b|\bduplicate\b|\bclone\b", false),
        cue(
            Cleanup,
            r"\bclean(?:[ -]?up)?\b|\bclear out\b|\bdelete\b|\bremove\b|\bpurge\b|\bprune\b|\btidy\b|\bget rid of\b|\bwipe\b|\berase\b|\btrash\b|\bfree up\b|\b(?:be|get|gets|getting)\s+(?:removed|deleted|purged|wiped|cleaned(?:\s+up)?|cleared)\b|^\s*empty\b|\bempty\s+(?:the|my|out)\b|\b(?:needs?|has|have|can)\s+to\s+go\b|\bcan\s+go\b|\blose\s+(?:any|all|every)\b|清理|删除|清除|清(?:一下|一次|掉|空)",
            true,
        ),
        cue(
            Status,
            r"^\s*(?:is|are|was|were|did|has|have)\s+(?:the|my|our|that|this)\s+(?:last\s+|latest\s+|nightly\s+)?(?:backups?|syncs?|mirrors?|cleanups?|restores?)\b|\bstatus\b|\bwhere are we (?:on|with|at)\b|\bhow far along\b|\bwhat(?:'s| is) (?:running|happening|going on)\b|\bhow(?:'s| is) (?:task|job|the|my)\b|\bprogress\b|\b(?:show|list)(?: me)?(?: all| the| my| our)? (?:tasks|jobs)\b|\bwhy\b[^.?!]{0,20}\b(?:task|job)\s*#?\d+|\b(?:finish(?:ed)?|done|complete|ok|okay)\s+or\s+not\b|\bis\s+it\s+(?:ok|okay|done|finished|still\s+running)\s*\?\s*$|\bqueue\b|状态|进度|查看任务|完成了吗|(?:失败|成功|结束|做完|跑完|完成)了?(?:吗|没有?)",
            true,
        ),
        cue(
            Cancel,
            r"\bcancel\b|\bstop\b|\babort\b|\bkill\b|\bhalt\b|\bterminate\b|取消|停止",
            true,
        ),
    ]
});

/// Asking about a thing is not asking to do it; asking who did something
/// ("who deleted ...") is an audit, not a command. Besides "what is" and
/// "how do I": advice ("should I", "is it safe to", "which is faster"),
/// consequences ("what happens if"), figures and defaults ("how long does
/// a backup take", "how many snapshots does restic keep", "what version").
/// A question about Tend's tasks ("how is task 3 doing", "how many jobs
/// are queued", "is the sync done") is a status request: see
/// [`asks_rather_than_commands`].
static QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^\s*(?:",
        r"what\s+is\s+(?:a|an|the\s+difference)\b|what\s+are\b|what\s+does\b|what's\s+(?:a|an)\b|what(?:'s|\s+is)\s+in\b|",
        r"what(?:'s|\s+is)\s+the\s+(?:best|default|recommended|right|difference)\b|what\s+(?:version|happens)\b|which\s+version\b|",
        r"how\s+does\b|how\s+do\s+(?:i|you|we)\b|how\s+(?:long|often|many|much)\b[^?]*?\b(?:does|do|should|would|could|usually|typically|by\s+default)\b|",
        // Counting files or space is a report Tend does not make.
        r"how\s+(?:many|much)\s+(?:files?|folders?|photos?|space|data|disk|storage|room)\b|",
        r"should\s+(?:i|we)\b|is\s+it\s+(?:safe|ok|okay|a\s+(?:good|bad)\s+idea|wise|normal|worth|better|true)\b|(?:do|would)\s+you\s+recommend\b|",
        r"(?:any|some)\s+(?:tips|advice|ideas?|suggestions?)\b|(?:can|could)\s+you\s+tell\s+me\s+(?:how|why|what|whether|if)\b|",
        r"which\s+(?:is|one|tool)\b.*\b(?:or|better|faster|safer|slower|best|fastest|safest)\b|",
        r"explain\b|why\b|define\b|tell\s+me\s+about\b|can\s+you\s+explain\b|who\s+\w+ed\b",
        r")",
    ))
    .expect("question pattern compiles")
});

/// The same in Chinese, anywhere in the sentence as Chinese puts it: "how
/// (do I)", "what is", "is there a way to" (手机里的照片怎么备份到 iCloud？).
/// Not 怎么还没/怎么没 ("how come it has not yet"), a complaint about a task.
static CHINESE_QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"怎么(?:[^还没]|$)|如何|怎样|什么是|有没有办法|有什么办法")
        .expect("chinese question pattern compiles")
});

/// Asking whether something can be done: a wish when it names what to act
/// on ("is it possible to back up ~/docs to /mnt/nas nightly?"), a question
/// when it does not ("is it possible to recover overwritten files?").
static WHETHER_POSSIBLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:is\s+(?:it\s+)?possible|would\s+it\s+be\s+possible)\b")
        .expect("whether possible pattern compiles")
});

/// A place and what to do there: where from and where to, or which files
/// and when. "Restore one file from /mnt/nas" alone asks whether it can be done.
fn says_what_a_plan_needs(slots: &Slots) -> bool {
    slots.source.is_some()
        && (slots.destination.is_some()
            || slots.patterns.is_some()
            || slots.older_than_days.is_some()
            || slots.min_size_bytes.is_some()
            || slots.schedule.is_some())
}

/// Asking for something other than Tend's work about Tend's work: a
/// reminder, a script, a lesson ("remind me to check the backups", "write
/// me a script that backs up my photos", "帮我写一个备份脚本").
static OTHER_REQUEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:remind\s+me|teach\s+me|show\s+me\s+how|help\s+me\s+understand|any\s+(?:tips|advice)|",
        r"write\s+(?:me\s+)?(?:a|an|some)\s+(?:\w+\s+)?(?:script|program|function|guide|tutorial|poem|story|letter|checklist)s?)\b",
        r"|提醒我|教我|写(?:一个|一份|个)?.{0,8}(?:脚本|程序|教程)",
    ))
    .expect("other request pattern compiles")
});

/// Tend's tasks by name: a question about them is a status request.
static TASK_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:tasks?|jobs?)\b|任务").expect("task words pattern compiles")
});

/// Words for what Tend acts on when no slot names it: its tasks, files
/// and folders ("how are my jobs doing", "clean up the old files").
static TARGET_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:tasks?|jobs?|files?|folders?|director(?:y|ies)|dirs?|snapshots?|quarantine)\b|任务|文件|目录")
        .expect("target pattern compiles")
});

/// Jobs that are not Tend's tasks: "cancel the print job" names no task.
static FOREIGN_JOBS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:print|printer|cron|ci|build|pipeline|render|mining|kubernetes|k8s|jenkins|gitlab|github|hyper\s+backup|time\s+machine|veeam)[ -]?(?:cron\s*)?(?:jobs?|tasks?)\b|打印任务|定时作业")
        .expect("foreign jobs pattern compiles")
});

/// What a home-lab admin also looks after but Tend does not act on:
/// services, machines and processes, network gear, hardware, accounts and
/// people's things, code, media. Written from the domain, not from the
/// eval sets: a verb of Tend's on one of these, with nothing of Tend's
/// named, is not a request to Tend ("stop the vm", "free up some RAM",
/// "清理内存").
static FOREIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:",
        // services, machines, processes
        r"services?|daemons?|containers?|docker|podman|kubernetes|k8s|pods?|vms?|virtual machines?|hypervisor|proxmox|processe?s?|pids?|tmux|sessions?|",
        // network
        r"vlans?|routers?|the switch|network switch|firewall|ports?|dns|dhcp|vpn|wi-?fi|cdn|proxy|certificates?|certs?|ssl|tls|ip address(?:es)?|",
        // hardware
        r"ram|memory|cpus?|gpus?|fans?|ups|battery|batteries|bios|uefi|firmware|kernel|drivers?|printers?|screen|tv|keyboard|mouse|cables?|raid|",
        // accounts, people's things
        r"accounts?|passwords?|subscriptions?|orders?|appointments?|meetings?|flights?|calendar|contacts?|e-?mails?|mail|inbox|chats?|messages?|whatsapp|telegram|tweets?|",
        // the web and cloud drives Tend cannot write to
        r"websites?|web ?pages?|urls?|google drive|dropbox|onedrive|icloud|",
        // code, packages
        r"git|commits?|branch(?:es)?|forks?|upstream|rebase|merge|pull requests?|packages?|apt|(?:system|kernel|os|software|security|windows|macos|ios|android|firmware|bios) updates?|",
        // other programs' settings and jobs
        r"settings|preferences|outlook|vs ?code|jenkins|gitlab|github|",
        // phones and apps, databases (dumped by their own tools), tabs
        r"phones?|smartphones?|iphones?|ipads?|android|tablets?|apps?|",
        // whole disks and operating systems: erased, partitioned, installed
        r"ssds?|hdds?|hard\s+drives?|partitions?|windows|",
        r"databases?|pg_dump|mysqldump|mongodump|postgres(?:ql)?|mysql|mariadb|mongo(?:db)?|sqlite|tabs?|",
        // playback and browsing (music, films and torrents are files too:
        // "sync my music" is Tend's)
        r"playing|playback|netflix|spotify|browser|cookies",
        r")\b",
        // Chinese: services, VMs, processes, memory, cache, browser,
        // playback, orders, accounts, passwords, subscriptions, meetings,
        // appointments, phones, tablets, databases, factory settings,
        // disks, partitions,
        // screen, TV, printing, router, firewall, port, contacts, mail,
        // calendar, kernel, drivers, fans, battery, websites, web pages,
        // chat history, WeChat.
        r"|服务|容器|虚拟机|进程|内存|缓存|浏览器|播放|订单|账号|账户|密码|订阅|会议|预约|手机|平板|数据库|出厂设置|硬盘|分区|屏幕|电视|打印|路由器|防火墙|端口|通讯录|联系人|邮件|日历|内核|驱动|风扇|电池|网站|网页|聊天记录|微信",
    ))
    .expect("foreign pattern compiles")
});

/// Whether `text` names something Tend acts on: a slot (a path, a task
/// id, files by pattern, age or size, a schedule, a retention), a word
/// for its tasks or files, or a task named by its work ("the backup of the
/// VMs": stop *it* means that task). A verb of Tend's on anything else ("cancel my
/// dentist appointment") is weak evidence of an intent.
pub fn grounded(text: &str, slots: &Slots) -> bool {
    let text = without_foreign_jobs(text);
    slots.name_a_target() || TARGET_WORDS.is_match(&text) || TEND_WORK.is_match(&text)
}

/// `text` without the jobs that are not Tend's ("the print job").
fn without_foreign_jobs(text: &str) -> std::borrow::Cow<'_, str> {
    FOREIGN_JOBS.replace_all(text, "")
}

/// Whether `text` is about something that is not Tend's (see [`FOREIGN`]:
/// "stop the docker container", "cancel the print job"), naming nothing
/// that is. Decided before any model, as [`asks_rather_than_commands`]
/// is: Tend's verb pulls the embedding towards a request it cannot be.
/// A foreign thing inside a path ("/srv/vms") is none.
pub fn about_something_else(text: &str, slots: &Slots) -> bool {
    let outside = outside_paths(text);
    !grounded(&outside, slots) && (FOREIGN.is_match(&outside) || FOREIGN_JOBS.is_match(&outside))
}

/// One of Tend's tasks named by its work: "the backup of the VMs", "the
/// docker volumes backup", "the sync to the branch office", 自动备份虚拟机. A
/// foreign thing beside it says what the task copies, not what is asked.
static TEND_WORK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:the|my|our|this|that)\s+(?:[\w-]+\s+){0,2}?(?:backups?|mirrors?|syncs?|cleanups?|restores?)\b|(?:那个|这个|的|上次|昨晚的?|每天的|自动)(?:备份|同步|镜像|清理)|(?:备份|同步|镜像|清理)(?:任务|计划|作业)")
        .expect("tend work pattern compiles")
});

/// How sure [`asks_rather_than_commands`] is.
pub const ASKING_CONFIDENCE: f32 = 0.85;

/// Whether `text` asks about Tend's work (or for something else about it)
/// rather than asking for it: a question of knowledge or advice, a
/// reminder, a script. This decides before any model does, as an admin's
/// rule would: the embedding of "is it safe to delete /var/cache?" is
/// nearest to a cleanup, and a model must not guess its way into one. A
/// question about Tend's tasks ("why did task 5 fail?", "how many jobs do
/// I have queued?") is left to the model, which takes it for a status
/// request; a print or cron job is not one of them.
pub fn asks_rather_than_commands(text: &str, slots: &Slots) -> bool {
    let about_tasks = slots.task_id.is_some() || TASK_WORDS.is_match(&without_foreign_jobs(text));
    let wonders = WHETHER_POSSIBLE.is_match(text) && !says_what_a_plan_needs(slots);
    // 这个备份怎么失败了 asks why a task of Tend's failed.
    let asks_in_chinese = CHINESE_QUESTION.is_match(text) && !TEND_WORK.is_match(text);
    !about_tasks
        && (QUESTION.is_match(text) || asks_in_chinese || wonders || OTHER_REQUEST.is_match(text))
}

/// "retry task 12", "run task 12 again", "重试任务 12": a task named by
/// number, to run again. Without a task number it is left to the model.
static RUN_AGAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bre-?(?:try|run)\b|\b(?:run|try|start|do)\b[^.?!]{0,30}\bagain\b|\bgive\b[^.?!]{0,20}\banother (?:go|try)\b|重试|重新运行|重新执行|再运行|再跑",
    )
    .expect("run-again pattern compiles")
});

/// Whether the command asks to run a numbered task again.
pub fn asks_to_run_again(text: &str, slots: &Slots) -> bool {
    slots.task_id.is_some() && RUN_AGAIN.is_match(text)
}

/// "stop it", "kill that", "cancel this one now", 停掉它: a stop said alone,
/// of whatever was just talked about. In a console of tasks that is one of
/// them; the cancel asks which when no number is given.
static STOP_IT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^\s*(?:please\s+)?(?:stop|kill|cancel|cancl|abort|halt|terminate|end)\s+(?:it|that|this)(?:\s+one)?",
        r"(?:\s+(?:please|now|right\s+now|immediately))?\s*[.!]*\s*$",
        r"|^\s*(?:停掉|停止|取消|终止|结束)(?:它|这个|那个)?(?:吧)?\s*[。！!]*\s*$",
    ))
    .expect("stop it pattern compiles")
});

/// Whether the command is only a stop of what was just talked about.
pub fn stops_it(text: &str) -> bool {
    STOP_IT.is_match(text)
}

/// The intent and a confidence in [0, 1], for a command that
/// [`asks_rather_than_commands`] has not already decided (the service
/// asks that first).
pub fn classify(text: &str, slots: &Slots) -> (Intent, f32) {
    if text.trim().is_empty() {
        return (Intent::OutOfScope, 1.0);
    }
    if about_something_else(text, slots) {
        return (Intent::OutOfScope, 0.8);
    }
    // A verb inside a path is none: "/mnt/backup/docs" in a restore.
    // Shorthand ("bkp") is a verb.
    let outside = outside_paths(&super::shorthand::expanded(text));
    let text = &outside;
    let earliest = CUES
        .iter()
        .filter_map(|c| c.pattern.find(text).map(|m| (m.start(), c)))
        // Earliest cue; at the same place a strong cue beats a weak one.
        .min_by_key(|(start, c)| (*start, !c.strong));
    let Some((_, cue)) = earliest else {
        return match super::typos::misspelled_verb(text) {
            Some(intent) => (intent, 0.6),
            None => (Intent::OutOfScope, 0.8),
        };
    };
    let mut confidence: f32 = if cue.strong { 0.85 } else { 0.6 };
    if has_expected_slots(cue.intent, slots) {
        confidence += 0.1;
    }
    (cue.intent, confidence.min(1.0))
}

/// The confidence [`classify`] gives a strong verb with the slots its
/// intent expects.
const STRONG_WITH_SLOTS: f32 = 0.95;

/// Whether the cues' reading `keyword` of a command with `slots` is a
/// whole request: a strong verb of one of Tend's workflows, and what to
/// act on and what to do there ("every sunday remove *.exe and *.msi from
/// /srv/public", "back that folder up to /mnt/nas every Wednesday").
pub fn states_a_whole_request(keyword: (Intent, f32), slots: &Slots) -> bool {
    let (intent, confidence) = keyword;
    confidence >= STRONG_WITH_SLOTS
        && matches!(
            intent,
            Intent::Backup | Intent::Restore | Intent::Sync | Intent::Cleanup
        )
        && says_what_a_plan_needs(slots)
}

/// `text` with every path blanked out (same length, so nothing shifts).
fn outside_paths(text: &str) -> String {
    let mut out = text.to_string();
    for (start, end) in super::slots::path_spans(text).into_iter().rev() {
        out.replace_range(start..end, &" ".repeat(end - start));
    }
    out
}

fn has_expected_slots(intent: Intent, s: &Slots) -> bool {
    match intent {
        Intent::Backup | Intent::Sync => s.source.is_some() && s.destination.is_some(),
        Intent::Restore => s.source.is_some() || s.task_id.is_some(),
        Intent::Cleanup => s.source.is_some(),
        Intent::Cancel | Intent::Retry => s.task_id.is_some(),
        Intent::Status | Intent::OutOfScope => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlu::understand;

    fn intent(text: &str) -> Intent {
        understand(text).intent
    }

    /// The keyword cues' intent alone, slots read from `text`.
    fn cued(text: &str) -> Intent {
        classify(text, &crate::nlu::slots::extract(text)).0
    }

    #[test]
    fn a_numbered_task_asked_to_run_again_is_a_retry() {
        for text in [
            "retry task 12",
            "please rerun job 12",
            "run task 12 again",
            "can you try #12 again?",
            "重试任务 12",
        ] {
            let u = understand(text);
            assert_eq!(
                (u.intent, u.slots.task_id),
                (Intent::Retry, Some(12)),
                "{text}"
            );
        }
        assert_ne!(intent("retry the backup"), Intent::Retry);
        assert_eq!(intent("cancel task 12"), Intent::Cancel);
        assert_eq!(intent("undo task 12"), Intent::Restore);
    }

    #[test]
    fn verbs_pick_the_workflow() {
        assert_eq!(intent("back up /srv/photos to /mnt/nas"), Intent::Backup);
        assert_eq!(
            intent("make a backup of ~/docs on /mnt/nas"),
            Intent::Backup
        );
        assert_eq!(intent("restore /srv/photos from /mnt/nas"), Intent::Restore);
        assert_eq!(intent("restore quarantine of task 12"), Intent::Restore);
        assert_eq!(intent("unquarantine job 4"), Intent::Restore);
        assert_eq!(
            intent("take task 9's files out of quarantine"),
            Intent::Restore
        );
        assert_eq!(intent("sync ~/music to /media/usb"), Intent::Sync);
        assert_eq!(intent("copy /srv/a to /srv/b"), Intent::Sync);
        assert_eq!(intent("delete *.tmp in /tmp/x"), Intent::Cleanup);
        assert_eq!(intent("get rid of old logs in /var/log"), Intent::Cleanup);
        assert_eq!(intent("status"), Intent::Status);
        assert_eq!(intent("what's running?"), Intent::Status);
        assert_eq!(intent("how is task 3 doing"), Intent::Status);
        assert_eq!(intent("stop task 12"), Intent::Cancel);
        assert_eq!(intent("cancel the backup"), Intent::Cancel);
    }

    #[test]
    fn the_earliest_verb_wins() {
        assert_eq!(
            intent("mirror ~/docs to /media/usb and remove what I deleted"),
            Intent::Sync
        );
        assert_eq!(
            intent("back up /srv and delete old snapshots, keep 7"),
            Intent::Backup
        );
        assert_eq!(intent("delete old backups in /mnt/nas"), Intent::Cleanup);
    }

    #[test]
    fn asking_after_a_task_or_stopping_one_by_its_description() {
        for (text, want) in [
            ("is the photo backup done", Intent::Status),
            ("are the nightly db backups still running?", Intent::Status),
            ("照片备份跑到哪了？", Intent::Status),
            ("drop the pending restore", Intent::Cancel),
            (
                "get rid of the recurring cleanup on the scans share",
                Intent::Cancel,
            ),
            ("disable the nightly photo backup", Intent::Cancel),
            // Doing, not asking or stopping.
            (
                "is the usb backup drive big enough? back up /srv to it",
                Intent::Backup,
            ),
            ("get rid of the old logs in /var/log", Intent::Cleanup),
            ("drop the tmp files in /srv/scratch", Intent::OutOfScope),
        ] {
            assert_eq!(cued(text), want, "{text}");
        }
    }

    #[test]
    fn requests_said_without_the_usual_verb() {
        for (text, want) in [
            (
                "wednesdays at 11pm, please back that folder up to /mnt/nas/x",
                Intent::Backup,
            ),
            (r"I'd like D:\x backed up into E:\y", Intent::Backup),
            ("revert ./site to the last snapshot", Intent::Restore),
            ("I want ~/notes back from /mnt/bk", Intent::Restore),
            (
                "could Tend make /mnt/www look exactly like ~/site/public?",
                Intent::Sync,
            ),
            (
                "keep the Pi's folder /mnt/pi matching /home/tom/roms",
                Intent::Sync,
            ),
            ("让 /var/www 和 ./dist 保持一致", Intent::Sync),
            (
                "every night anything in /mnt/cams older than 45 days gets removed",
                Intent::Cleanup,
            ),
            ("每小时清一次 /tmp/转码 的临时文件", Intent::Cleanup),
            ("203号任务跑完没有", Intent::Status),
            ("start syncing /srv/photos to /mnt/nas/photos", Intent::Sync),
            ("empty /srv/trash", Intent::Cleanup),
            ("anything in /srv/x over 5 GB needs to go", Intent::Cleanup),
            (
                "pull the latest snapshot out of /mnt/bk and drop it into /srv/x",
                Intent::Restore,
            ),
            ("clone ~/site/dist into /var/www/site", Intent::Sync),
            // Taking a snapshot is making one.
            ("take a snapshot of /srv/x into /mnt/bk", Intent::Backup),
            // The verb's own words keep their reading.
            ("back up /srv to /mnt/nas", Intent::Backup),
        ] {
            assert_eq!(cued(text), want, "{text}");
        }
    }

    #[test]
    fn other_programs_jobs_and_advice_are_out_of_scope() {
        for text in [
            "stop the kubernetes job please",
            "停止 Kubernetes 上那个 cron job",
            "The Hyper Backup task has been failing since Tuesday",
            "Can we roll that Windows update back?",
            "restore my VS Code settings",
            "取消我明天下午的摄影预约",
            "back up my iphone",
            "back up the postgres database",
            "restore the closed tabs",
            "同步手机通讯录",
        ] {
            assert_eq!(cued(text), Intent::OutOfScope, "{text}");
            assert!(
                about_something_else(text, &crate::nlu::slots::extract(text)),
                "{text}"
            );
        }
        // Tend's own task, named with what it copies.
        for text in [
            "the backup of the VMs, is it finished?",
            "disable the docker volumes backup",
            "the sync to the branch office, make it stop",
            "别再自动备份虚拟机了",
        ] {
            assert!(
                !about_something_else(text, &crate::nlu::slots::extract(text)),
                "{text}"
            );
        }
        for text in [
            "Is it a bad idea to run two sync tools on the same folders?",
            "Any tips for keeping backups of my cards while travelling?",
            "Can you tell me how to set up two-way sync with OneDrive?",
            "how many files are in ~/Downloads?",
            "how much space is left on /mnt/data?",
            "怎么恢复误删的文件？",
            "手机里的照片怎么备份到 iCloud？",
        ] {
            assert!(
                asks_rather_than_commands(text, &super::super::slots::extract(text)),
                "{text}"
            );
        }
        // Asking after one of Tend's tasks, in Chinese.
        for text in ["这个备份怎么失败了", "备份怎么还没完成"] {
            assert!(
                !asks_rather_than_commands(text, &super::super::slots::extract(text)),
                "{text}"
            );
        }
    }

    #[test]
    fn a_stop_said_alone_is_a_cancel() {
        for text in [
            "kill it",
            "cancl it",
            "stop that now",
            "please cancel this one!",
            "停掉它",
        ] {
            assert!(stops_it(text), "{text}");
        }
        for text in [
            "stop it from deleting my files",
            "kill it with fire, the printer",
            "stop",
        ] {
            assert!(!stops_it(text), "{text}");
        }
    }

    #[test]
    fn shorthand_verbs_pick_the_workflow() {
        for (text, want) in [
            ("bkp /srv/a to /mnt/b", Intent::Backup),
            ("rstr /mnt/usb-repo -> /tank/media", Intent::Restore),
            ("del *.pyc ~/projects", Intent::Cleanup),
        ] {
            assert_eq!(cued(text), want, "{text}");
        }
    }

    #[test]
    fn a_wish_that_says_what_to_do_is_a_request() {
        for (text, want) in [
            (
                "is it possible to back up /srv/data to /mnt/nas every night?",
                Intent::Backup,
            ),
            (
                "would it be possible to delete the *.iso files in ~/Downloads?",
                Intent::Cleanup,
            ),
        ] {
            let slots = super::super::slots::extract(text);
            assert!(!asks_rather_than_commands(text, &slots), "{text}");
            assert_eq!(classify(text, &slots).0, want, "{text}");
        }
        let text = "is it possible to recover overwritten files?";
        assert!(asks_rather_than_commands(
            text,
            &super::super::slots::extract(text)
        ));
    }

    #[test]
    fn near_misses_are_out_of_scope() {
        for text in [
            "mount a drive",
            "check disk usage",
            "change permissions of /srv",
            "rename files in /srv/photos",
            "what is a backup?",
            "how does sync work",
            "what is in /tmp?",
            "who deleted /srv/shared/plan.docx?",
            "who changed the backup folder",
            "tell me a joke",
            "   ",
            // advice, consequences, figures and defaults
            "should I encrypt my backups?",
            "is it possible to restore one file from /mnt/nas?",
            "what happens when the backup disk is full?",
            "how often do people back up their laptops",
            "how many backups should I keep",
            "what version of restic do you use",
            "which one is safer, sync or backup?",
            // something else about Tend's work
            "remind me to swap the backup drives on friday",
            "write a bash script to sync two folders",
            "teach me to restore from restic",
            "帮我写个同步脚本",
        ] {
            assert_eq!(intent(text), Intent::OutOfScope, "{text}");
        }
    }

    #[test]
    fn questions_about_a_job_are_status() {
        for text in [
            "did my nightly backup succeed?",
            "was the last sync of /srv/a to /mnt/b ok?",
            "is the cleanup of /var/log/app done",
            "how is task 3 doing",
            "任务 4 成功了吗",
            "任务 12 跑完了没",
            "where are we with job 9?",
            "how far along is the restore of /srv/db",
        ] {
            assert_eq!(intent(text), Intent::Status, "{text}");
        }
        // Questions about Tend's tasks are left to the model.
        for text in [
            "which of my tasks failed?",
            "how many jobs do I have queued?",
            "why did task 5 fail?",
            "what happens to task 8 if I restart?",
        ] {
            let slots = crate::nlu::slots::extract(text);
            assert!(!asks_rather_than_commands(text, &slots), "{text}");
        }
        assert!(asks_rather_than_commands(
            "how do I write a cron job?",
            &Slots::default()
        ));
        // Not questions: commands that start with the same words.
        assert_eq!(
            intent("back up /srv to /mnt/nas, is that possible?"),
            Intent::Backup
        );
    }

    #[test]
    fn grounding_needs_a_target_of_tends() {
        let grounded = |text: &str| super::grounded(text, &crate::nlu::slots::extract(text));
        for text in [
            "cancel task 3",
            "clean up /tmp",
            "how are my jobs doing",
            "delete the old files",
            "任务进度",
            "back up every night",
        ] {
            assert!(grounded(text), "{text}");
        }
        for text in [
            "cancel my dentist appointment",
            "clean the keyboard",
            "status update for the team meeting",
            "kill the process",
            "cancel the print job",
            "stop the cron job",
        ] {
            assert!(!grounded(text), "{text}");
        }
    }

    #[test]
    fn a_verb_of_tends_on_something_foreign_is_out_of_scope() {
        for text in [
            "stop the vm called win10",
            "kill my tmux session",
            "free up some RAM",
            "cancel the print job",
            "purge the dns cache",
            "清理一下内存",
            "停止播放",
            "back up my telegram chats",
            "sync my photos to icloud",
            "delete the fork on github",
            "备份微信聊天记录",
            "stop the cron job for certbot",
        ] {
            assert_eq!(cued(text), Intent::OutOfScope, "{text}");
        }
        // Anything of Tend's named wins: a path, a task, files, a schedule.
        for (text, intent) in [
            ("stop task 3, the one copying my vm images", Intent::Cancel),
            (
                "clean up the docker logs in /var/log/docker",
                Intent::Cleanup,
            ),
            ("back up the mail folder to /mnt/nas", Intent::Backup),
            ("cancel the backup job", Intent::Cancel),
            ("sync my music", Intent::Sync),
            ("清理内存转储文件", Intent::Cleanup),
            // "print" alone is a verb, not a printer.
            ("print status", Intent::Status),
        ] {
            assert_eq!(cued(text), intent, "{text}");
        }
    }

    #[test]
    fn verbs_inside_paths_do_not_count() {
        assert_eq!(intent("把 /mnt/backup/docs 还原到 ~/docs"), Intent::Restore);
        assert_eq!(
            classify("put /mnt/backup/a back", &Slots::default()).0,
            Intent::Restore
        );
    }

    #[test]
    fn chinese_cues() {
        assert_eq!(intent("把 /srv/photos 备份到 /mnt/nas"), Intent::Backup);
        assert_eq!(intent("清理 /tmp 下超过7天的文件"), Intent::Cleanup);
        assert_eq!(intent("同步 ~/docs 到 /media/usb"), Intent::Sync);
        assert_eq!(intent("取消任务 3"), Intent::Cancel);
    }

    #[test]
    fn confidence_reflects_cue_and_slots() {
        let strong = understand("back up /srv/photos to /mnt/nas").confidence;
        let partial = understand("back up my photos").confidence;
        let weak = understand("copy a to b").confidence;
        assert!(
            strong > partial && partial > weak,
            "{strong} {partial} {weak}"
        );
    }
}
