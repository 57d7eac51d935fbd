//! Events every worker must hear (`/daily` changed a schedule, `/reload`, SIGHUP), through
//! PostgreSQL's LISTEN/NOTIFY. A notification's payload is the event's name. The channel is
//! named after the store's schema, so installations (and tests) in separate schemas of one
//! database do not hear each other.

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, Connection};

use super::{execute, Postgres};
use crate::store::StoreError;

/// The channel of the installation in `schema`: `confbot_events` in `public`. PostgreSQL
/// refuses channel names of 64 bytes or more, so a long schema name is hashed.
pub(super) fn channel_for(schema: &str) -> String {
    if schema == "public" {
        return "confbot_events".to_owned();
    }
    let named = format!("confbot_events_{schema}");
    if named.len() < 64 {
        named
    } else {
        format!("confbot_events_{:016x}", crate::daily::fnv1a(schema))
    }
}

impl Postgres {
    /// Tells every listening worker, this one included, that `event` happened. Delivered once
    /// the statement commits, which is at once.
    pub async fn notify(&self, event: &str) -> Result<(), StoreError> {
        execute(&self.client().await?, "SELECT pg_notify($1, $2)", &[&self.channel, &event]).await?;
        Ok(())
    }

    /// The events from now on, on a connection of their own (a pooled one would be returned
    /// to the pool and its LISTEN lost). The receiver closes when that connection is lost:
    /// call `listen` again, and assume an event may have been missed meanwhile.
    pub async fn listen(&self) -> Result<mpsc::UnboundedReceiver<String>, StoreError> {
        let mut config = self.config.clone();
        config.application_name("confbot listener");
        let (client, connection) = config.connect(self.tls.clone()).await?;
        let (events, receiver) = mpsc::unbounded_channel();
        // The connection must be driven for the LISTEN below to be answered.
        let driver = tokio::spawn(drive(connection, events));
        client.batch_execute(&format!("LISTEN {}", quote(&self.channel))).await?;
        // Dropping the client would close the connection: keep it while the driver runs.
        tokio::spawn(async move {
            let _ = driver.await;
            drop(client);
        });
        Ok(receiver)
    }
}

/// Forwards notifications until the connection ends or nobody listens any more.
async fn drive<S, T>(mut connection: Connection<S, T>, events: mpsc::UnboundedSender<String>)
where
    S: AsyncRead + AsyncWrite + Unpin,
    T: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        let message = tokio::select! {
            message = std::future::poll_fn(|cx| connection.poll_message(cx)) => message,
            () = events.closed() => return,
        };
        match message {
            Some(Ok(AsyncMessage::Notification(n))) => {
                let _ = events.send(n.payload().to_owned());
            }
            Some(Ok(_)) => {} // a notice: nothing to do
            Some(Err(e)) => {
                tracing::warn!("the PostgreSQL connection listening for events was lost: {e}");
                return;
            }
            None => return,
        }
    }
}

/// An identifier in double quotes, so the channel is exactly the name `pg_notify` is given.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::postgres::test_url;
    use std::time::Duration;

    #[test]
    fn channels_are_per_schema_and_short_enough() {
        assert_eq!(channel_for("public"), "confbot_events");
        assert_eq!(channel_for("bot2"), "confbot_events_bot2");
        assert!(channel_for(&"s".repeat(63)).len() < 64);
        assert_ne!(channel_for(&"s".repeat(63)), channel_for(&"t".repeat(63)));
    }

    async fn next(events: &mut mpsc::UnboundedReceiver<String>) -> Option<String> {
        tokio::time::timeout(Duration::from_secs(5), events.recv()).await.expect("an event or the end in 5 s")
    }

    #[tokio::test]
    async fn events_reach_listeners_of_the_same_schema_only_and_a_lost_connection_ends_them() {
        let Some(url) = test_url() else { return };
        let (store, other) = (Postgres::scratch(&url).await.unwrap(), Postgres::scratch(&url).await.unwrap());
        let mut events = store.listen().await.unwrap();
        let mut elsewhere = other.listen().await.unwrap();
        store.notify("daily").await.unwrap();
        store.notify("reload").await.unwrap();
        assert_eq!(next(&mut events).await.as_deref(), Some("daily"));
        assert_eq!(next(&mut events).await.as_deref(), Some("reload"));
        other.notify("sighup").await.unwrap();
        assert_eq!(next(&mut elsewhere).await.as_deref(), Some("sighup"), "not daily or reload");
        assert!(events.try_recv().is_err(), "nothing from the other schema");

        // The server ends the listener's connection: the receiver closes, and listening again works.
        let ended = store
            .client()
            .await
            .unwrap()
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE application_name = 'confbot listener' AND query = $1",
                &[&format!("LISTEN {}", quote(&store.channel))],
            )
            .await
            .unwrap();
        assert_eq!(ended, 1);
        assert_eq!(next(&mut events).await, None);
        let mut again = store.listen().await.unwrap();
        store.notify("daily").await.unwrap();
        assert_eq!(next(&mut again).await.as_deref(), Some("daily"));
    }
}
