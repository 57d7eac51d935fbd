//! Importers from the formats organisers already have, one module per format. Each produces a
//! catalogue document ([`FileDoc`]) that `confbot check` accepts.

use std::path::Path;

use crate::catalogue::schema::FileDoc;

/// Why a source could not be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Format { path: String, message: String },
}

/// True for files a data directory may hold: catalogues and schedule exports.
pub fn is_catalogue_candidate(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("toml"))
}

/// True when a file should go through an importer rather than the TOML loader.
pub fn looks_foreign(_path: &Path) -> bool {
    false
}

/// Imports a schedule export or archive given as `--data`.
pub fn import_path(path: &Path) -> Result<FileDoc, ImportError> {
    Err(ImportError::Format {
        path: path.display().to_string(),
        message: "not a catalogue file (expected .toml)".into(),
    })
}
