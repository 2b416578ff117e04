//! A seeded generator of made-up contact-center data, so earful can be tried, demonstrated and
//! tested without anyone's real transcripts.
//!
//! [`write_sample`] writes `calls` records in the three input formats earful reads:
//!
//! * `calls.jsonl`: `calls - 40` calls, one JSON object per line, with `call_id`, `started_at`
//!   (spread over 2026-11-22 from 08:00 to 20:00 UTC, in call order), six metadata fields
//!   (`region`, `plan`, `channel`, `customer_id`, `lifetime_value`, `orders_12m`) and timed
//!   `turns`. About 30% of calls come from a customer id seen earlier in the file; about 15% are
//!   prospects (`orders_12m` and `lifetime_value` both 0). Most calls label speakers
//!   `agent`/`customer`, some `rep`/`caller` and some `Agent`/`Customer`.
//! * `survey.csv`: 30 post-call survey answers, columns `call_id,text,region,plan,score`. There is
//!   no speaker column: every row is the customer's own words.
//! * `transcripts/<call_id>.txt`: 10 plain-text calls, one `Agent: ...` or `Customer: ...` line
//!   per turn.
//!
//! **The sample contains exactly 3 damaged records, on purpose**, so that a first run shows the
//! reject path working. They are the lines of `calls.jsonl` a quarter, half and three quarters of
//! the way down: a truncated JSON object, an object without `turns`, and an object whose `turns`
//! is a string. A run over the whole sample processes `calls - 3` records and rejects 3.
//!
//! # What is in the calls
//!
//! A call has 4 to 12 turns: a greeting, the customer's reason, the agent's answer, perhaps a
//! question about account details, further complaints or a suggestion, and a closing. Customer
//! lines come from eleven complaint themes (billing, refund, delivery, outage, app_bug,
//! wait_time, repeat_contact, staff, cancellation, price, account_access), each phrased many ways
//! with slots for amounts, order numbers, days, products and names, and from ten recurring
//! product ideas ("I wish you had a dark mode", "is there a way to pay with PayPal", ...) in
//! about 15% of calls. About 5% of calls hold neither a complaint nor an idea.
//!
//! The theme weights are skewed by segment so that the report has differences to find, each
//! roughly two to three times the base rate: outage in region `west`, delivery in region
//! `south`, app_bug on channel `chat`, price on plan `basic`; prospects make more suggestions and
//! price complaints and almost no billing, refund or delivery ones; high `lifetime_value`
//! customers complain more about staff and repeat contacts; cancellation threats mostly follow a
//! price or repeat_contact complaint, and calls with repeat_contact, staff or cancellation more
//! often end badly.
//!
//! Hard cases are planted too: customers negating a complaint ("the app is not crashing anymore,
//! thanks"), agents using complaint words the customer never said ("I apologise for the long
//! wait"), calls that start angry and end happy, customer text that looks like a spreadsheet
//! formula (`=HYPERLINK(...)`, `+1 555 0100 ...`, `-- not happy`), and personal data to redact
//! (addresses at example.com, 555-01xx phone numbers, the test card 4111 1111 1111 1111).
//!
//! # Longer calls
//!
//! [`SampleOptions::length`] 1 gives the calls above, about 1 KB of JSON each (the bundled
//! sample). Each step above 1 adds 2 to 5 exchanges in the middle of every call, about 1 KB: the
//! agent's follow-up questions on the customer's complaint and the customer's answers, the
//! complaint said again in other words, agent explanations, account checks, holds, why the
//! customer wants their idea, asides. Length 3 averages about 3 KB per call, which is what the
//! benchmark (`scripts/bench.sh`) uses. The added turns only return to the call's own
//! complaints and idea, and come from a generator of their own: a call at length 3 has the same
//! id, time, metadata, story and original turns as at length 1, so the segment effects are the
//! same at every length, with more mentions per call. The JSONL file is written as it is
//! generated, so a corpus of any size needs little memory.
//!
//! # Determinism
//!
//! The random numbers come from a SplitMix64 generator defined in this module, not from a crate,
//! so a dependency upgrade can never change the sample. Floating point is limited to `+`, `*`,
//! `/` and comparisons (no `ln` or `exp`, whose last bit may differ between platforms), numbers
//! are printed from integers (cents, tenths of a second), JSON objects are written with their
//! keys in a fixed order (serde_json only escapes the strings), and no hash map is iterated. The
//! same options therefore give byte-identical files on every platform. Files already in the output folder that a run does not write (say,
//! transcripts from an earlier run with a different `calls`) are left where they are.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Options for the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleOptions {
    /// Total records across all three files (at least 50): `calls - 40` JSONL calls, 30 survey
    /// rows and 10 text transcripts.
    pub calls: usize,
    /// Seed for the generator; the same seed and `calls` give byte-identical files.
    pub seed: u64,
    /// How long calls are (at least 1): 1 is the bundled sample (about 1 KB of JSON per call);
    /// each step above adds about 1 KB of conversation (about 3 KB at 3) for benchmarks. Length 1
    /// writes the same bytes as before lengths existed.
    pub length: u32,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleSummary {
    /// Records written across all files, damaged ones included (equals [`SampleOptions::calls`]).
    pub calls: usize,
    /// Every file written, in the order written: `calls.jsonl`, `survey.csv`, then transcripts.
    pub files: Vec<PathBuf>,
    /// Total bytes written.
    pub bytes: u64,
}

/// Writes the sample corpus into `out_dir` (created if missing). Same options -> byte-identical files.
///
/// Fails with [`io::ErrorKind::InvalidInput`] when `opts.calls` is below 50 (40 records go to the
/// survey and text files, and the JSONL file needs room for its 3 damaged lines) or `opts.length`
/// is 0, or with the underlying error when a folder or file cannot be written.
pub fn write_sample(opts: &SampleOptions, out_dir: &Path) -> io::Result<SampleSummary> {
    if opts.calls < MIN_CALLS {
        let msg = format!("the sample needs at least {MIN_CALLS} calls, got {}", opts.calls);
        return Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
    }
    if opts.length == 0 {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "the call length must be at least 1"));
    }
    let jsonl_calls = opts.calls - SURVEY_ROWS - TEXT_CALLS;
    let text_dir = out_dir.join("transcripts");
    fs::create_dir_all(&text_dir)?;
    let mut summary = SampleSummary { calls: opts.calls, files: Vec::new(), bytes: 0 };
    // The JSONL file is streamed: a benchmark corpus can be far larger than memory.
    let jsonl_path = out_dir.join("calls.jsonl");
    let mut jsonl = io::BufWriter::with_capacity(1 << 20, fs::File::create(&jsonl_path)?);
    summary.bytes += calls_jsonl(opts.seed, jsonl_calls, opts.length, &mut jsonl)?;
    jsonl.flush()?;
    summary.files.push(jsonl_path);
    let mut outputs = vec![(out_dir.join("survey.csv"), survey_csv(opts.seed, jsonl_calls + 1))];
    for (id, text) in text_calls(opts.seed, jsonl_calls + SURVEY_ROWS + 1, opts.length) {
        outputs.push((text_dir.join(format!("{id}.txt")), text));
    }
    for (path, text) in outputs {
        fs::write(&path, &text)?;
        summary.bytes += text.len() as u64;
        summary.files.push(path);
    }
    Ok(summary)
}

const MIN_CALLS: usize = 50;
const SURVEY_ROWS: usize = 30;
const TEXT_CALLS: usize = 10;
const MAX_TURNS: usize = 12;

// ---------------------------------------------------------------------------------------------
// Random numbers

/// SplitMix64 (Steele, Lea and Flood, 2014): small, fast, and frozen here for good.
struct Rng(u64);

impl Rng {
    /// A generator for one output file: `stream` keeps the files independent of each other.
    fn new(seed: u64, stream: u64) -> Rng {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next_u64();
        rng
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-and-shift.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below((hi - lo + 1) as usize) as u64
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// An index drawn with probability proportional to `weights` (not all zero).
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut r = self.range(0, total - 1);
        for (i, &w) in weights.iter().enumerate() {
            if r < w {
                return i;
            }
            r -= w;
        }
        unreachable!("r < total")
    }
}

// ---------------------------------------------------------------------------------------------
// Customers and segments

const REGIONS: [&str; 4] = ["north", "south", "east", "west"];
const SOUTH: usize = 1;
const WEST: usize = 3;
const PLANS: [&str; 3] = ["basic", "plus", "premium"];
const PLAN_WEIGHTS: [u64; 3] = [45, 35, 20];
const BASIC: usize = 0;
const PREMIUM: usize = 2;
const PROSPECT_SHARE: f64 = 0.15;
const REPEAT_SHARE: f64 = 0.30;
const CHAT_SHARE: f64 = 0.35;
/// Lifetime value (cents) from which a customer counts as a heavy buyer (~14% of buyers).
const HEAVY_CENTS: u64 = 1_000_000;
/// Lifetime value (cents) from which a customer counts as a good one (~30% of buyers).
const GOOD_CENTS: u64 = 300_000;

#[derive(Clone)]
struct Customer {
    id: String,
    region: usize,
    plan: usize,
    ltv_cents: u64,
    orders: u64,
}

impl Customer {
    fn prospect(&self) -> bool {
        self.orders == 0
    }
}

/// Everyone who has called so far, so later calls can come from the same customer.
#[derive(Default)]
struct Customers {
    used_ids: BTreeSet<u64>,
    seen: Vec<Customer>,
}

impl Customers {
    /// The caller of the next call, and whether they called before.
    fn next(&mut self, rng: &mut Rng) -> (Customer, bool) {
        if !self.seen.is_empty() && rng.chance(REPEAT_SHARE) {
            return (self.seen[rng.below(self.seen.len())].clone(), true);
        }
        // Six-digit ids until most are taken (over a million calls), then seven digits, so a
        // huge corpus never loops looking for a free id.
        let (lo, hi) = if self.used_ids.len() < 800_000 { (100_000, 999_999) } else { (1_000_000, 9_999_999) };
        let number = loop {
            let n = rng.range(lo, hi);
            if self.used_ids.insert(n) {
                break n;
            }
        };
        let region = rng.below(REGIONS.len());
        let plan = rng.weighted(&PLAN_WEIGHTS);
        let (ltv_cents, orders) = if rng.chance(PROSPECT_SHARE) {
            (0, 0)
        } else {
            // u^6 puts the median near $400 and a long tail up to $25,000.
            let u = rng.unit();
            let cube = u * u * u;
            let cents = 2_000 + (cube * cube * 2_500_000.0) as u64;
            (cents, 1 + cents / 40_000 + rng.range(0, 3))
        };
        let customer = Customer { id: format!("C-{number}"), region, plan, ltv_cents, orders };
        self.seen.push(customer.clone());
        (customer, false)
    }
}

