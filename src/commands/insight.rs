//! `/insight [topic:] [speaker:] [conference:]`: a random insight or quote with its talk. Its
//! card is also what a daily post about an insight shows. In a server, the insights its members
//! shared (`/insights`, approved by its moderators) are drawn from as well, with the same filters.

use serde_json::{json, Value};

use super::common::{self, CONFERENCE, CONFERENCE_OPTION};
use super::custom_id::{self, StaleButton};
use super::definition::text;
use super::{choices, talk, Choice, Command, Context, Invocation, Outcome};
use crate::catalogue::resolve::{self, Found};
use crate::catalogue::{
    Availability, Catalogue, ConferenceIx, Insight, InsightIx, InsightKind, LinkKind, SpeakerIx, TopicIx,
};
use crate::community::{self, Shared};
use crate::reply::{echo, md, Button, Embed, Field, Reply, COLOR};

const TOPIC: &str = "topic";
const SPEAKER: &str = "speaker";

pub const COMMAND: Command = Command {
    name: "insight",
    description: "A random insight or quote from a talk",
    options: &[
        text(TOPIC, "Only insights from this topic", false, true),
        text(SPEAKER, "Only insights from this speaker", false, true),
        CONFERENCE_OPTION,
    ],
    admin: false,
    run: |ctx, inv| common::answer(ctx, inv, Args::read, run),
    complete,
    button: decode,
};

/// The filters, resolved.
pub struct Args {
    pub topic: Option<TopicIx>,
    pub speaker: Option<SpeakerIx>,
    pub conference: Option<ConferenceIx>,
}

impl Args {
    fn read(c: &Catalogue, inv: &Invocation) -> Result<Args, Outcome> {
        let topic = match inv.get(TOPIC).map(|t| (t, resolve::topic(c, t))) {
            None => None,
            Some((_, Found::One(t))) => Some(t),
            Some((text, _)) => {
                return Err(miss(format!("No topic matches “{}”", echo(text)), "`/topics` lists the topics."))
            }
        };
        let speaker = match inv.get(SPEAKER).map(|s| (s, resolve::speaker(c, s, 5).0)) {
            None => None,
            Some((_, Found::One(s))) => Some(s),
            Some((text, Found::Maybe(options))) => {
                let names: Vec<&str> = options.iter().take(5).map(|&s| c.speakers[s].name.as_str()).collect();
                return Err(miss(
                    format!("Which speaker did you mean by “{}”?", echo(text)),
                    &format!("Maybe: {}.", names.join(", ")),
                ));
            }
            Some((text, Found::Nothing)) => {
                return Err(miss(format!("No speaker matches “{}”", echo(text)), "Check the spelling with `/speaker`."))
            }
        };
        let retry = |id: &str| {
            button(topic.map(|t| c.topics[t].id.as_str()), speaker.map(|s| c.speakers[s].id.as_str()), Some(id))
        };
        let conference = common::conference_filter(c, inv, retry)?;
        Ok(Args { topic, speaker, conference })
    }
}

pub fn run(ctx: &mut Context<'_>, args: Args) -> Outcome {
    let c = ctx.catalogue;
    let Args { topic, speaker, conference: within } = args;
    let shared = shared_here(ctx);
    // One numbering for both: the catalogue's insights, then the server's shared ones, so the
    // channel's memory of the last one shown covers both.
    let nth = |i: usize| if i < c.insights.len() { &c.insights[i] } else { &shared[i - c.insights.len()].insight };
    let eligible: Vec<InsightIx> = (0..c.insights.len() + shared.len())
        .filter(|&i| {
            let insight = nth(i);
            let talk = &c.talks[insight.talk];
            topic.is_none_or(|t| talk.topics.contains(&t))
                && speaker.is_none_or(|s| insight.speaker == Some(s))
                && within.is_none_or(|w| talk.conference == w)
        })
        .collect();
    if c.insights.is_empty() && shared.is_empty() {
        return miss(
            "No insights yet".into(),
            "This catalogue has no insights or quotes: imported schedules carry none. Organisers add them as \
             `[[insights]]` in a catalogue file (docs/catalogue.md), and members suggest them with `/insights add`; \
             `/talk` and `/search` work meanwhile.",
        );
    }
    if eligible.is_empty() {
        return miss(
            "No insight matches".into(),
            "No insight or quote fits those filters yet. Try without a filter, or `/topics`.",
        );
    }
    let last = ctx.last_insight.as_deref().and_then(|id| eligible.iter().copied().find(|&i| nth(i).id == id));
    let pick = choose(ctx.rng, &eligible, last);
    let another = button(
        topic.map(|t| c.topics[t].id.as_str()),
        speaker.map(|s| c.speakers[s].id.as_str()),
        common::conference_id(c, within),
    );
    let (mut reply, summary) = match pick.checked_sub(c.insights.len()) {
        None => (card(c, pick, None), summary(c, pick)),
        Some(k) => (shared_card(c, &shared[k], None), shared_summary(c, &shared[k])),
    };
    reply.buttons.insert(0, Button::action("Another insight", another));
    Outcome { shown_insight: Some(nth(pick).id.clone()), ..Outcome::found(reply, json!({"insight": summary})) }
}

/// The insights this server's members shared, ready to serve; none outside a server, offline
/// without a state file, or when the store cannot be read (the catalogue's still answer).
fn shared_here(ctx: &Context<'_>) -> Vec<Shared> {
    let Some(super::Caller { store, guild: Some(guild), .. }) = &ctx.bot else { return Vec::new() };
    match store.suggestions(Some(*guild), community::Status::Approved) {
        Ok(approved) => community::served(ctx.catalogue, &approved),
        Err(e) => {
            tracing::error!(guild, "/insight: cannot read shared insights: {e}");
            Vec::new()
        }
    }
}

