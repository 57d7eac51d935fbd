//! The bot's configuration, loaded in layers: defaults, then a TOML file, then the environment.
//!
//! The token comes only from the environment (`DISCORD_TOKEN`) and lives in a [`Token`] whose
//! `Debug` and `Display` never show it. `DISCORD_API_BASE` overrides the file's `api_base`, and
//! `DISCORD_PUBLIC_KEY` its `public_key`.
//! `config/confbot.toml` is a commented example of every key.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::catalogue::{line_column, plain_words, Problem};
use crate::sources::remote::{ExportUrl, Remote};

/// Everything `confbot run` needs to know.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// Catalogue files or directories; empty (with no `urls`) means the embedded catalogue.
    pub data: Vec<PathBuf>,
    /// The `https://` entries of `data`: exports fetched and kept in sync (docs/live.md).
    pub urls: Vec<ExportUrl>,
    /// How often `urls` are fetched again (`refresh`); [`DEFAULT_REFRESH`] when `None`.
    pub refresh: Option<std::time::Duration>,
    /// Register commands in these guilds (instant) instead of globally (up to an hour).
    pub guild_ids: Vec<u64>,
    /// Where persistent state lives (`state`, or `CONFBOT_STATE`); `None` keeps nothing across
    /// restarts.
    pub state: Option<StateAt>,
    /// How long the scheduler lease lasts without renewal (`lease`): a standby takes the daily
    /// and live loops over within about this long after the holder dies.
    pub lease: Option<std::time::Duration>,
    /// Log filter, e.g. `info` or `confbot=debug`.
    pub log: Option<String>,
    /// The origin that replaces `https://discord.com` for every REST call (tests, API proxies).
    pub api_base: Option<String>,
    /// The bot token, from `DISCORD_TOKEN` only.
    pub token: Option<Token>,
    /// The application's public key (hex, from the developer portal), which signs every request
    /// to `confbot serve`. Not a secret, so the file may hold it; `DISCORD_PUBLIC_KEY` overrides.
    pub public_key: Option<String>,
    /// `[[daily]]` tables, kept as raw TOML: `daily::entries::parse_entries` reads and checks
    /// them at start-up, so their errors come with the daily module's advice.
    pub daily: Vec<toml::Value>,
    /// Where each `[[daily]]` table is written, "file:line", to locate its problems.
    pub daily_at: Vec<String>,
    /// `[[live]]` tables, raw like `daily`: `live::entries::follows` reads and checks them.
    pub live: Vec<toml::Value>,
    /// Where each `[[live]]` table is written.
    pub live_at: Vec<String>,
    /// The gateway shards `confbot run` connects (`shards`, or `run --shards`); `None` runs
    /// the one shard of an unsharded bot.
    pub shards: Option<Shards>,
}

/// A range of gateway shards, `FIRST-LAST/TOTAL` (or `N/TOTAL`): this process runs shards
/// FIRST to LAST, both included, of a bot split into TOTAL shards (docs/deploy.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shards {
    pub first: u32,
    pub last: u32,
    pub total: u32,
}

impl std::str::FromStr for Shards {
    type Err = String;

    fn from_str(text: &str) -> Result<Shards, String> {
        let form = "write FIRST-LAST/TOTAL, e.g. 0-1/4, or N/TOTAL, e.g. 2/4";
        let number = |part: &str| part.trim().parse::<u32>().ok();
        let (range, total) = text.trim().split_once('/').ok_or_else(|| format!("“{text}” names no TOTAL: {form}"))?;
        let (first, last) = match range.split_once('-') {
            Some((first, last)) => (number(first), number(last)),
            None => (number(range), number(range)),
        };
        let (Some(first), Some(last), Some(total)) = (first, last, number(total)) else {
            return Err(format!("“{text}” is not a shard range: {form}"));
        };
        if total == 0 {
            return Err(format!("“{text}”: TOTAL must be at least 1"));
        }
        if first > last {
            return Err(format!("“{text}”: the first shard ({first}) comes after the last ({last})"));
        }
        if last >= total {
            return Err(format!("“{text}”: with {total} shard(s) they are numbered 0 to {}", total - 1));
        }
        Ok(Shards { first, last, total })
    }
}

