//! The run: the one place that knows all five stages and wires them together.
//!
//! ```text
//! reader thread ──chunks of a batch──> worker pool (decode, normalize, extract)
//!                                       └─> sink, taken in turn by the workers (rows to disk, counts)
//! ```
//! Chunks are taken by the sink in input order, so the report does not depend on the number of
//! threads. The channel of chunks is bounded: memory holds a few batches, never the corpus.

use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasherDefault;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossbeam_channel::bounded;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::aggregate::themes::{Collector, IdHasher, Themes};
use crate::aggregate::trends::TrendRow;
use crate::aggregate::{self, CallCounts, CallIdea, Counts};
use crate::cli::{MineArgs, SampleArgs, Stage};
use crate::config::{hex_sha256, Config};
use crate::error::{Error, Exit};
use crate::extract::discover::{self, CallTerms};
use crate::extract::follow_up::{self, Reason};
use crate::extract::{idea, Extractor, Findings, Taxonomy};
use crate::history::{self, History, Night, NightInput};
use crate::ingest::join::{JoinStats, Joined, MetadataJoin};
use crate::ingest::vendor::roles::SpeakerReport;
use crate::ingest::{self, Batch, Compression, Decoder, InputFile, Item, Mapped, Reject, Seen};
use crate::model::{self, Kind, Role};
use crate::normalize::{self, redact::redact, Speakers};
use crate::report::manifest::{DiscoveryEntry, DroppedFields, InputEntry, Manifest, Timings, Totals, TOOL};
use crate::report::table::{self, FollowUpRow};
use crate::report::{self, workbook, CallRow, MentionRow, ReportWriter, Staging};

/// Bytes of input per batch: large enough to keep both cores busy, small enough to bound memory.
const BATCH_BYTES: usize = 4 << 20;

/// The figures printed at the end of a run.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Records read.
    pub records: u64,
    /// Calls processed.
    pub calls: u64,
    /// Records rejected.
    pub rejects: u64,
    /// Complaint mentions.
    pub complaints: u64,
    /// Idea mentions.
    pub ideas: u64,
    /// Calls to call back.
    pub follow_ups: u64,
    /// Themes discovered; `None` when discovery was off.
    pub themes: Option<u64>,
    /// The report folder.
    pub out: PathBuf,
    /// Wall time.
    pub elapsed: Duration,
    /// What the analyst should know about the run beyond the figures.
    pub warnings: Vec<String>,
}

impl Summary {
    /// Rejected records over records read (0 when nothing was read).
    pub fn reject_rate(&self) -> f64 {
        if self.records == 0 {
            0.0
        } else {
            self.rejects as f64 / self.records as f64
        }
    }
}

/// The run's figures for monitoring, as `--summary-json` writes them.
#[derive(Debug, serde::Serialize)]
struct SummaryJson<'a> {
    status: &'a str,
    exit_code: u8,
    error: Option<String>,
    records: u64,
    calls: u64,
    rejects: u64,
    reject_rate: f64,
    complaint_mentions: u64,
    idea_mentions: u64,
    follow_ups: u64,
    themes: Option<u64>,
    out: String,
    seconds: f64,
}

/// `earful mine` as the binary runs it: the run, the summary line, `--summary-json`, and the exit
/// code a scheduler acts on (3 when the reject rate passed `--max-reject-rate`).
pub fn mine_command(args: &MineArgs) -> Exit {
    let result = mine(args);
    let (exit, status) = match &result {
        Ok(s) if args.max_reject_rate.is_some_and(|max| s.reject_rate() > max) => {
            (Exit::TooManyRejects, "too_many_rejects")
        }
        Ok(_) => (Exit::Success, "ok"),
        Err(e) => (e.exit(), "failed"),
    };
    match &result {
        Ok(summary) if !args.quiet => eprintln!("{summary}"),
        Ok(_) => {}
        Err(e) => eprintln!("earful: error: {e}"),
    }
    if let Ok(summary) = &result {
        for warning in &summary.warnings {
            eprintln!("earful: warning: {warning}");
        }
    }
    if exit == Exit::TooManyRejects {
        if let (Ok(s), Some(max)) = (&result, args.max_reject_rate) {
            eprintln!(
                "earful: reject rate {:.2}% is over --max-reject-rate {:.2}% (see rejects.csv)",
                s.reject_rate() * 100.0,
                max * 100.0
            );
        }
    }
    if let Some(path) = &args.summary_json {
        let zero = Summary {
            records: 0,
            calls: 0,
            rejects: 0,
            complaints: 0,
            ideas: 0,
            follow_ups: 0,
            themes: None,
            out: args.out.clone(),
            elapsed: Duration::ZERO,
            warnings: Vec::new(),
        };
        let s = result.as_ref().unwrap_or(&zero);
        let json = SummaryJson {
            status,
            exit_code: exit as u8,
            error: result.as_ref().err().map(|e| e.to_string()),
            records: s.records,
            calls: s.calls,
            rejects: s.rejects,
            reject_rate: s.reject_rate(),
            complaint_mentions: s.complaints,
            idea_mentions: s.ideas,
            follow_ups: s.follow_ups,
            themes: s.themes,
            out: args.out.display().to_string(),
            seconds: seconds(s.elapsed),
        };
        let text = serde_json::to_string_pretty(&json).unwrap_or_default() + "\n";
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("earful: error: cannot write {}: {e}", path.display());
            return if exit == Exit::Success { Exit::Failure } else { exit };
        }
    }
    exit
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "earful: {} calls, {} rejected, {} complaints, {} ideas, {} follow-ups{} -> {} ({:.1} s)",
            self.calls,
            self.rejects,
            self.complaints,
            self.ideas,
            self.follow_ups,
            self.themes.map_or(String::new(), |n| format!(", {n} themes")),
            self.out.display(),
            self.elapsed.as_secs_f64()
        )
    }
}

/// What the workers make of one record.
enum Outcome {
    Call(Box<Processed>),
    Reject { file: usize, record: String, reason: String, seen: Option<Seen> },
}

