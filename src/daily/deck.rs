//! The deck of a schedule: every eligible item once, in a seeded shuffled order, before any
//! repeats — identified by catalogue ids, so it survives restarts and catalogue reloads.
//!
//! The order of a cycle is not stored: each item's place is a hash of (seed, cycle, item id).
//! Only the ids already shown in the current cycle are stored. So an item removed from the
//! catalogue simply drops out, and a new item takes its hashed place among those not yet shown.
//! The server's shared insights ([`Shared`]) are items like the catalogue's, so one approved
//! joins the deck at its next pass.

use std::collections::HashSet;

use crate::catalogue::{Catalogue, Insight, InsightIx, TalkIx};
use crate::community::{shared_id, Shared};

/// What a schedule posts: an insight or quote, or a talk when no insight fits the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Insight(InsightIx),
    Talk(TalkIx),
    /// One of the server's shared insights: an index into the `shared` slice it was found in.
    Shared(usize),
}

impl Item {
    /// The stable id: `insight:<id>`, `talk:<id>` or `shared:<id>`.
    pub fn id(self, c: &Catalogue, shared: &[Shared]) -> String {
        match self {
            Item::Insight(i) => format!("insight:{}", c.insights[i].id),
            Item::Talk(t) => format!("talk:{}", c.talks[t].id),
            Item::Shared(k) => shared_id(shared[k].id),
        }
    }

    /// The item a stable id names in this catalogue and these shared insights, if it is still
    /// there.
    pub fn from_id(c: &Catalogue, shared: &[Shared], id: &str) -> Option<Item> {
        match id.split_once(':')? {
            ("insight", i) => c.insight_by_id(i).map(Item::Insight),
            ("talk", t) => c.talk_by_id(t).map(Item::Talk),
            ("shared", _) => shared.iter().position(|s| s.insight.id == id).map(Item::Shared),
            _ => None,
        }
    }

    /// The insight it shows, if it is one.
    pub fn insight<'a>(self, c: &'a Catalogue, shared: &'a [Shared]) -> Option<&'a Insight> {
        match self {
            Item::Insight(i) => Some(&c.insights[i]),
            Item::Shared(k) => Some(&shared[k].insight),
            Item::Talk(_) => None,
        }
    }
}

/// Which items a schedule may post: catalogue ids of a topic and a conference, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub topic: Option<String>,
    pub conference: Option<String>,
}

/// The eligible items' ids, sorted: insights and quotes (the catalogue's and the server's
/// shared ones) when any fit, otherwise talks. A filter naming an id the catalogue no longer
/// has matches nothing.
pub fn eligible(c: &Catalogue, shared: &[Shared], filter: &Filter) -> Vec<String> {
    let topic = filter.topic.as_deref().map(|t| c.topic_by_id(t));
    let conference = filter.conference.as_deref().map(|w| c.conference_by_id(w));
    if matches!(topic, Some(None)) || matches!(conference, Some(None)) {
        return Vec::new();
    }
    let fits = |t: TalkIx| {
        let talk = &c.talks[t];
        topic.flatten().is_none_or(|tp| talk.topics.contains(&tp))
            && conference.flatten().is_none_or(|w| talk.conference == w)
    };
    let mut ids: Vec<String> = (0..c.insights.len())
        .filter(|&i| fits(c.insights[i].talk))
        .map(|i| Item::Insight(i).id(c, shared))
        .chain(shared.iter().filter(|s| fits(s.insight.talk)).map(|s| s.insight.id.clone()))
        .collect();
    if ids.is_empty() {
        ids = (0..c.talks.len()).filter(|&t| fits(t)).map(|t| Item::Talk(t).id(c, shared)).collect();
    }
    ids.sort();
    ids
}

/// A deck's stored state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeckState {
    pub seed: u64,
    /// Starts at 0; grows by one each time every eligible item has been shown.
    pub cycle: u32,
    /// Ids shown in the current cycle.
    pub shown: HashSet<String>,
    /// The id shown last, so a new cycle does not open with it.
    pub last: Option<String>,
}