/// The file layer: every key optional, unknown keys refused so typos do not pass silently.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLayer {
    data: Option<Vec<PathBuf>>,
    refresh: Option<String>,
    guild_ids: Option<Vec<GuildId>>,
    state: Option<String>,
    lease: Option<String>,
    log: Option<String>,
    api_base: Option<String>,
    public_key: Option<String>,
    shards: Option<String>,
    #[serde(default)]
    daily: Vec<toml::Value>,
    #[serde(default)]
    live: Vec<toml::Value>,
}

/// Where state is kept.
#[derive(Debug, Clone, PartialEq)]
pub enum StateAt {
    /// One SQLite file: the default, for one process (or several on one machine).
    File(PathBuf),
    /// A PostgreSQL database (`postgres://…`), shared by every process of the bot. The URL may
    /// hold a password, so it is kept as a secret and never shown.
    Postgres(Token),
}

impl StateAt {
    /// A `state` value: a `postgres://` or `postgresql://` URL, else a file path.
    fn parse(text: &str) -> StateAt {
        let t = text.trim();
        if t.starts_with("postgres://") || t.starts_with("postgresql://") {
            StateAt::Postgres(Token(t.to_owned()))
        } else {
            StateAt::File(PathBuf::from(text))
        }
    }
}

/// A guild id written as a TOML integer or, since ids are large, as a string.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum GuildId {
    Number(u64),
    Text(String),
}

/// A secret: shows as `<redacted>` in logs, errors and debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(secret: impl Into<String>) -> Token {
        Token(secret.into())
    }

    /// The secret itself, for the one place that hands it to the Discord client.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    /// TOML or schema problems: every one found, in file order, each located.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
    #[error("{path}: {message}")]
    Value { path: String, message: String },
}

/// Environment variables read by [`Config::load`].
pub const TOKEN_VAR: &str = "DISCORD_TOKEN";
pub const API_BASE_VAR: &str = "DISCORD_API_BASE";
pub const PUBLIC_KEY_VAR: &str = "DISCORD_PUBLIC_KEY";
/// Overrides `state`, so a PostgreSQL password need not be written in the file.
pub const STATE_VAR: &str = "CONFBOT_STATE";

/// The scheduler lease's TTL when the config does not say (`lease`), and the range accepted:
/// shorter renews too often for a slow database, longer leaves posts waiting after a crash.
pub const DEFAULT_LEASE: std::time::Duration = std::time::Duration::from_secs(15);
pub const LEASE_MIN: std::time::Duration = std::time::Duration::from_secs(3);
pub const LEASE_MAX: std::time::Duration = std::time::Duration::from_secs(600);

/// How often URL sources are fetched when the config does not say (`refresh`).
pub const DEFAULT_REFRESH: std::time::Duration = std::time::Duration::from_secs(5 * 60);
/// The shortest and longest `refresh` accepted: more often than every 30 s would hammer an
/// organiser's server for changes that come a few times a day; less than daily is no sync.
pub const REFRESH_MIN: std::time::Duration = std::time::Duration::from_secs(30);
pub const REFRESH_MAX: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

impl Config {
    /// How often URL sources are fetched.
    pub fn refresh(&self) -> std::time::Duration {
        self.refresh.unwrap_or(DEFAULT_REFRESH)
    }

    /// The scheduler lease's TTL.
    pub fn lease(&self) -> std::time::Duration {
        self.lease.unwrap_or(DEFAULT_LEASE)
    }

    /// Where the last good copies of URL sources are kept: a folder beside the state file,
    /// named after it (`confbot-state.sqlite` → `confbot-state-exports/`); with PostgreSQL state,
    /// `confbot-exports/` in the working directory, one per machine. `None` without state,
    /// which the config refuses when `data` holds a URL.
    pub fn export_cache(&self) -> Option<PathBuf> {
        let state = match self.state.as_ref()? {
            StateAt::File(path) => path,
            StateAt::Postgres(_) => return Some(PathBuf::from("confbot-exports")),
        };
        let stem = state.file_stem().map_or_else(|| "confbot-state".into(), |s| s.to_string_lossy().into_owned());
        Some(state.with_file_name(format!("{stem}-exports")))
    }

    /// The URL sources with their places on disk.
    pub fn remotes(&self) -> Vec<Remote> {
        match self.export_cache() {
            Some(cache) => self.urls.iter().map(|u| Remote::new(u.clone(), &cache)).collect(),
            None => Vec::new(),
        }
    }