fn miss(title: String, advice: &str) -> Outcome {
    Outcome::missed(Reply::problem(title, advice), json!({"insight": null}))
}

/// A random pick that is not `last` whenever there is another choice.
pub fn choose(rng: &mut fastrand::Rng, eligible: &[InsightIx], last: Option<InsightIx>) -> InsightIx {
    let others: Vec<InsightIx> = eligible.iter().copied().filter(|&i| Some(i) != last).collect();
    let pool = if others.is_empty() { eligible } else { &others };
    pool[rng.usize(..pool.len())]
}

/// What `resolved.insight` says about an insight.
pub fn summary(c: &Catalogue, i: InsightIx) -> Value {
    summary_of(c, &c.insights[i])
}

/// [`summary`] of a shared insight: its id is `shared:<n>`, and `shared_by` names who shared
/// it (`null` when they declined the credit).
pub fn shared_summary(c: &Catalogue, shared: &Shared) -> Value {
    let mut value = summary_of(c, &shared.insight);
    value["shared_by"] = json!(shared.credit);
    value
}

fn summary_of(c: &Catalogue, insight: &Insight) -> Value {
    json!({
        "id": insight.id,
        "text": insight.text,
        "kind": insight.kind.as_str(),
        "talk": c.talks[insight.talk].title,
        "speaker": insight.speaker.map(|s| c.speakers[s].name.as_str()),
    })
}

/// The card of an insight: its text, who said it, in which talk, and where to watch it.
/// `heading` names the card (e.g. "Daily highlight"); by default it is the insight's kind.
pub fn card(c: &Catalogue, i: InsightIx, heading: Option<&str>) -> Reply {
    card_of(c, &c.insights[i], None, heading)
}

/// The card of a shared insight: as [`card`], credited "shared by" its author unless they
/// declined.
pub fn shared_card(c: &Catalogue, shared: &Shared, heading: Option<&str>) -> Reply {
    card_of(c, &shared.insight, Some(shared.credit.as_deref()), heading)
}

/// `shared` is `None` for a catalogue insight, `Some(credit)` for a shared one.
fn card_of(c: &Catalogue, insight: &Insight, shared: Option<Option<&str>>, heading: Option<&str>) -> Reply {
    let talk = &c.talks[insight.talk];
    let (icon, kind) = match insight.kind {
        InsightKind::Insight => ("💡", "Insight"),
        InsightKind::Quote => ("💬", "Quote"),
    };
    let mut fields = vec![Field::inline("Talk", md(&talk.title))];
    if !talk.topics.is_empty() {
        fields.push(Field::inline("Topic", md(&c.topic_names(insight.talk))));
    }
    fields.push(Field::inline("Conference", md(&c.conferences[talk.conference].name)));
    let video = talk
        .links
        .iter()
        .find(|l| l.kind == LinkKind::Video && l.availability == Availability::Public && l.url.is_some());
    let mut buttons = vec![Button::action("Talk details", talk::button(&talk.id))];
    if let Some(v) = video {
        buttons.push(Button::Link { label: "Watch".into(), url: v.url.clone().unwrap_or_default() });
    }
    // Member text is escaped like catalogue text: it reads as typed, and cannot format, link
    // or mention. The credit sits in the description: a daily post replaces the footer.
    let mut description = format!("> {}", md(&insight.text));
    match shared {
        Some(Some(name)) => description.push_str(&format!("\n*shared by {}*", md(name))),
        Some(None) => description.push_str("\n*shared by a member*"),
        None => {}
    }
    Reply {
        embeds: vec![Embed {
            title: Some(format!("{icon} {}", heading.unwrap_or(kind))),
            description: Some(description),
            author: insight.speaker.map(|s| c.speakers[s].name.clone()),
            fields,
            footer: Some(format!("{kind} · {}", talk.title)),
            color: Some(COLOR),
            ..Embed::default()
        }],
        buttons,
        ..Reply::default()
    }
}

/// Only topics and speakers that have insights: any other choice would answer nothing.
fn complete(c: &Catalogue, option: &str, partial: &str) -> Vec<Choice> {
    match option {
        TOPIC => {
            let mut with = vec![false; c.topics.len()];
            for insight in &c.insights {
                for &t in &c.talks[insight.talk].topics {
                    with[t] = true;
                }
            }
            choices::topics_where(c, partial, |t| with[t])
        }
        SPEAKER => {
            let mut with = vec![false; c.speakers.len()];
            for s in c.insights.iter().filter_map(|i| i.speaker) {
                with[s] = true;
            }
            choices::speakers_where(c, partial, |s| with[s])
        }
        CONFERENCE => choices::conferences(c, partial),
        _ => Vec::new(),
    }
}

/// The "Another insight" button, keeping the filters (ids).
pub fn button(topic: Option<&str>, speaker: Option<&str>, conference: Option<&str>) -> String {
    custom_id::encode(COMMAND.name, &[topic.unwrap_or(""), speaker.unwrap_or(""), conference.unwrap_or("")])
}

fn decode(fields: &str) -> Result<Invocation, StaleButton> {
    let f = custom_id::fields(fields, 3)?;
    let inv = custom_id::with_id(Invocation::new(COMMAND.name), TOPIC, f[0]);
    let inv = custom_id::with_id(inv, SPEAKER, f[1]);
    Ok(custom_id::with_id(inv, CONFERENCE, f[2]))
}