/// The next item of a deck.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    pub id: String,
    /// The cycle the item belongs to (one more than the state's when the deck was exhausted).
    pub cycle: u32,
    /// 1-based place in the cycle: "3 of 12".
    pub position: usize,
    pub total: usize,
}

/// The next item, or `None` when nothing is eligible.
pub fn next(state: &DeckState, eligible: &[String]) -> Option<Pick> {
    upcoming(state, eligible, 1).into_iter().next()
}

/// The next `count` items, as the deck will deal them (crossing into new cycles as needed).
pub fn upcoming(state: &DeckState, eligible: &[String], count: usize) -> Vec<Pick> {
    if eligible.is_empty() {
        return Vec::new();
    }
    let total = eligible.len();
    let mut picks = Vec::with_capacity(count);
    let mut cycle = state.cycle;
    let mut last = state.last.clone();
    let mut remaining: Vec<&String> = eligible.iter().filter(|id| !state.shown.contains(*id)).collect();
    let mut position = total - remaining.len();
    while picks.len() < count {
        if remaining.is_empty() {
            cycle += 1;
            position = 0;
            remaining = eligible.iter().collect();
        }
        let mut order = remaining.clone();
        order.sort_by_cached_key(|id| (rank(state.seed, cycle, id), *id));
        // A fresh cycle must not open with the item that closed the last one.
        let chosen = if position == 0 && order.len() > 1 && last.as_deref() == Some(order[0].as_str()) {
            order[1]
        } else {
            order[0]
        };
        position += 1;
        picks.push(Pick { id: chosen.clone(), cycle, position, total });
        remaining.retain(|id| *id != chosen);
        last = Some(chosen.clone());
    }
    picks
}

/// How many items the deck deals before its first repeat, counting the next one.
pub fn left_in_cycle(state: &DeckState, eligible: &[String]) -> usize {
    eligible.iter().filter(|id| !state.shown.contains(*id)).count()
}

