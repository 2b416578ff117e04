//! The thing asked for in an idea: the words after the cue ("I wish you had ..."), to the end of
//! the clause, reduced to a short normal form so that the same wish said different ways groups.
//!
//! The normal form drops leading request scaffolding ("you could add an option to ..."),
//! articles and trailing politeness, stops at a subordinate clause ("... when the parcel ships"),
//! keeps at most [`MAX_WORDS`] words, and singularises the last word.

use crate::normalize::{ceil_char, floor_char};

/// At most this many words are kept of the thing asked for.
pub const MAX_WORDS: usize = 6;

/// Leading words that frame a request rather than name the thing asked for.
const LEAD: &[&str] = &[
    "you",
    "guys",
    "could",
    "would",
    "can",
    "will",
    "please",
    "just",
    "also",
    "maybe",
    "perhaps",
    "to",
    "be",
    "able",
    "let",
    "me",
    "us",
    "i",
    "we",
    "have",
    "had",
    "has",
    "add",
    "added",
    "adding",
    "offer",
    "offered",
    "offering",
    "get",
    "got",
    "make",
    "made",
    "provide",
    "support",
    "supported",
    "there",
    "there's",
    "was",
    "were",
    "is",
    "are",
    "a",
    "an",
    "the",
    "some",
    "more",
    "option",
    "options",
    "ability",
    "way",
    "feature",
    "for",
    "of",
    "it",
    "any",
    "plans",
    "plan",
    "start",
    "introduce",
    "bring",
    "back",
    "give",
    "allow",
    "allowed",
    "actually",
    "really",
    "like",
    "do",
    "did",
    "use",
    "into",
    "what",
    "about",
    "considered",
    "thought",
    "consider",
    "on",
    "should",
    "an",
    "that",
    "'d",
];

/// Words that open a subordinate clause: the thing asked for ends before them.
const STOP: &[&str] = &[
    "because", "since", "so", "when", "whenever", "but", "although", "though", "while", "if", "as", "then", "thanks",
    "thank", "cause", "cuz", "instead", "which", "that's", "and", "or",
];

/// Prepositions that, after the first two words, start where the thing goes rather than what it
/// is ("dark mode in the app", "alerts on my phone").
const PLACE: &[&str] = &["in", "on", "to", "from", "at", "within", "inside", "for", "via"];

/// Trailing words that carry no content.
const TRAIL: &[&str] = &[
    "please", "too", "again", "already", "though", "anymore", "ever", "me", "for", "to", "the", "a", "an", "of",
    "with", "in", "on", "my", "it", "there", "here",
];

/// Words that say how or where a thing is wanted rather than what it is: left out of the
/// grouping key, so "pay with PayPal", "PayPal at checkout" and "PayPal" are one idea.
const GENERIC: &[&str] = &[
    "a",
    "an",
    "the",
    "my",
    "your",
    "our",
    "me",
    "us",
    "app",
    "application",
    "website",
    "site",
    "online",
    "web",
    "page",
    "use",
    "using",
    "download",
    "downloadable",
    "pay",
    "paying",
    "payment",
    "with",
    "at",
    "checkout",
    "option",
    "feature",
    "ability",
    "able",
    "in",
    "on",
    "to",
    "for",
    "of",
    "and",
    "be",
    "get",
    "have",
    "more",
    "via",
    "by",
    "from",
    "through",
    "into",
    "new",
    "better",
    "easier",
    "easy",
    "way",
    "some",
    "any",
    "also",
];

/// The key ideas are grouped by: the content words of `asked_for`, singular, sorted and joined.
/// Falls back to the text itself when every word is generic.
pub fn group_key(asked_for: &str) -> String {
    let mut words: Vec<String> = asked_for.split_whitespace().filter(|w| !GENERIC.contains(w)).map(singular).collect();
    words.sort_unstable();
    words.dedup();
    if words.is_empty() {
        asked_for.to_string()
    } else {
        words.join(" ")
    }
}