    /// Loads defaults, then `file` (if any), then the process environment.
    /// The file alone, without the environment: for checking a config offline.
    pub fn from_file_only(path: &Path) -> Result<Config, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: name.clone(), source })?;
        Config::from_layers(Some((&name, &text)), |_| None)
    }

    /// `[[daily]]` and `[[live]]` problems with each entry's file and line in front
    /// ("confbot.toml:12: [[daily]] #2 …").
    pub fn locate_daily(&self, problems: crate::daily::EntryProblems) -> crate::daily::EntryProblems {
        let located: Vec<String> = problems
            .0
            .iter()
            .map(|p| {
                let (header, lines) = if p.starts_with("[[live]]") {
                    ("[[live]] #", &self.live_at)
                } else {
                    ("[[daily]] #", &self.daily_at)
                };
                let n: Option<usize> = p
                    .strip_prefix(header)
                    .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
                    .and_then(|n| n.parse().ok());
                match n.and_then(|n| lines.get(n.wrapping_sub(1))) {
                    Some(at) => format!("{at}: {p}"),
                    None => p.clone(),
                }
            })
            .collect();
        crate::daily::EntryProblems(located)
    }

    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let text = match file {
            Some(path) => {
                let name = path.display().to_string();
                let text =
                    std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: name.clone(), source })?;
                Some((name, text))
            }
            None => None,
        };
        Config::from_layers(text.as_ref().map(|(n, t)| (n.as_str(), t.as_str())), |name| std::env::var(name).ok())
    }

    /// The layers themselves: a TOML text with its name, and the environment as a function.
    pub fn from_layers(
        file: Option<(&str, &str)>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        if let Some((name, text)) = file {
            config.apply_file(name, text)?;
        }
        let set = |name: &str| env(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        if let Some(token) = set(TOKEN_VAR) {
            config.token = Some(Token(token));
        }
        if let Some(key) = set(PUBLIC_KEY_VAR) {
            config.public_key = Some(key);
        }
        if let Some(state) = set(STATE_VAR) {
            config.state = Some(StateAt::parse(&state));
        }
        let mut base_from = file.map_or("api_base", |(name, _)| name);
        if let Some(base) = set(API_BASE_VAR) {
            config.api_base = Some(base);
            base_from = API_BASE_VAR;
        }
        if let Some(base) = &config.api_base {
            check_base(base).map_err(|message| ConfigError::Value { path: base_from.into(), message })?;
        }
        Ok(config)
    }

    /// Applies one TOML text, named `name` in errors, over the current values.
    fn apply_file(&mut self, name: &str, text: &str) -> Result<(), ConfigError> {
        let layer = read_layer(name, text)?;
        let mut problems = Vec::new();
        let located = |key: &str, message: String, hint: &str| {
            let (line, column) = key_position(text, key);
            Problem { file: name.to_owned(), position: Some((line, column)), message, hint: Some(hint.to_owned()) }
        };
        if let Some(data) = layer.data {
            // A `data` entry with a scheme is a URL; anything else stays a path, as before.
            let (urls, paths): (Vec<PathBuf>, Vec<PathBuf>) =
                data.into_iter().partition(|p| p.to_str().is_some_and(|t| t.trim().contains("://")));
            self.data = paths;
            self.urls.clear();
            for entry in urls {
                match ExportUrl::parse(&entry.to_string_lossy()) {
                    Ok(url) => self.urls.push(url),
                    Err(message) => problems.push(located(
                        "data",
                        format!("data: {message}"),
                        "give the export's https:// URL, or a file path",
                    )),
                }
            }
        }
        if let Some(refresh) = &layer.refresh {
            match parse_period(refresh, REFRESH_MIN, REFRESH_MAX) {
                Ok(every) => self.refresh = Some(every),
                Err(message) => problems.push(located(
                    "refresh",
                    format!("refresh: {message}"),
                    "write a number and a unit, e.g. \"5m\", \"90s\" or \"1h\", from 30s to 24h",
                )),
            }
        }
        if let Some(lease) = &layer.lease {
            match parse_period(lease, LEASE_MIN, LEASE_MAX) {
                Ok(ttl) => self.lease = Some(ttl),
                Err(message) => problems.push(located(
                    "lease",
                    format!("lease: {message}"),
                    "write a number and a unit, e.g. \"15s\" or \"1m\", from 3s to 10m",
                )),
            }
        }
        if self.urls.is_empty() && layer.refresh.is_some() && problems.is_empty() {
            problems.push(located(
                "refresh",
                "refresh: no `data` entry is a URL, so nothing is refreshed".into(),
                "add the export's https:// URL to `data`, or remove `refresh`",
            ));
        }
        if !self.urls.is_empty() && layer.state.is_none() && self.state.is_none() {
            problems.push(located(
                "data",
                "data: a URL source needs `state`: the last good copy of each export is kept beside the state file"
                    .into(),
                "set state = \"confbot-state.sqlite\" (the copies go to confbot-state-exports/)",
            ));
        }
        if let Some(shards) = &layer.shards {
            match shards.parse::<Shards>() {
                Ok(shards) => self.shards = Some(shards),
                Err(message) => problems.push(located(
                    "shards",
                    format!("shards: {message}"),
                    "e.g. shards = \"0-1/4\" in one process and \"2-3/4\" in another, or leave it out",
                )),
            }
        }
        if !problems.is_empty() {
            problems.sort_by_key(|p| p.position);
            return Err(ConfigError::Invalid(problems));
        }
        if let Some(ids) = layer.guild_ids {
            self.guild_ids = ids
                .into_iter()
                .map(|id| match id {
                    GuildId::Number(n) => Ok(n),
                    GuildId::Text(s) => s.trim().parse().map_err(|_| ConfigError::Value {
                        path: name.to_owned(),
                        message: format!("guild_ids: “{s}” is not a guild id (a number like 123456789012345678)"),
                    }),
                })
                .collect::<Result<Vec<u64>, _>>()?;
            if self.guild_ids.contains(&0) {
                return Err(ConfigError::Value {
                    path: name.to_owned(),
                    message: "guild_ids: 0 is not a guild id".into(),
                });
            }
        }
        if layer.state.as_ref().is_some_and(|p| p.trim().is_empty()) {
            // An empty path would silently mean a temporary database, losing every post record.
            return Err(ConfigError::Value {
                path: name.to_owned(),
                message: "state: the path is empty; name a file such as \"confbot-state.sqlite\", or leave \
                          `state` out to keep state in memory for this run only"
                    .into(),
            });
        }
        self.state = layer.state.as_deref().map(StateAt::parse).or(self.state.take());
        self.log = layer.log.or(self.log.take());
        self.api_base = layer.api_base.or(self.api_base.take());
        self.public_key = layer.public_key.map(|k| k.trim().to_owned()).or(self.public_key.take());
        self.daily = layer.daily;
        self.live = layer.live;
        let at = |header: &str| -> Vec<String> {
            text.lines()
                .enumerate()
                .filter(|(_, l)| l.trim() == header)
                .map(|(n, _)| format!("{name}:{}", n + 1))
                .collect()
        };
        self.daily_at = at("[[daily]]");
        self.live_at = at("[[live]]");
        Ok(())
    }
}

