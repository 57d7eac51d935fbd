//! `/insights add | review-channel | pending`: insights from the community (issue #17). Members
//! suggest an insight or quote from a talk; it is posted in the server's review channel with
//! Approve, Edit and Reject buttons; once approved it is served by `/insight` and the daily
//! deck of that server, credited to its author unless they declined.
//!
//! The review buttons and the forms they open come back here as hidden subcommands (`approve`,
//! `edit`, `edited`, `reject`, `rejected`, `global`) decoded from their custom_ids; each checks
//! the presser's permissions again. The pure rules and limits are in [`crate::community`]; the
//! edge posts review messages ([`Effect::PostForReview`]), opens forms ([`Effect::OpenModal`])
//! and tells members of decisions ([`notice`]).

use serde_json::{json, Value};

use super::common::{self, talk_label};
use super::custom_id::{self, StaleButton};
use super::definition::{subcommand, text, OptionDef, OptionKind, SUBCOMMAND};
use super::{choices, Caller, Choice, Command, Context, Effect, Invocation, Member, Outcome};
use crate::catalogue::resolve::{self, id_value, Found};
use crate::catalogue::{Catalogue, InsightKind, SpeakerIx, TalkIx};
use crate::community::{
    check_text, fold_key, Decision, Limits, NewSuggestion, Status, Suggestion, Target, REASON_MAX, TEXT_MAX, TEXT_MIN,
};
use crate::reply::{self, echo, limits, md, Button, Embed, Field, Modal, Reply, Style, TextInput, COLOR};
use crate::store::{Decided, Edited, Refusal, Store, StoreError};

const TEXT: &str = "text";
const TALK: &str = "talk";
const KIND: &str = "kind";
const SPEAKER: &str = "speaker";
const CREDIT: &str = "credit";
const CHANNEL: &str = "channel";
/// Hidden: the suggestion a button or form acts on, and a rejection's reason.
const ID: &str = "id";
const REASON: &str = "reason";
const GLOBAL: &str = "global";

/// The declared bound of `text:` sits above [`TEXT_MAX`] on purpose: options are cut to their
/// declared length before a command sees them, and a text cut silently would be stored as
/// nobody typed it. Up to this, a long text is refused whole, with its length.
const TEXT_OPTION_MAX: u32 = 2 * TEXT_MAX as u32;

pub const COMMAND: Command = Command {
    name: "insights",
    description: "Insights from the community: suggest one from a talk; moderators review them",
    options: &[
        subcommand(
            "add",
            "Suggest an insight or quote from a talk; the server's moderators review it",
            &[
                OptionDef {
                    max: Some(TEXT_OPTION_MAX),
                    ..text(TEXT, "What you took away, 10–500 characters, no links or mentions", true, false)
                },
                text(TALK, "The talk it is from", true, true),
                OptionDef { max: Some(10), ..text(KIND, "insight (default) or quote", false, true) },
                text(SPEAKER, "Who said it; a quote needs a speaker of the talk", false, true),
                OptionDef {
                    max: Some(3),
                    ..text(CREDIT, "Credit you by your display name? yes (default) or no", false, true)
                },
            ],
        ),
        subcommand(
            "review-channel",
            "Where suggestions are posted for review (Manage Server)",
            &[OptionDef {
                kind: OptionKind::Channel,
                min: None,
                max: None,
                ..text(CHANNEL, "The review channel", true, false)
            }],
        ),
        subcommand("pending", "Suggestions waiting for review (Manage Messages)", &[]),
    ],
    admin: false,
    run: |ctx, inv| run(ctx, Args::read(inv)),
    complete,
    button: decode,
};

