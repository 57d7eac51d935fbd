//! Links from exports: recordings become public video links labelled by where they are
//! hosted, slides and code are recognised, and addresses a catalogue would reject are left out.

use super::text;
use crate::catalogue::schema::{unspanned, Availability, LinkDoc, LinkKind};
use crate::catalogue::MAX_URL_LEN;

/// A full address for what exports write: relative paths ("/system/…") joined to the
/// schedule's `base`, bare host names ("www.example.org/x") given https. `None` when neither
/// makes an http(s) address.
///
/// An address holding control or bidi characters ([`text::is_hostile`]) is written as the
/// URL parser normalises it, those characters percent-encoded (or refused in a host name),
/// so it displays as what it points to.
pub fn absolute(url: &str, base: Option<&str>) -> Option<String> {
    // What the catalogue accepts: a whole http(s) address, short enough for Discord.
    resolve(url, base).filter(|u| {
        let lower = u.to_ascii_lowercase();
        (lower.starts_with("http://") || lower.starts_with("https://")) && u.chars().count() <= MAX_URL_LEN
    })
}

fn resolve(url: &str, base: Option<&str>) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        // Joined to the base, nothing would be the schedule's own address.
        return None;
    }
    let parsed = match url::Url::parse(url) {
        // Written as the export gave it when it is already complete.
        // Written as the export gave it when it is already complete (`https:x.org` is not).
        Ok(u) if !url.chars().any(text::is_hostile) && url.contains("://") => {
            return (matches!(u.scheme(), "http" | "https") && u.host().is_some()).then(|| url.to_owned())
        }
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            let host = url.split('/').next().unwrap_or_default();
            if url.contains(char::is_whitespace) {
                // Words, not an address ("Sporangium v1.0 bei der Bits&Bäume 2018").
                return None;
            } else if !url.starts_with('/') && host.contains('.') {
                url::Url::parse(&format!("https://{url}")).ok()?
            } else {
                url::Url::parse(base?).ok()?.join(url).ok()?
            }
        }
        Err(_) => return None,
    };
    (matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some()).then(|| parsed.to_string())
}

/// A public link, or `None` when `url` is not a full http(s) address (the report says so).
pub fn link(kind: LinkKind, label: Option<String>, url: &str) -> Option<LinkDoc> {
    let url = absolute(url, None)?;
    Some(LinkDoc {
        kind,
        label: label.map(|l| text::line(&l)).filter(|l| !l.is_empty()),
        availability: Availability::Public,
        url: Some(unspanned(url)),
    })
}

/// A recording, labelled by its host ("YouTube", "Vimeo"…) or, for a bare file, its format.
/// `kind_hint` is what the export calls it (pyvideo's `type`), used when the host says nothing.
pub fn video(url: &str, kind_hint: Option<&str>) -> Option<LinkDoc> {
    link(LinkKind::Video, Some(video_label(url, kind_hint)), url)
}

fn video_label(url: &str, kind_hint: Option<&str>) -> String {
    let host = url::Url::parse(url.trim()).ok().and_then(|u| u.host_str().map(str::to_lowercase)).unwrap_or_default();
    let known = [
        ("youtube.com", "YouTube"),
        ("youtu.be", "YouTube"),
        ("vimeo.com", "Vimeo"),
        ("archive.org", "Internet Archive"),
        ("media.ccc.de", "media.ccc.de"),
        ("video.fosdem.org", "FOSDEM video"),
    ];
    if let Some((_, label)) = known.iter().find(|(h, _)| host == *h || host.ends_with(&format!(".{h}"))) {
        return (*label).to_owned();
    }
    let extension = url.rsplit('/').next().and_then(|file| file.rsplit_once('.')).map(|(_, e)| e.to_uppercase());
    match (kind_hint.map(str::trim).filter(|k| !k.is_empty()), extension) {
        (Some("peertube"), _) => "PeerTube".to_owned(),
        (_, Some(ext)) if ["MP4", "WEBM", "OGV", "MKV", "FLV", "MOV", "AVI"].contains(&ext.as_str()) => ext,
        (Some(hint), _) => hint.to_owned(),
        (None, _) if !host.is_empty() => host.trim_start_matches("www.").to_owned(),
        _ => "Recording".to_owned(),
    }
}

