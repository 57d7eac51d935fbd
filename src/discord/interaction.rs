//! The one `interaction_create`: slash commands, autocomplete, buttons and submitted forms in,
//! confbot's own `reply::Message` (or `reply::ModalPayload`) JSON out, sent as is through
//! serenity's raw `Http` and the retry layer.
//!
//! Each interaction is answered in its own task, so a panic in the core is caught (as a
//! `JoinError`) and the user still gets an ephemeral apology instead of "did not respond".

use std::sync::Arc;
use std::time::Instant;

use serde_json::{json, Value};
use serenity::http::Http;
use serenity::model::application::{
    ActionRowComponent, CommandDataOption, CommandDataOptionValue, CommandInteraction, ComponentInteraction,
    Interaction, ModalInteraction,
};
use serenity::model::channel::{Message, MessageFlags};
use serenity::model::guild::Member;
use serenity::model::id::{GuildId, InteractionId};
use serenity::model::user::User;

use super::{events, permissions, retry, review, Bot};
use crate::commands::common::PAGE;
use crate::commands::definition::SUBCOMMAND;
use crate::commands::{self, custom_id, insight, insights, Caller, Context, Effect, Invocation, Outcome};
use crate::reply::{self, Reply};

/// Interaction callback types (Discord's `InteractionResponseType`).
const CHANNEL_MESSAGE: u8 = 4;
const DEFERRED_CHANNEL_MESSAGE: u8 = 5;
const UPDATE_MESSAGE: u8 = 7;
const AUTOCOMPLETE_RESULT: u8 = 8;
const MODAL: u8 = 9;

/// Answers one interaction; never panics, whatever the core does.
pub async fn handle(bot: Arc<Bot>, http: Arc<Http>, interaction: Interaction) {
    let _inflight = bot.inflight.enter();
    let started = Instant::now();
    let reply_to = ids(&interaction);
    match caught(answer(bot, http.clone(), interaction)).await {
        Ok(()) => tracing::debug!(elapsed = ?started.elapsed(), "interaction answered"),
        Err(why) => {
            tracing::error!("an interaction handler failed: {why}");
            if let Some((id, token)) = reply_to {
                let sorry = Reply::problem("Something went wrong", "confbot could not answer that. Please try again.");
                respond(&http, id, &token, CHANNEL_MESSAGE, message(&sorry)).await;
            }
        }
    }
}

/// Runs `work` in its own task, so that a panic in it comes back as an error.
async fn caught(work: impl std::future::Future<Output = ()> + Send + 'static) -> Result<(), String> {
    match tokio::spawn(work).await {
        Ok(()) => Ok(()),
        Err(e) if e.is_panic() => Err(format!("panicked: {}", panic_text(e.into_panic()))),
        Err(e) => Err(format!("cancelled: {e}")),
    }
}

fn ids(interaction: &Interaction) -> Option<(InteractionId, String)> {
    match interaction {
        Interaction::Command(c) => Some((c.id, c.token.clone())),
        Interaction::Component(c) => Some((c.id, c.token.clone())),
        Interaction::Modal(m) => Some((m.id, m.token.clone())),
        _ => None,
    }
}

fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(std::string::ToString::to_string)
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

async fn answer(bot: Arc<Bot>, http: Arc<Http>, interaction: Interaction) {
    match interaction {
        Interaction::Command(c) => command(&bot, &http, &c).await,
        Interaction::Autocomplete(a) => {
            let choices = match a.data.autocomplete() {
                Some(focused) => {
                    let (catalogue, name) = (bot.live.get(), a.data.name.clone());
                    let (option, partial) = (focused.name.to_owned(), focused.value.to_owned());
                    off_the_runtime(move || commands::complete(&catalogue, &name, &option, &partial)).await
                }
                None => {
                    tracing::warn!(command = %a.data.name, "autocomplete without a focused option; answering none");
                    Vec::new()
                }
            };
            respond(&http, a.id, &a.token, AUTOCOMPLETE_RESULT, json!({ "choices": choices })).await;
        }
        Interaction::Component(c) => component(&bot, &http, &c).await,
        Interaction::Modal(m) => submitted(&bot, &http, &m).await,
        other => tracing::warn!(kind = ?other.kind(), "ignoring an interaction of a kind confbot does not use"),
    }
}

