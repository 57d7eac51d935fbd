//! Finding things by what people type: name normalisation, fuzzy speaker matching, approximate
//! titles, keyword search and autocomplete. Nothing here knows about Discord or commands.

mod align;
mod distance;
mod keyword;
mod normalise;
mod rank;
mod speaker;
mod titles;
mod vocab;

pub use keyword::{Document, KeywordIndex};
pub use normalise::fold;
pub use rank::{Hits, MAX_RESULTS};
pub use speaker::{Lookup, Match, SpeakerEntry, SpeakerIndex};
pub use titles::TextIndex;
