//! The layers drawn in `src/lib.rs` hold: no module names a module of a layer above its own.
//! Read from the source text, so a new `use crate::…` that points up fails here.

use std::collections::BTreeMap;
use std::path::Path;

/// Each top-level module and its layer, bottom (0) to top, as `src/lib.rs` draws them.
const LAYERS: &[(&str, usize)] = &[
    ("reply", 0),
    ("zones", 0),
    ("search", 0),
    ("catalogue", 0),
    ("community", 0),
    ("daily", 0),
    ("live", 0),
    ("import", 1),
    ("sources", 1),
    ("store", 2),
    ("commands", 3),
    ("services", 4),
    ("config", 5),
    ("discord", 5),
    ("cli", 5),
];

/// Within the core, modules are ordered too: reply and zones know nothing of the others,
/// search knows only them, and so on. (module, what it may use besides itself)
const CORE: &[(&str, &[&str])] = &[
    ("reply", &[]),
    ("zones", &["reply"]),
    ("search", &["reply"]),
    ("catalogue", &["reply", "search", "zones"]),
    ("community", &["reply", "search", "catalogue"]),
    ("daily", &["reply", "search", "zones", "catalogue", "community"]),
    ("live", &["reply", "search", "zones", "catalogue", "community", "daily"]),
];

fn layer(module: &str) -> usize {
    LAYERS
        .iter()
        .find(|(m, _)| *m == module)
        .unwrap_or_else(|| panic!("src/lib.rs has a module {module} that tests/architecture.rs does not place"))
        .1
}

/// Every `crate::<module>` named in the file or the files under the folder at `path`, with
/// where.
fn uses(path: &Path, found: &mut Vec<(String, String)>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            uses(&entry.unwrap().path(), found);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        {
            let text = std::fs::read_to_string(path).unwrap();
            // Comments (doc links included) name other layers freely; code may not.
            for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim_start().starts_with("//")) {
                let mut rest = line;
                while let Some(at) = rest.find("crate::") {
                    rest = &rest[at + "crate::".len()..];
                    let module: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    found.push((module, format!("{}:{}", path.display(), n + 1)));
                }
            }
        }
    }
}

#[test]
fn layers_point_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let declared: Vec<&str> = lib.lines().filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';')).collect();
    let mut wrong = BTreeMap::new();
    for module in &declared {
        let from = layer(module);
        let dir = src.join(module);
        let mut found = Vec::new();
        let path = if dir.is_dir() { dir } else { src.join(format!("{module}.rs")) };
        uses(&path, &mut found);
        for (used, place) in found {
            if used == *module || !declared.contains(&used.as_str()) {
                continue;
            }
            let allowed = match CORE.iter().find(|(m, _)| m == module) {
                Some((_, may)) => may.contains(&used.as_str()),
                None => layer(&used) <= from,
            };
            if !allowed {
                wrong.insert(place, format!("{module} (layer {from}) uses {used} (layer {})", layer(&used)));
            }
        }
    }
    assert!(wrong.is_empty(), "imports that point up a layer:\n{wrong:#?}");
}

/// Same-layer edges are allowed above the core; check the ones that matter do not form cycles.
#[test]
fn no_cycles_between_sibling_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let names = |module: &str| {
        let mut found = Vec::new();
        uses(&src.join(module), &mut found);
        found.into_iter().map(|(m, _)| m).collect::<Vec<_>>()
    };
    assert!(!names("import").contains(&"sources".to_owned()), "import uses sources, which uses import");
    assert!(!names("cli").iter().any(|m| m == "discord") || !names("discord").iter().any(|m| m == "cli"));
}