/// How long a command may run before its answer is deferred: well inside Discord's 3 seconds,
/// leaving room for the deferral itself to arrive.
const DEFER_AFTER: std::time::Duration = std::time::Duration::from_millis(1500);

async fn command(bot: &Arc<Bot>, http: &Http, c: &CommandInteraction) {
    let invocation = invocation(&c.data.name, &c.data.options);
    let asker = asker(c.guild_id, c.member.as_deref(), &c.user);
    // Decisions on the member's suggestions, told privately once they have their answer.
    let notice = review::notice_for(bot, c.user.id.get()).await;
    // Admin commands and `/insights` always answer privately.
    let private = commands::find(&invocation.name).is_some_and(|d| d.admin || d.name == insights::COMMAND.name);
    let mut work = std::pin::pin!(run(bot, c.channel_id.get(), Some(asker), invocation));
    let (outcome, deferred) = match tokio::time::timeout(DEFER_AFTER, &mut work).await {
        Ok(outcome) => (outcome, false),
        Err(_) => {
            // Still working: defer now, or Discord drops the interaction. Visibility is fixed
            // by the deferral: private for commands always answered privately, public otherwise.
            tracing::debug!(command = %c.data.name, "slow to answer; deferring");
            let flags = if private { reply::limits::EPHEMERAL } else { 0 };
            respond(http, c.id, &c.token, DEFERRED_CHANNEL_MESSAGE, json!({ "flags": flags })).await;
            (work.await, true)
        }
    };
    if !deferred && !outcome.effects.iter().any(Effect::is_slow) {
        for effect in &outcome.effects {
            carry_out(bot, http, effect, c.guild_id).await;
        }
        respond(http, c.id, &c.token, CHANNEL_MESSAGE, message(&outcome.reply)).await;
        return review::tell(bot, http, &c.token, notice).await;
    }
    if !deferred {
        // Loading files or checking a channel may take longer than Discord's 3 seconds: defer
        // (as privately as the answer will be), carry the effects out, then edit the answer in.
        let flags = if outcome.reply.ephemeral { reply::limits::EPHEMERAL } else { 0 };
        respond(http, c.id, &c.token, DEFERRED_CHANNEL_MESSAGE, json!({ "flags": flags })).await;
    }
    let mut answer = outcome.reply;
    for effect in &outcome.effects {
        match carry_out(bot, http, effect, c.guild_id).await {
            Done::Nothing => {}
            Done::Replace(reply) => answer = reply,
            Done::Add(note) => {
                let text = answer.content.take().unwrap_or_default();
                answer.content = Some(format!("{text}\n\n{note}"));
            }
        }
    }
    edit_original(http, &c.token, &answer).await;
    review::tell(bot, http, &c.token, notice).await;
}

/// What carrying out an effect changes in the answer.
enum Done {
    Nothing,
    Replace(Reply),
    Add(String),
}

