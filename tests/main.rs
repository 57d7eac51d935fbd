//! confbot's integration tests, in one binary so the suite builds once. Each module is one area.

mod answers;
mod architecture;
mod catalogue;
mod cli;
mod commands;
mod daily;
mod discord;
mod fake_discord;
mod fuzzy;
mod hostile;
mod import;
mod import_times;
mod imports_clean;
mod insights;
mod live;
mod postgres;
mod schedule;
mod search;
mod serve;
mod sync;
