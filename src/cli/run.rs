//! `confbot run`: load the configuration, start logging, run the bot until SIGINT or SIGTERM.

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;

use crate::config::Config;

/// Runs the bot; returns 0 after a clean shutdown.
pub fn run(config_path: Option<&Path>, log: Option<&str>) -> anyhow::Result<i32> {
    let config = Config::load(config_path)?;
    super::init_logging(log.or(config.log.as_deref()));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    let result = runtime.block_on(crate::discord::run(config, stop_signal()));
    // Blocked threads (a file read, a DNS lookup) must not hold the exit up.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result?;
    Ok(0)
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
