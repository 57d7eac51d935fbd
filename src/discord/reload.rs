//! The live catalogue and `/reload` (also SIGHUP): load the files again and swap the result in
//! atomically. A catalogue with any problem is never served: the old one stays, and the caller
//! reports every problem with file:line:column.

use std::sync::{Arc, RwLock};

use crate::catalogue::{self, Catalogue, Counts, LoadError, Source};
use crate::reply::{Embed, Reply, COLOR};

/// The catalogue being served. Readers take an `Arc` snapshot, so an interaction sees one
/// catalogue from start to end even if a reload lands meanwhile.
pub struct Live {
    current: RwLock<Arc<Catalogue>>,
    sources: Vec<Source>,
}

impl Live {
    /// Serves `catalogue` at once, and builds its keyword index (for `/search`) in the background.
    pub fn new(catalogue: Catalogue, sources: Vec<Source>) -> Live {
        let catalogue = Arc::new(catalogue);
        let warming = catalogue.clone();
        std::thread::spawn(move || {
            warming.keyword_index();
        });
        Live { current: RwLock::new(catalogue), sources }
    }

    /// The catalogue to answer with.
    pub fn get(&self) -> Arc<Catalogue> {
        // A poisoned lock still holds a whole catalogue: the swap below is a single assignment.
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Loads the sources again (off the async threads) and swaps the result in on success.
    pub async fn reload(&self) -> Result<Counts, LoadError> {
        let sources = self.sources.clone();
        let loaded =
            // A reload is deferred anyway: the new catalogue goes live with its keyword index built.
            tokio::task::spawn_blocking(move || {
                catalogue::load_sources(&sources).inspect(|c| {
                    c.keyword_index();
                })
            })
            .await
            .map_err(|e| LoadError {
                problems: vec![catalogue::Problem {
                    file: "<reload>".into(),
                    position: None,
                    message: format!("the loader stopped: {e}"),
                    hint: None,
                }],
            })??;
        let counts = loaded.counts();
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(loaded);
        Ok(counts)
    }
}

/// The answer to `/reload`, for the admin who asked (ephemeral either way).
pub fn reply(result: &Result<Counts, LoadError>) -> Reply {
    match result {
        Ok(counts) => Reply {
            embeds: vec![Embed {
                title: Some("Catalogue reloaded".into()),
                description: Some(format!("Now serving {counts}.")),
                color: Some(COLOR),
                ..Embed::default()
            }],
            ephemeral: true,
            ..Reply::default()
        },
        Err(e) => {
            let problems: Vec<String> = e.problems.iter().map(|p| p.to_string()).collect();
            let mut reply = Reply::problem(
                "Reload failed: still serving the previous catalogue",
                format!("```\n{}\n```", problems.join("\n").replace("```", "'''")),
            );
            reply.ephemeral = true;
            reply
        }
    }
}
