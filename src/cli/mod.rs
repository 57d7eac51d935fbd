//! The command-line interface: clap types stop here; each subcommand is a function that takes
//! plain values and returns an exit code or an error.

mod ask;
mod bench;
mod check;
pub mod eval;
mod import;
mod insights;
mod run;
mod serve;
mod state;
mod terminal;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::catalogue::{Catalogue, LoadError};
use crate::sources;

/// confbot — conference highlights on Discord, and offline.
///
/// Without --data, confbot serves its embedded catalogue (PyCon US 2024 highlights).
#[derive(Debug, Parser)]
#[command(name = "confbot", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Log filter, e.g. `info`, `confbot=debug` (or set RUST_LOG).
    #[arg(long, global = true, value_name = "FILTER")]
    pub log: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

/// Where to read the catalogue from.
#[derive(Debug, Clone, clap::Args)]
pub struct DataArgs {
    /// A catalogue file or a directory of them, a schedule export (schedule.json, schedule.xml,
    /// Sessionize JSON) or a pyvideo folder, format detected from the content; FORMAT:PATH
    /// names the format (e.g. pretalx:export.json). Repeat for more. Default: the embedded
    /// catalogue.
    #[arg(long = "data", value_name = "PATH")]
    pub data: Vec<PathBuf>,
}

