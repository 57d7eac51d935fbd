//! Persistent state, behind one interface with two backends: one SQLite file, the embedded
//! default ([`sqlite`]), and PostgreSQL when the bot outgrows one process (`postgres`). The types
//! stored are the core's own ([`crate::daily`], [`crate::live`], [`crate::community`]): the store
//! only persists them, and all SQL lives under this module.
//!
//! Both backends keep the same rules the same way: every exactly-once rule is a unique key, and
//! every change that must stay consistent (an intent and the deck step it consumes) is one
//! transaction, so a kill at any moment leaves the whole change or none of it.
//!
//! The interface is synchronous, as SQLite is: each call is short, and callers in async code
//! make it between awaits. PostgreSQL's client is async, so that backend runs its calls on a
//! small runtime of its own and the caller waits (see `postgres`).
//!
//! # Layout
//! - [`sqlite`]: the embedded backend;
//! - `postgres`: the shared backend, `state migrate`, LISTEN/NOTIFY;
//! - the list of operations below ([`Store`]), each carried out by the backend in use.

pub mod postgres;
pub mod sqlite;

use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::community::{Decision, Limits, NewSuggestion, Status as SuggestionStatus, Suggestion};
use crate::daily::{DeckState, Entry, NewPost, Origin, PostRecord, Schedule, Status as PostStatus};
use crate::live::due::Bookmark;
use crate::live::outbox::{NewOutgoing, Outgoing, Status as OutboxStatus};
use crate::live::{Following, Snapshot};
use postgres::Postgres;
use sqlite::Sqlite;

/// What went wrong with the state store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the state file {path}: {error}")]
    Open { path: String, error: rusqlite::Error },
    #[error("state database: {0}")]
    Sql(rusqlite::Error),
    /// The client's error and its causes in one line (see [`one_line`]); not chained as a
    /// source, or reports would say each cause several times.
    #[error("PostgreSQL: {}", one_line(.0))]
    Postgres(tokio_postgres::Error),
    #[error("PostgreSQL: {}", one_line(.0))]
    Pool(deadpool_postgres::PoolError),
    #[error("PostgreSQL settings: {0}")]
    Settings(String),
    #[error("state database holds a value it cannot read: {0}")]
    Corrupt(String),
    #[error("the state database was written by a newer confbot (schema {found}, this one knows {known})")]
    TooNew { found: i64, known: i64 },
    /// A post for this schedule and local date is already in the log.
    #[error("a post for that day is already in the log")]
    AlreadyLogged,
}

/// Default lead time of a reminder, in minutes.
pub const REMIND_MINUTES: u32 = 10;

/// What pressing "Remind me" did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toggle {
    Added,
    Removed,
    /// The user holds the most bookmarks allowed.
    Full,
}

/// A schedule row that could not be read: its guild and why.
pub type Unreadable = (u64, StoreError);

/// Why a suggestion was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The member already has this many waiting.
    PendingPerMember(usize),
    /// The member made this many in the last hour; the next is welcome at `next_at`.
    PerHour { limit: usize, next_at: DateTime<Utc> },
    /// The server's review queue is full.
    ServerQueueFull(usize),
    /// The server already has it (pending, approved or rejected), as suggestion `id`.
    Duplicate { id: i64, status: SuggestionStatus },
}

/// The result of approving or rejecting.
#[derive(Debug, Clone, PartialEq)]
pub enum Decided {
    /// This call decided it; the suggestion as it is now.
    Done(Suggestion),
    /// Someone decided it first (or it was never pending); as it is now.
    Already(Suggestion),
    NotFound,
}

/// The result of a moderator's edit.
#[derive(Debug, Clone, PartialEq)]
pub enum Edited {
    Done(Suggestion),
    /// Another suggestion of the server already says that.
    Duplicate,
    /// Rejected suggestions are closed.
    Closed(Suggestion),
    NotFound,
}

// By hand, not `#[from]`: the message already says the cause, so it is not chained again.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Sql(e)
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> StoreError {
        StoreError::Postgres(e)
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> StoreError {
        StoreError::Pool(e)
    }
}