/// Does what a command asked of the running bot.
async fn carry_out(bot: &Arc<Bot>, http: &Http, effect: &Effect, guild: Option<GuildId>) -> Done {
    match *effect {
        Effect::WakeDaily => {
            events::tell(bot, events::Event::Daily);
            Done::Nothing
        }
        Effect::WakeLive => {
            events::tell(bot, events::Event::Live);
            Done::Nothing
        }
        Effect::Reload => {
            let reloaded = bot.reload("/reload").await;
            if reloaded.is_ok() {
                events::tell(bot, events::Event::Reload);
            }
            Done::Replace(commands::reload::reply(&reloaded))
        }
        Effect::CheckChannel(channel) => {
            let Some(guild) = guild else { return Done::Nothing };
            let checked = match bot.user_id() {
                Some(me) => permissions::missing_to_post(http, guild, channel, me).await,
                None => Err("the bot is not ready yet".into()),
            };
            match checked {
                Ok(missing) if missing.is_empty() => Done::Nothing,
                Ok(missing) => Done::Add(commands::daily::cannot_post(channel, &missing)),
                Err(why) => {
                    tracing::warn!(guild = guild.get(), channel, "daily: could not check the channel: {why}");
                    Done::Add(format!(
                        "⚠ I could not check my permissions in <#{channel}> ({why}); make sure I can post there."
                    ))
                }
            }
        }
        Effect::PostForReview(id) => {
            review::post(bot, http, id).await;
            Done::Nothing
        }
        // Only a button can answer with a form: see `component`.
        Effect::OpenModal(_) => Done::Nothing,
    }
}

async fn component(bot: &Arc<Bot>, http: &Http, c: &ComponentInteraction) {
    let invocation = match custom_id::decode(&c.data.custom_id) {
        Ok(inv) => inv,
        Err(why) => {
            tracing::info!("a button confbot cannot read: {why}");
            let polite = Reply::problem(
                "This button no longer works",
                format!("Sorry: {why}. Run the command again for fresh buttons."),
            );
            return respond(http, c.id, &c.token, CHANNEL_MESSAGE, message(&polite)).await;
        }
    };
    let asker = asker(c.guild_id, c.member.as_ref(), &c.user);
    let outcome = run(bot, c.channel_id.get(), Some(asker), invocation.clone()).await;
    if let Some(Effect::OpenModal(form)) = outcome.effects.iter().find(|e| matches!(e, Effect::OpenModal(_))) {
        let form = serde_json::to_value(reply::render_modal(form)).unwrap_or(Value::Null);
        return respond(http, c.id, &c.token, MODAL, form).await;
    }
    // A button's effects are quick ones (waking a loop); slow ones come from slash commands.
    for effect in outcome.effects.iter().filter(|e| matches!(e, Effect::WakeDaily | Effect::WakeLive)) {
        carry_out(bot, http, effect, c.guild_id).await;
    }
    answer_on(http, c.id, &c.token, &invocation, outcome.reply, Some(&c.message)).await;
}

/// A submitted form: its custom_id names the invocation, and each text input is an option of
/// it. Answered like a button on the message the form was opened from.
async fn submitted(bot: &Arc<Bot>, http: &Http, m: &ModalInteraction) {
    let mut invocation = match custom_id::decode(&m.data.custom_id) {
        Ok(inv) => inv,
        Err(why) => {
            tracing::info!("a form confbot cannot read: {why}");
            let polite = Reply::problem("This form no longer works", format!("Sorry: {why}. Press the button again."));
            return respond(http, m.id, &m.token, CHANNEL_MESSAGE, message(&polite)).await;
        }
    };
    for row in &m.data.components {
        for input in &row.components {
            if let ActionRowComponent::InputText(t) = input {
                invocation.options.push((t.custom_id.clone(), t.value.clone().unwrap_or_default()));
            }
        }
    }
    let asker = asker(m.guild_id, m.member.as_ref(), &m.user);
    let reply = run(bot, m.channel_id.get(), Some(asker), invocation.clone()).await.reply;
    answer_on(http, m.id, &m.token, &invocation, reply, m.message.as_deref()).await;
}