/// An item's place in a cycle: FNV-1a over the seed, the cycle and the id, then a final mix.
/// Written out rather than taken from std so the order never changes with the compiler.
fn rank(seed: u64, cycle: u32, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in seed.to_le_bytes().into_iter().chain(cycle.to_le_bytes()).chain(id.bytes()) {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // splitmix64's finaliser spreads FNV's weak low bits.
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("insight:i{i:02}")).collect()
    }

    /// Deals `days` items, applying each pick as the store would.
    fn deal(state: &mut DeckState, eligible: &[String], days: usize) -> Vec<Pick> {
        (0..days)
            .map(|_| {
                let pick = next(state, eligible).unwrap();
                if pick.cycle != state.cycle {
                    state.cycle = pick.cycle;
                    state.shown.clear();
                }
                state.shown.insert(pick.id.clone());
                state.last = Some(pick.id.clone());
                pick
            })
            .collect()
    }

    #[test]
    fn every_item_once_per_cycle_and_no_repeat_across_the_seam() {
        for n in [1, 2, 3, 12, 40] {
            for seed in 0..20 {
                let eligible = ids(n);
                let mut state = DeckState { seed, ..DeckState::default() };
                let picks = deal(&mut state, &eligible, n * 5);
                for cycle in picks.chunks(n) {
                    let mut seen: Vec<&str> = cycle.iter().map(|p| p.id.as_str()).collect();
                    seen.sort();
                    seen.dedup();
                    assert_eq!(seen.len(), n, "n={n} seed={seed}");
                    let positions: Vec<usize> = cycle.iter().map(|p| p.position).collect();
                    assert_eq!(positions, (1..=n).collect::<Vec<_>>());
                }
                if n > 1 {
                    assert!(picks.windows(2).all(|w| w[0].id != w[1].id), "n={n} seed={seed}");
                }
            }
        }
    }

    #[test]
    fn seeds_shuffle_differently() {
        let eligible = ids(12);
        let orders: HashSet<Vec<String>> = (0..10)
            .map(|seed| upcoming(&DeckState { seed, ..DeckState::default() }, &eligible, 12))
            .map(|picks| picks.into_iter().map(|p| p.id).collect())
            .collect();
        assert!(orders.len() >= 9);
    }

    #[test]
    fn reloads_skip_removed_items_and_deal_new_ones_before_repeating() {
        let mut eligible = ids(10);
        let mut state = DeckState { seed: 7, ..DeckState::default() };
        let first = deal(&mut state, &eligible, 4);
        // A reload: two unseen items vanish, three new ones arrive.
        let unseen: Vec<String> = eligible.iter().filter(|id| !state.shown.contains(*id)).cloned().collect();
        eligible.retain(|id| *id != unseen[0] && *id != unseen[1]);
        eligible.extend(["insight:new1", "insight:new2", "insight:new3"].map(String::from));
        eligible.sort();
        let rest = deal(&mut state, &eligible, eligible.len() - 4);
        assert!(rest.iter().all(|p| p.cycle == 0));
        assert!(rest.iter().all(|p| p.id != unseen[0] && p.id != unseen[1]));
        let mut all: Vec<String> = first.iter().chain(&rest).map(|p| p.id.clone()).collect();
        all.sort();
        assert_eq!(all, eligible);
        assert_eq!(rest.last().unwrap().position, eligible.len());
        assert_eq!(next(&state, &eligible).unwrap().cycle, 1);
    }

    #[test]
    fn eligible_prefers_insights_and_falls_back_to_talks() {
        let c = Catalogue::embedded();
        let all = eligible(&c, &[], &Filter::default());
        assert_eq!(all.len(), c.insights.len());
        assert!(all.iter().all(|id| id.starts_with("insight:")));
        let lonely = (0..c.topics.len()).find(|&t| {
            let talks = c.talks_of_topic(t);
            !talks.is_empty() && talks.iter().all(|&tk| c.insights_of_talk(tk).is_empty())
        });
        if let Some(t) = lonely {
            let only = eligible(&c, &[], &Filter { topic: Some(c.topics[t].id.clone()), conference: None });
            assert_eq!(only.len(), c.talks_of_topic(t).len());
            assert!(only.iter().all(|id| id.starts_with("talk:")));
        }
        assert!(eligible(&c, &[], &Filter { topic: Some("no-such-topic".into()), conference: None }).is_empty());
        for id in &all {
            assert_eq!(Item::from_id(&c, &[], id).map(|i| i.id(&c, &[])).as_ref(), Some(id));
        }
    }

    #[test]
    fn shared_insights_are_items_and_follow_the_filter() {
        use crate::community::{served, Status, Suggestion};
        let c = Catalogue::embedded();
        let talk = 0;
        let suggestion = Suggestion {
            id: 5,
            guild_id: 7,
            author_id: 1,
            author_name: "Ada".into(),
            credit: true,
            kind: crate::catalogue::InsightKind::Insight,
            text: "Something worth keeping".into(),
            talk: c.talks[talk].id.clone(),
            speaker: None,
            status: Status::Approved,
            global: false,
            created_at: chrono::Utc::now(),
            decision: None,
            review: None,
        };
        let shared = served(&c, &[suggestion]);
        let all = eligible(&c, &shared, &Filter::default());
        assert_eq!(all.len(), c.insights.len() + 1);
        assert!(all.contains(&"shared:5".to_owned()));
        assert_eq!(Item::from_id(&c, &shared, "shared:5"), Some(Item::Shared(0)));
        assert_eq!(Item::from_id(&c, &[], "shared:5"), None, "gone when no longer approved");
        let elsewhere = (0..c.topics.len()).find(|&t| !c.talks[talk].topics.contains(&t)).unwrap();
        let filtered = eligible(&c, &shared, &Filter { topic: Some(c.topics[elsewhere].id.clone()), conference: None });
        assert!(!filtered.contains(&"shared:5".to_owned()));
    }
}