/// An error and its causes, each said once: the pool and the client repeat their cause in
/// their own message ("…creating a new object: error connecting to server: Connection refused").
fn one_line(e: &dyn std::error::Error) -> String {
    let mut said: Vec<String> = Vec::new();
    let mut next = Some(e);
    while let Some(error) = next {
        let text = error.to_string();
        if !said.iter().any(|s| s.contains(&text)) {
            said.push(text);
        }
        next = error.source();
    }
    said.join(": ")
}

/// The state store. Cheap to share behind an `Arc`.
pub struct Store {
    backend: Backend,
    /// The scheduler lease's epoch this process works under (0 before it holds one): claims of
    /// pending work carry it, so a process that lost the lease cannot take work back.
    epoch: AtomicI64,
}

enum Backend {
    Sqlite(Sqlite),
    Postgres(Box<Pg>),
}

/// PostgreSQL's client is async and the store's interface is not: its calls run on a small
/// runtime owned by the store, and the caller waits for each ([`wait_on`]), so the same call
/// works from async code, tokio's blocking pool and plain threads. The wait is a round trip
/// to the database, as SQLite's is a write to disk.
struct Pg {
    /// `Some` until dropped; dropped in the background, since the store may be dropped inside
    /// another runtime, where a blocking shutdown would panic.
    runtime: Option<tokio::runtime::Runtime>,
    db: Postgres,
}

impl Pg {
    fn start(connect: impl Future<Output = Result<Postgres, StoreError>> + Send) -> Result<Pg, StoreError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("confbot-postgres")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Corrupt(format!("cannot start the PostgreSQL client: {e}")))?;
        match wait_on(&runtime, connect) {
            Ok(db) => Ok(Pg { runtime: Some(runtime), db }),
            Err(e) => {
                // Dropped in the background, as in `Drop`: the caller may be async code.
                runtime.shutdown_background();
                Err(e)
            }
        }
    }

    fn wait<T: Send>(&self, work: impl Future<Output = Result<T, StoreError>> + Send) -> Result<T, StoreError> {
        wait_on(self.runtime.as_ref().expect("the runtime lives as long as the store"), work)
    }
}