/// The subcommand and its options, as text: names are resolved in `run`, where the refusal
/// for each can say what to do.
pub enum Args {
    Add {
        text: String,
        talk: String,
        kind: Option<String>,
        speaker: Option<String>,
        credit: Option<String>,
    },
    ReviewChannel {
        channel: String,
    },
    Pending {
        page: usize,
    },
    Approve {
        id: i64,
    },
    /// The Edit button: open the form.
    Edit {
        id: i64,
    },
    /// The edit form, submitted.
    Edited {
        id: i64,
        text: String,
        talk: String,
    },
    /// The Reject button: open the form asking for a reason.
    Reject {
        id: i64,
    },
    /// The reject form, submitted.
    Rejected {
        id: i64,
        reason: Option<String>,
    },
    Global {
        id: i64,
        global: bool,
    },
    Unknown,
}

impl Args {
    fn read(inv: &Invocation) -> Args {
        let owned = |option: &str| inv.get(option).unwrap_or("").to_owned();
        let some = |option: &str| inv.get(option).map(str::to_owned);
        let id = inv.get(ID).and_then(|i| i.parse::<i64>().ok());
        match (inv.get(SUBCOMMAND), id) {
            (Some("add"), _) => Args::Add {
                text: inv.options.iter().find(|(n, _)| n == TEXT).map(|(_, v)| v.clone()).unwrap_or_default(),
                talk: owned(TALK),
                kind: some(KIND),
                speaker: some(SPEAKER),
                credit: some(CREDIT),
            },
            (Some("review-channel"), _) => Args::ReviewChannel { channel: owned(CHANNEL) },
            (Some("pending"), _) => Args::Pending { page: inv.page() },
            (Some("approve"), Some(id)) => Args::Approve { id },
            (Some("edit"), Some(id)) => Args::Edit { id },
            (Some("edited"), Some(id)) => Args::Edited { id, text: owned(TEXT), talk: owned(TALK) },
            (Some("reject"), Some(id)) => Args::Reject { id },
            (Some("rejected"), Some(id)) => Args::Rejected { id, reason: some(REASON) },
            (Some("global"), Some(id)) => Args::Global { id, global: inv.get(GLOBAL) == Some("1") },
            _ => Args::Unknown,
        }
    }
}

pub fn run(ctx: &mut Context<'_>, args: Args) -> Outcome {
    let answer = match args {
        Args::Add { text, talk, kind, speaker, credit } => add(ctx, &text, &talk, kind, speaker, credit),
        Args::ReviewChannel { channel } => review_channel(ctx, &channel),
        Args::Pending { page } => {
            moderated(ctx).and_then(|(guild, store, _)| pending(ctx.catalogue, store, guild, page))
        }
        Args::Approve { id } => moderated(ctx).and_then(|(guild, store, member)| {
            decide(ctx.catalogue, store, guild, id, Status::Approved, decision(ctx, member, None))
        }),
        Args::Edit { id } => moderated(ctx).and_then(|(guild, store, _)| open_edit(ctx.catalogue, store, guild, id)),
        Args::Edited { id, text, talk } => {
            moderated(ctx).and_then(|(guild, store, _)| edited(ctx.catalogue, store, guild, id, &text, &talk))
        }
        Args::Reject { id } => moderated(ctx).and_then(|(guild, store, _)| open_reject(store, guild, id)),
        Args::Rejected { id, reason } => moderated(ctx).and_then(|(guild, store, member)| {
            let reason = reason.map(|r| clean_reason(&r)).filter(|r| !r.is_empty());
            decide(ctx.catalogue, store, guild, id, Status::Rejected, decision(ctx, member, reason))
        }),
        Args::Global { id, global } => moderated(ctx).and_then(|(guild, store, _)| {
            Ok(match store.set_global(guild, id, global).map_err(failed)? {
                Some(s) => Outcome::found(review_card(ctx.catalogue, &s), Value::Null),
                None => refuse("Only approved suggestions can be made global", "Approve it first."),
            })
        }),
        Args::Unknown => Err(refuse("Which /insights?", "Use `/insights add`, `review-channel` or `pending`.")),
    };
    answer.unwrap_or_else(|refused| refused)
}

fn refuse(title: &str, advice: impl Into<String>) -> Outcome {
    Outcome::missed(Reply::problem(title, advice), json!({"suggestion": null}))
}