// ---------------------------------------------------------------------------------------------
// What a call is about

const BILLING: usize = 0;
const REFUND: usize = 1;
const DELIVERY: usize = 2;
const OUTAGE: usize = 3;
const APP_BUG: usize = 4;
const WAIT_TIME: usize = 5;
const REPEAT_CONTACT: usize = 6;
const STAFF: usize = 7;
const CANCELLATION: usize = 8;
const PRICE: usize = 9;
const ACCOUNT_ACCESS: usize = 10;

/// Relative frequency of each theme (index order above) for an average customer.
const BASE_WEIGHTS: [u64; 11] = [12, 8, 9, 7, 8, 8, 6, 4, 3, 5, 8];

/// The plan of one conversation, drawn before any words are.
struct Story {
    /// Complaint themes in the order raised (empty for a plain question or idea-only call).
    themes: Vec<usize>,
    idea: Option<usize>,
    /// Index into [`PLAIN`] when there is no complaint and no idea.
    question: usize,
    /// A theme the customer mentions only to deny it.
    negation: Option<usize>,
    angry_start: bool,
    bad_end: bool,
}

/// Theme weights for one customer: the segment effects the report should rediscover.
fn theme_weights(c: &Customer, chat: bool, repeat: bool) -> [u64; 11] {
    let mut w = BASE_WEIGHTS.map(|x| x * 10);
    let mut scale = |theme: usize, tenths: u64| w[theme] = w[theme] * tenths / 10;
    if c.region == WEST {
        scale(OUTAGE, 30);
    }
    if c.region == SOUTH {
        scale(DELIVERY, 25);
    }
    if chat {
        scale(APP_BUG, 25);
    }
    match c.plan {
        BASIC => scale(PRICE, 25),
        PREMIUM => scale(PRICE, 6),
        _ => {}
    }
    if c.prospect() {
        for (theme, tenths) in [(BILLING, 1), (REFUND, 1), (DELIVERY, 1), (OUTAGE, 3), (STAFF, 3)] {
            scale(theme, tenths);
        }
        for (theme, tenths) in [(REPEAT_CONTACT, 3), (CANCELLATION, 2), (ACCOUNT_ACCESS, 3)] {
            scale(theme, tenths);
        }
        scale(PRICE, 30);
    } else if c.ltv_cents >= GOOD_CENTS {
        let tenths = if c.ltv_cents >= HEAVY_CENTS { 30 } else { 17 };
        scale(STAFF, tenths);
        scale(REPEAT_CONTACT, tenths);
    }
    if repeat {
        scale(REPEAT_CONTACT, 15);
    }
    w
}

fn plan_story(rng: &mut Rng, c: &Customer, chat: bool, repeat: bool) -> Story {
    let idea_share = if c.prospect() { 0.40 } else { 0.12 };
    let idea = rng.chance(idea_share).then(|| rng.below(IDEAS.len()));
    let idea_only = idea.is_some() && rng.chance(if c.prospect() { 0.5 } else { 0.3 });
    let plain = idea.is_none() && rng.chance(0.06);
    let mut themes = Vec::new();
    if !idea_only && !plain {
        let mut weights = theme_weights(c, chat, repeat);
        themes.push(rng.weighted(&weights));
        if rng.chance(0.25) {
            weights[themes[0]] = 0;
            themes.push(rng.weighted(&weights));
        }
        let provoked = themes.contains(&PRICE) || themes.contains(&REPEAT_CONTACT);
        if provoked && !c.prospect() && !themes.contains(&CANCELLATION) && rng.chance(0.4) {
            themes.push(CANCELLATION);
        }
    }
    let upset = themes.iter().any(|t| [REPEAT_CONTACT, STAFF, CANCELLATION].contains(t));
    let bad_share = if themes.is_empty() {
        0.03
    } else if upset {
        0.55
    } else {
        0.15
    };
    let negation_share = if themes.is_empty() { 0.3 } else { 0.08 };
    let deniable: Vec<usize> =
        (0..THEMES.len()).filter(|t| !THEMES[*t].negated.is_empty() && !themes.contains(t)).collect();
    Story {
        negation: rng.chance(negation_share).then(|| rng.pick(&deniable)),
        question: rng.below(PLAIN.len()),
        angry_start: !themes.is_empty() && rng.chance(0.25),
        bad_end: rng.chance(bad_share),
        themes,
        idea,
    }
}

// ---------------------------------------------------------------------------------------------
// Turning a story into turns

/// One turn before timing: who speaks (`true` for the agent) and what they say.
struct Line {
    agent: bool,
    text: String,
    /// Added by [`Padding`] for a length above 1 (its timing comes from the padding generator).
    added: bool,
}

fn agent(text: String) -> Line {
    Line { agent: true, text, added: false }
}

fn customer(text: String) -> Line {
    Line { agent: false, text, added: false }
}

/// Which customer turns get odd extras: text that looks like a formula, or personal data.
#[derive(Clone, Copy)]
struct Extras {
    formula: bool,
    personal: bool,
}

fn converse(rng: &mut Rng, pad: &mut Padding, story: &Story, c: &Customer, chat: bool, extras: Extras) -> Vec<Line> {
    let greetings = if chat { CHAT_GREETINGS } else { PHONE_GREETINGS };
    let mut lines = vec![agent(say(rng, greetings)), customer(opening(rng, story, c))];
    let later_pairs =
        story.themes.len().saturating_sub(1) + usize::from(story.idea.is_some() && !story.themes.is_empty());
    // Greeting, opening, reply and the two closing turns are always there; what is left may go
    // to a question about account details.
    let mut spare = MAX_TURNS - 5 - 2 * later_pairs;
    if let Some(&first) = story.themes.first() {
        complaint_turns(rng, story, c, first, &mut spare, &mut lines);
    } else if story.idea.is_some() {
        lines.push(agent(say(rng, IDEA_REPLIES)));
    } else {
        lines.push(agent(fill(rng, PLAIN[story.question].1)));
    }
    pad.lengthen(story, c, &mut lines);
    closing_turns(rng, story, &mut lines);
    plant_extras(rng, extras, &mut lines);
    lines
}

/// The customer's first turn: mood, who they are, a denial, then the reason for calling.
fn opening(rng: &mut Rng, story: &Story, c: &Customer) -> String {
    let mut parts = Vec::new();
    if story.angry_start {
        parts.push(say(rng, ANGRY_OPENERS));
    }
    if c.prospect() && rng.chance(0.6) {
        parts.push(say(rng, PROSPECT_INTROS));
    } else if c.ltv_cents >= GOOD_CENTS && rng.chance(0.4) {
        parts.push(say(rng, LOYAL_INTROS));
    }
    if let Some(theme) = story.negation {
        let denial = say(rng, THEMES[theme].negated);
        parts.push(join_lead(rng.pick(&["Just so you know, ", "For what it's worth, ", ""]), &denial));
    }
    parts.push(match (story.themes.first(), story.idea) {
        (Some(&theme), _) => complaint(rng, theme, c.prospect()),
        (None, Some(idea)) => idea_line(rng, idea),
        (None, None) => fill(rng, PLAIN[story.question].0),
    });
    parts.join(" ")
}

/// The agent's reply (sometimes in complaint words), details, and any further complaints or idea.
fn complaint_turns(rng: &mut Rng, story: &Story, c: &Customer, first: usize, spare: &mut usize, lines: &mut Vec<Line>) {
    let mut reply = String::new();
    let roll = rng.unit();
    let echoed = match roll {
        _ if c.prospect() => None,
        _ if roll < 0.2 => Some(first),
        _ if roll < 0.32 => trap(rng, story),
        _ => None,
    };
    if let Some(theme) = echoed {
        reply = say(rng, THEMES[theme].echo) + " ";
    }
    if !c.prospect() && *spare >= 2 && rng.chance(0.75) {
        *spare -= 2;
        let (question, answers) = rng.pick(DETAILS);
        lines.push(agent(reply + &say(rng, ACKS) + " " + question));
        lines.push(customer(say(rng, answers)));
        let lead = rng.pick(&["Thanks. ", "Okay, I've found it. ", "Got it. ", ""]);
        if *spare >= 2 && rng.chance(0.3) {
            *spare -= 2;
            lines.push(agent(say(rng, HOLDS)));
            lines.push(customer(say(rng, HOLD_ANSWERS)));
        }
        lines.push(agent(lead.to_string() + &fix(rng, first, false)));
    } else {
        lines.push(agent(reply + &fix(rng, first, c.prospect())));
    }
    for &theme in &story.themes[1..] {
        let connector = rng.pick(CONNECTORS);
        lines.push(customer(join_lead(connector, &complaint(rng, theme, c.prospect()))));
        lines.push(agent(fix(rng, theme, c.prospect())));
    }
    if let Some(idea) = story.idea {
        let lead = rng.pick(IDEA_LEADS);
        lines.push(customer(join_lead(lead, &idea_line(rng, idea))));
        lines.push(agent(say(rng, IDEA_REPLIES)));
    }
}

/// A theme the agent mentions although the customer did not raise it.
fn trap(rng: &mut Rng, story: &Story) -> Option<usize> {
    let free: Vec<usize> =
        [WAIT_TIME, OUTAGE, BILLING, APP_BUG, DELIVERY].into_iter().filter(|t| !story.themes.contains(t)).collect();
    (!free.is_empty()).then(|| rng.pick(&free))
}

/// The customer's last word (good or bad) and usually the agent's.
fn closing_turns(rng: &mut Rng, story: &Story, lines: &mut Vec<Line>) {
    let asked = rng.chance(0.5);
    if asked {
        let question = say(rng, ANYTHING_ELSE);
        let last = lines.last_mut().expect("the agent has replied");
        last.text = format!("{} {question}", last.text);
    }
    let mut close = if story.bad_end { say(rng, BAD_CLOSES) } else { say(rng, GOOD_CLOSES) };
    if asked && !story.bad_end {
        close = say(rng, NOTHING_ELSE) + " " + &close;
    }
    lines.push(customer(close));
    let hangs_up = rng.chance(if story.bad_end { 0.3 } else { 0.05 });
    if !hangs_up || lines.len() < 4 {
        let closes = if story.bad_end { AGENT_BAD_CLOSES } else { AGENT_GOOD_CLOSES };
        lines.push(agent(say(rng, closes)));
    }
}

