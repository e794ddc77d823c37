//! Who is asking for the plan being made: set once around a request by the
//! HTTP layer, read where a plan is stored. A task-local rather than an
//! argument because every way to a plan (one command, its steps, an
//! answered question, a revision) would otherwise pass it along unused.

use std::future::Future;

tokio::task_local! {
    static ASKER: String;
}

/// Runs `work` on behalf of `name`.
pub async fn asking<F: Future>(name: String, work: F) -> F::Output {
    ASKER.scope(name, work).await
}

/// The name `work` runs on behalf of; `None` outside [`asking`] (the
/// command line's `tend parse`, tests).
pub fn current() -> Option<String> {
    ASKER.try_with(Clone::clone).ok()
}