/// A store failure, logged, as the member sees it.
fn failed(e: StoreError) -> Outcome {
    tracing::error!("/insights: state store failed: {e}");
    refuse(
        "Could not reach the bot's state",
        "Nothing was changed. Try again in a moment; if it persists, tell the bot's operator.",
    )
}

/// The server, store and member of a moderator: Manage Messages or Manage Server (or
/// Administrator) there, as Discord computed it for this very interaction.
fn moderated<'a>(ctx: &Context<'a>) -> Result<(u64, &'a Store, Member), Outcome> {
    match (&ctx.bot, &ctx.member) {
        (Some(Caller { store, guild: Some(guild), .. }), Some(member)) if member.moderator => {
            Ok((*guild, *store, member.clone()))
        }
        (Some(Caller { guild: Some(_), .. }), Some(_)) => Err(refuse(
            "Only moderators can review suggestions",
            "It needs the Manage Messages or Manage Server permission.",
        )),
        (Some(_), _) => Err(refuse("Reviews belong to a server", "Use this in the server whose suggestions they are.")),
        (None, _) => Err(refuse("This works only in Discord", "Reviewing suggestions needs the running bot.")),
    }
}

fn decision(ctx: &Context<'_>, member: Member, reason: Option<String>) -> Decision {
    Decision { by_id: member.id, by_name: member.name, at: ctx.now, reason }
}

fn add(
    ctx: &Context<'_>,
    text: &str,
    talk: &str,
    kind: Option<String>,
    speaker: Option<String>,
    credit: Option<String>,
) -> Result<Outcome, Outcome> {
    let c = ctx.catalogue;
    let (store, guild, member) = match (&ctx.bot, &ctx.member) {
        (Some(Caller { store, guild: Some(guild), .. }), Some(member)) => (*store, *guild, member),
        (Some(_), _) => {
            return Err(refuse(
                "Suggest insights in a server",
                "Use `/insights add` in the server you were at the talk with.",
            ))
        }
        (None, _) => {
            return Err(refuse(
                "Suggestions need the bot's state",
                "Use `/insights add` in Discord, or offline with `confbot ask --state FILE`.",
            ))
        }
    };
    let text = check_text(text).map_err(|p| refuse("That suggestion cannot be sent", p.to_string()))?;
    let talk = find_talk(c, talk)?;
    let kind = match kind.as_deref().map(str::to_lowercase).as_deref() {
        None | Some("insight") => InsightKind::Insight,
        Some("quote") => InsightKind::Quote,
        Some(other) => {
            return Err(refuse(&format!("“{}” is no kind", echo(other)), "Use `kind: insight` or `kind: quote`."))
        }
    };
    let speaker = find_speaker(c, talk, kind, speaker.as_deref())?;
    let credit = match credit.as_deref().map(str::to_lowercase).as_deref() {
        None | Some("yes" | "y" | "true") => true,
        Some("no" | "n" | "false") => false,
        Some(other) => {
            return Err(refuse(
                &format!("“{}” is neither yes nor no", echo(other)),
                "Use `credit: yes` or `credit: no`.",
            ))
        }
    };
    let folded = fold_key(&text);
    if c.insights_of_talk(talk).iter().any(|&i| fold_key(&c.insights[i].text) == folded) {
        return Err(refuse("That insight is already in the catalogue", "`/insight` serves it; suggest something new."));
    }
    let new = NewSuggestion {
        guild_id: guild,
        author_id: member.id,
        author_name: member.name.clone(),
        credit,
        kind,
        text,
        talk: c.talks[talk].id.clone(),
        speaker: speaker.map(|s| c.speakers[s].id.clone()),
        at: ctx.now,
    };
    let stored = match store.suggest(&new, Limits::default()).map_err(failed)? {
        Ok(s) => s,
        Err(refusal) => return Err(refused(refusal)),
    };
    let review = if store.review_channel(guild).map_err(failed)?.is_some() {
        "The server's moderators will see it in their review channel"
    } else {
        "The server's moderators will see it with `/insights pending`"
    };
    let reply = Reply {
        content: Some(format!(
            "Sent for review (suggestion #{}): “{}” on **{}**. {review}; you will hear here when they decide.",
            stored.id,
            md(&limits::truncate(&stored.text, 200)),
            md(&c.talks[talk].title),
        )),
        ephemeral: true,
        ..Reply::default()
    };
    let resolved = json!({"suggestion": {"id": stored.id, "status": stored.status.as_str()}});
    Ok(Outcome { effects: vec![Effect::PostForReview(stored.id)], ..Outcome::found(reply, resolved) })
}

