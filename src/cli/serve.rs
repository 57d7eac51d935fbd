//! `confbot serve` and `confbot register`: the HTTP interactions endpoint and the one-off upload
//! of the command set its workers rely on (docs/deploy.md).

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;

use crate::config::Config;
use crate::discord::endpoint::Options;

/// Serves interactions on `listen` until SIGINT or SIGTERM; returns 0 after a clean shutdown.
pub fn serve(listen: &str, config_path: Option<&Path>, background: bool, log: Option<&str>) -> anyhow::Result<i32> {
    let config = Config::load(config_path)?;
    super::init_logging(log.or(config.log.as_deref()));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    let result = runtime.block_on(async {
        let stop = super::run::stop_signal().context("listening for SIGINT and SIGTERM")?;
        // Bound before loading, so a taken port fails at once, not after the catalogue loads.
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}: give a free HOST:PORT, e.g. 127.0.0.1:8080"))?;
        let options = Options { background };
        crate::discord::endpoint::serve(config, listener, options, Default::default(), stop)
            .await
            .map_err(anyhow::Error::from)
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
    result?;
    Ok(0)
}

/// Uploads the command set (to `guilds`, or the config's `guild_ids`, or globally) and says so.
pub fn register(config_path: Option<&Path>, guilds: Vec<u64>, log: Option<&str>) -> anyhow::Result<i32> {
    let mut config = Config::load(config_path)?;
    super::init_logging(log.or(config.log.as_deref()));
    if !guilds.is_empty() {
        config.guild_ids = guilds;
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting tokio")?;
    let registered = runtime.block_on(crate::discord::register::once(&config))?;
    match config.guild_ids.len() {
        0 => println!("registered {registered} commands globally (Discord may take up to an hour to show them)"),
        n => println!("registered {registered} commands in {n} server(s)"),
    }
    Ok(0)
}