/// Puts formula-looking text at the start of, or personal data at the end of, a customer turn.
fn plant_extras(rng: &mut Rng, extras: Extras, lines: &mut [Line]) {
    // Only turns that exist at length 1, so that a longer call carries the same extras.
    let spoken: Vec<usize> = (0..lines.len()).filter(|&i| !lines[i].agent && !lines[i].added).collect();
    if extras.formula {
        let line = &mut lines[rng.pick(&spoken)];
        line.text = format!("{} {}", rng.pick(FORMULAS), line.text);
    }
    if extras.personal {
        let line = &mut lines[rng.pick(&spoken)];
        line.text = format!("{} {}", line.text, say(rng, PERSONAL));
    }
}

/// A customer sentence for `theme`; prospects ask about price rather than complain about a bill.
fn complaint(rng: &mut Rng, theme: usize, prospect: bool) -> String {
    if prospect && theme == PRICE {
        return say(rng, PROSPECT_PRICE);
    }
    say(rng, THEMES[theme].said)
}

/// The agent's answer to a complaint; prospects asking about price get a sales answer.
fn fix(rng: &mut Rng, theme: usize, prospect: bool) -> String {
    if prospect && theme == PRICE {
        return say(rng, PROSPECT_PRICE_REPLIES);
    }
    say(rng, THEMES[theme].fix)
}

fn idea_line(rng: &mut Rng, idea: usize) -> String {
    let def = &IDEAS[idea];
    if rng.chance(0.5) {
        rng.pick(THING_CUES).replace("{x}", rng.pick(def.things))
    } else {
        rng.pick(ACTION_CUES).replace("{x}", rng.pick(def.actions))
    }
}

/// `lead` followed by `sentence`, lower-casing the sentence's first letter after a comma lead.
fn join_lead(lead: &str, sentence: &str) -> String {
    if lead.is_empty() {
        return sentence.to_string();
    }
    if !lead.ends_with(", ") || sentence.starts_with("I ") || sentence.starts_with("I'") {
        return format!("{lead}{sentence}");
    }
    let mut chars = sentence.chars();
    let first = chars.next().map(|ch| ch.to_ascii_lowercase()).unwrap_or_default();
    format!("{lead}{first}{}", chars.as_str())
}

// ---------------------------------------------------------------------------------------------
// Longer calls

/// What makes a call longer than the bundled sample's: at `length` L, each call gets 2 to 5
/// extra exchanges for each step above 1, between the agent's first answer and the closing.
///
/// An exchange is a question the agent adds to their last turn, the customer's answer and the
/// agent's explanation: a follow-up on one of the call's complaints (how it happened, what the
/// customer tried, the complaint said again in other words), account checks, a hold, why the
/// customer wants their idea, a second plain question, or an aside. Only the call's own themes
/// and idea come up again, so the segment effects stay as planted; complaints and ideas are
/// simply mentioned more often.
///
/// Everything here, timings of the added turns included, is drawn from a generator of its own,
/// so the main generator draws exactly the same numbers at every length: a call at length 3 has
/// the same id, time, metadata, story and original turns as at length 1, with turns added in the
/// middle (and a question appended to some agent turns). At length 1 nothing is drawn at all,
/// which keeps the bundled sample byte-identical.
struct Padding {
    /// Steps above length 1.
    steps: u32,
    rng: Rng,
}

impl Padding {
    fn new(seed: u64, stream: u64, length: u32) -> Padding {
        Padding { steps: length.saturating_sub(1), rng: Rng::new(seed, stream) }
    }

    /// Adds the extra exchanges. `lines` ends with an agent turn, and so does the result.
    fn lengthen(&mut self, story: &Story, c: &Customer, lines: &mut Vec<Line>) {
        if self.steps == 0 {
            return;
        }
        let rng = &mut self.rng;
        let exchanges: u64 = (0..self.steps).map(|_| rng.range(2, 5)).sum();
        // Templates already used in this call: a conversation does not repeat itself while
        // there is something new to say.
        let mut used: Vec<&'static str> = Vec::new();
        let mut fresh = |rng: &mut Rng, table: &'static [&'static str]| -> String {
            let template = pick_fresh(rng, table, |t| *t, &mut used);
            fill(rng, template)
        };
        let mut probed: Vec<&'static str> = Vec::new();
        let mut asked_details: Vec<&'static str> = Vec::new();
        let mut asked_plain = vec![PLAIN[story.question].0];
        for _ in 0..exchanges {
            // The call stays on one complaint until its follow-up questions run out.
            let theme = story
                .themes
                .iter()
                .copied()
                .find(|&t| PROBES[t].iter().any(|(q, _)| !probed.contains(q)))
                .or_else(|| story.themes.first().copied());
            let themed = u64::from(theme.is_some());
            // Weights: theme follow-up, complaint said again, account check, hold, idea, plain, aside.
            let weights = [
                5 * themed,
                3 * themed,
                u64::from(!c.prospect()),
                1,
                if story.idea.is_some() { 3 } else { 0 },
                if story.themes.is_empty() { 3 } else { 0 },
                1,
            ];
            let (question, answer, reply) = match rng.weighted(&weights) {
                0 => {
                    let theme = theme.expect("weighted only with themes");
                    let (question, answers) = pick_fresh(rng, PROBES[theme], |p| p.0, &mut probed);
                    let question = fill(rng, question);
                    // The customer knows their own plan.
                    let template = rng.pick(answers).replace("{plan}", PLANS[c.plan]);
                    let answer = fill(rng, &template);
                    (question, answer, fresh(rng, EXPLANATIONS[theme]))
                }
                1 => {
                    let theme = theme.expect("weighted only with themes");
                    let moods = if story.bad_end || story.angry_start { FED_UP } else { CALM };
                    let question = fresh(rng, TELL_ME_MORE);
                    let again = join_lead(rng.pick(AGAIN_LEADS), &complaint(rng, theme, c.prospect()));
                    let answer = format!("{again} {}", fresh(rng, moods)).trim_end().to_string();
                    let reply = format!("{} {}", fresh(rng, EMPATHY), fresh(rng, EXPLANATIONS[theme]));
                    (question, answer, reply)
                }
                2 => {
                    let (question, answers) = pick_fresh(rng, DETAILS, |d| d.0, &mut asked_details);
                    let answer = say(rng, answers);
                    (question.to_string(), answer, fresh(rng, CONFIRMS))
                }
                3 => (fresh(rng, HOLDS), say(rng, HOLD_ANSWERS), fresh(rng, RESUMES)),
                4 => {
                    let idea = story.idea.expect("weighted only with an idea");
                    let question = fresh(rng, IDEA_PROBES);
                    let mut answer = fresh(rng, IDEA_REASONS[idea]);
                    if rng.chance(0.4) {
                        let lead = rng.pick(&["So yes, ", "Honestly, ", ""]);
                        answer = format!("{answer} {}", join_lead(lead, &idea_line(rng, idea)));
                    }
                    (question, answer, fresh(rng, IDEA_NOTES))
                }
                5 => {
                    let (question, reply) = pick_fresh(rng, PLAIN, |p| p.0, &mut asked_plain);
                    let probe = fresh(rng, PLAIN_PROBES);
                    let question = fill(rng, question);
                    (probe, question, fill(rng, reply))
                }
                _ => (String::new(), fresh(rng, ASIDES), fresh(rng, ASIDE_REPLIES)),
            };
            let last = lines.last_mut().expect("the agent has answered");
            if !question.is_empty() {
                last.text = format!("{} {question}", last.text);
            }
            lines.push(Line { agent: false, text: answer, added: true });
            lines.push(Line { agent: true, text: reply, added: true });
        }
    }
}

/// An item of `items` whose key is not in `used` yet (any item once all are used), noted as used.
fn pick_fresh<T: Copy>(
    rng: &mut Rng,
    items: &'static [T],
    key: impl Fn(&T) -> &'static str,
    used: &mut Vec<&'static str>,
) -> T {
    let unused: Vec<usize> = (0..items.len()).filter(|&i| !used.contains(&key(&items[i]))).collect();
    let i = if unused.is_empty() { rng.below(items.len()) } else { unused[rng.below(unused.len())] };
    used.push(key(&items[i]));
    items[i]
}

/// Most turns a call can have at `length`.
#[cfg(test)]
fn max_turns(length: u32) -> usize {
    MAX_TURNS + 10 * (length as usize - 1)
}

// ---------------------------------------------------------------------------------------------
// Templates and slots

/// A random template from `table` with its `{slots}` filled.
fn say(rng: &mut Rng, table: &[&str]) -> String {
    let template = rng.pick(table);
    fill(rng, template)
}

fn fill(rng: &mut Rng, template: &str) -> String {
    let mut out = String::with_capacity(template.len() + 24);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}').expect("template slot is closed");
        out.push_str(&rest[..open]);
        out.push_str(&slot(rng, &rest[open + 1..close]));
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

fn slot(rng: &mut Rng, name: &str) -> String {
    let word = |rng: &mut Rng, table: &[&str]| rng.pick(table).to_string();
    match name {
        "amount" => format!("${}.{:02}", rng.range(6, 240), rng.pick(&[0, 99, 50, 49, 95, 25])),
        "rise" => format!("${}", rng.range(3, 25)),
        "order" => format!("order {}-{:04}", rng.range(1000, 9999), rng.range(0, 9999)),
        "day" => word(rng, &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]),
        "date" => format!("{} {}", rng.pick(&["October", "November"]), ordinal(rng.range(1, 21))),
        "month" => word(rng, &["October", "September", "last month"]),
        "product" => word(rng, PRODUCTS),
        "minutes" => rng.range(25, 90).to_string(),
        "weeks" => word(rng, &["two weeks", "three weeks", "a month", "six weeks", "over a month"]),
        "days" => rng.range(3, 10).to_string(),
        "hours" => rng.range(6, 48).to_string(),
        "clock" => format!("{}:{:02}", rng.range(8, 11), rng.range(0, 3) * 15),
        "eta" => word(rng, &["noon", "3 pm", "this evening", "tomorrow morning", "end of day"]),
        "agent" => word(rng, AGENT_NAMES),
        "provider" => word(rng, PROVIDERS),
        "count" => word(rng, &["three", "four", "five", "six", "so many"]),
        "errcode" => format!("E-{}", rng.range(100, 999)),
        "years" => rng.range(2, 19).to_string(),
        "part" => word(rng, &["morning", "afternoon", "evening"]),
        "plan" => word(rng, &PLANS),
        "pct" => word(rng, &["10%", "15%", "20%", "25%"]),
        "first" => word(rng, FIRST_NAMES),
        "last" => word(rng, LAST_NAMES),
        "email" => format!(
            "{}.{}@example.com",
            rng.pick(FIRST_NAMES).to_ascii_lowercase(),
            rng.pick(LAST_NAMES).to_ascii_lowercase()
        ),
        "phone" => format!("555-01{:02}", rng.range(0, 99)),
        "street" => format!("{} {}", rng.range(2, 480), rng.pick(STREETS)),
        "dob" => format!("{} {}, 19{}", rng.pick(&["March", "June", "July"]), rng.range(1, 28), rng.range(55, 99)),
        "ref" => format!("REF-{:06}", rng.range(0, 999_999)),
        other => panic!("unknown template slot {{{other}}}"),
    }
}

fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

// ---------------------------------------------------------------------------------------------
// Writing the files

/// How a JSONL line is broken, if it is.
#[derive(Clone, Copy, PartialEq)]
enum Damage {
    None,
    Truncated,
    NoTurns,
    TurnsNotArray,
}

fn call_id(number: usize) -> String {
    format!("c{number:06}")
}

/// Writes the JSONL calls to `out` and returns the bytes written.
fn calls_jsonl(seed: u64, n: usize, length: u32, out: &mut impl Write) -> io::Result<u64> {
    let mut rng = Rng::new(seed, 1);
    let mut pad = Padding::new(seed, 4, length);
    let mut people = Customers::default();
    let mut bytes = 0;
    for i in 0..n {
        let damage = match i {
            _ if i == n / 4 => Damage::Truncated,
            _ if i == n / 2 => Damage::NoTurns,
            _ if i == 3 * n / 4 => Damage::TurnsNotArray,
            _ => Damage::None,
        };
        let (who, repeat) = people.next(&mut rng);
        let chat = rng.chance(CHAT_SHARE);
        let story = plan_story(&mut rng, &who, chat, repeat);
        let extras =
            Extras { formula: i % 97 == 13 || (chat && rng.chance(0.01)), personal: i % 61 == 5 || rng.chance(0.04) };
        let lines = converse(&mut rng, &mut pad, &story, &who, chat, extras);
        let started = started_at(&mut rng, i, n);
        let mut line = call_line(&mut rng, &mut pad, &call_id(i + 1), &started, &who, chat, &lines, damage);
        line.push('\n');
        out.write_all(line.as_bytes())?;
        bytes += line.len() as u64;
    }
    Ok(bytes)
}

/// A time on 2026-11-22 between 08:00 and 20:00, never earlier than the previous call's.
fn started_at(rng: &mut Rng, i: usize, n: usize) -> String {
    const SPAN: u64 = 12 * 3600;
    let step = (SPAN / n as u64).max(1);
    let s = 8 * 3600 + i as u64 * SPAN / n as u64 + rng.range(0, step - 1);
    format!("2026-11-22T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

#[allow(clippy::too_many_arguments)]
fn call_line(
    rng: &mut Rng,
    pad: &mut Padding,
    id: &str,
    started: &str,
    c: &Customer,
    chat: bool,
    lines: &[Line],
    damage: Damage,
) -> String {
    let metadata = object(&[
        ("region", text(REGIONS[c.region])),
        ("plan", text(PLANS[c.plan])),
        ("channel", text(if chat { "chat" } else { "phone" })),
        ("customer_id", text(&c.id)),
        ("lifetime_value", fixed(c.ltv_cents, 2)),
        ("orders_12m", c.orders.to_string()),
    ]);
    let mut fields = vec![("call_id", text(id)), ("started_at", text(started)), ("metadata", metadata)];
    let turns = turns_json(rng, pad, lines, chat);
    match damage {
        Damage::NoTurns => {}
        Damage::TurnsNotArray => fields.push(("turns", text("recording unavailable"))),
        Damage::None | Damage::Truncated => fields.push(("turns", turns)),
    }
    let mut line = object(&fields);
    if damage == Damage::Truncated {
        let mut cut = line.len() * 3 / 5;
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        line.truncate(cut);
    }
    line
}

/// The turns as a JSON array, with speaker labels in one of three styles and plausible timings.
///
/// The timings of added turns (see [`Padding`]) are drawn from the padding's own generator, so
/// that the main generator draws the same numbers whatever the length.
fn turns_json(rng: &mut Rng, pad: &mut Padding, lines: &[Line], chat: bool) -> String {
    let labels = [("agent", "customer"), ("rep", "caller"), ("Agent", "Customer")];
    let (agent_label, customer_label) = labels[rng.weighted(&[80, 10, 10])];
    let mut clock_ms = 0u64;
    let mut turns = Vec::with_capacity(lines.len());
    for line in lines {
        let words = line.text.split_whitespace().count() as u64;
        let rng = if line.added { &mut pad.rng } else { &mut *rng };
        // Speech runs at roughly 2.5 words a second; chat is typed at well under one.
        let (per_word, overhead, gap) = if chat {
            (rng.range(1_100, 1_700), 1_500, rng.range(2_000, 10_000))
        } else {
            (rng.range(330, 450), 400, rng.range(200, 1_500))
        };
        let start = clock_ms;
        let end = start + words * per_word + overhead;
        clock_ms = end + gap;
        turns.push(object(&[
            ("speaker", text(if line.agent { agent_label } else { customer_label })),
            ("text", text(&line.text)),
            ("start", fixed(start / 100, 1)),
            ("end", fixed(end / 100, 1)),
        ]));
    }
    format!("[{}]", turns.join(","))
}

/// A JSON object with its keys in the order given (values already encoded).
fn object(fields: &[(&str, String)]) -> String {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{}:{v}", text(k))).collect();
    format!("{{{}}}", body.join(","))
}

fn text(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// A JSON number with `places` decimals from an integer count of `10^-places` units, so that no
/// float formatting (which may change between library versions) reaches the output.
fn fixed(units: u64, places: u32) -> String {
    let scale = 10u64.pow(places);
    format!("{}.{:0width$}", units / scale, units % scale, width = places as usize)
}

fn survey_csv(seed: u64, first_number: usize) -> String {
    let mut rng = Rng::new(seed, 2);
    let mut people = Customers::default();
    let mut out = String::from("call_id,text,region,plan,score\n");
    for row in 0..SURVEY_ROWS {
        let (who, _) = people.next(&mut rng);
        let story = plan_story(&mut rng, &who, false, false);
        let mut answer = survey_answer(&mut rng, &story);
        match row {
            6 => answer = format!("{} {answer}", FORMULAS[0]),
            11 => answer = format!("{answer} {}", fill(&mut rng, "You can email me at {email}.")),
            17 => answer = format!("{} {answer}", FORMULAS[2]),
            23 => answer = format!("{} {answer}", FORMULAS[1]),
            _ => {}
        }
        let score = match (story.themes.is_empty(), story.idea.is_some()) {
            (true, false) => 5,
            (true, true) => 4,
            _ if story.bad_end => 1,
            _ => rng.range(1, 3),
        };
        let fields = [call_id(first_number + row), answer, REGIONS[who.region].into(), PLANS[who.plan].into()];
        let quoted: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&format!("{},{score}\n", quoted.join(",")));
    }
    out
}

/// A free-text survey answer: complaints (sometimes on two lines), a suggestion, or praise.
fn survey_answer(rng: &mut Rng, story: &Story) -> String {
    let mut parts = Vec::new();
    for (k, &theme) in story.themes.iter().take(2).enumerate() {
        let said = say(rng, THEMES[theme].said);
        parts.push(if k == 0 { join_lead(rng.pick(SURVEY_LEADS), &said) } else { said });
    }
    if let Some(idea) = story.idea {
        parts.push(idea_line(rng, idea));
    }
    if parts.is_empty() {
        parts.push(say(rng, SURVEY_PRAISE));
    }
    let separator = if rng.chance(0.3) { "\n" } else { " " };
    parts.join(separator)
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

fn text_calls(seed: u64, first_number: usize, length: u32) -> Vec<(String, String)> {
    let mut rng = Rng::new(seed, 3);
    let mut pad = Padding::new(seed, 5, length);
    let mut people = Customers::default();
    let mut calls = Vec::with_capacity(TEXT_CALLS);
    for k in 0..TEXT_CALLS {
        let (who, repeat) = people.next(&mut rng);
        let story = plan_story(&mut rng, &who, false, repeat);
        let extras = Extras { formula: false, personal: k == 4 };
        let mut body = String::new();
        for line in converse(&mut rng, &mut pad, &story, &who, false, extras) {
            let label = if line.agent { "Agent" } else { "Customer" };
            body.push_str(&format!("{label}: {}\n", line.text));
        }
        calls.push((call_id(first_number + k), body));
    }
    calls
}

// ---------------------------------------------------------------------------------------------
// Phrase tables. Slots in braces are filled by `slot`.

/// Everything said about one complaint theme.
struct Theme {
    /// How customers raise it.
    said: &'static [&'static str],
    /// What the agent does about it.
    fix: &'static [&'static str],
    /// Agent lines that use the complaint's own words.
    echo: &'static [&'static str],
    /// Customer lines that deny it (not complaints).
    negated: &'static [&'static str],
}