/// Runs `work` on the store's runtime and waits for it, wherever the caller is. A runtime
/// cannot be blocked on from inside another's task: on a multi-threaded runtime's worker,
/// `block_in_place` hands the worker's other tasks on first; on a single-threaded runtime
/// (tests, the offline CLI) the wait happens on a scoped thread of its own.
fn wait_on<T: Send>(
    runtime: &tokio::runtime::Runtime,
    work: impl Future<Output = Result<T, StoreError>> + Send,
) -> Result<T, StoreError> {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Err(_) => runtime.block_on(work),
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(|| runtime.block_on(work)),
        Ok(_) => std::thread::scope(|scope| match scope.spawn(|| runtime.block_on(work)).join() {
            Ok(done) => done,
            Err(panic) => std::panic::resume_unwind(panic),
        }),
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Store {
    /// Opens (creating if needed) the SQLite state file at `path`, its schema brought up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Ok(Store::with(Backend::Sqlite(Sqlite::open(path)?)))
    }

    /// A throwaway store, for tests and the offline CLI.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Ok(Store::with(Backend::Sqlite(Sqlite::open_in_memory()?)))
    }

    /// Connects to the PostgreSQL database at `url`, its schema brought up to date.
    pub fn connect(url: &str) -> Result<Store, StoreError> {
        Ok(Store::with(Backend::Postgres(Box::new(Pg::start(Postgres::connect(url))?))))
    }

    /// A PostgreSQL store in a new schema of its own on the server at `base_url`: for tests
    /// and benches sharing one server.
    pub fn postgres_scratch(base_url: &str) -> Result<Store, StoreError> {
        Ok(Store::with(Backend::Postgres(Box::new(Pg::start(Postgres::scratch(base_url))?))))
    }

    fn with(backend: Backend) -> Store {
        Store { backend, epoch: AtomicI64::new(0) }
    }

    /// Which backend this is, for logs and tests.
    pub fn backend(&self) -> &'static str {
        match &self.backend {
            Backend::Sqlite(_) => "SQLite",
            Backend::Postgres(_) => "PostgreSQL",
        }
    }

    /// Work from now on under lease epoch `epoch` (see [`Store::claim_post`]).
    pub fn set_epoch(&self, epoch: i64) {
        self.epoch.store(epoch, Ordering::SeqCst);
    }

    /// Claims pending post `id` before anything is sent for it, and commits the claim: false
    /// when a scheduler of a newer lease epoch claimed it (this process lost the lease), or it
    /// is no longer pending. Never held across the network call: it is a mark, not a lock.
    pub fn claim_post(&self, id: i64) -> Result<bool, StoreError> {
        let epoch = self.epoch.load(Ordering::SeqCst);
        match &self.backend {
            Backend::Sqlite(s) => s.claim_post(id, epoch),
            Backend::Postgres(p) => p.wait(p.db.claim_post(id, epoch)),
        }
    }

    /// Tells every process sharing this store that `event` happened: PostgreSQL's NOTIFY, or a
    /// row the other processes on the SQLite file read.
    pub fn notify(&self, event: &str) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(s) => s.notify(event),
            Backend::Postgres(p) => p.wait(p.db.notify(event)),
        }
    }

    /// The events [`Store::notify`] sends, from now on; `None` for a store in memory. The
    /// receiver closes when the connection behind it is lost: listen again (an event may have
    /// been missed).
    pub fn listen(&self) -> Result<Option<tokio::sync::mpsc::UnboundedReceiver<String>>, StoreError> {
        match &self.backend {
            Backend::Sqlite(s) => s.listen(),
            Backend::Postgres(p) => p.wait(p.db.listen()).map(Some),
        }
    }

    /// [`Store::claim_post`] for the outbox.
    pub fn claim_outgoing(&self, id: i64) -> Result<bool, StoreError> {
        let epoch = self.epoch.load(Ordering::SeqCst);
        match &self.backend {
            Backend::Sqlite(s) => s.claim_outgoing(id, epoch),
            Backend::Postgres(p) => p.wait(p.db.claim_outgoing(id, epoch)),
        }
    }
}

