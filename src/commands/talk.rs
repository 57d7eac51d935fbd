//! `/talk title: [conference:]`: one talk in full — speakers, topic, summary, insights and
//! links. Its card is also what a daily post about a talk shows.

use chrono::Utc;
use serde_json::{json, Value};

use super::common::{self, CONFERENCE, CONFERENCE_OPTION};
use super::custom_id::{self, StaleButton};
use super::definition::text;
use super::{choices, programme, speaker, topics, Choice, Command, Context, Invocation, Outcome};
use crate::catalogue::resolve::{self, id_value, Found};
use crate::catalogue::{Availability, Catalogue, ConferenceIx, InsightKind, Link, LinkKind, TalkIx};
use crate::reply::{echo, limits, link, md, Button, Embed, Field, Reply, COLOR};

const TITLE: &str = "title";

pub const COMMAND: Command = Command {
    name: "talk",
    description: "Show one talk: speakers, summary, insights and links",
    options: &[text(TITLE, "The talk's title (approximate is fine)", true, true), CONFERENCE_OPTION],
    admin: false,
    run: |ctx, inv| common::answer(ctx, inv, Args::read, run),
    complete,
    button: decode,
};

pub struct Args {
    pub title: String,
    pub conference: Option<ConferenceIx>,
}

impl Args {
    fn read(c: &Catalogue, inv: &Invocation) -> Result<Args, Outcome> {
        let Some(title) = inv.get(TITLE) else {
            return Err(Outcome::missed(
                Reply::problem("Which talk?", "Give a title, e.g. `/talk title: Keynote`."),
                json!({"talk": null}),
            ));
        };
        // Several conferences match: each button shows the talk of that conference, when the
        // title names one there, or the conference's topics.
        let retry = |id: &str| match resolve::talk(c, title, c.conference_by_id(id)) {
            Found::One(t) => button(&c.talks[t].id),
            _ => topics::button(Some(id), false, 0),
        };
        Ok(Args { title: title.to_owned(), conference: common::conference_filter(c, inv, retry)? })
    }
}

pub fn run(ctx: &mut Context<'_>, args: Args) -> Outcome {
    let c = ctx.catalogue;
    let title = args.title.as_str();
    match resolve::talk(c, title, args.conference) {
        Found::One(t) => {
            let mut reply = card(c, t);
            // While the conference is on, say where the talk stands now.
            if let Some(status) = programme::status(c, t, ctx.now) {
                reply.content = Some(format!("**{status}**"));
            }
            Outcome::found(reply, json!({"talk": summary(c, t)}))
        }
        Found::Maybe(options) => {
            let mut reply = Reply::problem(
                format!("Which talk did you mean by “{}”?", echo(title)),
                "Pick one below, or type more of the title.",
            );
            let lines: Vec<String> =
                options.iter().take(5).map(|&t| format!("• {}", common::talk_line(c, t))).collect();
            reply.embeds[0].description =
                Some(format!("{}\n\nPick one below, or type more of the title.", lines.join("\n")));
            reply.buttons = options
                .iter()
                .take(5)
                .map(|&t| Button::action(common::talk_label(c, t), button(&c.talks[t].id)))
                .collect();
            Outcome::missed(reply, json!({"talk": null, "suggestions": common::titles(c, &options)}))
        }
        Found::Nothing => Outcome::missed(
            Reply::problem(
                format!("No talk matches “{}”", echo(title)),
                "Try fewer words, `/search` for keywords in summaries, or `/topics` to browse.",
            ),
            json!({"talk": null}),
        ),
    }
}

fn complete(c: &Catalogue, option: &str, partial: &str) -> Vec<Choice> {
    match option {
        TITLE => choices::talks(c, partial),
        CONFERENCE => choices::conferences(c, partial),
        _ => Vec::new(),
    }
}

/// The button that shows a talk in full.
pub fn button(talk_id: &str) -> String {
    custom_id::encode(COMMAND.name, &[talk_id])
}

fn decode(fields: &str) -> Result<Invocation, StaleButton> {
    Ok(Invocation::new(COMMAND.name).with(TITLE, id_value(fields)))
}

/// What `resolved.talk` says about a talk.
pub fn summary(c: &Catalogue, t: TalkIx) -> Value {
    let talk = &c.talks[t];
    json!({
        "id": talk.id,
        "title": talk.title,
        "speakers": talk.speakers.iter().map(|&s| c.speakers[s].name.as_str()).collect::<Vec<_>>(),
        "topic": talk.topics.first().map(|&tp| c.topics[tp].name.as_str()),
        "conference": c.conferences[talk.conference].name,
        "start": talk.slot.map(|s| programme::rfc3339(c, t, s.start.with_timezone(&Utc))),
        "end": talk.slot.and_then(|s| s.end).map(|e| programme::rfc3339(c, t, e.with_timezone(&Utc))),
        "room": talk.room,
        "url": talk.url,
    })
}