const THEMES: [Theme; 11] = [
    Theme {
        said: &[
            "I've been charged twice for {month}'s bill.",
            "You double charged me, there are two payments of {amount} on my card.",
            "I was overcharged on my last bill, it should be way less than {amount}.",
            "There's a fee on my bill that I never agreed to.",
            "The amount on my bill is wrong, it's not what I signed up for.",
            "I am calling regarding an incorrect charge of {amount} on my statement.",
            "Why is there a {amount} service fee on my account? Nobody told me about that.",
            "My bank shows the same payment taken two times on {day}.",
            "My bill came in at {amount}, that can't be right.",
            "I would like to dispute a charge, I was billed for something I never ordered.",
        ],
        fix: &[
            "I've reversed the extra payment, you'll see it back in three to five business days.",
            "I've removed that charge and added a credit of {amount} to the account.",
            "I've corrected the bill and emailed you an updated copy.",
        ],
        echo: &["I'm sorry you were charged twice.", "I can see a double charge on the account from {day}."],
        negated: &[
            "I wasn't charged twice this time, that part is fine.",
            "There's no extra fee on the bill, I checked.",
        ],
    },
    Theme {
        said: &[
            "I'm still waiting for my refund for {order}.",
            "My refund hasn't arrived and it's been {weeks}.",
            "I was promised a refund {weeks} ago and I've seen nothing.",
            "Where is my money? I returned the {product} and never got refunded.",
            "The refund of {amount} still isn't on my card.",
            "I am following up on a refund that was approved on {date} but has not been paid.",
            "Someone told me the refund would take five days, it's been {weeks}.",
            "I sent the {product} back ages ago and I'm still out {amount}.",
            "Can you tell me why my refund is taking so long?",
        ],
        fix: &[
            "I've escalated the refund and it should land within five business days.",
            "The refund was stuck in our system, I've pushed it through now.",
            "I've issued the refund again to your original payment method.",
        ],
        echo: &["I'm sorry your refund hasn't arrived yet."],
        negated: &[],
    },
    Theme {
        said: &[
            "My package never arrived, it's {order}.",
            "The {product} arrived damaged, the box was completely crushed.",
            "You sent me the wrong item, I ordered a {product} and got something else.",
            "My delivery is late again, it was supposed to come on {day}.",
            "The tracking hasn't updated in {days} days.",
            "I'm calling about {order}, it says delivered but there's nothing at my door.",
            "The parcel showed up {days} days late and the {product} inside is cracked.",
            "I have been waiting for my {product} since {date} and it still hasn't been delivered.",
            "Half of my order is missing, only one box turned up.",
        ],
        fix: &[
            "I've arranged a replacement, it will ship out tomorrow.",
            "I've opened a claim with the courier and emailed you a return label.",
            "I'll send the correct item by express shipping at no cost.",
        ],
        echo: &["I'm sorry the package arrived damaged.", "I can see the delivery was late."],
        negated: &["The delivery was never late before.", "The package didn't arrive damaged or anything."],
    },
    Theme {
        said: &[
            "My internet is down again.",
            "I've had no service since yesterday {part}.",
            "Is there an outage in my area? Nothing is working.",
            "The connection keeps dropping every few minutes.",
            "We've had no internet since {day} and I work from home.",
            "I am reporting a total loss of service at my address.",
            "The whole street has been offline for {hours} hours.",
            "My wifi just stopped working and the light on the router is red.",
            "There's no signal at all, I can't even make calls.",
        ],
        fix: &[
            "Our engineers are on it and expect service back by {eta}.",
            "I've run a line test and booked a technician for {day}.",
            "I've added a credit for the days without service.",
        ],
        echo: &["I see the outage in your area.", "There is a known outage near you right now."],
        negated: &["The internet isn't down, it's working fine.", "No outage on my end, the connection is good."],
    },
    Theme {
        said: &[
            "The app keeps crashing whenever I open it.",
            "Your website won't load, I just get a blank page.",
            "I get an error when I try to pay my bill online.",
            "The app freezes on the checkout screen.",
            "The app shows error {errcode} every time I try to pay.",
            "The app has been broken since the last update.",
            "I am unable to complete a payment on your website, it times out.",
            "The page just spins forever when I try to check my order.",
            "Your app crashed three times while I was updating my address.",
        ],
        fix: &[
            "Could you update the app and clear its cache? That usually fixes it.",
            "I've logged this with our tech team, and I can take the payment by phone for now.",
            "A fix went out this morning, so please update to the latest version.",
        ],
        echo: &["I'm sorry the app keeps crashing.", "We've had reports of the app freezing today."],
        negated: &["The app is not crashing anymore, thanks.", "The app hasn't frozen once since the update."],
    },
    Theme {
        said: &[
            "I was on hold for {minutes} minutes before anyone picked up.",
            "I've waited forever to get through to someone.",
            "It took ages to reach a person today.",
            "Do you know how long I've been waiting? Over {minutes} minutes.",
            "Your hold times are ridiculous, I've been in the queue since {clock}.",
            "I have been waiting in the queue for well over half an hour.",
            "The chat said two minutes and I waited {minutes}.",
            "I had to wait so long I almost gave up.",
            "Forty-five minutes of hold music just to ask one thing.",
        ],
        fix: &[
            "Thanks for your patience, let's get this sorted now.",
            "I'm here now and I'll stay with you until it's done.",
        ],
        echo: &["I apologise for the long wait.", "Sorry you were on hold for so long."],
        negated: &["I didn't have to wait long today, which was nice."],
    },
    Theme {
        said: &[
            "This is the third time I'm calling about this.",
            "I called last week and nothing happened.",
            "Nobody called me back like they promised.",
            "I've already explained this to {count} different people.",
            "I was told on {day} that it would be sorted, and it still isn't.",
            "I'm contacting you again because my last ticket was closed without a fix.",
            "Every time I call I'm told someone will follow up, and nobody ever does.",
            "I've had to chase this {count} times now.",
            "I was told \"someone will call you back today\" and nobody did.",
        ],
        fix: &[
            "I'm going to own this myself and I'll call you on {day} with an update.",
            "I've added full notes so you won't need to explain it again.",
            "I've escalated your case to a supervisor with a priority flag.",
        ],
        echo: &["I'm sorry you've had to call us again about this."],
        negated: &[],
    },
    Theme {
        said: &[
            "The last agent I spoke to was really rude.",
            "Someone hung up on me yesterday.",
            "I got transferred {count} times before I reached you.",
            "The person on the phone was dismissive and didn't listen.",
            "The agent I spoke to before gave me the wrong information.",
            "I was treated very unprofessionally on my last call.",
            "The guy in the store was rude and basically laughed at me.",
            "Your agent literally said \"not my problem\" and hung up.",
            "Honestly the rep I talked to on {day} was condescending.",
        ],
        fix: &[
            "I'll pass that on to the team leader today.",
            "Thank you for telling me, I've logged a complaint about that call.",
        ],
        echo: &["I'm sorry the last agent was rude to you."],
        negated: &[],
    },
    Theme {
        said: &[
            "I want to cancel my account.",
            "I'm thinking of switching to {provider}.",
            "Please close my account.",
            "I'd like to end my contract, effective immediately.",
            "If this isn't fixed I'm cancelling.",
            "How do I cancel? I've had enough.",
            "I'm seriously considering leaving for {provider}.",
            "I wish to terminate my subscription at the end of this month.",
            "Just tell me what I need to do to cancel.",
        ],
        fix: &[
            "I can do that, but before I do, I can offer you {pct} off for the next six months.",
            "I've processed the cancellation and you'll get a confirmation email.",
            "I'm sorry to see you go. The account will close at the end of the billing period.",
        ],
        echo: &["I understand you're thinking about cancelling."],
        negated: &[],
    },
    Theme {
        said: &[
            "The price went up again this month.",
            "It's just too expensive for what I get.",
            "I can get the same thing cheaper elsewhere.",
            "Honestly, it's not worth the money anymore.",
            "Why has my plan gone up by {rise} a month?",
            "I am concerned about the recent price increase on my plan.",
            "Other companies offer the same plan for way less.",
            "Your prices are way higher than everyone else's.",
            "I can't justify paying {amount} a month for this.",
        ],
        fix: &[
            "I can move you to a cheaper plan that still has what you use.",
            "Let me see what I can do. I can take {rise} a month off for the next year.",
            "The increase is part of a yearly adjustment, but I can add a discount for twelve months.",
        ],
        echo: &["I know the price went up recently."],
        negated: &[],
    },
    Theme {
        said: &[
            "I can't log in to my account.",
            "I'm locked out of my account.",
            "I never got the verification code.",
            "The password reset doesn't work, the link is expired every time.",
            "It keeps saying my password is wrong, but I know it's right.",
            "I am unable to access my online account since {day}.",
            "The login page says my account is suspended and I don't know why.",
            "I tried resetting my password three times and still can't get in.",
            "The two-factor code never shows up on my phone.",
        ],
        fix: &[
            "I've sent a new verification code to your phone, can you read it back to me?",
            "I've unlocked the account, please try logging in now.",
            "I've reset your password, check your email for the link.",
        ],
        echo: &["I see you've been locked out of your account."],
        negated: &["I'm not locked out or anything, I can log in fine."],
    },
];

/// A recurring product wish: noun phrases ("a dark mode") and verb phrases ("use dark mode").
struct Idea {
    things: &'static [&'static str],
    actions: &'static [&'static str],
}

const IDEAS: [Idea; 10] = [
    Idea {
        things: &["a dark mode", "a dark mode in the app", "dark mode on the website"],
        actions: &["use dark mode in the app", "have a dark mode", "use the app in dark mode"],
    },
    Idea {
        things: &["PayPal", "PayPal as a payment option", "PayPal at checkout"],
        actions: &["pay with PayPal", "pay with PayPal in the app", "use PayPal"],
    },
    Idea {
        things: &["a family plan", "family plans", "a family plan for the kids"],
        actions: &["get a family plan", "have a family plan for the whole house"],
    },
    Idea {
        things: &["text alerts when the package ships", "text alerts for deliveries"],
        actions: &["get text alerts when my package ships", "get a text alert when an order ships"],
    },
    Idea {
        things: &["an option to pause my subscription", "the option to pause my subscription"],
        actions: &["pause my subscription for a month", "pause my subscription instead of cancelling"],
    },
    Idea {
        things: &["live chat on weekends", "live chat at the weekend", "live chat on Sundays"],
        actions: &["use live chat on a Sunday", "get live chat on weekends"],
    },
    Idea {
        things: &["delivery time windows", "a delivery time window", "delivery time windows in the app"],
        actions: &["get a delivery time window", "have delivery time windows for the evening"],
    },
    Idea {
        things: &["PDF invoices", "PDF invoices for my accountant", "downloadable PDF invoices"],
        actions: &["get PDF invoices", "get PDF invoices from the website", "download PDF invoices"],
    },
    Idea {
        things: &["Apple Pay", "Apple Pay at checkout", "Apple Pay in the app"],
        actions: &["use Apple Pay", "use Apple Pay on my phone", "pay with Apple Pay"],
    },
    Idea {
        things: &["a loyalty discount", "a loyalty discount for long-time customers"],
        actions: &["get a loyalty discount", "get a loyalty discount for staying with you"],
    },
];

// Cues chosen so that the words after them name the thing asked for.
const THING_CUES: &[&str] = &[
    "I wish you had {x}.",
    "You should add {x}.",
    "Do you have plans to add {x}?",
    "It would be nice to have {x}.",
    "Any chance you could add {x}?",
    "Please add {x}, it would help a lot.",
];
const ACTION_CUES: &[&str] = &[
    "It would be great if you could let me {x}.",
    "Why can't I {x}?",
    "Is there a way to {x}?",
    "I'd love to be able to {x}.",
    "I wish I could {x}.",
    "Do you have plans to let us {x}?",
];
const IDEA_LEADS: &[&str] = &[
    "One more thing. ",
    "Unrelated, but can I make a suggestion? ",
    "Oh, and before I forget. ",
    "Also, just a thought. ",
    "",
];
const IDEA_REPLIES: &[&str] = &[
    "That's a great suggestion, I'll pass it on to the product team.",
    "We don't offer that yet, but I'll log it as a feature request.",
    "A few people have asked for that, I'll add your vote.",
    "Not at the moment, unfortunately, but it's a good idea.",
];

