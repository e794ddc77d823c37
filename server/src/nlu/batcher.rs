//! Batching concurrent commands through the encoder: worker threads own the
//! forward passes; a worker gathers the requests that arrive within a short
//! window (or until the batch is full), embeds them in one padded pass and
//! answers each through its own channel. Inference thus never runs on the
//! async runtime, and under load the per-command cost falls.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::encoder::{Encoder, EncoderError};

#[derive(Debug, Clone, Copy)]
pub struct BatchLimits {
    /// Most commands in one forward pass.
    pub max_batch: usize,
    /// How long the first command of a batch waits for company while
    /// another batch is being computed.
    pub max_wait: Duration,
    /// Threads running forward passes. candle's CPU kernels leave cores
    /// idle on short inputs, so one batch per core keeps them busy.
    pub workers: usize,
}

impl Default for BatchLimits {
    fn default() -> Self {
        BatchLimits {
            // The encoder splits a batch into passes of similar length
            // (`encoder::grouping`), so a large batch costs no padding
            // (`tend bench nlu` on 2 cores: 8 gave 143/s, 32 about 210/s,
            // 64 no more than 32).
            max_batch: 32,
            max_wait: Duration::from_millis(2),
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum BatchError {
    #[error("the intent model stopped")]
    Stopped,
    #[error("{0}")]
    Encoder(Arc<EncoderError>),
}

type Reply = Result<Vec<f32>, BatchError>;

struct Request {
    text: String,
    reply: oneshot::Sender<Reply>,
}

/// A handle to the batching threads; they end when the last handle is
/// dropped.
#[derive(Clone)]
pub struct Batcher {
    requests: mpsc::Sender<Request>,
}

impl Batcher {
    pub fn start(encoder: Arc<Encoder>, limits: BatchLimits) -> Batcher {
        let (requests, incoming) = mpsc::channel();
        let incoming = Arc::new(Mutex::new(incoming));
        // Workers computing a batch right now.
        let busy = Arc::new(AtomicUsize::new(0));
        for n in 0..limits.workers.max(1) {
            let (encoder, incoming, busy) = (encoder.clone(), incoming.clone(), busy.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("tend-nlu-{n}"))
                .spawn(move || run(&encoder, &incoming, limits, &busy));
            if let Err(e) = spawned {
                // With no thread at all, requests fail with `Stopped` and
                // callers fall back to keywords.
                tracing::error!("cannot start an intent model thread: {e}");
            }
        }
        Batcher { requests }
    }

    fn submit(&self, text: &str) -> Result<oneshot::Receiver<Reply>, BatchError> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(Request {
                text: text.to_string(),
                reply,
            })
            .map_err(|_| BatchError::Stopped)?;
        Ok(answer)
    }

    /// The embedding of `text`, computed in a batch with whatever else is waiting.
    pub async fn embed(&self, text: &str) -> Reply {
        self.submit(text)?.await.map_err(|_| BatchError::Stopped)?
    }

    /// The embeddings of `texts`, in order, for threads outside the async
    /// runtime (the CLI). All are queued before the first is awaited, so the
    /// workers share them out in full batches, one per core. Must not be
    /// called from inside an async task.
    pub fn embed_many_blocking(&self, texts: &[&str]) -> Vec<Reply> {
        let answers: Vec<_> = texts.iter().map(|text| self.submit(text)).collect();
        answers
            .into_iter()
            .map(|answer| answer?.blocking_recv().map_err(|_| BatchError::Stopped)?)
            .collect()
    }
}

/// Gathers one batch: the next request, whatever is already queued, and,
/// while another worker is computing (under load), whatever arrives within
/// the window. A command on an idle server waits for no company: the window
/// would only add to its latency. `None` once every handle is dropped.
fn gather(
    incoming: &Mutex<mpsc::Receiver<Request>>,
    limits: BatchLimits,
    busy: &AtomicUsize,
) -> Option<Vec<Request>> {
    // Held while gathering only, so the other workers gather the next batch
    // while this one computes.
    let incoming = incoming.lock().unwrap_or_else(|p| p.into_inner());
    let first = incoming.recv().ok()?;
    let mut batch = vec![first];
    let full = |batch: &Vec<Request>| batch.len() >= limits.max_batch.max(1);
    while !full(&batch) {
        match incoming.try_recv() {
            Ok(request) => batch.push(request),
            Err(_) => break,
        }
    }
    if busy.load(Ordering::Acquire) == 0 {
        return Some(batch);
    }
    let deadline = Instant::now() + limits.max_wait;
    while !full(&batch) {
        let left = deadline.saturating_duration_since(Instant::now());
        match incoming.recv_timeout(left) {
            Ok(request) => batch.push(request),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
        }
    }
    Some(batch)
}

fn run(
    encoder: &Encoder,
    incoming: &Mutex<mpsc::Receiver<Request>>,
    limits: BatchLimits,
    busy: &AtomicUsize,
) {
    while let Some(batch) = gather(incoming, limits, busy) {
        let texts: Vec<&str> = batch.iter().map(|r| r.text.as_str()).collect();
        busy.fetch_add(1, Ordering::AcqRel);
        let embedded = encoder.embed(&texts);
        busy.fetch_sub(1, Ordering::AcqRel);
        match embedded {
            Ok(vectors) => {
                for (request, vector) in batch.into_iter().zip(vectors) {
                    // A caller that gave up waiting has dropped its receiver.
                    let _ = request.reply.send(Ok(vector));
                }
            }
            Err(e) => {
                let e = Arc::new(e);
                for request in batch {
                    let _ = request.reply.send(Err(BatchError::Encoder(e.clone())));
                }
            }
        }
    }
}