fn refused(refusal: Refusal) -> Outcome {
    match refusal {
        Refusal::PendingPerMember(n) => refuse(
            "You have enough waiting for review",
            format!("You have {n} suggestions waiting. Once the moderators decide on one, suggest the next."),
        ),
        Refusal::PerHour { limit, next_at } => refuse(
            "That is a lot of suggestions for one hour",
            format!("You made {limit} in the last hour. The next is welcome from {} UTC.", next_at.format("%H:%M")),
        ),
        Refusal::ServerQueueFull(n) => refuse(
            "The review queue is full",
            format!("{n} suggestions are waiting for this server's moderators. Try again once they have caught up."),
        ),
        Refusal::Duplicate { id, status } => refuse(
            "That was suggested already",
            format!(
                "Suggestion #{id} says the same ({}).",
                match status {
                    Status::Pending => "it is waiting for review",
                    Status::Approved => "it was approved and is served",
                    Status::Rejected => "it was not accepted",
                }
            ),
        ),
    }
}

/// The talk named by `text`, or the refusal: unknown, or one of several.
fn find_talk(c: &Catalogue, text: &str) -> Result<TalkIx, Outcome> {
    match resolve::talk(c, text, None) {
        Found::One(t) => Ok(t),
        Found::Maybe(options) => {
            let names: Vec<String> = options.iter().take(5).map(|&t| format!("• {}", md(&talk_label(c, t)))).collect();
            Err(refuse(
                &format!("Which talk did you mean by “{}”?", echo(text)),
                format!("{}\n\nPick it from the `talk:` suggestions.", names.join("\n")),
            ))
        }
        Found::Nothing => Err(refuse(
            "Unknown talk",
            format!(
                "No talk is called “{}”. The `talk:` option suggests them as you type; `/search` finds them.",
                echo(text)
            ),
        )),
    }
}

/// The speaker of `talk` named by `text`; when none is named, the talk's only speaker. A quote
/// must have one.
fn find_speaker(
    c: &Catalogue,
    talk: TalkIx,
    kind: InsightKind,
    text: Option<&str>,
) -> Result<Option<SpeakerIx>, Outcome> {
    let speakers = &c.talks[talk].speakers;
    let names = || {
        if speakers.is_empty() {
            "The talk lists no speakers.".to_owned()
        } else {
            format!("Its speakers: {}.", md(&c.speaker_names(talk)))
        }
    };
    let found = match text {
        None => (speakers.len() == 1).then(|| speakers[0]),
        Some(text) => match resolve::speaker(c, text, 5).0 {
            Found::One(s) if speakers.contains(&s) => Some(s),
            // A fuzzy name may match someone else first; the talk's own speakers decide.
            Found::Maybe(options) if options.iter().filter(|s| speakers.contains(s)).count() == 1 => {
                options.into_iter().find(|s| speakers.contains(s))
            }
            _ => {
                return Err(refuse(
                    &format!("“{}” is not a speaker of that talk", echo(text)),
                    format!("{} Leave `speaker:` out for an insight of your own.", names()),
                ))
            }
        },
    };
    if kind == InsightKind::Quote && found.is_none() {
        return Err(refuse("A quote needs its speaker", format!("Add `speaker:`. {}", names())));
    }
    Ok(found)
}