/// Extracts and normalises the thing asked for from `text[cue_end..]`.
pub fn asked_for(text: &str, cue_end: usize) -> String {
    let rest = window_after(&text[cue_end.min(text.len())..]);
    let clause_end = clause_end(rest);
    let words: Vec<String> = rest[..clause_end]
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'').to_lowercase().replace('\u{2019}', "'"))
        .filter(|w| !w.is_empty())
        .collect();
    let mut words: Vec<&str> = words.iter().map(String::as_str).collect();
    if let Some(stop) = words.iter().position(|w| STOP.contains(w)) {
        words.truncate(stop);
    }
    let lead = words.iter().take_while(|w| LEAD.contains(w)).count();
    let mut words: Vec<&str> = words[lead..].to_vec();
    if let Some(at) = words.iter().skip(2).position(|w| PLACE.contains(w)) {
        words.truncate(at + 2);
    }
    words.truncate(MAX_WORDS);
    while words.last().is_some_and(|w| TRAIL.contains(w)) {
        words.pop();
    }
    let mut out: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    if let Some(last) = out.last_mut() {
        *last = singular(last);
    }
    out.join(" ")
}

/// The thing asked for by an idea cue at `start..end` of `text`: what follows the cue, or, for a
/// cue that comes after the thing ("a popout player would be nice") and has nothing after it,
/// the clause before the cue.
pub fn asked_for_around(text: &str, start: usize, end: usize) -> String {
    let after = asked_for(text, end);
    if !after.is_empty() {
        return after;
    }
    match clause_before_cue(text, start, end) {
        Some(from) => asked_for(&text[from..start], 0),
        None => after,
    }
}

/// For an idea cue at `start..end` of `text` that may come after the thing asked for ("a popout
/// player would be nice"), where the clause before it, which names the thing, starts: after the
/// punctuation before the cue, and after words that open a clause without naming anything.
/// `None` for a cue that comes before the thing ("please add").
pub fn clause_before_cue(text: &str, start: usize, end: usize) -> Option<usize> {
    let cue = text.get(start..end).unwrap_or_default().trim_start().to_ascii_lowercase().replace('\u{2019}', "'");
    let comes_after = ["would ", "could be", "should be", "'d be", "it'd be"].iter().any(|p| cue.starts_with(p));
    if !comes_after {
        return None;
    }
    let before = window_before(text.get(..start).unwrap_or_default());
    let from = before.rfind(['.', '!', '?', ';', ',', ':', '\n', '(', ')']).map_or(0, |i| i + 1);
    let clause = &before[from..];
    // Words that open the clause without naming anything ("Finally, ...", "Honestly something like").
    const OPENERS: &[&str] = &["finally", "honestly", "and", "but", "so", "also", "something", "like", "just"];
    let mut rest = clause.trim_start();
    while let Some(word) = rest.split_whitespace().next() {
        if !OPENERS.contains(&word.to_ascii_lowercase().as_str()) {
            break;
        }
        rest = rest[word.len()..].trim_start();
    }
    Some(start - rest.len())
}

/// Bytes of text read after or before an idea cue for the thing asked for, which is a few words
/// long: a transcript without punctuation is one clause, and reading all of it for each cue made
/// a long call cost the square of its length.
const CLAUSE_REACH: usize = 1024;

/// The start of `text`, at most [`CLAUSE_REACH`] bytes of it, cut after a whole word.
fn window_after(text: &str) -> &str {
    if text.len() <= CLAUSE_REACH {
        return text;
    }
    let cut = &text[..floor_char(text, CLAUSE_REACH)];
    cut.rfind(char::is_whitespace).map_or(cut, |space| &cut[..space])
}

/// The end of `text`, at most [`CLAUSE_REACH`] bytes of it, from the start of a whole word.
fn window_before(text: &str) -> &str {
    if text.len() <= CLAUSE_REACH {
        return text;
    }
    let cut = &text[ceil_char(text, text.len() - CLAUSE_REACH)..];
    cut.find(char::is_whitespace).map_or(cut, |space| &cut[space..])
}

/// Where the clause that starts `text` ends. `.`, `,` and `:` end it only before a space or the end, so
/// an email address, a web address or a number such as `1,000.50` stays whole (and can be redacted whole).
fn clause_end(text: &str) -> usize {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'!' | b'?' | b';' | b'\n' | b'(' | b')' => return i,
            b'.' | b',' | b':' if bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()) => return i,
            _ => {}
        }
    }
    text.len()
}