struct Processed {
    file: usize,
    /// The record's line (0 for a whole file).
    line: u64,
    follow_up: Option<FollowUpRow>,
    row: CallRow,
    mentions: Vec<(Kind, u16, u16, u32, String)>,
    findings: Findings,
    ideas: Vec<CallIdea>,
    unknown_turns: u64,
    /// Discovery's terms, when discovery is on.
    terms: Option<CallTerms>,
    seen: Option<Seen>,
    join: Option<Joined>,
}

/// Everything a worker needs, shared read-only.
struct Stages {
    decoder: Decoder,
    speakers: Speakers,
    extractor: Extractor,
    config: Config,
}

impl Stages {
    /// The workers' shared state: the decoder gets the config's speaker labels for anonymous
    /// diarization (ingest does not depend on normalize, so the mapping is handed to it).
    fn new(config: Config, taxonomy: Taxonomy, join: Option<MetadataJoin>) -> Result<Stages, Error> {
        let speakers = Speakers::new(config.customer_labels.clone(), config.agent_labels.clone());
        let labels = speakers.clone();
        let decoder = Decoder::new(config.formats.clone(), Box::new(move |label| labels.role(label)));
        let decoder = match join {
            Some(join) => decoder.with_join(join),
            None => decoder,
        };
        // Discovery's cues and words of tone are found in the taxonomy's scan of each turn.
        let marks = if config.discovery.is_some() { discover::mark_words() } else { Vec::new() };
        Ok(Stages { decoder, speakers, extractor: Extractor::with_marks(taxonomy, &marks)?, config })
    }

    /// The call-back entry for a call in which the customer complained and that ended badly.
    fn follow_up(
        &self,
        conv: &normalize::Conversation,
        findings: &Findings,
        mentions: &[(Kind, u16, u16, u32, String)],
        categories: &str,
        quote: &dyn Fn(u32, usize, usize) -> String,
    ) -> Option<FollowUpRow> {
        if findings.complaints == 0 {
            return None;
        }
        let rules = &self.config.follow_ups;
        let taxonomy = self.extractor.taxonomy();
        let first_in = |list: &[String]| {
            mentions.iter().find(|m| list.contains(&taxonomy.categories[m.1 as usize].id)).map(|m| m.4.clone())
        };
        let mut reasons = Vec::new();
        let mut quotes = Vec::new();
        if let Some(q) = first_in(&rules.cancellation_categories) {
            reasons.push(Reason::CancellationThreat);
            quotes.push(q);
        }
        if let Some((turn, start, end)) = findings.supervisor {
            reasons.push(Reason::AskedForSupervisor);
            quotes.push(quote(turn, start, end));
        }
        if findings.sentiment_end <= self.config.unhappy_at {
            reasons.push(Reason::UnhappyEnd);
        }
        if let Some(q) = first_in(&rules.repeat_categories) {
            reasons.push(Reason::RepeatContact);
            quotes.push(q);
        }
        if reasons.is_empty() {
            return None;
        }
        let last_complaint = mentions.iter().rev().find(|m| m.0 == Kind::Complaint).map(|m| m.4.clone());
        let customer_id = rules
            .customer_id_fields
            .iter()
            .find_map(|f| conv.call.metadata.iter().find(|(k, v)| k == f && !v.trim().is_empty()))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let started_at = conv.call.started_at.clone().unwrap_or_default();
        Some(FollowUpRow {
            call_id: conv.call.call_id.clone(),
            customer_id,
            priority: follow_up::priority(&reasons),
            reasons: reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(";"),
            categories: categories.to_string(),
            respond_by: respond_by(&started_at, rules.respond_within_hours),
            started_at,
            sentiment_end: findings.sentiment_end,
            quote: quotes.into_iter().next().or(last_complaint).unwrap_or_default(),
        })
    }