/// True for an address that stops working: one signed for a limited time, with signature or
/// expiry query parameters (`Signature`, `Expires`, `X-Amz-…`, `X-Goog-…`, Azure's `sig`
/// and `se`), as archive.org's S3 addresses in pyvideo. A Wayback Machine snapshot of such an
/// address is durable.
pub fn expires(url: &str) -> bool {
    if !url.contains('?') {
        return false;
    }
    let Ok(parsed) = url::Url::parse(url) else { return false };
    if parsed.host_str().is_some_and(|h| h.eq_ignore_ascii_case("web.archive.org")) {
        return false;
    }
    parsed.query_pairs().any(|(key, _)| {
        let key = key.to_ascii_lowercase();
        matches!(key.as_str(), "signature" | "expires" | "sig" | "se")
            || key.starts_with("x-amz-")
            || key.starts_with("x-goog-")
    })
}

/// A link written in a talk's description, kept as a link of the talk when it points at the
/// talk's own material: slides or a recording (by its text or address), or code its text
/// calls code, a repository, notes or materials. Other links (a library's home page, a PEP)
/// only keep their text.
pub fn from_summary(label: &str, url: &str) -> Option<LinkDoc> {
    let link = titled(Some(label), url)?;
    let lower = label.to_lowercase();
    let own = ["code", "repo", "source", "notes", "material", "example", "demo", "this talk", "notebook"];
    match link.kind {
        LinkKind::Slides | LinkKind::Video => Some(link),
        LinkKind::Code if own.iter().any(|w| lower.contains(w)) => Some(link),
        _ => None,
    }
}