/// A light singular: `alerts` -> `alert`, `options` -> `option`, leaving `glass`, `status`, `sms`.
fn singular(word: &str) -> String {
    let keep =
        word.len() <= 3 || word.ends_with("ss") || word.ends_with("us") || word.ends_with("is") || word.ends_with('\'');
    match word.strip_suffix('s') {
        Some(stem) if !keep => stem.strip_suffix("ie").map_or(stem.to_string(), |s| format!("{s}y")),
        _ => word.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(text: &str, cue: &str) -> String {
        let end = text.to_lowercase().find(cue).expect("cue in text") + cue.len();
        asked_for(text, end)
    }

    #[test]
    fn a_cue_after_the_thing_takes_the_clause_before_it() {
        let around = |text: &str, cue: &str| {
            let start = text.find(cue).unwrap();
            asked_for_around(text, start, start + cue.len())
        };
        assert_eq!(around("Finally a popout player would be nice.", "would be nice"), "popout player");
        assert_eq!(around("Thanks. Something like offline maps would be great!", "would be great"), "offline map");
        assert_eq!(around("Anyway, dark mode would be really nice", "would be really nice"), "dark mode");
        // What follows the cue comes first, and a cue that leads never looks back.
        assert_eq!(around("It would be nice if you had dark mode", "would be nice if"), "dark mode");
        assert_eq!(around("The app is great and I wish you had", "I wish you had"), "");
    }

    #[test]
    fn a_run_on_clause_is_read_near_the_cue() {
        // Speech recognition without punctuation: the clause goes on for thousands of words.
        let filler: Vec<String> = (0..3000).map(|i| format!("w{i}")).collect();
        let filler = filler.join(" ");
        let text = format!("i wish you had dark mode {filler}");
        assert_eq!(after(&text, "i wish you had"), after("i wish you had dark mode w0 w1 w2 w3", "i wish you had"));
        let text = format!("{filler} a popout player would be nice");
        let start = text.find("would be nice").unwrap();
        let form = asked_for_around(&text, start, start + "would be nice".len());
        // Words from within reach of the cue, whole ones: not the start of the text.
        let first = form.split(' ').next().unwrap();
        assert!(first.starts_with('w') && first[1..].parse::<usize>().unwrap() > 2800, "{form}");
        assert!(text.contains(&format!(" {form} ")), "{form}");
        // Multi-byte text is cut on character boundaries.
        let text = format!("i wish you had {}", "é".repeat(2000));
        assert_eq!(after(&text, "i wish you had"), "");
        let text = format!("{} ü would be nice", "ü".repeat(2000));
        let start = text.find("would be nice").unwrap();
        let _ = asked_for_around(&text, start, start + "would be nice".len());
    }

    #[test]
    fn the_same_wish_said_differently_groups() {
        assert_eq!(after("I wish you had a dark mode.", "i wish you had"), "dark mode");
        assert_eq!(
            after("It would be great if you could add a dark mode to the app", "would be great if"),
            "dark mode"
        );
        assert_eq!(after("you should add dark mode please", "you should add"), "dark mode");
    }

    #[test]
    fn forms_of_one_wish_share_a_key() {
        assert_eq!(group_key("pay with paypal"), "paypal");
        assert_eq!(group_key("paypal at checkout"), "paypal");
        assert_eq!(group_key("download pdf invoice"), group_key("pdf invoices"));
        assert_eq!(group_key("app in dark mode"), group_key("dark mode"));
        assert_ne!(group_key("apple pay"), group_key("paypal"));
        assert_eq!(group_key("the app"), "the app");
    }

    #[test]
    fn stops_at_the_clause_and_singularises() {
        assert_eq!(after("is there a way to get text alerts when the package ships?", "a way to"), "text alert");
        assert_eq!(after("do you have plans to offer family plans, because", "plans to"), "family plan");
        assert_eq!(after("why can't I pay with PayPal", "why can't i"), "pay with paypal");
        assert_eq!(after("it would be great if I could talk to a person", "great if"), "talk to a person");
        assert_eq!(after("I wish you had", "i wish you had"), "");
    }

    #[test]
    fn an_address_or_a_number_is_not_cut_at_its_dots() {
        assert_eq!(after("I wish I could email jane.doe@example.com.", "i wish i could"), "email jane.doe@example.com");
        assert_eq!(
            after("I wish refunds over 1,000.50 were faster, really", "i wish"),
            "refunds over 1,000.50 were faster"
        );
        assert_eq!(after("I wish you had dark mode. Anyway, thanks", "i wish you had"), "dark mode");
    }
}
