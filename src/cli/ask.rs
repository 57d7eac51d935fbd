//! `confbot ask`: the bot's answers on a terminal, one command or a whole batch from stdin.

use std::io::{BufRead, Write};

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{DataArgs, StateArgs};
use crate::catalogue::Catalogue;
use crate::commands::{self, Caller, Context, Invocation, Member, Outcome};
use crate::reply::{self, Reply};
use crate::store::Store;

/// Who `ask --state` answers as: one member of the server, with no permissions, so the same
/// per-member limits apply to a script as to a person.
pub const OFFLINE_MEMBER: &str = "confbot ask";

/// How `ask` answers: as JSON or as text, with a seed for random choices, at an instant.
pub struct Options {
    pub json: bool,
    pub seed: Option<u64>,
    /// "Now" for every answer; the real clock when absent.
    pub now: Option<DateTime<Utc>>,
}

pub fn run(data: &DataArgs, options: &Options, state: &StateArgs, command: Option<&str>) -> anyhow::Result<i32> {
    let catalogue = data.load()?;
    let json = options.json;
    let store = state.state.as_deref().map(super::open_state).transpose()?;
    let mut rng = options.seed.map_or_else(fastrand::Rng::new, fastrand::Rng::with_seed);
    let server = store.as_ref().map(|store| (store, state.guild));
    let mut session =
        Session { catalogue: &catalogue, rng: &mut rng, last_insight: None, failures: 0, now: options.now, server };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match command {
        Some(line) => session.answer(line, json, &mut out)?,
        None => {
            for line in std::io::stdin().lock().lines() {
                let line = line?;
                if line.trim().is_empty() || line.trim_start().starts_with('#') {
                    continue;
                }
                session.answer(&line, json, &mut out)?;
            }
        }
    }
    out.flush()?;
    // One command that fails is an error; a batch reports failures in its output only.
    Ok(if command.is_some() && session.failures > 0 { 1 } else { 0 })
}

/// The state a channel would have: one catalogue, one random source, the last insight shown.
struct Session<'a> {
    catalogue: &'a Catalogue,
    rng: &'a mut fastrand::Rng,
    last_insight: Option<String>,
    failures: usize,
    now: Option<DateTime<Utc>>,
    /// With --state: the store and the server answered in.
    server: Option<(&'a Store, u64)>,
}

impl Session<'_> {
    fn answer(&mut self, line: &str, json: bool, out: &mut impl Write) -> anyhow::Result<()> {
        let outcome = match commands::parse_line(line) {
            Ok(invocation) => self.run(&invocation),
            Err(e) => Outcome::missed(Reply::problem("That command could not be read", e.to_string()), Value::Null),
        };
        if !outcome.ok {
            self.failures += 1;
        }
        let message = reply::render(&outcome.reply);
        if json {
            let record = json!({"command": line, "ok": outcome.ok, "resolved": outcome.resolved, "message": message});
            writeln!(out, "{}", serde_json::to_string(&record)?)?;
        } else {
            writeln!(out, "{}", super::terminal::show(line, &message, self.now.unwrap_or_else(Utc::now)))?;
        }
        Ok(())
    }

    fn run(&mut self, invocation: &Invocation) -> Outcome {
        let mut ctx = Context { last_insight: self.last_insight.clone(), ..Context::new(self.catalogue, self.rng) };
        if let Some(now) = self.now {
            ctx.now = now;
        }
        if let Some((store, guild)) = self.server {
            ctx.bot = Some(Caller { store, guild: Some(guild), manager: false });
            ctx.member = Some(Member { id: 0, name: OFFLINE_MEMBER.into(), moderator: false });
        }
        let outcome = commands::run(&mut ctx, invocation);
        if outcome.shown_insight.is_some() {
            self.last_insight.clone_from(&outcome.shown_insight);
        }
        outcome
    }
}