/// Reads the file layer reporting every problem at once: each key is read on its own, so a
/// wrong type in one does not hide an unknown key or a wrong type in another.
fn read_layer(name: &str, text: &str) -> Result<FileLayer, ConfigError> {
    let problem = |line: usize, column: usize, message: String, hint: Option<String>| Problem {
        file: name.to_owned(),
        position: Some((line, column)),
        message,
        hint,
    };
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_column(text, s.start));
        let (message, hint) = plain_words(e.message().trim(), None);
        ConfigError::Invalid(vec![problem(line, column, message, Some(hint))])
    })?;
    let mut problems = Vec::new();
    let mut good = toml::Table::new();
    for (key, value) in table {
        let (line, column) = key_position(text, &key);
        let mut alone = toml::Table::new();
        alone.insert(key.clone(), value.clone());
        match FileLayer::deserialize(toml::Value::Table(alone)) {
            Ok(_) => {
                good.insert(key, value);
            }
            Err(e) => {
                let (mut message, mut hint) = plain_words(e.message().trim(), Some(&key));
                if key == "token" || key == "discord_token" {
                    hint = "the token is read from the DISCORD_TOKEN environment variable only".into();
                }
                if message.starts_with("unknown key") {
                    message = format!("unknown key `{key}`");
                }
                problems.push(problem(line, column, message, Some(hint)));
            }
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.position);
        return Err(ConfigError::Invalid(problems));
    }
    FileLayer::deserialize(toml::Value::Table(good))
        .map_err(|e| ConfigError::Invalid(vec![problem(1, 1, e.message().trim().to_owned(), None)]))
}

