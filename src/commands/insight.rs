//! `/insight [topic:] [speaker:] [conference:]`: a random insight or quote with its talk.

use serde_json::{json, Value};

use super::resolve::{self, Found};
use super::{bad_conference, custom_id, Context, Invocation, Outcome};
use crate::catalogue::{Availability, Catalogue, InsightIx, InsightKind, LinkKind};
use crate::reply::{echo, Button, Embed, Field, Reply, COLOR};

pub fn run(ctx: &mut Context<'_>, inv: &Invocation) -> Outcome {
    let c = ctx.catalogue;
    let within = match resolve::conference_filter(c, inv.get("conference")) {
        Ok(w) => w,
        Err(message) => return bad_conference(message),
    };
    let topic = match inv.get("topic").map(|t| (t, resolve::topic(c, t))) {
        None => None,
        Some((_, Found::One(t))) => Some(t),
        Some((text, _)) => return miss(format!("No topic matches “{}”", echo(text)), "`/topics` lists the topics."),
    };
    let speaker = match inv.get("speaker").map(|s| (s, resolve::speaker(c, s, 5).0)) {
        None => None,
        Some((_, Found::One(s))) => Some(s),
        Some((text, Found::Maybe(options))) => {
            let names: Vec<&str> = options.iter().take(5).map(|&s| c.speakers[s].name.as_str()).collect();
            return miss(
                format!("Which speaker did you mean by “{}”?", echo(text)),
                &format!("Maybe: {}.", names.join(", ")),
            );
        }
        Some((text, Found::Nothing)) => {
            return miss(format!("No speaker matches “{}”", echo(text)), "Check the spelling with `/speaker`.")
        }
    };
    let eligible: Vec<InsightIx> = (0..c.insights.len())
        .filter(|&i| {
            let insight = &c.insights[i];
            let talk = &c.talks[insight.talk];
            topic.is_none_or(|t| talk.topics.contains(&t))
                && speaker.is_none_or(|s| insight.speaker == Some(s))
                && within.is_none_or(|w| talk.conference == w)
        })
        .collect();
    if eligible.is_empty() {
        return miss(
            "No insight matches".into(),
            "No insight or quote fits those filters yet. Try without a filter, or `/topics`.",
        );
    }
    let pick = choose(ctx.rng, &eligible, ctx.last_insight);
    let id = |ix: Option<usize>, ids: &dyn Fn(usize) -> String| ix.map(ids);
    let another = custom_id::insight(
        id(topic, &|t| c.topics[t].id.clone()).as_deref(),
        id(speaker, &|s| c.speakers[s].id.clone()).as_deref(),
        id(within, &|w| c.conferences[w].id.clone()).as_deref(),
    );
    let mut reply = card(c, pick, None);
    reply.buttons.insert(0, Button::action("Another insight", another));
    Outcome { reply, ok: true, resolved: json!({"insight": summary(c, pick)}), shown_insight: Some(pick) }
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
    let mut fields = vec![Field::inline("Talk", talk.title.clone())];
    if !talk.topics.is_empty() {
        fields.push(Field::inline("Topic", c.topic_names(insight.talk)));
    }
    fields.push(Field::inline("Conference", c.conferences[talk.conference].name.clone()));
    let video = talk
        .links
        .iter()
        .find(|l| l.kind == LinkKind::Video && l.availability == Availability::Public && l.url.is_some());
    let mut buttons = vec![Button::action("Talk details", custom_id::talk(&talk.id))];
    if let Some(v) = video {
        buttons.push(Button::Link { label: "Watch".into(), url: v.url.clone().unwrap_or_default() });
    }
    Reply {
        embeds: vec![Embed {
            title: Some(format!("{icon} {}", heading.unwrap_or(kind))),
            description: Some(format!("> {}", insight.text)),
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