const PHONE_GREETINGS: &[&str] = &[
    "Thank you for calling Brightwave, my name is {agent}, how can I help you today?",
    "Hi, you're through to {agent} at Brightwave support. What can I do for you?",
    "Good {part} and thanks for holding, this is {agent}. How can I help?",
    "Brightwave customer care, {agent} speaking.",
    "Hello, this is {agent}. What's the call about today?",
];
const CHAT_GREETINGS: &[&str] = &[
    "Hi there, you're chatting with {agent}. How can I help today?",
    "Hello! {agent} here from Brightwave. What can I do for you?",
    "Thanks for reaching out. I'm {agent}, what's going on?",
];
const ANGRY_OPENERS: &[&str] = &[
    "Honestly, I'm furious right now.",
    "I'm really fed up.",
    "Okay, I'm not happy at all.",
    "Look, this is the last straw.",
    "I'm so annoyed I can barely talk.",
    "Right, I'm angry, so bear with me.",
];
const PROSPECT_INTROS: &[&str] = &[
    "I'm not a customer yet, I'm just looking at your plans.",
    "Hi, I'm thinking about signing up.",
    "I'm shopping around for a new provider.",
    "A friend recommended you and I had a couple of questions.",
];
const LOYAL_INTROS: &[&str] = &[
    "I've been a customer for {years} years.",
    "I've been with you for {years} years and I spend a lot with you.",
    "I've been a loyal customer for a long time.",
];
const PROSPECT_PRICE: &[&str] = &[
    "How much is the {plan} plan? That seems expensive.",
    "Your prices look higher than everyone else's.",
    "Why is the {plan} plan so expensive?",
    "Is there anything cheaper? That's too expensive for me.",
    "Honestly, I can get the same thing cheaper elsewhere.",
];
const PROSPECT_PRICE_REPLIES: &[&str] = &[
    "Plans start at $29 a month, and the first month is half price.",
    "If you sign up today I can take {pct} off the first three months.",
    "The {plan} plan is our most popular, and there's no contract.",
];
const CONNECTORS: &[&str] = &["Also, ", "And another thing, ", "While I have you, ", "On top of that, ", ""];
const ACKS: &[&str] = &[
    "Let me take a look.",
    "I can help with that.",
    "Okay, let me pull up your account.",
    "Thanks for explaining.",
    "Right, let me check.",
    "Understood.",
];
const DETAILS: &[(&str, &[&str])] = &[
    ("Can I get the name on the account?", &["It's {first} {last}.", "{first} {last}, that's me."]),
    ("Do you have the order number handy?", &["Yes, it's {order}.", "Hang on... {order}."]),
    ("Can you confirm your date of birth for security?", &["Sure, {dob}.", "It's {dob}."]),
    ("What's the best number to reach you on?", &["It's {phone}.", "You can use {phone}, that's my mobile."]),
    ("Can you confirm the email on file?", &["It should be {email}.", "{email}, I think."]),
    ("Which address is this for?", &["{street}, same as always.", "The one on {street}."]),
];
const PLAIN: &[(&str, &str)] = &[
    ("Hi, I just wanted to check when my next bill is due.", "Your next bill is due on {date}, and autopay is on."),
    ("Quick question, does my plan include calls abroad?", "It does, up to a hundred minutes a month."),
    ("I'm moving next month, how do I take my service with me?", "Easy, I've noted the move for you."),
    ("I'd like to update the email address on my account.", "Done, the new address is saved."),
    ("Can you confirm my order went through? It's {order}.", "Yes, it's confirmed and ships on {day}."),
    ("What time does the downtown store open on {day}?", "It opens at nine and closes at six."),
    ("I just want to add my partner to the account.", "Sure, I've added them and they'll get a welcome email."),
    ("Is my router still under warranty?", "Yes, it's covered until next year."),
];
const HOLDS: &[&str] = &[
    "Let me just check that, one moment.",
    "Bear with me while I look into it.",
    "I'm going to put you on a short hold, is that okay?",
];
const HOLD_ANSWERS: &[&str] = &["Sure.", "Okay.", "Go ahead.", "Fine, but please be quick."];
const ANYTHING_ELSE: &[&str] =
    &["Is there anything else I can help with?", "Anything else today?", "Can I help with anything else?"];
const NOTHING_ELSE: &[&str] = &["No, that's all.", "Nope, that's it.", "No, I think that covers it."];
const GOOD_CLOSES: &[&str] = &[
    "Thanks, that's great.",
    "Perfect, thank you so much.",
    "I appreciate it, thanks.",
    "Great, that's all I needed.",
    "Brilliant, thanks for your help.",
    "Okay, that works. Thank you.",
    "Wonderful, you've been really helpful.",
    "No problem at all, thanks for sorting it.",
];
const BAD_CLOSES: &[&str] = &[
    "This is ridiculous.",
    "Honestly, I'm done.",
    "This has been useless.",
    "I'll take my business elsewhere.",
    "That's not good enough.",
    "Whatever. I'm not happy at all.",
    "Unbelievable. Nothing ever gets fixed.",
];
const AGENT_GOOD_CLOSES: &[&str] = &[
    "You're welcome, have a great {part}!",
    "Happy to help. Take care!",
    "Thanks for calling Brightwave, have a good day.",
];
const AGENT_BAD_CLOSES: &[&str] = &[
    "I understand your frustration, and I'm sorry I couldn't do more today.",
    "I've noted your feedback. Your case reference is {ref}.",
    "I'm sorry to hear that. I've escalated it with reference {ref}.",
];
const FORMULAS: &[&str] = &[
    "=HYPERLINK(\"http://example.com/claim\",\"see my claim\")",
    "+1 555 0100 is my number, call me on that.",
    "-- not happy --",
    "@support I want a human please.",
];
const PERSONAL: &[&str] = &[
    "My email is {email} if you need it.",
    "You can reach me on {phone}.",
    "The card I used is 4111 1111 1111 1111.",
    "Send it to {email}, or call {phone}.",
];
const SURVEY_LEADS: &[&str] =
    &["", "", "The agent was friendly, but ", "Not impressed. ", "To be honest, ", "Call was okay. "];
const SURVEY_PRAISE: &[&str] = &[
    "Quick and easy, {agent} sorted it in five minutes.",
    "No complaints, the agent was lovely.",
    "Great service, thank you!",
    "Very helpful, \"above and beyond\" as they say.",
    "All good, no problem at all.",
    "Easy call, got my answer straight away.",
];
const PRODUCTS: &[&str] = &[
    "router",
    "mesh extender",
    "smart speaker",
    "tablet",
    "phone case",
    "streaming box",
    "remote",
    "charging dock",
    "security camera",
    "headset",
];
const AGENT_NAMES: &[&str] = &["Sam", "Priya", "Jordan", "Lena", "Marcus", "Aisha", "Tom", "Chen", "Rosa", "Dev"];
const FIRST_NAMES: &[&str] = &["Maria", "James", "Ngozi", "Tom", "Yuki", "Carlos", "Fatima", "Ben", "Olga", "Ravi"];
const LAST_NAMES: &[&str] =
    &["Lopez", "Okafor", "Becker", "Tanaka", "Smith", "Haddad", "Novak", "Reyes", "Patel", "Moreau"];
const STREETS: &[&str] = &["Maple Avenue", "Oak Street", "Harbor Road", "Elm Drive", "Station Road", "Cedar Lane"];
const PROVIDERS: &[&str] =
    &["another provider", "one of your competitors", "a cheaper company", "a different provider"];

// Tables for longer calls (see `Padding`).

/// Per theme (index order of [`THEMES`]): what the agent asks next and what the customer answers.
const PROBES: [&[(&str, &[&str])]; 11] = [
    &[
        (
            "When did you first notice the charge?",
            &[
                "I saw it on my statement on {day}.",
                "It came out of my account on {date}, and I only spotted it this morning.",
            ],
        ),
        (
            "Which card or account was the payment taken from?",
            &[
                "The Visa I always use, nothing unusual.",
                "It was taken by direct debit from my bank account, same as every month.",
            ],
        ),
        (
            "Have you made any changes to your plan recently?",
            &[
                "No, I'm still on the same {plan} plan as last year.",
                "I switched to {plan} in {month}, but I was told the price would stay the same.",
            ],
        ),
    ],
    &[
        (
            "Do you remember when you sent the item back?",
            &[
                "I dropped it at the post office on {date} and I kept the receipt.",
                "It went back on {day}, and the tracking says you received it.",
            ],
        ),
        (
            "Was the refund going to a card or to store credit?",
            &["To my card, I didn't want store credit.", "The original card, the same one I paid with."],
        ),
        (
            "Did you get a confirmation email when the return was approved?",
            &["Yes, it said {amount} would be back within five days.", "I got one on {date}, and then nothing since."],
        ),
    ],
    &[
        (
            "Did you get any messages from the courier?",
            &[
                "Just one text saying it was out for delivery, then nothing.",
                "No, the tracking page has said in transit since {day}.",
            ],
        ),
        (
            "Was anyone at home when it was meant to arrive?",
            &["Yes, I was home all day on {day} waiting for it.", "I work from home, so someone is always in."],
        ),
        (
            "Can you describe what the box looked like?",
            &[
                "It was soaked and the {product} inside has a cracked screen.",
                "One corner was smashed and something rattles inside when I shake it.",
            ],
        ),
    ],
    &[
        (
            "What lights are showing on the router right now?",
            &[
                "The internet light is flashing orange.",
                "Everything is green except the one with the globe, that one is red.",
            ],
        ),
        (
            "Have you tried restarting the router?",
            &[
                "Yes, {count} times, it makes no difference.",
                "I unplugged it for a full minute like the website says, and nothing.",
            ],
        ),
        (
            "Is it every device, or just one?",
            &[
                "Every device, the laptop, the phones, the TV, all of them.",
                "Everything in the house, even the smart speaker has gone quiet.",
            ],
        ),
    ],
    &[
        (
            "Which phone and which version of the app are you using?",
            &[
                "An Android phone, and I updated the app on {day}.",
                "An iPhone, with the latest version as far as I know.",
            ],
        ),
        (
            "What exactly happens when it goes wrong?",
            &[
                "It shows a spinning wheel, then error {errcode}, and then it closes.",
                "The screen goes white and it sends me back to the start.",
            ],
        ),
        (
            "Does it happen on the website as well, or only in the app?",
            &[
                "Both, I tried the website on my laptop and it timed out too.",
                "Only the app, the website works but it's painful on my phone.",
            ],
        ),
    ],
    &[
        (
            "Which number did you call?",
            &[
                "The main support line, the one printed on the bill.",
                "The number on the website, and then I got bounced to another queue.",
            ],
        ),
        (
            "Did you try the callback option?",
            &["I did, and nobody called back.", "There wasn't one, it just kept playing the same message."],
        ),
    ],
    &[
        (
            "Do you have the reference number from last time?",
            &["Yes, it's {ref}.", "I think it was {ref}, they gave it to me on {day}."],
        ),
        (
            "Do you remember who you spoke to last time?",
            &["Someone called {agent}, who said they'd sort it.", "I don't remember the name, it was {day} {part}."],
        ),
    ],
    &[
        (
            "Do you remember roughly when that call was?",
            &["It was {day} {part}, around {clock}.", "Yesterday, quite late in the {part}."],
        ),
        (
            "What did they tell you?",
            &[
                "They said there was nothing they could do and I should call back.",
                "That it was my own fault for not reading the terms.",
            ],
        ),
    ],
    &[
        (
            "Can I ask what's made you want to leave?",
            &["Honestly, it's the service. Too many problems lately.", "It's the price and the hassle, mostly."],
        ),
        (
            "Are you still within your contract?",
            &["I think it runs until {month}.", "I've been out of contract for ages."],
        ),
    ],
    &[
        (
            "Which plan are you on at the moment?",
            &["The {plan} plan, I've been on it for {years} years.", "The {plan} one, I think, with the extra data."],
        ),
        (
            "How much were you paying before the change?",
            &["About {amount}, and now it's more.", "It used to be {amount} and it went up without any warning."],
        ),
    ],
    &[
        ("Which email address do you use to log in?", &["{email}, same as always.", "It should be {email}."]),
        (
            "Do you still have the phone number that's on the account?",
            &["Yes, it's {phone}.", "I changed my number last month, maybe that's the problem."],
        ),
    ],
];