fn review_channel(ctx: &Context<'_>, channel: &str) -> Result<Outcome, Outcome> {
    let in_a_dm = ("Review channels belong to a server", "Use `/insights review-channel` in the server you manage.");
    let (guild, store) = common::managed_server(ctx, in_a_dm)?;
    let channel: u64 = channel.trim_start_matches("<#").trim_end_matches('>').parse().unwrap_or(0);
    if channel == 0 {
        return Err(refuse("Which channel?", "Pick a channel in `channel:`."));
    }
    store.set_review_channel(guild, channel, ctx.now).map_err(failed)?;
    let text = format!(
        "Suggestions will be posted in <#{channel}> for review. Keep it visible to your moderators only, and let me \
         view it and send messages and embeds there."
    );
    Ok(Outcome::found(Reply { content: Some(text), ephemeral: true, ..Reply::default() }, Value::Null))
}

fn pending(c: &Catalogue, store: &Store, guild: u64, page: usize) -> Result<Outcome, Outcome> {
    let waiting = store.suggestions(Some(guild), Status::Pending).map_err(failed)?;
    let approved = store.suggestions(Some(guild), Status::Approved).map_err(failed)?;
    let lost: Vec<&Suggestion> = approved.iter().filter(|s| s.target(c) == Target::Missing).collect();
    if waiting.is_empty() && lost.is_empty() {
        let reply = Reply { content: Some("Nothing waits for review.".into()), ephemeral: true, ..Reply::default() };
        return Ok(Outcome::found(reply, json!({"pending": []})));
    }
    let lines: Vec<String> = waiting
        .iter()
        .map(|s| line(c, s, "⏳"))
        .chain(lost.iter().map(|s| format!("{} — ⚠ its talk is gone: **Edit** points it at another", line(c, s, "✅"))))
        .collect();
    let page = reply::paginate(&lines, page, |p| custom_id::encode(COMMAND.name, &["pending", &p.to_string()]));
    let title = format!("Waiting for review: {} · approved with a missing talk: {}", waiting.len(), lost.len());
    let description = page.lines.join("\n");
    let mut reply = page.reply(title, description, "Approve, edit or reject them in the review channel.");
    reply.ephemeral = true;
    let ids: Vec<i64> = waiting.iter().map(|s| s.id).collect();
    Ok(Outcome::found(reply, json!({"pending": ids})))
}

/// One suggestion in a list: number, text, talk, author, and a link to its review message.
fn line(c: &Catalogue, s: &Suggestion, icon: &str) -> String {
    let talk = match s.target(c) {
        Target::Found { talk, .. } => md(&c.talks[talk].title),
        Target::Missing => format!("missing talk `{}`", echo(&s.talk)),
    };
    let mut line =
        format!("{icon} **#{}** “{}” — {talk} · by {}", s.id, md(&limits::truncate(&s.text, 80)), md(&s.author_name));
    if let Some((channel, message)) = s.review {
        line.push_str(" · ");
        line.push_str(&reply::link(
            "review",
            &format!("https://discord.com/channels/{}/{channel}/{message}", s.guild_id),
        ));
    }
    line
}

fn decide(c: &Catalogue, store: &Store, guild: u64, id: i64, status: Status, by: Decision) -> Result<Outcome, Outcome> {
    Ok(match store.decide(guild, id, status, &by).map_err(failed)? {
        Decided::Done(s) => {
            Outcome::found(review_card(c, &s), json!({"suggestion": {"id": s.id, "status": s.status.as_str()}}))
        }
        Decided::Already(s) => already(&s),
        Decided::NotFound => not_found(id),
    })
}

/// Told to a moderator who was too late: another decided it first.
fn already(s: &Suggestion) -> Outcome {
    let (what, by) = match (&s.status, &s.decision) {
        (Status::Approved, Some(d)) => ("approved", d.by_name.as_str()),
        (Status::Rejected, Some(d)) => ("rejected", d.by_name.as_str()),
        _ => ("decided", "another moderator"),
    };
    refuse(
        &format!("Suggestion #{} was already {what}", s.id),
        format!("{} decided it first; nothing changed.", md(by)),
    )
}

fn not_found(id: i64) -> Outcome {
    refuse(&format!("There is no suggestion #{id} here"), "It may belong to another server.")
}

