//! Events between processes sharing one file — `serve` workers on one machine, a deploy
//! overlap — as PostgreSQL's LISTEN/NOTIFY carries them between machines: a notification is a
//! row, and each listener reads the rows after the last one it saw, twice a second, on a
//! connection and a thread of its own. Rows older than an hour are removed as new ones come.

use std::time::Duration;

use chrono::Utc;
use rusqlite::{params, Connection, OpenFlags};
use tokio::sync::mpsc;

use super::{instant_text, Sqlite};
use crate::store::StoreError;

/// How often a listener looks for new rows.
const POLL: Duration = Duration::from_millis(500);

impl Sqlite {
    /// Tells every process listening on this file, this one included, that `event` happened.
    pub fn notify(&self, event: &str) -> Result<(), StoreError> {
        let now = Utc::now();
        let conn = self.conn();
        conn.prepare_cached("INSERT INTO events (payload, at) VALUES (?1, ?2)")?
            .execute(params![event, instant_text(now)])?;
        conn.prepare_cached("DELETE FROM events WHERE at < ?1")?
            .execute([instant_text(now - chrono::Duration::hours(1))])?;
        Ok(())
    }

    /// The events from now on; `None` for a store in memory, which no other process shares.
    /// The receiver closes if the file cannot be read any more; dropping it stops the thread.
    pub fn listen(&self) -> Result<Option<mpsc::UnboundedReceiver<String>>, StoreError> {
        let Some(path) = self.path.clone() else { return Ok(None) };
        let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let mut last: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))?;
        let (events, receiver) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name("confbot-events".into())
            .spawn(move || {
                while !events.is_closed() {
                    std::thread::sleep(POLL);
                    let read = read_after(&conn, last);
                    let Ok(rows) = read else {
                        tracing::warn!("events: cannot read the state file ({:?}); listening again", read.err());
                        return;
                    };
                    for (id, payload) in rows {
                        last = id;
                        let _ = events.send(payload);
                    }
                }
            })
            .map_err(|e| StoreError::Corrupt(format!("cannot start the events listener: {e}")))?;
        Ok(Some(receiver))
    }
}

fn read_after(conn: &Connection, last: i64) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut statement = conn.prepare_cached("SELECT id, payload FROM events WHERE id > ?1 ORDER BY id")?;
    let rows = statement.query_map([last], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two stores on one file, as two processes: what one tells, the other hears, in order.
    #[test]
    fn another_process_on_the_file_hears_each_event_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let (a, b) = (Sqlite::open(&path).unwrap(), Sqlite::open(&path).unwrap());
        a.notify("before").unwrap();
        let mut heard = b.listen().unwrap().unwrap();
        a.notify("daily w1").unwrap();
        b.notify("reload w2").unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        let got: Vec<String> = runtime.block_on(async {
            let mut got = Vec::new();
            while got.len() < 2 {
                got.push(tokio::time::timeout(Duration::from_secs(5), heard.recv()).await.unwrap().unwrap());
            }
            got
        });
        assert_eq!(got, ["daily w1", "reload w2"], "from the listener's start on, in order");
        assert!(Sqlite::open_in_memory().unwrap().listen().unwrap().is_none());
    }
}