/// The full card of a talk.
pub fn card(c: &Catalogue, t: TalkIx) -> Reply {
    let talk = &c.talks[t];
    let conference = &c.conferences[talk.conference];
    let mut fields = Vec::new();
    if !talk.speakers.is_empty() {
        fields.push(Field::inline(
            if talk.speakers.len() == 1 { "Speaker" } else { "Speakers" },
            md(&c.speaker_names(t)),
        ));
    }
    if !talk.topics.is_empty() {
        fields.push(Field::inline(if talk.topics.len() == 1 { "Topic" } else { "Topics" }, md(&c.topic_names(t))));
    }
    let recorded = talk.recorded.filter(|_| talk.slot.is_none());
    let when = recorded.map(|d| format!(" · {}", d.format("%-d %B %Y"))).unwrap_or_default();
    fields.push(Field::inline("Conference", format!("{}{when}", md(&conference.name))));
    if let Some(when) = programme::when_field(c, t) {
        fields.push(Field::new("When", when));
    }
    if let Some(room) = &talk.room {
        fields.push(Field::inline("Room", md(room)));
    }
    let session = [
        talk.kind.map(|k| k.label().to_owned()),
        talk.track.as_ref().map(|t| format!("track {t}")),
        talk.level.clone(),
        talk.language.as_ref().map(|l| format!("in {l}")),
    ];
    let session: Vec<String> = session.into_iter().flatten().collect();
    if !session.is_empty() {
        fields.push(Field::inline("Session", md(&session.join(" · "))));
    }
    let room_for_insights = limits::EMBED_FIELDS.saturating_sub(fields.len() + 1);
    for &i in c.insights_of_talk(t).iter().take(room_for_insights) {
        let insight = &c.insights[i];
        let name = match insight.kind {
            InsightKind::Insight => "💡 Insight",
            InsightKind::Quote => "💬 Quote",
        };
        fields.push(Field::new(name, format!("> {}", md(&insight.text))));
    }
    if !talk.links.is_empty() {
        fields.push(Field::new("Links", talk.links.iter().map(link_line).collect::<Vec<_>>().join("\n")));
    }
    let description = talk.summary.iter().map(|p| format!("• {}", md(p))).collect::<Vec<_>>().join("\n");
    let public: Vec<&Link> =
        talk.links.iter().filter(|l| l.availability == Availability::Public && l.url.is_some()).collect();
    let mut buttons: Vec<Button> =
        public.iter().map(|l| Button::Link { label: link_label(l), url: l.url.clone().unwrap_or_default() }).collect();
    if let Some(page) = talk.url.as_ref().filter(|u| !public.iter().any(|l| l.url.as_ref() == Some(u))) {
        buttons.insert(0, Button::Link { label: "Talk page".into(), url: page.clone() });
    }
    if talk.slot.is_some() {
        buttons.insert(0, super::remind::button(c, t, "🔔 Remind me"));
    }
    buttons.extend(
        talk.speakers.iter().map(|&s| Button::action(&c.speakers[s].name, speaker::button(&c.speakers[s].id, None, 0))),
    );
    buttons.truncate(limits::BUTTONS_PER_ROW);
    Reply {
        embeds: vec![Embed {
            title: Some(talk.title.clone()),
            url: public.iter().find(|l| l.kind == LinkKind::Video).and_then(|l| l.url.clone()),
            description: (!description.is_empty()).then_some(description),
            fields,
            footer: Some(format!("{} · talk id {}", conference.name, talk.id)),
            color: Some(COLOR),
            ..Embed::default()
        }],
        buttons,
        ..Reply::default()
    }
}

fn link_label(l: &Link) -> String {
    let kind = l.kind.label();
    match &l.label {
        Some(label) if label != kind => format!("{kind} ({label})"),
        _ => kind.to_owned(),
    }
}

/// A link with its availability: linked when public, explained when not.
fn link_line(l: &Link) -> String {
    let icon = match l.kind {
        LinkKind::Video => "📽",
        LinkKind::Slides => "🎞",
        LinkKind::Code => "💻",
        LinkKind::Reference | LinkKind::Website => "🔗",
    };
    let label = link_label(l);
    match (l.availability, &l.url) {
        (Availability::Public, Some(url)) => format!("{icon} {}", link(&label, url)),
        (Availability::Public, None) => format!("{icon} {} — public (no address given)", md(&label)),
        (Availability::AttendeesOnly, Some(url)) => format!("{icon} {} — attendees only", link(&label, url)),
        (Availability::AttendeesOnly, None) => format!("{icon} {} — attendees only", md(&label)),
        (Availability::Pending, _) => format!("{icon} {} — pending", md(&label)),
    }
}