/// Answers a button or a form opened by one, where `placement` says, given the message it came
/// from (a form may come from none).
async fn answer_on(
    http: &Http,
    id: InteractionId,
    token: &str,
    invocation: &Invocation,
    reply: Reply,
    clicked: Option<&Message>,
) {
    let Some(clicked) = clicked else {
        return respond(http, id, token, CHANNEL_MESSAGE, message(&reply)).await;
    };
    let clicked_ephemeral = clicked.flags.is_some_and(|f| f.contains(MessageFlags::EPHEMERAL));
    match placement(invocation, reply.ephemeral, clicked_ephemeral) {
        Placement::Update => {
            let mut body = reply::render(&reply);
            body.flags = 0; // a message's visibility cannot change
            respond(http, id, token, UPDATE_MESSAGE, to_value(&body)).await;
        }
        Placement::New => respond(http, id, token, CHANNEL_MESSAGE, message(&reply)).await,
        Placement::CloseAndPost => {
            let closed = Reply { content: Some("Answered below.".into()), ..Reply::default() };
            let mut body = reply::render(&closed);
            body.flags = 0;
            respond(http, id, token, UPDATE_MESSAGE, to_value(&body)).await;
            let public = message(&reply);
            let posted = retry::send("follow-up message", || http.create_followup_message(token, &public, Vec::new()));
            let _ = posted.await;
        }
    }
}

/// Where a button's answer goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// Replace the clicked message (type 7).
    Update,
    /// A new message (type 4).
    New,
    /// Close the clicked private question, then answer in public as the command would have.
    CloseAndPost,
}

/// Pages and "Another insight" replace the message they were clicked on, and so does a review
/// decision (the review message shows where the suggestion stands). A private "did you mean"
/// is closed and its answer posted publicly, as if the name had been typed right. An error
/// never replaces a public message; anything else is a new message.
fn placement(invocation: &Invocation, reply_ephemeral: bool, clicked_ephemeral: bool) -> Placement {
    match (clicked_ephemeral, reply_ephemeral) {
        (true, true) => Placement::Update,
        (true, false) => Placement::CloseAndPost,
        (false, true) => Placement::New,
        (false, false)
            if invocation.get(PAGE).is_some()
                || invocation.name == insight::COMMAND.name
                || invocation.name == insights::COMMAND.name =>
        {
            Placement::Update
        }
        (false, false) => Placement::New,
    }
}

/// Who asked: the server (none in a DM), whether they manage it, and who they are.
struct Asker {
    guild: Option<u64>,
    manager: bool,
    member: commands::Member,
}

/// The asker of an interaction, with the permissions Discord computed for it: checked again
/// on every command, button and form.
fn asker(guild: Option<GuildId>, member: Option<&Member>, user: &User) -> Asker {
    let permissions = member.and_then(|m| m.permissions);
    Asker {
        guild: guild.map(GuildId::get),
        manager: is_admin(member),
        member: commands::Member {
            id: user.id.get(),
            name: member.map_or_else(|| user.display_name(), Member::display_name).to_owned(),
            moderator: permissions.is_some_and(|p| p.manage_messages() || p.manage_guild() || p.administrator()),
        },
    }
}

/// Runs the core with this channel's memory of the last insight, off the async threads so a
/// costly command never holds up the others.
async fn run(bot: &Arc<Bot>, channel: u64, asker: Option<Asker>, invocation: Invocation) -> Outcome {
    let bot = bot.clone();
    off_the_runtime(move || {
        let catalogue = bot.live.get();
        let mut rng = fastrand::Rng::new();
        let (caller, member) = match asker {
            Some(a) => (Some(Caller { store: &bot.daily.store, guild: a.guild, manager: a.manager }), Some(a.member)),
            None => (None, None),
        };
        let mut ctx = Context {
            catalogue: &catalogue,
            rng: &mut rng,
            last_insight: last_insight(&bot, channel),
            now: bot.daily.clock.now(),
            bot: caller,
            member,
        };
        let outcome = commands::run(&mut ctx, &invocation);
        if let Some(id) = &outcome.shown_insight {
            // In the store, not in memory, so any worker answers "Another insight" in any channel.
            if let Err(e) = bot.daily.store.set_last_insight(channel, id, bot.daily.clock.now()) {
                tracing::warn!(channel, "could not remember the insight shown: {e}");
            }
        }
        outcome
    })
    .await
}