    fn process(&self, batch: &Batch, item: &Item) -> Outcome {
        // A reason can quote the record (serde names the value it choked on): redact it like a quote.
        let reject = |reason: String, seen: Option<Seen>| Outcome::Reject {
            file: item.file,
            record: Batch::record_name(item),
            reason: if self.config.redact { redact(&reason) } else { reason },
            seen,
        };
        let ingest::Decoded { call, seen, join } = match self.decoder.decode(batch, item) {
            Ok(decoded) => decoded,
            Err(e) => return reject(e.reason, e.seen),
        };
        let reject = |reason: String| reject(reason, seen.clone());
        if call.turns.is_empty() {
            return reject(format!("call {:?} has no turns", call.call_id));
        }
        let conv = normalize::normalize(call, &self.speakers);
        if conv.customer_turns().next().is_none() {
            let mut labels: Vec<&str> = conv.call.turns.iter().map(|t| &*t.speaker).collect();
            labels.sort_unstable();
            labels.dedup();
            return reject(format!(
                "call {:?} has no customer turn (speakers: {}); map labels in [speakers] of the config",
                conv.call.call_id,
                labels.join(", ")
            ));
        }
        let mut findings = self.extractor.extract(&conv);
        let taxonomy = self.extractor.taxonomy();
        let said = |sentence: &str| if self.config.redact { redact(sentence) } else { sentence.to_string() };
        let quote = |turn: u32, start: usize, end: usize| {
            said(&normalize::quote_around(&conv.call.turns[turn as usize].text, start, end).shown())
        };
        // Mentions come in text order, and several are often in one sentence: its quote is
        // made (and redacted) once.
        let mut last: Option<(u32, normalize::Quote, &String)> = None;
        let mut mentions: Vec<(Kind, u16, u16, u32, String)> = Vec::with_capacity(findings.mentions.len());
        for m in &findings.mentions {
            let found = normalize::quote_around(&conv.call.turns[m.turn as usize].text, m.start, m.end);
            let quote = match last {
                Some((turn, before, quote)) if turn == m.turn && before == found => quote.clone(),
                _ => said(&found.shown()),
            };
            mentions.push((taxonomy.categories[m.category as usize].kind, m.category, m.phrase, m.turn, quote));
            last = mentions.last().map(|q| (m.turn, found, &q.4));
        }
        let mut ideas: Vec<CallIdea> = Vec::new();
        for (m, (_, _, _, _, quote)) in findings.mentions.iter().zip(&mentions) {
            if let Some(form) = &m.idea {
                let form = if self.config.redact { redact(form) } else { form.clone() };
                let form = &form;
                let key = idea::group_key(form);
                if !ideas.iter().any(|i| i.category == m.category && i.key == key) {
                    ideas.push(CallIdea { category: m.category, key, form: form.clone(), quote: quote.clone() });
                }
            }
        }
        let ids = |c: &u16| taxonomy.categories[*c as usize].id.as_str();
        let categories = findings.categories.iter().map(ids).collect::<Vec<_>>().join(";");
        let follow_up = self.follow_up(&conv, &findings, &mentions, &categories, &quote);
        let unknown_turns = conv.roles.iter().filter(|r| **r == Role::Unknown).count() as u64;
        let terms = self.config.discovery.is_some().then(|| {
            let mut known = discover::Known { marks: findings.marks.take(), ..discover::Known::default() };
            for m in &findings.mentions {
                let category = &taxonomy.categories[m.category as usize];
                match category.kind {
                    Kind::Complaint if category.general => known.feelings.push((m.turn, m.start, m.end)),
                    Kind::Complaint => known.complaints.push((m.turn, m.start, m.end)),
                    Kind::Idea => known.ideas.push((m.turn, m.start, m.end)),
                    // Only discovery makes questions; a taxonomy cannot name the kind.
                    Kind::Question => {}
                }
            }
            discover::call_terms(&conv, &known)
        });
        // The call is not needed past this point: its fields move into the row.
        let turns = conv.call.turns.len() as u32;
        let model::Call { call_id, started_at, metadata, .. } = conv.call;
        let row = CallRow {
            call_id,
            started_at,
            metadata,
            turns,
            customer_words: findings.customer_words,
            sentiment_start: findings.sentiment_start,
            sentiment_end: findings.sentiment_end,
            complaints: findings.complaints,
            ideas: findings.ideas,
            primary_category: findings.primary.as_ref().map(ids).unwrap_or_default().to_string(),
            categories,
        };
        Outcome::Call(Box::new(Processed {
            file: item.file,
            line: item.line,
            follow_up,
            row,
            mentions,
            findings,
            ideas,
            unknown_turns,
            terms,
            seen,
            join,
        }))
    }
}

/// Calls in one unit of a worker's work. A chunk's results are taken by the sink right after
/// they are made, while they are still in the cache of the core that made them.
const CHUNK_CALLS: usize = 64;

/// How far (in chunks) a worker may run ahead of the sink: a chunk that takes long (one very
/// large call) holds the others back instead of letting their results pile up.
const MAX_AHEAD: u64 = 128;

/// Sets the flag when the thread panics while it holds this: a worker's panic must stop the
/// other workers and the reader, which would otherwise wait forever for the chunk it never made.
struct StopOnPanic<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// A chunk of a batch for a worker: the batch is shared by its chunks, and its buffer goes back
/// to the reader when the last one is done.
struct Job {
    /// The chunk's place in the input: the sink takes chunks in this order.
    seq: u64,
    batch: std::sync::Arc<Batch>,
    items: std::ops::Range<usize>,
}

/// Chunks that are made and wait to be taken in order, with the worker that made each.
struct Made {
    next: u64,
    chunks: std::collections::BTreeMap<u64, (usize, Vec<Outcome>, u64)>,
}

