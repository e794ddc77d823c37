use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, TryRecvError};

use crate::nlu::Nlu;

/// Most lines read in one go: two batches of the model's, one per core
/// on this project's 2-core machine (`BatchLimits::max_batch` is 32).
const MOST_AT_ONCE: usize = 64;

/// Lines read ahead while the model works on the ones before them.
const READ_AHEAD: usize = 1024;

type Line = std::io::Result<String>;

/// `tend parse`: one command per line in, one JSON object per line out.
/// Lines that are not valid UTF-8 are read lossily rather than aborting.
///
/// A thread reads ahead, and whatever lines are waiting are understood
/// together ([`Nlu::understand_many_blocking`]), so a file piped in runs
/// in full batches, while a person typing line by line gets each answer
/// at once: nothing waits for a batch to fill.
pub fn run(nlu: Nlu) -> ExitCode {
    let lines = read_ahead();
    let mut out = BufWriter::new(std::io::stdout().lock());
    while let Some((texts, failed)) = next_batch(&lines) {
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let understood = nlu.understand_many_blocking(&texts);
        if let Err(e) = write_all(&mut out, &understood) {
            // A closed pipe (`tend parse | head`) is a normal end.
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("tend parse: cannot write: {e}");
            return ExitCode::FAILURE;
        }
        if let Some(e) = failed {
            eprintln!("tend parse: cannot read stdin: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// Stdin's lines, without their line ends, from a thread of their own.
fn read_ahead() -> Receiver<Line> {
    let (lines, read) = mpsc::sync_channel(READ_AHEAD);
    std::thread::spawn(move || {
        let mut input = std::io::stdin().lock();
        let mut line = Vec::new();
        loop {
            line.clear();
            let next = match input.read_until(b'\n', &mut line) {
                Ok(0) => return,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&line);
                    Ok(text.trim_end_matches(['\n', '\r']).to_string())
                }
                Err(e) => Err(e),
            };
            let failed = next.is_err();
            if lines.send(next).is_err() || failed {
                return;
            }
        }
    });
    read
}

/// The next lines: the first to come and those already waiting behind it
/// (at most [`MOST_AT_ONCE`]), up to a read error if one came, which is
/// returned beside them; `None` at the end of the input.
fn next_batch(lines: &Receiver<Line>) -> Option<(Vec<String>, Option<std::io::Error>)> {
    let mut batch = Vec::new();
    let mut next = lines.recv().ok()?;
    loop {
        match next {
            Ok(text) => batch.push(text),
            Err(e) => return Some((batch, Some(e))),
        }
        if batch.len() >= MOST_AT_ONCE {
            break;
        }
        next = match lines.try_recv() {
            Ok(line) => line,
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
        };
    }
    Some((batch, None))
}

/// One JSON line per understanding, flushed so a reader sees them now.
fn write_all(
    out: &mut impl Write,
    understood: &[crate::nlu::Understanding],
) -> std::io::Result<()> {
    for understanding in understood {
        serde_json::to_writer(&mut *out, understanding).map_err(std::io::Error::other)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
