//! The store on SQL: SQLite (one file under the data directory, the
//! embedded default) or PostgreSQL (several nodes sharing one queue). One
//! implementation serves both through sqlx's `Any` driver: the SQL is
//! written once in the dialect both accept (`$N` placeholders, `RETURNING`,
//! `ON CONFLICT`), and the two differ only in how a write transaction
//! serializes with others ([`SqlStore::write_tx`]) and in their migrations
//! (`migrations/sqlite`, `migrations/postgres`).

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

use super::StoreError;

mod alerts;
mod people;
mod rules;
mod schedules;
mod tasks;
mod waiting;

use schedules::{insert_schedule, schedule_in};
pub(crate) use tasks::{insert_event, insert_task};

/// `text` with LIKE's wildcards (and the escape itself) escaped, for a
/// pattern that uses `ESCAPE '\\'`.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// The key of the PostgreSQL advisory lock that write transactions take
/// ("tend" in ASCII): the same for every node on one database.
const WRITE_LOCK_KEY: i64 = 0x7465_6e64;

pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    queue: QueueSettings,
    /// Tasks changed as a consequence of another change (see
    /// [`crate::store::Store::follow_ups`]).
    follow_ups: tokio::sync::broadcast::Sender<crate::store::Task>,
}

/// How new tasks are queued.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QueueSettings {
    /// Backpressure: no new task is queued while this many wait to run.
    pub max_queued: i64,
    /// One aging step ([`crate::store::order`]).
    pub aging_ms: i64,
}

/// The default of `Config::max_queued`.
pub const DEFAULT_MAX_QUEUED: i64 = 10_000;

impl SqlStore {
    /// Opens (creating it if it is a SQLite file) and migrates the database
    /// at `url`: `sqlite://PATH` or `postgres://USER@HOST/DB`.
    pub async fn open(url: &str) -> Result<SqlStore, StoreError> {
        let backend =
            Backend::of_url(url).ok_or_else(|| StoreError::UnsupportedUrl(url.to_string()))?;
        sqlx::any::install_default_drivers();
        let pool = match backend {
            Backend::Sqlite => {
                // The Any driver takes SQLite's settings from the URL and
                // from each new connection's first statements.
                let url = if url.contains("mode=") {
                    url.to_string()
                } else if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                };
                AnyPoolOptions::new()
                    .max_connections(4)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL: readers never wait for the writer. FULL: a
                            // confirmed task must survive a power cut, not
                            // just a crash.
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .connect(url)
                    .await?
            }
        };
        match backend {
            Backend::Sqlite => sqlx::migrate!("../migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("../migrations/postgres").run(&pool).await?,
        }
        Ok(SqlStore {
            pool,
            backend,
            queue: QueueSettings {
                max_queued: DEFAULT_MAX_QUEUED,
                aging_ms: crate::store::order::DEFAULT_AGING_MS,
            },
            follow_ups: tokio::sync::broadcast::channel(1024).0,
        })
    }

    /// No more than `limit` tasks not started yet at once: beyond it a
    /// new task is refused with [`StoreError::QueueFull`].
    pub fn with_max_queued(mut self, limit: i64) -> SqlStore {
        self.queue.max_queued = limit.max(1);
        self
    }

    /// One aging step of the priority order ([`crate::store::order`]).
    pub fn with_aging_ms(mut self, step: i64) -> SqlStore {
        self.queue.aging_ms = step.max(0);
        self
    }

    /// Tells subscribers of [`crate::store::Store::follow_ups`] about
    /// tasks a committed change moved besides its own.
    pub(crate) fn announce(&self, tasks: Vec<crate::store::Task>) {
        for task in tasks {
            // No subscriber (a CLI command, a test): nobody to tell.
            let _ = self.follow_ups.send(task);
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A transaction that will write, serialized with every other write
    /// transaction on the database, whichever process or node runs it: the
    /// read-check-write steps inside (claim the oldest queued task, confirm
    /// a pending plan, fire a schedule due at T) then never interleave.
    ///
    /// SQLite: `BEGIN IMMEDIATE` takes the write lock at the start. A plain
    /// (deferred) transaction that reads first and writes later fails at
    /// once with "database is locked" when another connection wrote in
    /// between, whatever the busy timeout; this one waits its turn instead.
    ///
    /// PostgreSQL: a transaction-scoped advisory lock, released at commit or
    /// rollback. Under READ COMMITTED every statement after it sees what the
    /// previous holder committed. Progress updates and log lines do not take
    /// it, so the lock is held only for a few short statements.
    pub(crate) async fn write_tx(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        match self.backend {
            Backend::Sqlite => Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                // Selecting a number, not the function's `void`, which the Any
                // driver cannot carry.
                sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK_KEY)
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }

    /// The version of the newest migration this build carries.
    pub(crate) fn newest_migration(&self) -> i64 {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("../migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("../migrations/postgres"),
        };
        migrator.iter().map(|m| m.version).max().unwrap_or_default()
    }

    /// The connection pool, for the other stores that share this database.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}