fn open_edit(c: &Catalogue, store: &Store, guild: u64, id: i64) -> Result<Outcome, Outcome> {
    let Some(s) = store.suggestion(guild, id).map_err(failed)? else { return Err(not_found(id)) };
    if s.status == Status::Rejected {
        return Err(refuse(&format!("Suggestion #{id} was rejected"), "Rejected suggestions stay closed."));
    }
    let talk = c.talk_by_id(&s.talk).map_or_else(|| s.talk.clone(), |t| id_value(&c.talks[t].id));
    let modal = Modal {
        custom_id: button("edited", id),
        title: format!("Edit suggestion #{id}"),
        inputs: vec![
            TextInput {
                id: TEXT.into(),
                label: "Text".into(),
                long: true,
                required: true,
                min: TEXT_MIN,
                max: TEXT_MAX,
                value: Some(s.text.clone()),
                placeholder: None,
            },
            TextInput {
                id: TALK.into(),
                label: "Talk (a title, or id:…)".into(),
                long: false,
                required: true,
                min: 1,
                max: 100,
                value: Some(talk),
                placeholder: None,
            },
        ],
    };
    Ok(opening(modal))
}

fn open_reject(store: &Store, guild: u64, id: i64) -> Result<Outcome, Outcome> {
    let Some(s) = store.suggestion(guild, id).map_err(failed)? else { return Err(not_found(id)) };
    if s.status != Status::Pending {
        return Err(already(&s));
    }
    let modal = Modal {
        custom_id: button("rejected", id),
        title: format!("Reject suggestion #{id}"),
        inputs: vec![TextInput {
            id: REASON.into(),
            label: "Reason, told to the member (optional)".into(),
            long: false,
            required: false,
            min: 0,
            max: REASON_MAX,
            value: None,
            placeholder: Some("e.g. the speaker said the opposite".into()),
        }],
    };
    Ok(opening(modal))
}

/// An outcome that opens `modal`; its reply is only for where forms cannot be shown (`ask`).
fn opening(modal: Modal) -> Outcome {
    let reply = Reply::problem("This opens a form", "Press the button in Discord.");
    Outcome { effects: vec![Effect::OpenModal(modal)], ..Outcome::found(reply, Value::Null) }
}

fn edited(c: &Catalogue, store: &Store, guild: u64, id: i64, text: &str, talk: &str) -> Result<Outcome, Outcome> {
    // A form's paragraph box allows line breaks; a moderator's are read as spaces.
    let text = text.split(['\n', '\r']).collect::<Vec<_>>().join(" ");
    let text = check_text(&text).map_err(|p| refuse("The edit was not saved", p.to_string()))?;
    let talk = find_talk(c, talk)?;
    let Some(before) = store.suggestion(guild, id).map_err(failed)? else { return Err(not_found(id)) };
    // Keep the speaker when they are a speaker of the (new) talk; else the talk's only one.
    let kept =
        before.speaker.as_deref().and_then(|s| c.speaker_by_id(s)).filter(|s| c.talks[talk].speakers.contains(s));
    let speaker = match kept {
        Some(s) => Some(s),
        None => find_speaker(c, talk, before.kind, None)?,
    };
    let speaker = speaker.map(|s| c.speakers[s].id.as_str());
    Ok(match store.edit(guild, id, &text, &c.talks[talk].id, speaker).map_err(failed)? {
        Edited::Done(s) => Outcome::found(review_card(c, &s), Value::Null),
        Edited::Duplicate => refuse("The edit was not saved", "Another suggestion of this server already says that."),
        Edited::Closed(_) => refuse(&format!("Suggestion #{id} was rejected"), "Rejected suggestions stay closed."),
        Edited::NotFound => not_found(id),
    })
}

/// A reason as the member will read it: one line, no invisible characters, short.
fn clean_reason(reason: &str) -> String {
    let plain: String = reason.chars().map(|c| if reply::is_hidden(c) { ' ' } else { c }).collect();
    limits::truncate(plain.split_whitespace().collect::<Vec<_>>().join(" ").as_str(), REASON_MAX)
}

