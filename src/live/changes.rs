//! A conference's schedule as a snapshot — what was last announced to the servers following
//! it — and the changes between two snapshots: a talk moved (in time or room), retitled,
//! added, or cancelled (gone from the export).
//!
//! Talks are matched by id first. A re-import may give a retitled talk a new id (ids come from
//! titles), so a talk that disappeared is then matched with one that appeared at the same
//! start and room, or with the same title: that is a retitle or a move, not a cancellation
//! and an addition.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalogue::{Catalogue, ConferenceIx};
use crate::search::fold;

/// A talk as a snapshot keeps it: enough to say what changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotTalk {
    pub id: String,
    pub title: String,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub room: Option<String>,
}

/// One conference's timed talks, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub talks: BTreeMap<String, SnapshotTalk>,
}

impl Snapshot {
    /// The conference's talks that have a time.
    pub fn of(c: &Catalogue, conference: ConferenceIx) -> Snapshot {
        let talks = c
            .timetable
            .all()
            .iter()
            .filter(|s| c.talks[s.talk].conference == conference)
            .map(|s| {
                let t = &c.talks[s.talk];
                let end = t.slot.and_then(|slot| slot.end).map(|e| e.with_timezone(&Utc));
                (
                    t.id.clone(),
                    SnapshotTalk {
                        id: t.id.clone(),
                        title: t.title.clone(),
                        start: Some(s.start),
                        end,
                        room: t.room.clone(),
                    },
                )
            })
            .collect();
        Snapshot { talks }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// New start, end or room (and perhaps a new title too).
    Moved,
    /// Only the title changed.
    Retitled,
    Added,
    /// Gone from the schedule.
    Cancelled,
}

/// One change to one talk, with the talk before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub old: Option<SnapshotTalk>,
    pub new: Option<SnapshotTalk>,
}

impl Change {
    /// The talk as it is now, else as it was.
    pub fn talk(&self) -> &SnapshotTalk {
        self.new.as_ref().or(self.old.as_ref()).expect("a change has a talk before or after")
    }

    /// What identifies this change for "noticed exactly once": the same change found again
    /// (the same catalogue loaded twice, a restart) has the same key; a further change of the
    /// same talk has another.
    pub fn key(&self) -> String {
        let side = |t: &Option<SnapshotTalk>| match t {
            Some(t) => format!(
                "{}|{}|{}|{}|{}",
                t.id,
                t.title,
                t.start.map(|s| s.timestamp()).unwrap_or_default(),
                t.end.map(|s| s.timestamp()).unwrap_or_default(),
                t.room.as_deref().unwrap_or("")
            ),
            None => String::new(),
        };
        format!("{:?}>{}>{}", self.kind, side(&self.old), side(&self.new))
    }
}

/// What changed from `old` to `new`, in the new schedule's order (cancellations by their old
/// start).
pub fn diff(old: &Snapshot, new: &Snapshot) -> Vec<Change> {
    let mut gone: Vec<&SnapshotTalk> = old.talks.values().filter(|t| !new.talks.contains_key(&t.id)).collect();
    let mut came: Vec<&SnapshotTalk> = new.talks.values().filter(|t| !old.talks.contains_key(&t.id)).collect();
    let mut changes = Vec::new();
    for (id, was) in &old.talks {
        if let Some(now) = new.talks.get(id) {
            if let Some(kind) = compare(was, now) {
                changes.push(Change { kind, old: Some(was.clone()), new: Some(now.clone()) });
            }
        }
    }
    // Pair what disappeared with what appeared: same slot and room, else same title.
    let same_slot = |a: &SnapshotTalk, b: &SnapshotTalk| a.start == b.start && a.room == b.room;
    let same_title = |a: &SnapshotTalk, b: &SnapshotTalk| fold(&a.title) == fold(&b.title);
    for matches in [&same_slot as &dyn Fn(&SnapshotTalk, &SnapshotTalk) -> bool, &same_title] {
        let mut paired = HashSet::new();
        for was in &gone {
            if let Some(ix) = came.iter().position(|now| matches(was, now)) {
                let now = came.remove(ix);
                paired.insert(was.id.clone());
                if let Some(kind) = compare(was, now) {
                    changes.push(Change { kind, old: Some((*was).clone()), new: Some(now.clone()) });
                }
            }
        }
        gone.retain(|t| !paired.contains(&t.id));
    }
    changes.extend(came.into_iter().map(|t| Change { kind: ChangeKind::Added, old: None, new: Some(t.clone()) }));
    changes.extend(gone.into_iter().map(|t| Change { kind: ChangeKind::Cancelled, old: Some(t.clone()), new: None }));
    changes.sort_by_key(|c| (c.talk().start, c.talk().room.clone(), c.talk().title.clone()));
    changes
}

fn compare(was: &SnapshotTalk, now: &SnapshotTalk) -> Option<ChangeKind> {
    if was.start != now.start || was.end != now.end || was.room != now.room {
        Some(ChangeKind::Moved)
    } else if was.title != now.title {
        Some(ChangeKind::Retitled)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn talk(id: &str, title: &str, hour: u32, room: &str) -> SnapshotTalk {
        use chrono::TimeZone;
        SnapshotTalk {
            id: id.into(),
            title: title.into(),
            start: Some(Utc.with_ymd_and_hms(2024, 10, 26, hour, 0, 0).unwrap()),
            end: None,
            room: Some(room.into()),
        }
    }

    fn snap(talks: &[SnapshotTalk]) -> Snapshot {
        Snapshot { talks: talks.iter().map(|t| (t.id.clone(), t.clone())).collect() }
    }

    #[test]
    fn changes_are_found_and_paired() {
        let old = snap(&[
            talk("a", "Alpha", 9, "Hall"),
            talk("b", "Beta", 10, "Hall"),
            talk("c", "Gamma", 11, "Hall"),
            talk("d", "Delta", 12, "Lab"),
            talk("e", "Epsilon", 13, "Lab"),
        ]);
        let new = snap(&[
            talk("a", "Alpha", 9, "Hall"),
            // Moved to another room.
            talk("b", "Beta", 10, "Lab"),
            // Retitled under a new id (re-import): same slot and room.
            talk("c-new", "Gamma Rays", 11, "Hall"),
            // Moved under a new id: same title.
            talk("d2", "delta", 15, "Lab"),
            talk("f", "Phi", 16, "Hall"),
        ]);
        let changes = diff(&old, &new);
        let kinds: Vec<(ChangeKind, &str)> = changes.iter().map(|c| (c.kind, c.talk().id.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (ChangeKind::Moved, "b"),
                (ChangeKind::Retitled, "c-new"),
                (ChangeKind::Cancelled, "e"),
                (ChangeKind::Moved, "d2"),
                (ChangeKind::Added, "f"),
            ]
        );
        assert!(diff(&new, &new).is_empty(), "the same schedule twice changes nothing");
    }

    #[test]
    fn keys_tell_repeats_from_further_changes() {
        let old = snap(&[talk("a", "Alpha", 9, "Hall")]);
        let moved = snap(&[talk("a", "Alpha", 10, "Hall")]);
        let moved_again = snap(&[talk("a", "Alpha", 11, "Hall")]);
        let first = diff(&old, &moved);
        assert_eq!(first[0].key(), diff(&old, &moved)[0].key());
        assert_ne!(first[0].key(), diff(&moved, &moved_again)[0].key());
    }
}