/// Per theme: what the agent explains once they have looked into it.
const EXPLANATIONS: [&[&str]; 11] = [
    &[
        "What I can see is that the payment was retried after a timeout, so it went through twice. That's on our side, not yours.",
        "The fee comes from a late payment flag that shouldn't have been applied, because your autopay was active.",
        "Your bill covers part of a month because of the plan change, which is why it looks higher this time. I'll email you the breakdown.",
    ],
    &[
        "Refunds go back to the bank once the warehouse checks the return, and that check was never marked as done.",
        "I can see the return arrived on {date}, but the refund was held for a manual review that nobody picked up.",
        "Once a refund is released your bank can take up to five business days to show it, so I'll email you the confirmation today.",
    ],
    &[
        "The courier marked it as delivered to a neighbour's address, which is why the tracking stopped. I've raised it with their depot.",
        "It looks like the parcel was held at the sorting centre because of a missing label.",
        "Damaged items are covered by our guarantee, so you don't need to send anything back until the replacement arrives.",
    ],
    &[
        "There's a fault on the line between the street cabinet and the exchange, and the engineers are working on it.",
        "Our monitoring shows your connection dropping {count} times since {day}, so it isn't anything you're doing.",
        "I've refreshed the line from our end. If the light doesn't turn green in ten minutes, the technician visit stays booked.",
    ],
    &[
        "The last update broke the payment screen on some phones, and a fix is being tested right now.",
        "Error {errcode} means the session timed out, which shouldn't happen while you're still typing.",
        "I can see {count} failed attempts on your account today, all at the same step, so I've attached that to the bug report.",
    ],
    &[
        "We've had a lot of calls this {part} because of the outage, and the queue has been longer than it should be.",
        "The callback option only appears after ten minutes in the queue, which isn't great, I know.",
    ],
    &[
        "I can see the notes from {day}, and the follow-up task was closed without anyone calling you. That shouldn't have happened.",
        "Your case was passed between two teams and fell through the gap. I'm keeping it with me this time.",
        "I've set a reminder on the case for {day}, so it can't be closed until you confirm it's fixed.",
    ],
    &[
        "Every call is recorded, so the team leader can listen to it and follow up with the agent.",
        "That's not how we want anyone to be treated, and I'll make sure it's reviewed this week.",
    ],
    &[
        "You're out of contract, so there's no exit fee, and the service runs until the end of the billing period.",
        "There would be an early exit fee of {amount}, but I can waive part of it given what's happened.",
    ],
    &[
        "The yearly price change is in the terms, but we should have written to you a month before it started.",
        "You're paying for things you don't use, like the premium channels, so a smaller plan would save you money.",
    ],
    &[
        "The account was locked after {count} failed attempts, which is a security setting, and the reset link only lasts fifteen minutes.",
        "The verification codes were going to an old number, so I've updated it and sent a fresh one.",
    ],
];

/// Per idea (index order of [`IDEAS`]): why the customer wants it.
const IDEA_REASONS: [&[&str]; 10] = [
    &[
        "I use the app late at night and the bright screen is blinding.",
        "My eyes get tired, and every other app I use has it.",
    ],
    &["I don't like typing my card details into websites.", "Everything else I buy online goes through PayPal."],
    &[
        "There are four of us at home and we each pay separately.",
        "My kids all have their own accounts and it adds up.",
    ],
    &[
        "I never check my email, but I always see texts.",
        "I missed two deliveries because I didn't know they were coming.",
    ],
    &["I travel for work for a couple of months every year.", "I'm away all summer and I don't want to cancel."],
    &[
        "I work all week, so the weekend is the only time I can sort things out.",
        "Saturday is when I have time, and the chat is closed.",
    ],
    &["I can't wait in all day for a parcel.", "I work shifts, so an evening slot would be perfect."],
    &[
        "My accountant needs them for my business expenses.",
        "I have to screenshot the bill every month, which is silly.",
    ],
    &[
        "It's quicker than typing my card on a tiny screen.",
        "I don't carry my wallet anymore, everything is on my phone.",
    ],
    &[
        "All the best deals seem to go to people who just joined.",
        "I've been with you for {years} years and get nothing for it.",
    ],
];