/// Reads on a thread of its own and processes the calls in chunks on the pool. There is no
/// sink thread: the worker that finishes a chunk takes, if the sink is free, every chunk that is
/// next in order, so most results are written and counted by the core that made them, while they
/// are warm. The results are freed by the worker that made them: a value freed by another thread
/// costs the allocator a remote free and its owner a collection.
///
/// Before, a sink thread took whole 4 MB batches: their results, about as large, had left the
/// caches when it read them, and again when the workers freed them and reused the memory. On
/// 1 GB, two threads used 17% more CPU time than one (4.62 s against 3.94 s) and the allocator's
/// fast path had three times the samples of a one-thread run.
fn mine_in_chunks(
    reader: ingest::Reader<'_>,
    pool: &rayon::ThreadPool,
    stages: &Stages,
    sink: Sink,
    recycle_tx: crossbeam_channel::Sender<Vec<u8>>,
    files: &[InputFile],
    bar: &ProgressBar,
) -> Result<Sink, Error> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Condvar, Mutex, PoisonError, TryLockError};

    let workers = pool.current_num_threads();
    let sink = Mutex::new(sink);
    let made = Mutex::new(Made { next: 0, chunks: Default::default() });
    // Results taken by the sink, waiting to be freed by the worker that made them.
    let spent: Vec<Mutex<Vec<Vec<Outcome>>>> = (0..workers).map(|_| Mutex::new(Vec::new())).collect();
    let failed: Mutex<Option<Error>> = Mutex::new(None);
    let stop = AtomicBool::new(false);
    // Signalled when the sink has taken chunks, for a worker that is too far ahead.
    let advanced = Condvar::new();
    let taxonomy = stages.extractor.taxonomy();
    let config = &stages.config;
    // Batches handed out whose chunks are not all made. The channel is bounded in chunks, and a
    // batch of large calls is a chunk or two, so 64 chunks could hold 64 batches: the reader waits
    // while one per worker and two more are out, and memory holds a few whatever the calls' size.
    let in_flight = Mutex::new(0usize);
    let batch_done = Condvar::new();
    let max_in_flight = workers + 2;
    // By the last holder of a batch: its buffer goes back to the reader, which may read another.
    let release = |batch: Batch| {
        let _ = recycle_tx.try_send(batch.buf);
        *in_flight.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
        batch_done.notify_one();
    };

    // Takes the chunks that are next in order, if no other worker is taking them. A chunk made
    // while the taker finishes waits for the next chunk to be made, or for the end of the run.
    let take_ready = |worker: Option<usize>| {
        let mut sink = match sink.try_lock() {
            Ok(sink) => sink,
            Err(TryLockError::WouldBlock) => return,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
        };
        loop {
            // After an error or a panic the run fails: nothing more is written.
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let (maker, mut outcomes, bytes) = {
                let mut made = made.lock().unwrap_or_else(PoisonError::into_inner);
                let next = made.next;
                match made.chunks.remove(&next) {
                    Some(chunk) => {
                        made.next += 1;
                        advanced.notify_all();
                        chunk
                    }
                    None => return,
                }
            };
            for outcome in &mut outcomes {
                if let Err(e) = sink.take(outcome, files, taxonomy, config) {
                    failed.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(e);
                    stop.store(true, Ordering::Relaxed);
                    return;
                }
            }
            if bytes > 0 {
                bar.inc(bytes);
                bar.set_message(format!("{} calls", sink.counts.calls));
            }
            if Some(maker) != worker {
                spent[maker].lock().unwrap_or_else(PoisonError::into_inner).push(outcomes);
            }
        }
    };

    let (jobs_tx, jobs_rx) = bounded::<Job>(64);
    let (in_flight, batch_done, stop) = (&in_flight, &batch_done, &stop);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut seq = 0;
            reader.run(|batch| {
                let mut handed_out = in_flight.lock().unwrap_or_else(PoisonError::into_inner);
                while *handed_out >= max_in_flight {
                    if stop.load(Ordering::Relaxed) {
                        return false;
                    }
                    handed_out = batch_done
                        .wait_timeout(handed_out, Duration::from_millis(10))
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
                *handed_out += 1;
                drop(handed_out);
                let batch = Arc::new(batch);
                // A batch with no call (the bytes of a file that ended just after the last one)
                // is one empty chunk, so that the progress bar counts its bytes in turn.
                let calls = batch.items.len();
                for start in (0..calls.max(1)).step_by(CHUNK_CALLS) {
                    let items = start..calls.min(start + CHUNK_CALLS);
                    if jobs_tx.send(Job { seq, batch: Arc::clone(&batch), items }).is_err() {
                        return false;
                    }
                    seq += 1;
                }
                if let Some(batch) = Arc::into_inner(batch) {
                    release(batch);
                }
                true
            })
        });
        pool.broadcast(|ctx| {
            let _stop_on_panic = StopOnPanic(stop);
            let worker = ctx.index();
            for job in jobs_rx.iter() {
                let mut ahead = made.lock().unwrap_or_else(PoisonError::into_inner);
                while job.seq >= ahead.next + MAX_AHEAD && !stop.load(Ordering::Relaxed) {
                    // The chunk the sink waits for may be made already, its maker gone on.
                    drop(ahead);
                    take_ready(Some(worker));
                    ahead = made.lock().unwrap_or_else(PoisonError::into_inner);
                    if job.seq >= ahead.next + MAX_AHEAD {
                        ahead = advanced
                            .wait_timeout(ahead, Duration::from_millis(10))
                            .unwrap_or_else(PoisonError::into_inner)
                            .0;
                    }
                }
                drop(ahead);
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let freed = std::mem::take(&mut *spent[worker].lock().unwrap_or_else(PoisonError::into_inner));
                drop(freed);
                let outcomes: Vec<Outcome> =
                    job.batch.items[job.items.clone()].iter().map(|item| stages.process(&job.batch, item)).collect();
                let bytes = if job.items.start == 0 { job.batch.input_bytes } else { 0 };
                if let Some(batch) = Arc::into_inner(job.batch) {
                    release(batch);
                }
                made.lock().unwrap_or_else(PoisonError::into_inner).chunks.insert(job.seq, (worker, outcomes, bytes));
                take_ready(Some(worker));
            }
        });
        // The reader stops at its next send if the workers stopped early.
        drop(jobs_rx);
    });
    take_ready(None);
    if let Some(e) = failed.into_inner().unwrap_or_else(PoisonError::into_inner) {
        return Err(e);
    }
    Ok(sink.into_inner().unwrap_or_else(PoisonError::into_inner))
}

/// Groups the calls into themes, with quotes redacted as the config asks.
fn discover_themes(collector: Collector, rules: &aggregate::themes::ThemeRules, config: &Config) -> Themes {
    let mut themes = collector.themes(rules, config.max_values);
    if config.redact {
        for theme in &mut themes.themes {
            for quote in &mut theme.quotes {
                *quote = redact(quote);
            }
        }
    }
    themes
}

/// What each input file contributed tonight, with its content digest.
fn night_inputs(
    files: &[InputFile],
    ledger: &[InputEntry],
    file_categories: &[Vec<u64>],
    taxonomy: &Taxonomy,
) -> Result<Vec<NightInput>, Error> {
    files
        .iter()
        .zip(ledger)
        .zip(file_categories)
        .map(|((file, entry), cats)| {
            let categories = cats
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(i, n)| (taxonomy.categories[i].id.clone(), *n))
                .collect();
            Ok(NightInput {
                path: file.shown.clone(),
                digest: history::file_digest(&file.path)?,
                bytes: file.bytes,
                calls: entry.calls,
                categories,
            })
        })
        .collect()
}

/// Merges tonight's inputs into the night's history and compares it with the trailing nights.
fn trends_for_night(
    dir: &std::path::Path,
    date: &str,
    inputs: Vec<NightInput>,
    taxonomy: &Taxonomy,
    config: &Config,
) -> Result<(History, Night, Vec<TrendRow>), Error> {
    let history = History::open(dir)?;
    let mut night = history.load(date)?;
    night.merge(inputs);
    let earlier_dates: Vec<String> = history.dates()?.into_iter().filter(|d| d.as_str() < date).collect();
    let earlier = earlier_dates
        .iter()
        .rev()
        .take(config.trends.window)
        .map(|d| history.load(d))
        .collect::<Result<Vec<_>, _>>()?;
    let mut all_earlier = earlier;
    // `new` needs to know whether a category was ever seen, beyond the window.
    for d in earlier_dates.iter().rev().skip(config.trends.window) {
        all_earlier.push(history.load(d)?);
    }
    let trends = aggregate::trends::table(&night, &all_earlier, taxonomy, &config.trends, config.correction);
    Ok((history, night, trends))
}