impl DataArgs {
    pub fn load(&self) -> Result<Catalogue, LoadError> {
        sources::load(&sources::from_paths(&self.data))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Answer slash commands offline, exactly as the bot would.
    ///
    /// Write the command as in Discord: confbot ask "/speaker name: simon wilison".
    /// Without COMMAND, reads one command per line from standard input.
    Ask {
        #[command(flatten)]
        data: DataArgs,
        /// Print one JSON object per command: {"command", "ok", "resolved", "message"}.
        #[arg(long)]
        json: bool,
        /// Seed for random choices (/insight), for repeatable answers.
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        /// Answer as if it were this instant (RFC 3339 with an offset, e.g.
        /// 2019-12-28T12:00:00+01:00), for /now, /next, /schedule and /talk.
        #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
        now: Option<chrono::DateTime<chrono::Utc>>,
        #[command(flatten)]
        state: StateArgs,
        /// The command, e.g. "/topic name: AI". Omit to read commands from stdin.
        command: Option<String>,
    },
    /// Print the autocomplete choices for an option as JSON.
    ///
    /// Example: confbot complete speaker name "lang"
    Complete {
        /// The command, e.g. `speaker`.
        command: String,
        /// The option being typed, e.g. `name`.
        option: String,
        /// What has been typed so far.
        #[arg(default_value = "")]
        partial: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Measure `/speaker` on noisy queries with known answers (accuracy per kind of noise,
    /// latency), or `/search` on judged queries against a plain BM25 (MRR@10, top-1, latency).
    ///
    /// Example: confbot eval --data ../shared/pyvideo --queries ../shared/fuzzy/speaker_queries_dev.tsv
    /// --data is required: the queries only make sense against the catalogue they were written for.
    Eval {
        #[command(flatten)]
        data: DataArgs,
        /// The queries file (TSV with a header; columns described in docs/matching.md), or a
        /// judged search set (header with `expected_ids`, docs/search.md) to measure `/search`.
        #[arg(long, value_name = "TSV", default_value = "../shared/fuzzy/speaker_queries_dev.tsv")]
        queries: PathBuf,
        /// Print up to N wrong answers, to see what goes wrong.
        #[arg(long, value_name = "N", default_value_t = 0)]
        misses: usize,
        /// Time every query this many times and keep its fastest run (steadier on a busy machine).
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100))]
        rounds: usize,
    },
    /// Validate catalogue files: print their counts, or every problem with file:line:column.
    ///
    /// With --config, checks the bot's configuration offline (no token needed): its keys, its
    /// [[daily]] entries (times, zones, topics, conferences) and that its `data` loads.
    Check {
        #[command(flatten)]
        data: DataArgs,
        /// A configuration file to check (see config/confbot.toml).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Convert conference exports into one catalogue, and print what was imported.
    ///
    /// FORMAT: pyvideo, pretalx (or frab-json), frab-xml (or pentabarf), sessionize, frab
    /// (JSON or XML by content) or auto. Several sources become one catalogue, sharing its
    /// speakers and topics. Examples:
    /// confbot import pyvideo ../shared/pyvideo -o pyvideo.toml;
    /// confbot import auto 36c3.xml 37c3.json -o ccc.toml
    Import {
        /// The exports' format, or `auto` to detect each from its content.
        format: String,
        /// The exports: files, folders of them, pyvideo event folders or the whole archive.
        #[arg(value_name = "SOURCE", required = true, num_args = 1..)]
        sources: Vec<PathBuf>,
        /// The catalogue file to write; without it, the TOML goes to standard output.
        #[arg(short, long, value_name = "FILE.toml")]
        output: Option<PathBuf>,
        /// The conference's name, for an export that names none (Sessionize); the import must
        /// hold one conference.
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// The IANA time zone (e.g. Europe/Brussels) of exports that name none (Sessionize,
        /// Pentabarf): their local times are read in it. A zone the export names is kept.
        #[arg(long, value_name = "ZONE")]
        timezone: Option<String>,
    },
    /// Measure load time, memory and command latency on a catalogue, and check every reply
    /// against Discord's limits.
    ///
    /// Example: confbot bench --data pyvideo.toml (build with --release for real numbers).
    Bench {
        #[command(flatten)]
        data: DataArgs,
        /// Queries per command (1 to 100,000: each is kept in memory to time it).
        #[arg(long, default_value_t = 2000, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
        queries: usize,
        /// Seed for choosing the queries.
        #[arg(long, default_value_t = 6, value_name = "N")]
        seed: u64,
    },
    /// Members' approved insights (`/insights`), for the operator.
    Insights {
        #[command(subcommand)]
        command: InsightsCommand,
    },
    /// Run the Discord bot until SIGINT or SIGTERM. The token comes from DISCORD_TOKEN.
    ///
    /// Example: DISCORD_TOKEN=… confbot run --config config/confbot.toml
    /// Split across processes: confbot run --shards 0-1/4 in one, --shards 2-3/4 in another.
    Run {
        /// The configuration file (see config/confbot.toml). Default: built-in defaults.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Run only gateway shards FIRST to LAST (both included) of TOTAL, e.g. 0-1/4, or one
        /// shard, N/TOTAL. Every process of the bot gives the same TOTAL and together they
        /// cover 0 to TOTAL-1; the one running shard 0 registers the commands. Overrides the
        /// config's `shards`. Without it (and `shards`), the bot runs unsharded. See
        /// docs/deploy.md.
        #[arg(long, value_name = "FIRST-LAST/TOTAL")]
        shards: Option<crate::config::Shards>,
    },
    /// Answer interactions as Discord's HTTP interactions endpoint, until SIGINT or SIGTERM.
    ///
    /// Discord POSTs each interaction, signed with the application's public key (DISCORD_PUBLIC_KEY
    /// or the config's `public_key`); answers go out through the REST API with DISCORD_TOKEN. Run
    /// `confbot register` once first. Several workers can share one address behind a reverse
    /// proxy (docs/deploy.md). Example: confbot serve --listen 127.0.0.1:8080 --config confbot.toml
    Serve {
        /// The address to listen on, HOST:PORT.
        #[arg(long, value_name = "ADDR")]
        listen: String,
        /// The configuration file (see config/confbot.toml). Default: built-in defaults.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Also run the daily and live posts in this worker, under the scheduler lease: of all the
        /// processes sharing the state, one at a time posts and the others stand by.
        #[arg(long)]
        background: bool,
    },
    /// The bot's state: move it from a SQLite file to PostgreSQL.
    State {
        #[command(subcommand)]
        command: StateCommand,
    },
    /// Upload the slash commands to Discord once, for `confbot serve` workers.
    ///
    /// With --guild (or the config's `guild_ids`) to those servers, at once; otherwise globally.
    /// `confbot run` registers by itself at every start (with --shards, the process running
    /// shard 0) and does not need this.
    Register {
        /// The configuration file (see config/confbot.toml). Default: built-in defaults.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// A server to register in, instead of the config's `guild_ids`. Repeat for more.
        #[arg(long = "guild", value_name = "ID", value_parser = clap::value_parser!(u64).range(1..))]
        guilds: Vec<u64>,
    },
}

/// A state file for `ask`, so `/insights add` and shared insights work offline.
#[derive(Debug, Clone, clap::Args)]
pub struct StateArgs {
    /// The bot's state file or PostgreSQL URL (its `state` setting): `ask` then answers as a member of a server,
    /// `/insights add` stores a suggestion, and `/insight` serves that server's shared insights.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// The server `ask` answers in, with --state.
    #[arg(long, value_name = "ID", default_value_t = 0, requires = "state")]
    pub guild: u64,
}

#[derive(Debug, Subcommand)]
pub enum InsightsCommand {
    /// Write approved insights as a catalogue file that loads beside the catalogue.
    ///
    /// With --guild, that server's approved insights; without, those a moderator marked global.
    /// Insights whose talk is not in the catalogue (--data) are left out and listed.
    /// Example: confbot insights export --state state.db --data data/ --guild 123 -o shared.toml
    Export {
        /// The bot's state file (its `state` setting).
        #[arg(long, value_name = "FILE")]
        state: PathBuf,
        #[command(flatten)]
        data: DataArgs,
        /// Only this server's approved insights, global or not.
        #[arg(long, value_name = "ID")]
        guild: Option<u64>,
        /// The catalogue file to write.
        #[arg(short, long, value_name = "FILE.toml")]
        output: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// Copy a SQLite state file into an empty PostgreSQL database, in one transaction.
    ///
    /// Stop the bot first. Every table is copied with its ids, and each table's row count is
    /// checked before the commit; a database that already holds state is refused. Then set the
    /// bot's `state` to the URL. Example:
    /// CONFBOT_STATE_TO=postgres://confbot:…@db.internal/confbot confbot state migrate --from state.db
    Migrate {
        /// The bot's SQLite state file (its `state` setting). Brought up to date first.
        #[arg(long, value_name = "FILE")]
        from: std::path::PathBuf,
        /// The PostgreSQL database, postgres://USER:PASSWORD@HOST:PORT/DB. Better from the
        /// environment than the command line, where other users can read it.
        #[arg(long, value_name = "URL", env = "CONFBOT_STATE_TO", hide_env_values = true)]
        to: String,
    },
}

/// Runs the parsed command line; the returned code becomes the process's exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    // `run`, `serve` and `register` start logging themselves, once its config file (which may set the level) is read.
    if !matches!(cli.command, Command::Run { .. } | Command::Serve { .. } | Command::Register { .. }) {
        init_logging(cli.log.as_deref());
    }
    match cli.command {
        Command::Run { config, shards } => run::run(config.as_deref(), shards, cli.log.as_deref()),
        Command::Serve { listen, config, background } => {
            serve::serve(&listen, config.as_deref(), background, cli.log.as_deref())
        }
        Command::Register { config, guilds } => serve::register(config.as_deref(), guilds, cli.log.as_deref()),
        Command::Ask { data, json, seed, now, state, command } => {
            ask::run(&data, &ask::Options { json, seed, now }, &state, command.as_deref())
        }
        Command::Insights { command: InsightsCommand::Export { state, data, guild, output } } => {
            insights::export(&state, &data, guild, &output)
        }
        Command::State { command: StateCommand::Migrate { from, to } } => state::migrate(&from, &to),
        Command::Complete { command, option, partial, data } => {
            let catalogue = data.load()?;
            let choices = crate::commands::complete(&catalogue, &command, &option, &partial);
            println!("{}", serde_json::to_string_pretty(&choices)?);
            Ok(0)
        }
        Command::Check { data, config } => check::run(&data, config.as_deref()),
        Command::Eval { data, queries, misses, rounds } => eval::run(&data, &queries, misses, rounds.max(1)),
        Command::Import { format, sources, output, name, timezone } => {
            import::run(&format, &sources, output.as_deref(), name.as_deref(), timezone.as_deref())
        }
        Command::Bench { data, queries, seed } => bench::run(&data, queries, seed),
    }
}

/// Logs go to stderr, so `ask --json` output stays clean. `--log` wins over `RUST_LOG`.
/// The Discord client's own logs are kept from leaking credentials: see
/// [`crate::discord::quiet_client_logs`].
pub fn init_logging(filter: Option<&str>) {
    use tracing_subscriber::EnvFilter;
    let filter = filter
        .map(str::to_owned)
        .or_else(|| std::env::var(EnvFilter::DEFAULT_ENV).ok())
        .unwrap_or_else(|| "info".to_owned());
    let filter = crate::discord::quiet_client_logs(&filter);
    let filter =
        EnvFilter::try_new(&filter).unwrap_or_else(|_| EnvFilter::new(crate::discord::quiet_client_logs("info")));
    // Colour codes only for a terminal: in a log file or journal they are noise.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(std::io::stderr).try_init();
}

/// Reads `--now`: RFC 3339, with its offset (a local time alone would be ambiguous).
fn parse_instant(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("{e}: write an RFC 3339 instant with its offset, e.g. 2019-12-28T12:00:00+01:00"))
}

/// The state named by `--state`: a SQLite file, or a `postgres://` URL as the bot's `state`
/// setting may be.
fn open_state(state: &std::path::Path) -> Result<crate::store::Store, crate::store::StoreError> {
    match state.to_str().filter(|s| s.starts_with("postgres://") || s.starts_with("postgresql://")) {
        Some(url) => crate::store::Store::connect(url),
        None => crate::store::Store::open(state),
    }
}
