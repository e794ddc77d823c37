//! `tend bench glm`: latency of the GLM backend at full size. The model is
//! made with random weights on the device (GLM-4-9B's shape by default),
//! which is all a timing needs; build with `--features cuda` to time it on
//! a GPU. Commands go through the same path as `tend parse`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use super::bench_nlu;
use crate::nlu::glm::Shape;
use crate::nlu::Nlu;

/// Commands timed: the GLM backend scores one at a time (seven labels per
/// command), so fewer than `bench nlu`'s.
const COMMANDS: usize = 40;

pub fn run(shape: Shape, tokenizer: &Path) -> ExitCode {
    // 9.4 billion weights in F32 are 38 GB of memory and minutes a command
    // on a CPU: not a figure anyone needs.
    let on_gpu = candle_core::Device::cuda_if_available(0).is_ok_and(|d| d.is_cuda());
    if shape == Shape::Glm4_9b && !on_gpu {
        eprintln!(
            "tend bench glm: GLM-4-9B's shape needs a GPU (a --features cuda build on a machine \
             with one); --shape tiny times the same path on this CPU"
        );
        return ExitCode::from(2);
    }
    println!(
        "model: {shape:?} with random weights; tokenizer: {}",
        tokenizer.display()
    );
    let start = Instant::now();
    let nlu = match Nlu::random_glm(shape, tokenizer) {
        Ok(nlu) => nlu,
        Err(e) => {
            eprintln!("tend bench glm: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("made and primed in {:.1} s", start.elapsed().as_secs_f64());
    bench_nlu::latency(&nlu, COMMANDS);
    ExitCode::SUCCESS
}