/// A link with a title as schedules give them: recordings, slides and code recognised from
/// the title and address; feedback forms and the like left out (`None`).
pub fn titled(title: Option<&str>, url: &str) -> Option<LinkDoc> {
    let title = title.map(str::trim).unwrap_or_default();
    let lower = format!("{} {}", title.to_lowercase(), url.to_lowercase());
    if lower.contains("feedback") {
        return None;
    }
    // The path decides, not the query: frab's attachments end in `.pdf?1577458803`.
    let path = url.split(['?', '#']).next().unwrap_or(url).to_lowercase();
    let is_file = |exts: &[&str]| exts.iter().any(|e| path.ends_with(e));
    let kind = if lower.contains("video") || lower.contains("recording") || is_file(&[".mp4", ".webm", ".ogv", ".mkv"])
    {
        return video(url, None).map(|mut l| {
            let title = text::line(title);
            if !title.is_empty() {
                l.label = Some(title);
            }
            l
        });
    } else if lower.contains("slide") || is_file(&[".pdf", ".ppt", ".pptx", ".odp", ".key"]) {
        LinkKind::Slides
    } else if lower.contains("github.com") || lower.contains("gitlab") || lower.contains("codeberg") {
        LinkKind::Code
    } else {
        LinkKind::Reference
    };
    link(kind, Some(title.to_owned()), url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(l: Option<LinkDoc>) -> (LinkKind, String) {
        let l = l.expect("a link");
        (l.kind, l.label.unwrap_or_default())
    }

    #[test]
    fn recordings_are_labelled_by_host_or_format() {
        assert_eq!(label(video("https://www.youtube.com/watch?v=x", Some("youtube"))).1, "YouTube");
        assert_eq!(label(video("https://archive.org/details/x", Some("archive.org"))).1, "Internet Archive");
        assert_eq!(label(video("http://example.org/talk.mp4", Some("mp4"))).1, "MP4");
        assert_eq!(label(video("https://tube.example/w/abc", Some("peertube"))).1, "PeerTube");
        assert!(video("not a url", Some("youtube")).is_none());
        assert!(video("ftp://example.org/x.mp4", None).is_none());
        // What the catalogue would refuse is left out here, so an import always loads.
        assert_eq!(absolute("https:example.com/x", None).as_deref(), Some("https://example.com/x"));
        assert!(absolute(&format!("https://example.org/{}", "a".repeat(600)), None).is_none());
    }

    #[test]
    fn signed_addresses_expire_and_snapshots_do_not() {
        let signed = "http://s3.us.archive.org/nextdayvideo/chipy/chipy_jan_2013/Genie.mp4?Signature=Aukp%3D&Expires=1357945280&AWSAccessKeyId=FEWG";
        assert!(expires(signed));
        assert!(expires("https://b.s3.amazonaws.com/x.mp4?X-Amz-Expires=3600&X-Amz-Signature=ab"));
        assert!(!expires("https://www.youtube.com/watch?v=dFyD8--zs84"));
        assert!(!expires("https://archive.org/details/may_2023-Ellipses_and_Arcane_Syntax"));
        assert!(!expires("https://web.archive.org/web/2018/https://x.s3.amazonaws.com/a.pdf?Signature=g&Expires=1"));
    }

    #[test]
    fn description_links_are_kept_only_for_the_talks_own_material() {
        let kept = |label: &str, url: &str| from_summary(label, url).map(|l| l.kind);
        assert_eq!(
            kept("Detailed notes to accompany this talk", "https://github.com/simonw/pygotham-packaging"),
            Some(LinkKind::Code)
        );
        assert_eq!(kept("slides", "https://speakerdeck.com/x/y"), Some(LinkKind::Slides));
        assert_eq!(kept("here", "https://example.org/talk.pdf"), Some(LinkKind::Slides));
        assert_eq!(kept("Gooey", "https://github.com/chriskiehl/Gooey"), None);
        assert_eq!(kept("PEP 484", "https://peps.python.org/pep-0484/"), None);
        assert_eq!(kept("relative", "/docs/x"), None);
    }

    #[test]
    fn titled_links_are_classified() {
        assert_eq!(
            label(titled(Some("Video recording (mp4)"), "https://video.fosdem.org/2021/x.mp4")),
            (LinkKind::Video, "Video recording (mp4)".into())
        );
        assert_eq!(label(titled(Some("Slides"), "https://example.org/s")).0, LinkKind::Slides);
        assert_eq!(label(titled(Some("CCC"), "https://x.org/system/a/CCC.pdf?1577458803")).0, LinkKind::Slides);
        assert_eq!(label(titled(None, "https://github.com/a/b")).0, LinkKind::Code);
        assert!(titled(Some("Submit feedback"), "https://submission.fosdem.org/feedback/1.php").is_none());
        let url = |l: Option<LinkDoc>| l.and_then(|l| l.url).map(toml::Spanned::into_inner);
        assert_eq!(url(titled(None, "www.mr-beam.org")).as_deref(), Some("https://www.mr-beam.org/"));
    }

    #[test]
    fn relative_addresses_are_joined_to_the_schedule() {
        let base = Some("https://fahrplan.events.ccc.de/camp/2019/Fahrplan/");
        assert_eq!(absolute("/system/a.pdf", base).as_deref(), Some("https://fahrplan.events.ccc.de/system/a.pdf"));
        assert_eq!(absolute("/system/a.pdf", None), None);
        assert_eq!(absolute("", base), None, "nothing is not the schedule's own address");
        assert_eq!(absolute("javascript:alert(1)", base), None);
        assert_eq!(absolute("https://x.org/a", base).as_deref(), Some("https://x.org/a"));
        assert_eq!(absolute("Hack_Curio, Decoding the Cultures of Hacking", base), None, "words, not a path");
    }

    #[test]
    fn control_and_bidi_characters_never_reach_an_address_or_label() {
        assert_eq!(absolute("https://x.org/a\u{7}b\u{202E}c", None).as_deref(), Some("https://x.org/a%07b%E2%80%AEc"));
        assert_eq!(absolute("\u{1b}https://x.org/a\u{0}", None).as_deref(), Some("https://x.org/a"));
        assert_eq!(absolute("https://ex\u{0}ample.org/", None), None);
        assert_eq!(absolute("/a\u{9b}b", Some("https://x.org/")).as_deref(), Some("https://x.org/a%C2%9Bb"));
        let l = titled(Some("Slides\u{1b}[2J \u{2067}x"), "https://x.org/s.pdf").unwrap();
        assert_eq!(l.label.as_deref(), Some("Slides[2J x"));
        let v = titled(Some("Video\u{0}"), "https://x.org/v.mp4").unwrap();
        assert_eq!(v.label.as_deref(), Some("Video"));
    }
}
