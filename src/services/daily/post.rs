//! The daily post itself: the card of an insight (or of a talk when the schedule has no
//! insights), headed "Daily highlight" and footed with the place in the deck.

use crate::catalogue::Catalogue;
use crate::commands::{insight, talk};
use crate::community::Shared;
use crate::daily::deck::Item;
use crate::reply::Reply;

/// The footer's first words; also how a posted message is recognised when reconciling.
pub const HEADING: &str = "Daily highlight";

/// The post for `item` (found among `c` and the server's `shared` insights), the
/// `position`-th of `total` in its deck cycle.
pub fn render(c: &Catalogue, shared: &[Shared], item: Item, position: usize, total: usize) -> Reply {
    let mut reply = match item {
        Item::Insight(i) => insight::card(c, i, Some(HEADING)),
        Item::Shared(k) => insight::shared_card(c, &shared[k], Some(HEADING)),
        Item::Talk(t) => {
            let mut reply = talk::card(c, t);
            if let Some(embed) = reply.embeds.first_mut() {
                embed.title = Some(format!("🎤 {HEADING}: {}", c.talks[t].title));
            }
            reply
        }
    };
    if let Some(embed) = reply.embeds.first_mut() {
        embed.footer = Some(footer(position, total));
    }
    reply.ephemeral = false;
    reply
}

/// "Daily highlight · 3 of 12".
pub fn footer(position: usize, total: usize) -> String {
    format!("{HEADING} · {position} of {total}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::{render as to_message, violations, Button};

    #[test]
    fn insight_and_talk_posts_carry_the_deck_position() {
        let c = Catalogue::embedded();
        let items = [Item::Insight(0), Item::Talk(0)];
        for item in items {
            let reply = render(&c, &[], item, 3, 12);
            assert!(!reply.ephemeral);
            let embed = &reply.embeds[0];
            assert_eq!(embed.footer.as_deref(), Some("Daily highlight · 3 of 12"));
            assert!(embed.title.as_deref().unwrap().contains(HEADING));
            assert!(violations(&to_message(&reply)).is_empty());
        }
        let insight = render(&c, &[], Item::Insight(0), 1, 4);
        let talk = &c.talks[c.insights[0].talk];
        assert!(insight.embeds[0].fields.iter().any(|f| f.value == talk.title));
        assert!(insight.buttons.iter().any(|b| matches!(b, Button::Action { label, .. } if label == "Talk details")));
    }
}
