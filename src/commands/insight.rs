//! `/insight [topic:] [speaker:] [conference:]`: a random insight or quote with its talk. Its
//! card is also what a daily post about an insight shows.

use serde_json::{json, Value};

use super::common::{self, CONFERENCE, CONFERENCE_OPTION};
use super::custom_id::{self, StaleButton};
use super::definition::text;
use super::{choices, talk, Choice, Command, Context, Invocation, Outcome};
use crate::catalogue::resolve::{self, Found};
use crate::catalogue::{Availability, Catalogue, ConferenceIx, InsightIx, InsightKind, LinkKind, SpeakerIx, TopicIx};
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
    let eligible: Vec<InsightIx> = (0..c.insights.len())
        .filter(|&i| {
            let insight = &c.insights[i];
            let talk = &c.talks[insight.talk];
            topic.is_none_or(|t| talk.topics.contains(&t))
                && speaker.is_none_or(|s| insight.speaker == Some(s))
                && within.is_none_or(|w| talk.conference == w)
        })
        .collect();
    if c.insights.is_empty() {
        return miss(
            "No insights yet".into(),
            "This catalogue has no insights or quotes: imported schedules carry none. Organisers add them as \
             `[[insights]]` in a catalogue file (docs/catalogue.md); `/talk` and `/search` work meanwhile.",
        );
    }
    if eligible.is_empty() {
        return miss(
            "No insight matches".into(),
            "No insight or quote fits those filters yet. Try without a filter, or `/topics`.",
        );
    }
    let pick = choose(ctx.rng, &eligible, ctx.last_insight);
    let another = button(
        topic.map(|t| c.topics[t].id.as_str()),
        speaker.map(|s| c.speakers[s].id.as_str()),
        common::conference_id(c, within),
    );
    let mut reply = card(c, pick, None);
    reply.buttons.insert(0, Button::action("Another insight", another));
    Outcome { shown_insight: Some(pick), ..Outcome::found(reply, json!({"insight": summary(c, pick)})) }
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
    let insight = &c.insights[i];
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
    let insight = &c.insights[i];
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
    Reply {
        embeds: vec![Embed {
            title: Some(format!("{icon} {}", heading.unwrap_or(kind))),
            description: Some(format!("> {}", md(&insight.text))),
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