/// The id of the insight last shown in `channel`.
fn last_insight(bot: &Bot, channel: u64) -> Option<String> {
    match bot.daily.store.last_insight(channel) {
        Ok(id) => id,
        Err(e) => {
            tracing::warn!(channel, "could not read the insight last shown: {e}");
            None
        }
    }
}

/// Runs `work` on tokio's blocking pool. A panic in it is raised again here, where the
/// interaction's own task turns it into an apology.
async fn off_the_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(done) => done,
        Err(e) => match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("a command was cancelled: {e}"),
        },
    }
}

/// The options as text. A subcommand becomes `(SUBCOMMAND, name)` followed by its options.
fn invocation(name: &str, options: &[CommandDataOption]) -> Invocation {
    let mut inv = Invocation::new(name);
    flatten(options, &mut inv);
    inv
}

fn flatten(options: &[CommandDataOption], inv: &mut Invocation) {
    for o in options {
        let text = match &o.value {
            CommandDataOptionValue::String(s) => s.clone(),
            CommandDataOptionValue::Integer(n) => n.to_string(),
            CommandDataOptionValue::Number(n) => n.to_string(),
            CommandDataOptionValue::Boolean(b) => b.to_string(),
            CommandDataOptionValue::Channel(id) => id.get().to_string(),
            CommandDataOptionValue::SubCommand(inner) | CommandDataOptionValue::SubCommandGroup(inner) => {
                inv.options.push((SUBCOMMAND.into(), o.name.clone()));
                flatten(inner, inv);
                continue;
            }
            other => {
                tracing::debug!(option = %o.name, kind = ?other.kind(), "ignoring an option of an unused type");
                continue;
            }
        };
        inv.options.push((o.name.clone(), text));
    }
}

/// Manage Server (or Administrator) in the channel's guild, as Discord computed it.
fn is_admin(member: Option<&Member>) -> bool {
    member.and_then(|m| m.permissions).is_some_and(|p| p.manage_guild() || p.administrator())
}

/// Replaces a deferred answer with `reply`.
async fn edit_original(http: &Http, token: &str, reply: &Reply) {
    let mut body = reply::render(reply);
    body.flags = 0; // visibility was fixed by the deferral; an edit may not set it
    let body = to_value(&body);
    let _ = retry::send("edit original response", || http.edit_original_interaction_response(token, &body, Vec::new()))
        .await;
}

fn message(reply: &Reply) -> Value {
    to_value(&reply::render(reply))
}

fn to_value(m: &reply::Message) -> Value {
    serde_json::to_value(m).unwrap_or_else(|e| {
        tracing::error!("a reply did not serialise: {e}");
        json!({ "content": "Something went wrong.", "flags": reply::limits::EPHEMERAL, "allowed_mentions": { "parse": [] } })
    })
}

/// Sends an interaction callback through the retry layer; failures are logged there.
async fn respond(http: &Http, id: InteractionId, token: &str, kind: u8, data: Value) {
    let body = json!({ "type": kind, "data": data });
    let _ =
        retry::send("interaction callback", || http.create_interaction_response(id, token, &body, Vec::new())).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_is_caught_and_described() {
        assert_eq!(caught(async {}).await, Ok(()));
        let failed = caught(async { panic!("boom {}", 1) }).await;
        assert_eq!(failed, Err("panicked: boom 1".to_owned()));
    }

    #[test]
    fn button_answers_go_where_they_read_best() {
        let page = Invocation::new("topics").with("page", "1");
        let another = Invocation::new("insight");
        let talk = Invocation::new("talk").with("title", "keynote");
        let cases = [
            (&page, false, false, Placement::Update),
            (&another, false, false, Placement::Update),
            (&talk, false, false, Placement::New),
            (&talk, false, true, Placement::CloseAndPost),
            (&talk, true, true, Placement::Update),
            (&page, true, false, Placement::New),
        ];
        for (inv, reply_ephemeral, clicked_ephemeral, expected) in cases {
            assert_eq!(placement(inv, reply_ephemeral, clicked_ephemeral), expected, "{inv:?}");
        }
    }
}
