use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

use crate::nlu::Nlu;

/// `tend parse`: one command per line in, one JSON object per line out.
/// Lines that are not valid UTF-8 are read lossily rather than aborting.
pub fn run(nlu: Nlu) -> ExitCode {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut line = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("tend parse: cannot read stdin: {e}");
                return ExitCode::FAILURE;
            }
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\n', '\r']);
        let understanding = nlu.understand_blocking(text);
        let written = serde_json::to_writer(&mut out, &understanding)
            .map_err(std::io::Error::other)
            .and_then(|_| out.write_all(b"\n"));
        if let Err(e) = written {
            // A closed pipe (`tend parse | head`) is a normal end.
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("tend parse: cannot write: {e}");
            return ExitCode::FAILURE;
        }
    }
    if out.flush().is_err() {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
