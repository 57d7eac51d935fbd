//! `confbot state migrate`: the bot's SQLite state file copied into an empty PostgreSQL
//! database, for moving a bot to `state = "postgres://…"`. The URL may hold a password, so it
//! is read from the environment if not given, and never printed.

use std::path::Path;

use anyhow::Context as _;

use crate::store::postgres::{copy_sqlite, Postgres};

/// Copies `from` into the database at `to` and prints each table's row count.
pub fn migrate(from: &Path, to: &str) -> anyhow::Result<i32> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting tokio")?;
    let copied = runtime.block_on(async {
        let target = Postgres::connect(to).await.context("cannot open the PostgreSQL database")?;
        copy_sqlite(from, &target).await.context("nothing was copied")
    })?;
    let width = copied.iter().map(|c| c.table.len()).max().unwrap_or(0);
    for c in &copied {
        println!("{:width$}  {:>8} row(s)", c.table, c.rows);
    }
    let total: u64 = copied.iter().map(|c| c.rows).sum();
    eprintln!(
        "copied {total} row(s) from {} into PostgreSQL, counts checked; point the bot's `state` at the database",
        from.display()
    );
    Ok(0)
}