/// The operations every backend provides, with the same meaning: each is documented on the
/// SQLite backend ([`Sqlite`]), whose code is the reference.
macro_rules! operations {
    ($(fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        impl Store {$(
            pub fn $name(&self $(, $arg: $ty)*) -> Result<$ret, StoreError> {
                match &self.backend {
                    Backend::Sqlite(s) => s.$name($($arg),*),
                    Backend::Postgres(p) => p.wait(p.db.$name($($arg),*)),
                }
            }
        )*}
    };
}

operations! {
    // Schedules and decks.
    fn sync_config(&self, entries: &[Schedule], now: DateTime<Utc>) -> ();
    fn set_schedule(&self, s: &Schedule, now: DateTime<Utc>) -> ();
    fn disable(&self, guild_id: u64, now: DateTime<Utc>) -> bool;
    fn request_now(&self, guild_id: u64, date: NaiveDate) -> ();
    fn entry(&self, guild_id: u64) -> Option<Entry>;
    fn entries(&self) -> (Vec<Entry>, Vec<Unreadable>);
    fn deck(&self, guild_id: u64) -> DeckState;
    // The daily post log.
    fn begin_post(&self, new: &NewPost) -> PostRecord;
    fn mark_sent(&self, id: i64, message_id: u64, at: DateTime<Utc>) -> ();
    fn retry_later(&self, id: i64, error: &str, next_at: DateTime<Utc>) -> ();
    fn give_up(&self, id: i64, status: PostStatus, error: &str, at: DateTime<Utc>) -> ();
    fn log_failure(&self, guild_id: u64, date: NaiveDate, channel_id: u64, error: &str, at: DateTime<Utc>) -> ();
    fn post_for(&self, guild_id: u64, date: NaiveDate) -> Option<PostRecord>;
    fn pending(&self) -> Vec<PostRecord>;
    fn recent_posts(&self, guild_id: u64, limit: usize) -> Vec<PostRecord>;
    // Live follows, the outbox, snapshots, bookmarks.
    fn following(&self) -> Vec<Following>;
    fn follow(&self, f: &Following, origin: Origin, at: DateTime<Utc>) -> ();
    fn sync_live_config(&self, follows: &[Following], at: DateTime<Utc>) -> ();
    fn set_room_channel(&self, guild_id: u64, room: &str, channel: Option<u64>) -> ();
    fn unfollow(&self, guild_id: u64) -> usize;
    fn begin_announcement(&self, new: &NewOutgoing, sessions: &[(String, DateTime<Utc>)]) -> Option<Outgoing>;
    fn announced(&self, guild_id: u64, channel_id: u64, sessions: &[(String, DateTime<Utc>)]) -> Vec<bool>;
    fn begin_outgoing(&self, new: &NewOutgoing) -> Option<Outgoing>;
    fn set_outgoing_channel(&self, id: i64, channel_id: u64) -> ();
    fn outgoing_sent(&self, id: i64, message_id: u64, at: DateTime<Utc>) -> ();
    fn outgoing_retry(&self, id: i64, error: &str, next_at: DateTime<Utc>) -> ();
    fn outgoing_done(&self, id: i64, status: OutboxStatus, error: &str, at: DateTime<Utc>) -> ();
    fn pending_outgoing(&self) -> Vec<Outgoing>;
    fn recent_outgoing(&self, limit: usize) -> Vec<Outgoing>;
    fn snapshot(&self, conference: &str) -> Option<Snapshot>;
    fn save_snapshot(&self, conference: &str, snapshot: &Snapshot, notices: &[NewOutgoing], renamed: &[(String, String)], at: DateTime<Utc>) -> ();
    fn toggle_bookmark(&self, user_id: u64, talk: &str, limit: usize, at: DateTime<Utc>) -> Toggle;
    fn bookmarks_of(&self, user_id: u64) -> Vec<String>;
    fn clear_bookmarks(&self, user_id: u64) -> usize;
    fn all_bookmarks(&self) -> Vec<Bookmark>;
    fn set_remind_minutes(&self, user_id: u64, minutes: u32) -> ();
    fn remind_minutes(&self, user_id: u64) -> u32;
    fn dms_closed(&self, user_id: u64, at: DateTime<Utc>) -> ();
    fn take_dm_notice(&self, user_id: u64) -> Option<DateTime<Utc>>;
    // Members' suggestions.
    fn set_review_channel(&self, guild_id: u64, channel_id: u64, now: DateTime<Utc>) -> ();
    fn review_channel(&self, guild_id: u64) -> Option<u64>;
    fn suggest(&self, new: &NewSuggestion, limits: Limits) -> Result<Suggestion, Refusal>;
    fn suggestion(&self, guild_id: u64, id: i64) -> Option<Suggestion>;
    fn suggestion_by_id(&self, id: i64) -> Option<Suggestion>;
    fn suggestions(&self, guild_id: Option<u64>, status: SuggestionStatus) -> Vec<Suggestion>;
    fn decide(&self, guild_id: u64, id: i64, status: SuggestionStatus, decision: &Decision) -> Decided;
    fn edit(&self, guild_id: u64, id: i64, text: &str, talk: &str, speaker: Option<&str>) -> Edited;
    fn set_global(&self, guild_id: u64, id: i64, global: bool) -> Option<Suggestion>;
    fn set_review_message(&self, id: i64, channel_id: u64, message_id: u64) -> ();
    fn untold(&self, author_id: u64, limit: usize) -> Vec<Suggestion>;
    fn mark_told(&self, ids: &[i64]) -> ();
    // Work shared between processes.
    fn lease(&self, name: &str, holder: &str, now: DateTime<Utc>, ttl: Duration) -> Option<i64>;
    fn release(&self, name: &str, holder: &str) -> ();
    fn last_insight(&self, channel_id: u64) -> Option<String>;
    fn set_last_insight(&self, channel_id: u64, insight: &str, at: DateTime<Utc>) -> ();
}
