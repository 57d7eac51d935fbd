//! The Discord side of members' suggestions (`commands/insights.rs`): posting a suggestion in
//! its server's review channel, and telling a member privately what became of theirs.

use std::sync::Arc;

use serenity::http::Http;
use serenity::model::id::ChannelId;

use super::{retry, Bot};
use crate::commands::insights;
use crate::reply::{self, limits, Reply};

/// Posts suggestion `id` in its server's review channel and remembers the message. A failure
/// is logged, not fatal: the suggestion is stored, and `/insights pending` lists it.
pub async fn post(bot: &Arc<Bot>, http: &Http, id: i64) {
    let (catalogue, store) = (bot.live.get(), bot.daily.store.clone());
    let found = tokio::task::spawn_blocking(move || insights::for_review(&catalogue, &store, id)).await;
    let (channel, card) = match found {
        Ok(Ok(Some(found))) => found,
        Ok(Ok(None)) => return tracing::debug!(id, "suggestion: no review channel set"),
        Ok(Err(e)) => return tracing::error!(id, "suggestion: state store failed: {e}"),
        Err(e) => return tracing::error!(id, "suggestion: {e}"),
    };
    let body = reply::render(&card);
    let sent = retry::send("review message", || http.send_message(ChannelId::new(channel), Vec::new(), &body)).await;
    match sent {
        Ok(message) => {
            if let Err(e) = bot.daily.store.set_review_message(id, channel, message.id.get()) {
                tracing::error!(id, "suggestion: could not remember its review message: {e}");
            }
        }
        Err(e) => tracing::warn!(id, channel, "suggestion: could not post it for review: {}", retry::describe(&e)),
    }
}

/// Decisions on `user`'s suggestions they have not been told of, as a private notice and the
/// ids it tells of. Read before their command is answered, so what they are told is what was
/// decided by the time they asked.
pub async fn notice_for(bot: &Arc<Bot>, user: u64) -> Option<(Reply, Vec<i64>)> {
    let store = bot.daily.store.clone();
    let found = tokio::task::spawn_blocking(move || {
        let mut found = insights::notice(&store, user)?;
        // A reminder that could not be sent (DMs closed) is told the same way, once.
        if let Some(text) = crate::commands::remind::closed_dms_notice(&store, user)? {
            let (reply, _) = found.get_or_insert_with(|| (Reply { ephemeral: true, ..Reply::default() }, Vec::new()));
            reply.content = Some(text);
        }
        Ok::<_, crate::store::StoreError>(found)
    });
    match found.await {
        Ok(Ok(found)) => found,
        Ok(Err(e)) => {
            tracing::error!("suggestion notices: state store failed: {e}");
            None
        }
        Err(e) => {
            tracing::error!("suggestion notices: {e}");
            None
        }
    }
}

/// Sends a [`notice_for`] once the interaction whose token is `token` has its answer: an
/// ephemeral follow-up, so it never shows in the channel. Marked as told only once delivered.
pub async fn tell(bot: &Arc<Bot>, http: &Http, token: &str, notice: Option<(Reply, Vec<i64>)>) {
    let Some((notice, ids)) = notice else { return };
    let mut body = reply::render(&notice);
    body.flags = limits::EPHEMERAL;
    let sent = retry::send("suggestion notice", || http.create_followup_message(token, &body, Vec::new())).await;
    if sent.is_ok() {
        if let Err(e) = bot.daily.store.mark_told(&ids) {
            tracing::error!("suggestion notices: could not record them as told: {e}");
        }
    }
}
