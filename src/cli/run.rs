//! `confbot run`: load the configuration, start logging, run the bot until SIGINT or SIGTERM.

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;

use crate::config::{Config, Shards};

/// Runs the bot (only `shards`, when given, else the config's); returns 0 after a clean shutdown.
pub fn run(config_path: Option<&Path>, shards: Option<Shards>, log: Option<&str>) -> anyhow::Result<i32> {
    let mut config = Config::load(config_path)?;
    config.shards = shards.or(config.shards);
    super::init_logging(log.or(config.log.as_deref()));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    let result = runtime.block_on(async {
        // Handlers first, so SIGINT or SIGTERM while loading is a clean stop (exit 0), never
        // the signal's default action.
        let stop = stop_signal().context("listening for SIGINT and SIGTERM")?;
        crate::discord::run(config, stop).await.map_err(anyhow::Error::from)
    });
    // Blocked threads (a file read, a DNS lookup) must not hold the exit up.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result?;
    Ok(0)
}

/// A future that resolves on SIGINT (Ctrl-C) or SIGTERM, listening from the moment it is made.
#[cfg(unix)]
pub(super) fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let (mut interrupt, mut terminate) = (signal(SignalKind::interrupt())?, signal(SignalKind::terminate())?);
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

#[cfg(not(unix))]
pub(super) fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
