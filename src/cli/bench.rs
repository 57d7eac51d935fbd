//! `confbot bench`: load time, peak memory and command latency on whatever catalogue is
//! loaded, with a query mix drawn from the catalogue itself (seeded), and a sweep of every
//! topic, speaker and talk reply through Discord's limits.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::DataArgs;
use crate::catalogue::Catalogue;
use crate::commands::{self, Context, Invocation};
use crate::reply;

pub fn run(data: &DataArgs, queries: usize, seed: u64) -> anyhow::Result<i32> {
    let started = Instant::now();
    let catalogue = data.load()?;
    let load = started.elapsed();
    println!("catalogue: {}", catalogue.counts());
    println!("load: {:.0} ms", ms(load));
    println!(
        "peak RSS after load: {}",
        peak_rss().map_or("unknown".into(), |kb| format!("{:.1} MB", kb as f64 / 1024.0))
    );
    // Built on first use, in the bot by a background warm-up right after loading.
    let keywords = Instant::now();
    std::hint::black_box(catalogue.keyword_index());
    println!("keyword index, built on first use: {:.0} ms", ms(keywords.elapsed()));
    let mut rng = fastrand::Rng::with_seed(seed);
    let mix = QueryMix::draw(&catalogue, &mut rng, queries);
    println!("\n{:<16} {:>7} {:>10} {:>10} {:>10}", "command", "queries", "median", "p99", "max");
    for (name, invocations) in
        [("/speaker", &mix.speaker), ("/talk", &mix.talk), ("/search", &mix.search), ("/topic", &mix.topic)]
    {
        let mut times = Vec::with_capacity(invocations.len());
        for inv in invocations {
            let mut ctx = Context::new(&catalogue, &mut rng);
            let t = Instant::now();
            let outcome = commands::run(&mut ctx, inv);
            times.push(t.elapsed());
            std::hint::black_box(outcome);
        }
        print_row(name, &mut times);
    }
    for (name, invocations) in [("/now", &mix.now), ("/next", &mix.next), ("/schedule", &mix.schedule)] {
        let mut times = Vec::with_capacity(invocations.len());
        for (inv, at) in invocations {
            let mut ctx = Context::new(&catalogue, &mut rng);
            ctx.now = *at;
            let t = Instant::now();
            let outcome = commands::run(&mut ctx, inv);
            times.push(t.elapsed());
            std::hint::black_box(outcome);
        }
        print_row(name, &mut times);
    }
    let mut all = Vec::with_capacity(mix.complete.len());
    for kind in ["speaker", "talk", "topic"] {
        let mut times = Vec::new();
        for (command, option, partial) in mix.complete.iter().filter(|(c, _, _)| *c == kind) {
            let t = Instant::now();
            let choices = commands::complete(&catalogue, command, option, partial);
            times.push(t.elapsed());
            std::hint::black_box(choices);
        }
        print_row(&format!("complete {kind}"), &mut times);
        all.extend(times);
    }
    print_row("autocomplete", &mut all);
    println!("peak RSS: {}", peak_rss().map_or("unknown".into(), |kb| format!("{:.1} MB", kb as f64 / 1024.0)));
    // After the peak RSS is read: building the indexes again takes memory of its own.
    print_index_builds(&catalogue);
    let (checked, broken) = sweep_limits(&catalogue, &mut rng);
    println!("\nDiscord limits: {checked} replies checked, {} over a limit", broken.len());
    for b in broken.iter().take(10) {
        println!("  {b}");
    }
    Ok(if broken.is_empty() { 0 } else { 1 })
}

/// Invocations for each measured command, drawn from the catalogue.
struct QueryMix {
    speaker: Vec<Invocation>,
    talk: Vec<Invocation>,
    search: Vec<Invocation>,
    topic: Vec<Invocation>,
    /// Schedule commands, each at an instant during the programme.
    now: Vec<(Invocation, DateTime<Utc>)>,
    next: Vec<(Invocation, DateTime<Utc>)>,
    schedule: Vec<(Invocation, DateTime<Utc>)>,
    complete: Vec<(&'static str, &'static str, String)>,
}

impl QueryMix {
    /// What people type: full names, lowercase, one word of a name, a prefix, a typo; titles
    /// whole or in part; title words for `/search`; every prefix length for autocomplete.
    fn draw(c: &Catalogue, rng: &mut fastrand::Rng, n: usize) -> QueryMix {
        let mut mix = QueryMix {
            speaker: vec![],
            talk: vec![],
            search: vec![],
            topic: vec![],
            now: vec![],
            next: vec![],
            schedule: vec![],
            complete: vec![],
        };
        for _ in 0..n {
            if !c.speakers.is_empty() {
                let name = &c.speakers[rng.usize(..c.speakers.len())].name;
                let query = noisy(name, rng);
                mix.complete.push(("speaker", "name", prefix(&query, rng)));
                mix.speaker.push(Invocation::new("speaker").with("name", query));
            }
            if !c.talks.is_empty() {
                let title = &c.talks[rng.usize(..c.talks.len())].title;
                let words: Vec<&str> = title.split_whitespace().collect();
                let part = match rng.u8(..3) {
                    0 => title.clone(),
                    1 => title.to_lowercase(),
                    _ => words[..words.len().min(3)].join(" "),
                };
                mix.complete.push(("talk", "title", prefix(&part, rng)));
                mix.talk.push(Invocation::new("talk").with("title", part));
                let long: Vec<&str> = words.iter().copied().filter(|w| w.chars().count() >= 4).collect();
                if !long.is_empty() {
                    mix.search.push(Invocation::new("search").with("query", long[rng.usize(..long.len())]));
                }
            }
            let sessions = c.timetable.all();
            if let (Some(first), Some(last)) = (sessions.first(), sessions.last()) {
                // An instant from an hour before the first session to an hour after the last.
                let span = (last.until - first.start).num_seconds() + 7200;
                let at = first.start - chrono::Duration::hours(1) + chrono::Duration::seconds(rng.i64(0..span.max(1)));
                let session = &sessions[rng.usize(..sessions.len())];
                let talk = &c.talks[session.talk];
                let room = talk.room.clone().filter(|_| rng.bool());
                let conference = c.conferences[talk.conference].id.clone();
                let with_room = |inv: Invocation| match &room {
                    Some(r) => inv.with("room", r.clone()),
                    None => inv,
                };
                mix.now.push((with_room(Invocation::new("now")), at));
                mix.next.push((with_room(Invocation::new("next")), at));
                let day = format!("{}", session.day);
                let schedule =
                    Invocation::new("schedule").with("conference", format!("id:{conference}")).with("day", day);
                mix.schedule.push((with_room(schedule), at));
            }
            if !c.topics.is_empty() {
                let name = &c.topics[rng.usize(..c.topics.len())].name;
                mix.complete.push(("topic", "name", prefix(name, rng)));
                mix.topic.push(Invocation::new("topic").with("name", name.to_lowercase()));
            }
        }
        mix
    }
}