const TELL_ME_MORE: &[&str] = &[
    "Can you tell me a bit more about what happened?",
    "And how long has this been going on?",
    "Just so I have the full picture, what happened after that?",
    "Okay, and has this happened before?",
    "Can you walk me through it from the start?",
];
const AGAIN_LEADS: &[&str] = &["Like I said, ", "Well, ", "Basically, ", "So, ", "As I said, ", ""];
const FED_UP: &[&str] = &[
    "I'm honestly losing patience here.",
    "I really don't understand why this is so hard.",
    "This is so frustrating.",
    "I just want it fixed.",
    "I pay a lot of money every month for this.",
];
const CALM: &[&str] = &[
    "It's been a real nuisance, to be honest.",
    "I'd just like to get it sorted.",
    "I'm sure it's a simple mistake.",
    "",
    "",
];
const EMPATHY: &[&str] = &[
    "I completely understand.",
    "That makes sense, thank you.",
    "I'm sorry, that sounds really annoying.",
    "Thanks for bearing with me.",
    "Right, I see what's happened.",
];
const CONFIRMS: &[&str] = &[
    "Thanks, that matches what I have.",
    "Perfect, you're verified.",
    "Great, thanks for confirming that.",
    "Lovely, I've found the account.",
];
const RESUMES: &[&str] = &[
    "Thanks for holding. I can see the notes on the account now.",
    "Thanks for waiting, I've checked with my team lead.",
    "Sorry about that, the system is slow today. I have everything in front of me now.",
    "Thank you for your patience, I've got the details up.",
];
const IDEA_PROBES: &[&str] = &[
    "Can I ask what you'd use it for?",
    "How would that help you, out of interest?",
    "Is that something you've seen somewhere else?",
    "What would make the biggest difference for you there?",
];
const IDEA_NOTES: &[&str] = &[
    "I'll add that to the request with your reasons, it helps the team decide what to build next.",
    "Makes sense. I've added a note to the feature request.",
    "That's really useful to hear, I've written it up for the product team.",
];
const PLAIN_PROBES: &[&str] = &[
    "Is there anything on the account you'd like me to double-check while I have it open?",
    "Was there something else you wanted to ask about?",
    "Did you have any other questions while you're on the line?",
];
const ASIDES: &[&str] = &[
    "Sorry, give me a second, the dog is barking.",
    "Sorry, I'm driving, I've put you on speaker.",
    "Bear with me, I'm looking for the letter you sent.",
    "Hang on, let me grab a pen so I can write this down.",
    "Sorry, someone is at the door. Okay, I'm back.",
];
const ASIDE_REPLIES: &[&str] =
    &["No problem, take your time.", "No rush at all.", "That's fine, I'm still here.", "Of course, go ahead."];

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("earful-sample-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn write(calls: usize, seed: u64, name: &str) -> (PathBuf, SampleSummary) {
        write_length(calls, seed, 1, name)
    }

    fn write_length(calls: usize, seed: u64, length: u32, name: &str) -> (PathBuf, SampleSummary) {
        let dir = scratch(name);
        let summary = write_sample(&SampleOptions { calls, seed, length }, &dir).expect("sample written");
        (dir, summary)
    }

    fn contents(summary: &SampleSummary) -> Vec<Vec<u8>> {
        summary.files.iter().map(|p| fs::read(p).expect("file readable")).collect()
    }

    /// The committed sample in data/sample is exactly what the documented command writes.
    #[test]
    fn committed_sample_matches_the_generator() {
        let (dir, summary) = write(2000, 42, "committed");
        let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
        for file in &summary.files {
            let relative = file.strip_prefix(&dir).expect("under the scratch dir");
            let want = fs::read(committed.join(relative)).expect("file in data/sample");
            assert!(fs::read(file).expect("generated") == want, "{} differs from the generator", relative.display());
        }
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn same_seed_gives_identical_bytes_and_other_seeds_differ() {
        let (a_dir, a) = write(200, 7, "a");
        let (b_dir, b) = write(200, 7, "b");
        let (c_dir, c) = write(200, 8, "c");
        assert_eq!(contents(&a), contents(&b));
        assert_eq!(a.bytes, b.bytes);
        assert_ne!(contents(&a)[0], contents(&c)[0]);
        assert_ne!(contents(&a)[1], contents(&c)[1]);
        for dir in [a_dir, b_dir, c_dir] {
            fs::remove_dir_all(dir).unwrap();
        }
    }

    #[test]
    fn files_and_record_counts() {
        let (dir, summary) = write(300, 1, "counts");
        assert_eq!(summary.calls, 300);
        assert_eq!(summary.files.len(), 12);
        let jsonl = fs::read_to_string(dir.join("calls.jsonl")).unwrap();
        assert_eq!(jsonl.lines().count(), 260);
        let survey = fs::read_to_string(dir.join("survey.csv")).unwrap();
        assert!(survey.starts_with("call_id,text,region,plan,score\n"));
        assert_eq!(csv_records(&survey).len(), 1 + SURVEY_ROWS);
        let txt = fs::read_dir(dir.join("transcripts"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "txt"));
        assert_eq!(txt.count(), TEXT_CALLS);
        let on_disk: u64 = summary.files.iter().map(|p| fs::metadata(p).unwrap().len()).sum();
        assert_eq!(on_disk, summary.bytes);
        fs::remove_dir_all(dir).unwrap();
    }

    /// Splits CSV into records of fields, honouring quotes (enough for this test).
    fn csv_records(text: &str) -> Vec<Vec<String>> {
        let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
        let (mut quoted, mut chars) = (false, text.chars().peekable());
        while let Some(ch) = chars.next() {
            match (ch, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => field.push(chars.next().unwrap()),
                ('"', _) => quoted = !quoted,
                (',', false) => record.push(std::mem::take(&mut field)),
                ('\n', false) => {
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                _ => field.push(ch),
            }
        }
        records
    }

    #[test]
    fn survey_rows_are_well_formed() {
        let (dir, _) = write(100, 3, "survey");
        let survey = fs::read_to_string(dir.join("survey.csv")).unwrap();
        let records = csv_records(&survey);
        assert!(records.iter().all(|r| r.len() == 5));
        let ids: BTreeSet<&String> = records[1..].iter().map(|r| &r[0]).collect();
        assert_eq!(ids.len(), SURVEY_ROWS);
        assert!(records.iter().any(|r| r[1].starts_with('=')));
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn exactly_three_damaged_lines() {
        for calls in [50, 123, 1000] {
            let (dir, _) = write(calls, 42, &format!("damaged{calls}"));
            let jsonl = fs::read_to_string(dir.join("calls.jsonl")).unwrap();
            let bad = jsonl.lines().filter(|line| {
                let value: Option<serde_json::Value> = serde_json::from_str(line).ok();
                !value.is_some_and(|v| v.get("turns").is_some_and(|t| t.is_array()))
            });
            assert_eq!(bad.count(), 3, "calls = {calls}");
            fs::remove_dir_all(dir).unwrap();
        }
    }

    #[test]
    fn good_calls_are_plausible() {
        for length in [1, 3] {
            good_calls_are_plausible_at(length);
        }
    }

    fn good_calls_are_plausible_at(length: u32) {
        let (dir, _) = write_length(600, 5, length, &format!("plausible{length}"));
        let jsonl = fs::read_to_string(dir.join("calls.jsonl")).unwrap();
        let mut last_start = String::new();
        for line in jsonl.lines() {
            let Ok(call) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            let Some(turns) = call["turns"].as_array() else { continue };
            assert!((4..=max_turns(length)).contains(&turns.len()), "{line}");
            assert_eq!(call["metadata"].as_object().unwrap().len(), 6);
            let mut clock = -1.0;
            for turn in turns {
                let (start, end) = (turn["start"].as_f64().unwrap(), turn["end"].as_f64().unwrap());
                assert!(clock < start && start < end, "{line}");
                clock = end;
                assert!(!turn["text"].as_str().unwrap().contains(['{', '}']));
            }
            let started = call["started_at"].as_str().unwrap().to_string();
            assert!(started >= last_start && started.as_str() < "2026-11-22T20:00:00Z");
            last_start = started;
        }
        fs::remove_dir_all(dir).unwrap();
    }

    /// JSONL bytes per call line, over the whole file.
    fn mean_line_bytes(dir: &Path) -> f64 {
        let jsonl = fs::read_to_string(dir.join("calls.jsonl")).unwrap();
        jsonl.len() as f64 / jsonl.lines().count() as f64
    }

    #[test]
    fn length_three_calls_are_about_three_kilobytes() {
        // 340 records: 300 calls in the JSONL file.
        let (one_dir, one_summary) = write_length(340, 11, 1, "len1");
        let (three_dir, _) = write_length(340, 11, 3, "len3");
        let (one, three) = (mean_line_bytes(&one_dir), mean_line_bytes(&three_dir));
        assert!((800.0..1200.0).contains(&one), "length 1: {one} bytes per call");
        assert!((2500.0..3500.0).contains(&three), "length 3: {three} bytes per call");
        // Length 1 is the default and writes exactly what it wrote before lengths existed.
        let (default_dir, default) = write(340, 11, "len-default");
        assert_eq!(contents(&one_summary), contents(&default));
        for dir in [one_dir, three_dir, default_dir] {
            fs::remove_dir_all(dir).unwrap();
        }
    }

    /// Customer turns of a call as JSON values, or None for a damaged line.
    fn customer_texts(call: &serde_json::Value) -> Option<Vec<String>> {
        let turns = call["turns"].as_array()?;
        let customer =
            |t: &&serde_json::Value| matches!(t["speaker"].as_str(), Some("customer" | "caller" | "Customer"));
        Some(turns.iter().filter(customer).map(|t| t["text"].as_str().unwrap().to_string()).collect())
    }

    /// A longer call is the same call with turns added: same id, time, metadata and speaker
    /// labels, and every customer turn of the length-1 call, in order. So the planted segment
    /// effects carry over to benchmark corpora.
    #[test]
    fn longer_calls_only_add_turns() {
        let (one_dir, _) = write_length(400, 21, 1, "grow1");
        let (four_dir, _) = write_length(400, 21, 4, "grow4");
        let one = fs::read_to_string(one_dir.join("calls.jsonl")).unwrap();
        let four = fs::read_to_string(four_dir.join("calls.jsonl")).unwrap();
        assert_eq!(one.lines().count(), four.lines().count());
        let mut grown = 0;
        for (short, long) in one.lines().zip(four.lines()) {
            let (Ok(short), Ok(long)) =
                (serde_json::from_str::<serde_json::Value>(short), serde_json::from_str::<serde_json::Value>(long))
            else {
                continue;
            };
            for key in ["call_id", "started_at", "metadata"] {
                assert_eq!(short[key], long[key]);
            }
            let (Some(short_said), Some(long_said)) = (customer_texts(&short), customer_texts(&long)) else { continue };
            let mut rest = long_said.iter();
            for said in &short_said {
                assert!(rest.any(|t| t == said), "{said:?} missing from the longer call {}", long["call_id"]);
            }
            grown += usize::from(long_said.len() >= short_said.len() + 3);
        }
        assert!(grown > 300, "only {grown} calls grew");
        for dir in [one_dir, four_dir] {
            fs::remove_dir_all(dir).unwrap();
        }
    }

    #[test]
    fn length_zero_is_refused() {
        let dir = scratch("len0");
        let err = write_sample(&SampleOptions { calls: 100, seed: 1, length: 0 }, &dir).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn every_template_fills() {
        let mut rng = Rng::new(0, 0);
        let tables = [PHONE_GREETINGS, CHAT_GREETINGS, ANGRY_OPENERS, LOYAL_INTROS, PROSPECT_PRICE];
        let more = [PERSONAL, SURVEY_PRAISE, AGENT_GOOD_CLOSES, AGENT_BAD_CLOSES, GOOD_CLOSES, BAD_CLOSES];
        let mut all: Vec<&str> = tables.iter().chain(more.iter()).flat_map(|t| t.iter().copied()).collect();
        for theme in &THEMES {
            all.extend(theme.said.iter().chain(theme.fix).chain(theme.echo).chain(theme.negated));
        }
        all.extend(DETAILS.iter().flat_map(|(q, answers)| std::iter::once(*q).chain(answers.iter().copied())));
        all.extend(PLAIN.iter().flat_map(|(q, a)| [*q, *a]));
        all.extend(PROSPECT_PRICE_REPLIES);
        for probes in PROBES {
            all.extend(probes.iter().flat_map(|(q, answers)| std::iter::once(*q).chain(answers.iter().copied())));
        }
        all.extend(EXPLANATIONS.iter().chain(IDEA_REASONS.iter()).flat_map(|t| t.iter().copied()));
        for table in [TELL_ME_MORE, FED_UP, CALM, EMPATHY, CONFIRMS, RESUMES, IDEA_PROBES, IDEA_NOTES, PLAIN_PROBES] {
            all.extend(table);
        }
        all.extend(ASIDES.iter().chain(ASIDE_REPLIES));
        for template in all {
            for _ in 0..20 {
                assert!(!fill(&mut rng, template).contains(['{', '}']), "{template}");
            }
        }
        for idea in 0..IDEAS.len() {
            for _ in 0..50 {
                assert!(!idea_line(&mut rng, idea).contains(['{', '}']));
            }
        }
    }

    /// Draws many calls the way `calls_jsonl` does and checks the planted segment effects.
    #[test]
    fn segment_effects_are_planted() {
        let mut rng = Rng::new(99, 1);
        let mut people = Customers::default();
        let mut stats: Vec<(Customer, bool, Story)> = Vec::new();
        for _ in 0..40_000 {
            let (who, repeat) = people.next(&mut rng);
            let chat = rng.chance(CHAT_SHARE);
            let story = plan_story(&mut rng, &who, chat, repeat);
            stats.push((who, chat, story));
        }
        let rate = |keep: &dyn Fn(&(Customer, bool, Story)) -> bool, hit: &dyn Fn(&Story) -> bool| {
            let group: Vec<_> = stats.iter().filter(|s| keep(s)).collect();
            group.iter().filter(|s| hit(&s.2)).count() as f64 / group.len() as f64
        };
        let has = |t: usize| move |s: &Story| s.themes.contains(&t);
        let ratio =
            |t: usize, seg: &dyn Fn(&(Customer, bool, Story)) -> bool| rate(seg, &has(t)) / rate(&|s| !seg(s), &has(t));
        assert!(ratio(OUTAGE, &|s| s.0.region == WEST) > 2.0);
        assert!(ratio(DELIVERY, &|s| s.0.region == SOUTH) > 1.8);
        assert!(ratio(APP_BUG, &|s| s.1) > 1.8);
        assert!(ratio(PRICE, &|s| s.0.plan == BASIC) > 1.8);
        assert!(ratio(STAFF, &|s| s.0.ltv_cents >= HEAVY_CENTS) > 2.0);
        assert!(ratio(BILLING, &|s| s.0.prospect()) < 0.3);
        let idea = |s: &Story| s.idea.is_some();
        assert!(rate(&|s| s.0.prospect(), &idea) > 2.0 * rate(&|s| !s.0.prospect(), &idea));
        let quiet = rate(&|_| true, &|s| s.themes.is_empty() && s.idea.is_none());
        assert!((0.03..0.08).contains(&quiet), "{quiet}");
    }
}