/// The call's start plus `hours`, as UTC RFC 3339; empty when the start is not a timestamp, or
/// when the sum is past the dates chrono can hold.
fn respond_by(started_at: &str, hours: f64) -> String {
    let Ok(start) = chrono::DateTime::parse_from_rfc3339(started_at.trim()) else { return String::new() };
    let due = chrono::Duration::try_seconds((hours * 3600.0).round() as i64).and_then(|d| start.checked_add_signed(d));
    due.map(|due| due.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// A 128-bit hash of a call id: two SipHash-1-3 passes with fixed keys, so the same on every
/// run. Two ids share it with a probability of about n^2 / 2^129: never, in practice.
fn call_id_hash(id: &str) -> u128 {
    use std::hash::{Hash, Hasher};
    let half = |salt: u8| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        salt.hash(&mut h);
        id.hash(&mut h);
        h.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

/// What the sink accumulates, taking the workers' results in input order.
struct Sink {
    writer: ReportWriter,
    counts: Counts,
    ledger: Vec<InputEntry>,
    rejects: Vec<Reject>,
    unknown_turns: u64,
    /// A 128-bit hash of each call_id -> where it was first seen (file, line); later records with
    /// the same id are rejected. A hash, not the id, so that memory stays small per call.
    seen: HashMap<u128, (u32, u64), BuildHasherDefault<IdHasher>>,
    /// Calls to call back: the most urgent, at most twice `follow_up_max` at any time.
    follow_ups: Vec<FollowUpRow>,
    /// Follow-ups listed at most.
    follow_up_max: usize,
    /// All follow-ups by priority: high, medium, low.
    follow_up_counts: [u64; 3],
    /// Per input file, calls that mention each category (for the history).
    file_categories: Vec<Vec<u64>>,
    /// The latest `started_at` date seen (YYYY-MM-DD), the default night.
    latest_date: Option<String>,
    /// What discovery keeps of each call, when it is on.
    discovery: Option<Collector>,
    /// The input file of each call given to discovery, in order (for the history).
    call_files: Vec<u32>,
    /// How speakers of diarized formats were mapped.
    speaker_mapping: SpeakerReport,
    /// The metadata join's counts, when `--metadata` is used.
    join: Option<JoinStats>,
    /// The `[formats]` speaker settings, for the manifest's description of each default.
    speaker_options: ingest::vendor::roles::SpeakerOptions,
}

impl Sink {
    /// Takes in one outcome. What it keeps it moves out; the rest is left to drop where it was
    /// made (the rare reject of a duplicate call_id is freed here).
    fn take(
        &mut self,
        outcome: &mut Outcome,
        files: &[InputFile],
        taxonomy: &Taxonomy,
        config: &Config,
    ) -> Result<(), Error> {
        match outcome {
            Outcome::Reject { file, record, reason, seen } => {
                let file = *file;
                if let Some(seen) = seen {
                    self.saw(file, seen, true);
                }
                self.ledger[file].records += 1;
                self.ledger[file].rejects += 1;
                let (record, reason) = (std::mem::take(record), std::mem::take(reason));
                self.rejects.push(Reject { file: files[file].shown.clone(), record, reason });
            }
            Outcome::Call(p) => {
                let id_hash = call_id_hash(&p.row.call_id);
                if let Some(&(file, line)) = self.seen.get(&id_hash) {
                    let shown = &files[file as usize].shown;
                    let at = if line == 0 { shown.clone() } else { format!("{shown} line {line}") };
                    let reason = format!("duplicate call_id {:?}: kept the first, at {at}", p.row.call_id);
                    let seen = p.seen.take();
                    let mut reject =
                        Outcome::Reject { file: p.file, record: ingest::record_name(p.line), reason, seen };
                    return self.take(&mut reject, files, taxonomy, config);
                }
                self.seen.insert(id_hash, (p.file as u32, p.line));
                if let Some(seen) = p.seen.take() {
                    self.saw(p.file, &seen, false);
                }
                if let (Some(stats), Some(joined)) = (self.join.as_mut(), &p.join) {
                    stats.add(joined);
                }
                if let Some(f) = p.follow_up.take() {
                    self.add_follow_up(f);
                }
                for &c in &p.findings.categories {
                    self.file_categories[p.file][c as usize] += 1;
                }
                // Compared first: most calls are not later than the latest, and need no date check.
                if let Some(date) = p.row.started_at.as_deref().and_then(|s| s.get(..10)) {
                    if self.latest_date.as_deref().is_none_or(|l| date > l) && history::is_date(date) {
                        self.latest_date = Some(date.to_string());
                    }
                }
                self.ledger[p.file].records += 1;
                self.ledger[p.file].calls += 1;
                self.unknown_turns += p.unknown_turns;
                self.writer.call(&mut p.row)?;
                let mut per_category: Vec<(u16, u32)> = Vec::new();
                for (kind, category, phrase, turn, quote) in &p.mentions {
                    let cat = &taxonomy.categories[*category as usize];
                    self.writer.mention(&MentionRow {
                        call_id: &p.row.call_id,
                        kind: kind.as_str(),
                        category: &cat.id,
                        phrase: &cat.phrases[*phrase as usize],
                        turn: turn + 1,
                        quote,
                    })?;
                    match per_category.iter_mut().find(|(c, _)| c == category) {
                        Some((_, n)) => *n += 1,
                        None => per_category.push((*category, 1)),
                    }
                }
                // The segments borrow the row's metadata and the config: worked out here rather than
                // on the worker, they need no copies.
                let mut segments = Vec::with_capacity(p.row.metadata.len() + 1);
                aggregate::segment_values(&p.row.metadata, p.row.sentiment_end, config, &mut segments);
                let call = CallCounts {
                    segments: &segments,
                    categories: &p.findings.categories,
                    mentions: &per_category,
                    ideas: &p.ideas,
                    complaint_mentions: p.findings.complaints,
                    idea_mentions: p.findings.ideas,
                };
                self.counts.add(&call, config.max_values);
                if let (Some(collector), Some(terms)) = (self.discovery.as_mut(), p.terms.as_ref()) {
                    collector.add(&p.row.call_id, terms, &segments);
                    self.call_files.push(p.file as u32);
                }
            }
        }
        Ok(())
    }
}

impl Sink {
    /// Records a detected format in the file's ledger and counts how its speakers were mapped.
    /// Keeps the `max_rows` most urgent follow-ups and counts them all. The list is cut back
    /// whenever it doubles, so memory stays bounded; the order is total, so the rows kept do not
    /// depend on the order calls came in.
    fn add_follow_up(&mut self, row: FollowUpRow) {
        let rank = match row.priority {
            "high" => 0,
            "medium" => 1,
            _ => 2,
        };
        self.follow_up_counts[rank] += 1;
        self.follow_ups.push(row);
        if self.follow_ups.len() >= 2 * self.follow_up_max {
            // The most urgent `follow_up_max` are moved to the front, in no order (a selection in
            // linear time; sorting here cost more than making the rows): they are sorted at the end.
            let keep = self.follow_up_max;
            self.follow_ups.select_nth_unstable_by(keep - 1, table::follow_up_order);
            self.follow_ups.truncate(keep);
        }
    }

    fn saw(&mut self, file: usize, seen: &Seen, rejected: bool) {
        self.ledger[file].format.clone_from(&seen.format);
        let rule = match seen.speakers {
            Mapped::NotApplicable => return,
            Mapped::Rule(_) if rejected => return,
            Mapped::Rule(rule) => Some(rule),
            Mapped::NoCustomer => None,
        };
        self.speaker_mapping.add(&seen.format, rule, &self.speaker_options);
    }
}

fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(4));
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// Loads config and taxonomy as the command line asks.
fn load(args: &MineArgs) -> Result<(Config, Taxonomy, String, String), Error> {
    let mut config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    if args.no_redact {
        config.redact = false;
    }
    if args.no_discovery {
        config.discovery = None;
    }
    if let (Some(rules), Some(n)) = (config.discovery.as_mut(), args.min_calls) {
        if n < 2 {
            return Err(Error::Usage("--min-calls must be at least 2".into()));
        }
        rules.min_calls = n;
    }
    let (taxonomy, source, text) = match args.taxonomy.as_deref() {
        None => (Taxonomy::builtin()?, "built-in".to_string(), crate::extract::taxonomy::DEFAULT_TAXONOMY.to_string()),
        Some("none") => (Taxonomy::default(), "none".to_string(), String::new()),
        Some(path) => {
            let path = PathBuf::from(path);
            let text = std::fs::read_to_string(&path)
                .map_err(|source| crate::extract::TaxonomyError::Read { path: path.display().to_string(), source })?;
            (Taxonomy::parse(&path.display().to_string(), &text)?, path.display().to_string(), text)
        }
    };
    Ok((config, taxonomy, source, hex_sha256(text.as_bytes())))
}

/// `earful mine`: reads the inputs and writes the report folder.
pub fn mine(args: &MineArgs) -> Result<Summary, Error> {
    let started = Instant::now();
    let (config, taxonomy, taxonomy_source, taxonomy_digest) = load(args)?;
    if args.threads == Some(0) {
        return Err(Error::Usage("--threads must be at least 1".into()));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    if let Some(date) = &args.date {
        if !history::is_date(date) {
            return Err(Error::Usage(format!("--date {date:?}: expected YYYY-MM-DD")));
        }
    }
    // The CRM file is small next to the corpus: loaded and checked once, before anything is read.
    let join = match (&args.metadata, &args.join_on) {
        (Some(path), Some(key)) => Some(MetadataJoin::load(path, key)?),
        _ => None,
    };
    let (files, mut file_rejects) = ingest::discover(&args.inputs);
    if args.stage != Stage::All {
        let stages = Stages::new(config, taxonomy, join)?;
        return Ok(measure(&files, &stages, &pool, args, started));
    }
    let staging = Staging::new(&args.out, args.force)?;
    let stages = Stages::new(config, taxonomy, join)?;
    let taxonomy = stages.extractor.taxonomy();
    let total_bytes: u64 = files.iter().map(|f| f.bytes).sum();
    let bar = progress_bar(total_bytes, args.quiet);
    let mut sink = Sink {
        writer: ReportWriter::create(staging.dir(), stages.config.max_metadata_fields)?,
        counts: Counts::new(taxonomy.categories.len()),
        ledger: files
            .iter()
            .map(|f| InputEntry {
                path: f.shown.clone(),
                format: f.format.as_str().into(),
                gzip: f.compression == Compression::Gzip,
                compression: f.compression.as_str().into(),
                bytes: f.bytes,
                ..InputEntry::default()
            })
            .collect(),
        rejects: Vec::new(),
        unknown_turns: 0,
        seen: HashMap::default(),
        follow_ups: Vec::new(),
        follow_up_max: stages.config.follow_ups.max_rows,
        follow_up_counts: [0; 3],
        file_categories: vec![vec![0; taxonomy.categories.len()]; files.len()],
        latest_date: None,
        discovery: stages.config.discovery.as_ref().map(|_| Collector::default()),
        call_files: Vec::new(),
        speaker_mapping: SpeakerReport::default(),
        join: stages.decoder.join().map(MetadataJoin::stats),
        speaker_options: stages.decoder.formats().speakers.clone(),
    };
    let config = &stages.config;
    let limits = stages.config.limits;
    // One worker means one core: the reader, the worker and the sink then take turns on this
    // thread instead of spreading over three, so `--threads 1` is a true single-core run.
    let one_core = pool.current_num_threads() == 1;
    // Spent batch buffers go back to the reader (a few at most; the rest are freed).
    let (recycle_tx, recycle_rx) = bounded::<Vec<u8>>(4);
    let sink = if one_core {
        let mut failed = None;
        ingest::Reader::new(&files, BATCH_BYTES, limits).recycling(recycle_rx).run(|batch| {
            for item in &batch.items {
                if let Err(e) = sink.take(&mut stages.process(&batch, item), &files, taxonomy, config) {
                    failed = Some(e);
                    return false;
                }
            }
            bar.inc(batch.input_bytes);
            bar.set_message(format!("{} calls", sink.counts.calls));
            let _ = recycle_tx.try_send(batch.buf);
            true
        });
        match failed {
            Some(e) => return Err(e),
            None => sink,
        }
    } else {
        let reader = ingest::Reader::new(&files, BATCH_BYTES, limits).recycling(recycle_rx);
        mine_in_chunks(reader, &pool, &stages, sink, recycle_tx, &files, &bar)?
    };
    bar.finish_and_clear();
    let mined = started.elapsed();

    let Sink {
        writer,
        counts,
        ledger,
        mut rejects,
        unknown_turns,
        mut follow_ups,
        follow_up_counts,
        follow_up_max,
        file_categories,
        latest_date,
        discovery,
        call_files,
        speaker_mapping,
        join,
        ..
    } = sink;
    let discovery_started = Instant::now();
    let themes = match (discovery, &stages.config.discovery) {
        (Some(collector), Some(rules)) => Some(pool.install(|| discover_themes(collector, rules, &stages.config))),
        _ => None,
    };
    let discovery_time = discovery_started.elapsed();
    table::sort_follow_ups(&mut follow_ups);
    follow_ups.truncate(follow_up_max);
    file_rejects.append(&mut rejects);
    let rejects = file_rejects;
    let discovery_rejects = rejects.len() as u64 - ledger.iter().map(|l| l.rejects).sum::<u64>();
    let mut tables = aggregate::tables(&counts, taxonomy, &stages.config)?;
    if let Some(themes) = &themes {
        aggregate::add_themes(&mut tables, themes, &stages.config)?;
    }
    let dir = staging.dir().to_path_buf();
    report::write_tables(&dir, &table::small_tables(&tables, &rejects, &follow_ups))?;
    let theme_of_call: Option<Vec<[&str; 2]>> = themes.as_ref().map(|t| {
        let named = |i: u32| [t.themes[i as usize].id.as_str(), t.themes[i as usize].label.as_str()];
        t.assignment.iter().map(|a| a.map_or(["", ""], named)).collect()
    });
    let dropped_fields = {
        let (count, first) = writer.dropped_fields();
        DroppedFields { count, first: first.to_vec() }
    };
    let call_columns = writer.finish(theme_of_call.as_deref())?;
    let totals = Totals {
        records: ledger.iter().map(|l| l.records).sum::<u64>() + discovery_rejects,
        calls: counts.calls,
        rejects: rejects.len() as u64,
        complaint_mentions: counts.complaint_mentions,
        idea_mentions: counts.idea_mentions,
        calls_with_complaint: counts.calls_with_complaint,
        calls_with_idea: counts.calls_with_idea,
        follow_ups: follow_up_counts,
        follow_ups_listed: follow_ups.len() as u64,
        unknown_speaker_turns: unknown_turns,
    };
    let tabled = started.elapsed();
    let date = args.date.clone().or(latest_date).unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string());
    let night = match &args.history {
        Some(history_dir) => {
            let mut inputs = night_inputs(&files, &ledger, &file_categories, taxonomy)?;
            // Themes join the history under ids that last from night to night.
            let mut tracked = taxonomy.clone();
            if let Some(found) = &themes {
                for (theme, file) in found.assignment.iter().zip(&call_files) {
                    if let Some(t) = theme {
                        let id = found.themes[*t as usize].trend_id();
                        *inputs[*file as usize].categories.entry(id).or_default() += 1;
                    }
                }
                tracked.categories.extend(found.as_trend_categories());
            }
            let (history, night, trends) = trends_for_night(history_dir, &date, inputs, &tracked, &stages.config)?;
            let path = dir.join("trends.csv");
            report::csv::write_table(&path, &table::trends(&trends))
                .map_err(|e| Error::Other(format!("{}: {e}", path.display())))?;
            Some((history, night, trends))
        }
        None => None,
    };
    let run = workbook::RunReport {
        tables: &tables,
        rejects: &rejects,
        follow_ups: &follow_ups,
        totals: &totals,
        config: &stages.config,
        taxonomy_source: &taxonomy_source,
        call_columns: &call_columns,
        trends: night.as_ref().map(|(_, _, t)| t.as_slice()),
        parallel: !one_core,
    };
    workbook::write(&dir, &run)?;
    let mut outputs: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| Error::Other(format!("{}: {e}", dir.display())))?
        .filter_map(|e| e.ok().and_then(|e| e.file_name().to_str().map(str::to_string)))
        .collect();
    outputs.push("manifest.json".into());
    outputs.sort();
    let elapsed = started.elapsed();
    let manifest = Manifest {
        tool: TOOL,
        version: env!("CARGO_PKG_VERSION"),
        config_digest: stages.config.digest.clone(),
        taxonomy: taxonomy_source,
        taxonomy_digest,
        redacted: stages.config.redact,
        night: date.clone(),
        history: args.history.as_ref().map(|h| h.display().to_string()),
        discovery: tables.discovery.as_ref().map(|d| DiscoveryEntry {
            min_calls: stages.config.discovery.as_ref().map_or(0, |r| r.min_calls),
            themes: d.themes.len(),
            complaint_themes: d.themes.iter().filter(|t| t.kind == Kind::Complaint).count(),
            idea_themes: d.themes.iter().filter(|t| t.kind == Kind::Idea).count(),
            question_themes: d.themes.iter().filter(|t| t.kind == Kind::Question).count(),
            assigned_calls: totals.calls - d.unassigned_calls,
            unassigned_calls: d.unassigned_calls,
            unassigned_share: d.unassigned_share,
            distinct_terms: d.distinct_terms,
            candidate_terms: d.candidate_terms,
        }),
        inputs: ledger,
        totals: totals.clone(),
        skipped_segment_fields: tables.skipped_fields.clone(),
        dropped_metadata_fields: dropped_fields.clone(),
        speaker_mapping,
        metadata_join: join,
        outputs,
        timings: Timings {
            read_and_extract: seconds(mined),
            discovery: seconds(discovery_time),
            tables_and_csv: seconds(tabled - mined - discovery_time),
            workbook: seconds(elapsed - tabled),
            wall: seconds(elapsed),
        },
    };
    report::write_manifest(&dir, &manifest)?;
    staging.commit()?;
    if let Some((history, night, _)) = &night {
        history.save(night)?;
    }
    Ok(Summary {
        records: totals.records,
        calls: totals.calls,
        rejects: totals.rejects,
        complaints: totals.complaint_mentions,
        ideas: totals.idea_mentions,
        follow_ups: follow_up_counts.iter().sum(),
        themes: tables.discovery.as_ref().map(|d| d.themes.len() as u64),
        out: args.out.clone(),
        elapsed,
        warnings: dropped_fields_warning(&dropped_fields, stages.config.max_metadata_fields).into_iter().collect(),
    })
}

/// The warning for metadata fields past the limit, if any were.
fn dropped_fields_warning(dropped: &DroppedFields, max: usize) -> Option<String> {
    (dropped.count > 0).then(|| {
        format!(
            "{} metadata fields (the first: {}) were left out of calls.csv and segments: only the first {max} \
             fields seen are kept (limits.max_metadata_fields); see dropped_metadata_fields in manifest.json",
            dropped.count,
            dropped.first.join(", ")
        )
    })
}

/// Runs the reader and the workers up to `args.stage` and writes nothing: the benchmark's way of
/// timing parsing and extraction apart from the report.
fn measure(
    files: &[InputFile],
    stages: &Stages,
    pool: &rayon::ThreadPool,
    args: &MineArgs,
    started: Instant,
) -> Summary {
    let (mut calls, mut rejects, mut complaints, mut ideas) = (0u64, 0u64, 0u64, 0u64);
    std::thread::scope(|scope| {
        let (batch_tx, batch_rx) = bounded::<Batch>(2);
        let limits = stages.config.limits;
        scope.spawn(move || ingest::Reader::new(files, BATCH_BYTES, limits).run(|b| batch_tx.send(b).is_ok()));
        for batch in batch_rx {
            let counted: (u64, u64, u64, u64) = pool.install(|| {
                batch
                    .items
                    .par_iter()
                    .map(|item| match args.stage {
                        Stage::Parse => (u64::from(stages.decoder.decode(&batch, item).is_ok()), 0, 0, 0),
                        _ => match stages.process(&batch, item) {
                            Outcome::Call(p) => (1, 0, u64::from(p.findings.complaints), u64::from(p.findings.ideas)),
                            Outcome::Reject { .. } => (0, 1, 0, 0),
                        },
                    })
                    .reduce(|| (0, 0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2, a.3 + b.3))
            });
            if args.stage == Stage::Parse {
                rejects += batch.items.len() as u64 - counted.0;
            }
            calls += counted.0;
            rejects += counted.1;
            complaints += counted.2;
            ideas += counted.3;
        }
    });
    Summary {
        records: calls + rejects,
        calls,
        rejects,
        complaints,
        ideas,
        follow_ups: 0,
        themes: None,
        out: PathBuf::from("(nothing written)"),
        elapsed: started.elapsed(),
        warnings: Vec::new(),
    }
}

fn seconds(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

/// `earful sample`: writes the synthetic corpus.
pub fn sample(args: &SampleArgs) -> Result<(), Error> {
    let opts = crate::sample::SampleOptions { calls: args.calls, seed: args.seed, length: args.length };
    let summary = crate::sample::write_sample(&opts, &args.out)
        .map_err(|e| Error::Other(format!("{}: {e}", args.out.display())))?;
    eprintln!(
        "earful: wrote {} records in {} files ({} bytes) to {}",
        summary.calls,
        summary.files.len(),
        summary.bytes,
        args.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn a_follow_up_is_due_its_window_after_the_call_or_never() {
        assert_eq!(respond_by("2026-11-22T08:00:00+01:00", 36.0), "2026-11-23T19:00:00Z");
        assert_eq!(respond_by("yesterday", 36.0), "");
        // Past the last date a timestamp can hold, or past the seconds a duration can: no date,
        // and no panic.
        assert_eq!(respond_by("2026-11-22T08:00:00Z", 3e9), "");
        assert_eq!(respond_by("2026-11-22T08:00:00Z", 1e300), "");
    }

    #[test]
    fn a_worker_that_panics_stops_the_others() {
        // The others wait, as for a chunk that the panicking worker never made, until told to
        // stop: without the guard they give up after 10 s and the test fails.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        let stop = AtomicBool::new(false);
        let seen = AtomicBool::new(true);
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.broadcast(|ctx| {
                let _stop_on_panic = StopOnPanic(&stop);
                if ctx.index() == 0 {
                    panic!("a bug in a worker");
                }
                let waited = Instant::now();
                while !stop.load(Ordering::Relaxed) {
                    if waited.elapsed() > Duration::from_secs(10) {
                        seen.store(false, Ordering::Relaxed);
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
            })
        }));
        assert!(run.is_err(), "the panic reaches the caller");
        assert!(seen.load(Ordering::Relaxed), "the other workers saw the stop");
    }
}