fn noisy(name: &str, rng: &mut fastrand::Rng) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    match rng.u8(..5) {
        0 => name.to_owned(),
        1 => name.to_lowercase(),
        2 => words.last().copied().unwrap_or(name).to_owned(),
        3 => prefix(name, rng),
        _ => {
            let mut chars: Vec<char> = name.chars().collect();
            if chars.len() > 3 {
                let i = rng.usize(1..chars.len() - 1);
                chars.swap(i, i + 1);
            }
            chars.into_iter().collect()
        }
    }
}

fn prefix(text: &str, rng: &mut fastrand::Rng) -> String {
    let len = text.chars().count();
    text.chars().take(rng.usize(1..=len.max(1))).collect()
}

fn print_row(name: &str, times: &mut [Duration]) {
    if times.is_empty() {
        println!("{name:<16} {:>7}", 0);
        return;
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<16} {:>7} {:>10} {:>10} {:>10}",
        times.len(),
        micros(at(0.5)),
        micros(at(0.99)),
        micros(times[times.len() - 1])
    );
}

/// Every topic, speaker and talk reply (first and last page where paginated), plus `/topics`,
/// `/about`, `/help` and autocomplete, checked against Discord's limits.
fn sweep_limits(c: &Catalogue, rng: &mut fastrand::Rng) -> (usize, Vec<String>) {
    let mut invocations = vec![Invocation::new("topics"), Invocation::new("about"), Invocation::new("help")];
    for (kind, option, ids) in [
        ("topic", "name", c.topics.iter().map(|t| t.id.as_str()).collect::<Vec<_>>()),
        ("speaker", "name", c.speakers.iter().map(|s| s.id.as_str()).collect()),
        ("talk", "title", c.talks.iter().map(|t| t.id.as_str()).collect()),
    ] {
        for id in ids {
            invocations.push(Invocation::new(kind).with(option, id));
            invocations.push(Invocation::new(kind).with(option, id).with("page", "999"));
        }
    }
    for page in ["0", "999"] {
        invocations.push(Invocation::new("topics").with("page", page));
    }
    // Every day's programme, whole and room by room, at its first page and past its last.
    for (ix, conference) in c.conferences.iter().enumerate() {
        for day in c.days(ix) {
            let id = format!("id:{}", conference.id);
            let schedule = Invocation::new("schedule").with("conference", id.as_str()).with("day", day.to_string());
            for page in ["0", "999"] {
                invocations.push(schedule.clone().with("page", page));
            }
            for room in &conference.rooms {
                invocations.push(schedule.clone().with("room", room.as_str()));
            }
        }
    }
    let mut broken = Vec::new();
    for inv in &invocations {
        let mut ctx = Context::new(c, rng);
        let message = reply::render(&commands::run(&mut ctx, inv).reply);
        for v in reply::violations(&message) {
            broken.push(format!("{inv:?}: {v}"));
        }
    }
    let mut checked = invocations.len();
    // Autocomplete is checked on a sample: every choice is cut by the same function.
    for _ in 0..c.speakers.len().min(300) {
        let speaker = &c.speakers[rng.usize(..c.speakers.len())];
        for (command, option) in [("speaker", "name"), ("talk", "title")] {
            checked += 1;
            let choices = commands::complete(c, command, option, &speaker.name);
            let bad = choices.len() > reply::limits::CHOICES
                || choices.iter().any(|ch| {
                    !(1..=reply::limits::CHOICE_NAME).contains(&reply::limits::len(&ch.name))
                        || !(1..=reply::limits::CHOICE_VALUE).contains(&reply::limits::len(&ch.value))
                });
            if bad {
                broken.push(format!("autocomplete {command} {option} {:?}", speaker.name));
            }
        }
    }
    (checked, broken)
}

/// How much of the load the search indexes take: each is built again and timed.
fn print_index_builds(c: &Catalogue) {
    use crate::search::TextIndex;
    let time = |build: &dyn Fn()| {
        let t = Instant::now();
        build();
        ms(t.elapsed())
    };
    let speakers = time(&|| {
        std::hint::black_box(c.build_speaker_index());
    });
    let titles = time(&|| {
        std::hint::black_box(TextIndex::build(c.talks.iter().map(|t| t.title.as_str())));
    });
    println!("of which index builds: speakers {speakers:.0} ms, titles {titles:.0} ms (on two cores)");
}

/// The process's peak resident set size in kB (Linux: VmHWM in /proc/self/status).
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}