/// The review message of a suggestion: what it says, on which talk, by whom, where it stands,
/// and the buttons that fit where it stands. Moderators read it; it is never ephemeral.
pub fn review_card(c: &Catalogue, s: &Suggestion) -> Reply {
    let (icon, kind) = match s.kind {
        InsightKind::Insight => ("💡", "insight"),
        InsightKind::Quote => ("💬", "quote"),
    };
    let mut fields = Vec::new();
    match s.target(c) {
        Target::Found { talk, speaker } => {
            let conference = &c.conferences[c.talks[talk].conference].name;
            fields.push(Field::new("Talk", format!("{} · {}", md(&c.talks[talk].title), md(conference))));
            if let Some(sp) = speaker {
                fields.push(Field::inline("Speaker", md(&c.speakers[sp].name)));
            }
        }
        Target::Missing => fields.push(Field::new(
            "⚠ Talk missing",
            format!(
                "`{}` is no longer in the catalogue: not served until it returns or **Edit** points it at another talk.",
                echo(&s.talk)
            ),
        )),
    }
    let credit = if s.credit { "" } else { " — asked not to be credited" };
    // A user mention in an embed shows the member's current name and never pings.
    fields.push(Field::inline("Suggested by", format!("{} (<@{}>){credit}", md(&s.author_name), s.author_id)));
    let status = match (&s.status, &s.decision) {
        (Status::Pending, _) => "⏳ Waiting for review".to_owned(),
        (Status::Approved, Some(d)) => format!("✅ Approved by {}", md(&d.by_name)),
        (Status::Rejected, Some(d)) => match &d.reason {
            Some(r) => format!("❌ Rejected by {}: {}", md(&d.by_name), md(r)),
            None => format!("❌ Rejected by {}", md(&d.by_name)),
        },
        (status, None) => status.as_str().to_owned(),
    };
    fields.push(Field::new("Status", status));
    if s.status == Status::Approved {
        let scope = if s.global { "This server, and marked global for the operator to publish" } else { "This server" };
        fields.push(Field::inline("Served in", scope));
    }
    let buttons = match s.status {
        Status::Pending => vec![
            Button::Action {
                label: "Approve".into(),
                custom_id: button("approve", s.id),
                style: Style::Primary,
                disabled: false,
            },
            Button::action("Edit", button("edit", s.id)),
            Button::action("Reject", button("reject", s.id)),
        ],
        Status::Approved => vec![
            Button::action("Edit", button("edit", s.id)),
            if s.global {
                Button::action("Serve here only", global_button(s.id, false))
            } else {
                Button::action("Mark global", global_button(s.id, true))
            },
        ],
        Status::Rejected => Vec::new(),
    };
    Reply {
        embeds: vec![Embed {
            title: Some(format!("{icon} Suggested {kind} #{}", s.id)),
            description: Some(format!("> {}", md(&s.text))),
            fields,
            footer: Some(format!("Suggestion #{} · /insights pending lists what waits", s.id)),
            color: Some(COLOR),
            ..Embed::default()
        }],
        buttons,
        ..Reply::default()
    }
}

/// Where suggestion `id`'s review message goes, and what it says: `None` when the server has
/// no review channel (moderators then use `/insights pending`) or the suggestion is gone.
pub fn for_review(c: &Catalogue, store: &Store, id: i64) -> Result<Option<(u64, Reply)>, StoreError> {
    let Some(s) = store.suggestion_by_id(id)? else { return Ok(None) };
    Ok(store.review_channel(s.guild_id)?.map(|channel| (channel, review_card(c, &s))))
}

/// How many decisions one notice tells of; the rest wait for the next.
const NOTICE_MAX: usize = 5;