/// Where `key` is written at the top level of a config text (1-based line and column).
fn key_position(text: &str, key: &str) -> (usize, usize) {
    let mut in_table = false;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            in_table = true;
            if trimmed.trim_start_matches('[').starts_with(key) {
                return (n + 1, line.len() - trimmed.len() + 1);
            }
        } else if !in_table && trimmed.starts_with(key) && trimmed[key.len()..].trim_start().starts_with('=') {
            return (n + 1, line.len() - trimmed.len() + 1);
        }
    }
    (1, 1)
}

/// A period: a whole number and a unit (`s`, `m`, `h`), from `min` to `max`.
fn parse_period(text: &str, min: std::time::Duration, max: std::time::Duration) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let unit = t.trim_start_matches(|c: char| c.is_ascii_digit());
    let seconds_per = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(format!("“{text}” is not a period such as \"5m\"")),
    };
    let n: u64 = t[..t.len() - unit.len()].parse().map_err(|_| format!("“{text}” is not a period such as \"5m\""))?;
    let every = std::time::Duration::from_secs(n.saturating_mul(seconds_per));
    if every < min || every > max {
        return Err(format!("“{text}” is out of range"));
    }
    Ok(every)
}

/// An API base must be an http(s) origin, e.g. `http://127.0.0.1:3000`.
fn check_base(base: &str) -> Result<(), String> {
    match url::Url::parse(base) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        _ => Err(format!("“{base}” is not an http(s) origin such as http://127.0.0.1:3000")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let lookup = |name: &str| env.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
        Config::from_layers(Some(("confbot.toml", text)), lookup)
    }

    #[test]
    fn layers_apply_in_order() {
        let c = load(
            "data = [\"a.toml\"]\nguild_ids = [123, \"456\"]\nstate = \"s.sqlite\"\nlog = \"debug\"\napi_base = \"http://file:1\"\n",
            &[("DISCORD_TOKEN", "secret"), ("DISCORD_API_BASE", "http://env:2")],
        )
        .unwrap();
        assert_eq!(c.data, vec![PathBuf::from("a.toml")]);
        assert_eq!(c.guild_ids, vec![123, 456]);
        assert_eq!(c.state, Some(StateAt::File(PathBuf::from("s.sqlite"))));
        assert_eq!(c.log.as_deref(), Some("debug"));
        assert_eq!(c.api_base.as_deref(), Some("http://env:2"));
        assert_eq!(c.token.as_ref().map(Token::expose), Some("secret"));
        let c = load("public_key = \" ab12 \"", &[]).unwrap();
        assert_eq!(c.public_key.as_deref(), Some("ab12"));
        let c = load("public_key = \"ab12\"", &[("DISCORD_PUBLIC_KEY", "cd34")]).unwrap();
        assert_eq!(c.public_key.as_deref(), Some("cd34"));
        let c = load("api_base = \"http://file:1\"", &[]).unwrap();
        assert_eq!(c.api_base.as_deref(), Some("http://file:1"));
        assert!(c.data.is_empty());
    }

    #[test]
    fn the_token_never_shows() {
        let c = Config { token: Some(Token::new("abc.def.ghi")), ..Config::default() };
        assert!(!format!("{c:?}").contains("abc.def"));
        assert_eq!(Token::new("abc").to_string(), "<redacted>");
    }

    #[test]
    fn unknown_keys_are_located() {
        let err = load("log = \"info\"\nguild_id = [1]\n", &[]).unwrap_err().to_string();
        assert!(err.starts_with("confbot.toml:2:1: unknown key `guild_id`"), "{err}");
        assert!(err.contains("did you mean `guild_ids`?"), "{err}");
        // Every problem at once, in file order (issue: config errors came one at a time).
        let err = load("log = 3\nstate = \"s\"\ndata = \"x\"\nguildids = [1]\n", &[]).unwrap_err().to_string();
        let lines: Vec<&str> = err.lines().filter(|l| !l.starts_with("  hint")).collect();
        assert_eq!(lines.len(), 3, "{err}");
        assert!(lines[0].starts_with("confbot.toml:1:1: `log` must be text"), "{err}");
        assert!(lines[1].starts_with("confbot.toml:3:1: `data` must be a list"), "{err}");
        assert!(lines[2].starts_with("confbot.toml:4:1: unknown key `guildids`"), "{err}");
        let err = load("token = \"abc\"", &[]).unwrap_err().to_string();
        assert!(err.contains("DISCORD_TOKEN") && !err.contains("abc"), "{err}");
    }

    #[test]
    fn the_example_file_is_valid() {
        let c = load(include_str!("../config/confbot.toml"), &[]).unwrap();
        assert_eq!(c.log.as_deref(), Some("info"));
        assert!(c.data.is_empty() && c.guild_ids.is_empty() && c.api_base.is_none());
    }

    #[test]
    fn the_daily_example_is_valid_once_uncommented() {
        let example = include_str!("../config/confbot.toml");
        let start = example.find("# [[daily]]").expect("a [[daily]] example");
        let end = example.find("# Live programme").expect("the [[live]] example after it");
        let text: String = example[start..end]
            .lines()
            .filter(|l| !l.trim_start_matches('#').trim_start().starts_with('#'))
            .map(|l| format!("{}\n", l.strip_prefix("# ").unwrap_or(l)))
            .collect();
        let c = load(&text, &[]).unwrap();
        let entries = crate::daily::entries::parse_entries(&c.daily).unwrap();
        let schedules = crate::daily::entries::schedules(&entries, &crate::catalogue::Catalogue::embedded()).unwrap();
        assert_eq!(schedules.len(), 1);
        assert!(schedules[0].topic.is_some() && schedules[0].conference.is_some());
    }

    #[test]
    fn the_live_example_is_valid_once_uncommented() {
        let example = include_str!("../config/confbot.toml");
        let start = example.find("# [[live]]").expect("a [[live]] example");
        let text: String =
            example[start..].lines().map(|l| format!("{}\n", l.strip_prefix("# ").unwrap_or(l))).collect();
        let c = load(&text, &[]).unwrap();
        let entry = crate::live::entries::LiveEntry::deserialize(c.live[0].clone()).unwrap();
        assert_eq!((entry.conference.as_str(), entry.minutes_before, entry.rooms.len()), ("36c3", Some(5), 1));
    }

    #[test]
    fn daily_tables_are_accepted() {
        let c = load("[[daily]]\nchannel = 1\n", &[]).unwrap();
        assert_eq!(c.daily.len(), 1);
    }

    #[test]
    fn bad_values_are_explained() {
        assert!(load("guild_ids = [\"x\"]", &[]).unwrap_err().to_string().contains("not a guild id"));
        assert!(load("guild_ids = [0]", &[]).unwrap_err().to_string().contains("not a guild id"));
        assert!(load("", &[("DISCORD_API_BASE", "nope")]).unwrap_err().to_string().contains("not an http"));
        // Regression: `state = ""` silently used a temporary database.
        assert!(load("state = \"\"", &[]).unwrap_err().to_string().contains("state: the path is empty"));
    }

    #[test]
    fn shard_ranges_are_read_and_checked() {
        let shards = |first, last, total| Ok(Shards { first, last, total });
        let table: &[(&str, Result<Shards, &str>)] = &[
            ("0-1/4", shards(0, 1, 4)),
            (" 2 - 3 / 4 ", shards(2, 3, 4)),
            ("3/4", shards(3, 3, 4)),
            ("0/1", shards(0, 0, 1)),
            ("0-0/2", shards(0, 0, 2)),
            ("1-1/2", shards(1, 1, 2)),
            ("0-3", Err("names no TOTAL")),
            ("", Err("names no TOTAL")),
            ("a-b/4", Err("is not a shard range")),
            ("0-1/", Err("is not a shard range")),
            ("-1/4", Err("is not a shard range")),
            ("0-1-2/4", Err("is not a shard range")),
            ("0/0", Err("TOTAL must be at least 1")),
            ("3-1/4", Err("the first shard (3) comes after the last (1)")),
            ("2-4/4", Err("with 4 shard(s) they are numbered 0 to 3")),
            ("4/4", Err("numbered 0 to 3")),
        ];
        for (text, want) in table {
            let got = text.parse::<Shards>();
            match (want, &got) {
                (Ok(want), Ok(got)) => assert_eq!(got, want, "{text:?}"),
                (Err(want), Err(got)) => assert!(got.contains(want), "{text:?}: {got}"),
                _ => panic!("{text:?}: {got:?}, want {want:?}"),
            }
        }
        assert_eq!(load("shards = \"2-3/4\"", &[]).unwrap().shards, Some(Shards { first: 2, last: 3, total: 4 }));
        let err = load("log = \"info\"\nshards = \"4/4\"\n", &[]).unwrap_err().to_string();
        assert!(err.starts_with("confbot.toml:2:1: shards: “4/4”: with 4 shard(s)"), "{err}");
    }
}