/// The private notice telling a member what became of their suggestions, and the ids it tells
/// of (to mark once it was delivered); `None` when there is nothing new.
pub fn notice(store: &Store, member: u64) -> Result<Option<(Reply, Vec<i64>)>, StoreError> {
    let untold = store.untold(member, NOTICE_MAX)?;
    if untold.is_empty() {
        return Ok(None);
    }
    let lines: Vec<String> = untold
        .iter()
        .map(|s| {
            let text = md(&limits::truncate(&s.text, 80));
            let by = s.decision.as_ref().map(|d| md(&d.by_name)).unwrap_or_else(|| "a moderator".into());
            match (s.status, s.decision.as_ref().and_then(|d| d.reason.as_deref())) {
                (Status::Approved, _) => {
                    format!("✅ “{text}” was approved by {by}: `/insight` and daily posts serve it now.")
                }
                (_, Some(reason)) => format!("❌ “{text}” was not accepted by {by}: {}", md(reason)),
                _ => format!("❌ “{text}” was not accepted by {by}."),
            }
        })
        .collect();
    let reply = Reply {
        embeds: vec![Embed {
            title: Some("Your suggestions were reviewed".into()),
            description: Some(lines.join("\n")),
            color: Some(COLOR),
            ..Embed::default()
        }],
        ephemeral: true,
        ..Reply::default()
    };
    Ok(Some((reply, untold.iter().map(|s| s.id).collect())))
}

fn complete(c: &Catalogue, option: &str, partial: &str) -> Vec<Choice> {
    let fixed = |values: &[(&str, &str)]| {
        values.iter().map(|(name, value)| Choice { name: (*name).into(), value: (*value).into() }).collect()
    };
    match option {
        TALK => choices::talks(c, partial),
        SPEAKER => choices::speakers(c, partial),
        KIND => fixed(&[("insight — something you took away", "insight"), ("quote — what a speaker said", "quote")]),
        CREDIT => fixed(&[("yes — “shared by” your display name", "yes"), ("no — shared anonymously", "no")]),
        _ => Vec::new(),
    }
}

/// A review button or form: `c1:insights:<action>:<id>`.
fn button(action: &str, id: i64) -> String {
    custom_id::encode(COMMAND.name, &[action, &id.to_string()])
}

fn global_button(id: i64, global: bool) -> String {
    custom_id::encode(COMMAND.name, &["global", &id.to_string(), if global { "1" } else { "0" }])
}

const ACTIONS: &[&str] = &["approve", "edit", "edited", "reject", "rejected", "global"];

fn decode(fields: &str) -> Result<Invocation, StaleButton> {
    let f = custom_id::fields(fields, 2)?;
    let inv = Invocation::new(COMMAND.name);
    if f[0] == "pending" {
        return Ok(inv.with(SUBCOMMAND, "pending").with(common::PAGE, custom_id::page(f[1])?));
    }
    let action = ACTIONS.iter().find(|a| **a == f[0]).ok_or(StaleButton::Foreign)?;
    let (id, rest) = f[1].split_once(':').unwrap_or((f[1], ""));
    let id: i64 = id.parse().map_err(|_| StaleButton::Foreign)?;
    let inv = inv.with(SUBCOMMAND, *action).with(ID, id.to_string());
    Ok(match (*action, rest) {
        ("global", "1" | "0") => inv.with(GLOBAL, rest),
        ("global", _) => return Err(StaleButton::Foreign),
        _ => inv,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_round_trip() {
        for (id, sub) in [(button("approve", 12), "approve"), (button("rejected", 3), "rejected")] {
            let inv = custom_id::decode(&id).unwrap();
            assert_eq!(inv.get(SUBCOMMAND), Some(sub));
            assert_eq!(inv.get(ID).and_then(|i| i.parse::<i64>().ok()), Some(if sub == "approve" { 12 } else { 3 }));
        }
        let global = custom_id::decode(&global_button(7, true)).unwrap();
        assert_eq!((global.get(SUBCOMMAND), global.get(GLOBAL)), (Some("global"), Some("1")));
        assert!(custom_id::decode("c1:insights:delete:1").is_err());
        assert!(custom_id::decode("c1:insights:approve:x").is_err());
    }
}
