//! The taxonomy file: categories of complaints and ideas, each a list of phrases.
//!
//! Users write this file by hand, so it stays small: `[[category]]` tables with `id`, `kind`,
//! `label`, `phrases` and optional `exclude`. [`TaxonomyFile::build`] checks all of it at once and
//! names the line of every problem.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::config::line_of;
use crate::model::Kind;

/// The built-in taxonomy, `data/taxonomy.toml`, compiled into the binary.
pub const DEFAULT_TAXONOMY: &str = include_str!("../../data/taxonomy.toml");

/// Problems with a taxonomy file.
#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not TOML, or keys other than the documented ones.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// Parsed, but some categories are unusable; every problem listed with its line.
    #[error("{path}: invalid taxonomy:\n  {}", problems.join("\n  "))]
    Invalid {
        /// The file.
        path: String,
        /// `line N: problem` entries.
        problems: Vec<String>,
    },
}

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyFile {
    /// The categories.
    #[serde(default)]
    pub category: Vec<Spanned<CategoryFile>>,
}

/// One `[[category]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryFile {
    /// Stable id used in every report.
    pub id: String,
    /// `complaint` or `idea`.
    pub kind: Kind,
    /// Human label.
    pub label: String,
    /// Phrases that signal the category.
    pub phrases: Vec<String>,
    /// Phrases that cancel an overlapping phrase match.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// A general category ("unhappy with the service"): counted like any other, but a call's
    /// primary category only when the call names nothing more specific.
    #[serde(default)]
    pub general: bool,
}

/// A checked category.
#[derive(Debug, Clone)]
pub struct Category {
    /// Stable id.
    pub id: String,
    /// Complaint or idea (or question, for a discovered theme).
    pub kind: Kind,
    /// Human label.
    pub label: String,
    /// Lowercase phrases.
    pub phrases: Vec<String>,
    /// Lowercase exclusions.
    pub exclude: Vec<String>,
    /// Primary only when nothing more specific is mentioned.
    pub general: bool,
}

/// A checked taxonomy, in file order.
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    /// The categories.
    pub categories: Vec<Category>,
}

impl Taxonomy {
    /// Loads the built-in taxonomy.
    pub fn builtin() -> Result<Taxonomy, TaxonomyError> {
        Taxonomy::parse("(built-in taxonomy)", DEFAULT_TAXONOMY)
    }

    /// Loads a taxonomy file.
    pub fn load(path: &Path) -> Result<Taxonomy, TaxonomyError> {
        let shown = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|source| TaxonomyError::Read { path: shown.clone(), source })?;
        Taxonomy::parse(&shown, &text)
    }

    /// Parses and checks taxonomy text.
    pub fn parse(path: &str, text: &str) -> Result<Taxonomy, TaxonomyError> {
        let file: TaxonomyFile = toml::from_str(text).map_err(|e| TaxonomyError::Parse {
            path: path.to_string(),
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            message: e.message().trim().to_string(),
        })?;
        file.build(path, text)
    }

    /// The category with this id.
    pub fn get(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }
}

impl TaxonomyFile {
    /// Checks every category and lists every problem with its line.
    pub fn build(self, path: &str, text: &str) -> Result<Taxonomy, TaxonomyError> {
        let mut problems = Vec::new();
        let mut ids = BTreeSet::new();
        let mut categories = Vec::new();
        for spanned in self.category {
            let line = line_of(text, spanned.span().start);
            let c = spanned.into_inner();
            let mut problem = |what: String| problems.push(format!("line {line}: category {:?}: {what}", c.id));
            if c.id.trim().is_empty() || !c.id.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-') {
                problem("id must be letters, digits, '_' or '-'".into());
            }
            if !ids.insert(c.id.clone()) {
                problem("id is used twice".into());
            }
            if c.label.trim().is_empty() {
                problem("label is empty".into());
            }
            let clean = |list: &[String]| -> Vec<String> {
                let mut seen = BTreeSet::new();
                list.iter()
                    .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase())
                    .filter(|p| !p.is_empty() && seen.insert(p.clone()))
                    .collect()
            };
            let phrases = clean(&c.phrases);
            if phrases.is_empty() {
                problem("no phrases".into());
            }
            let exclude = clean(&c.exclude);
            for p in phrases.iter().chain(&exclude) {
                if marked(p).2.is_empty() {
                    problem(format!("phrase {p:?} has no words, only a marker"));
                }
            }
            categories.push(Category { id: c.id, kind: c.kind, label: c.label, phrases, exclude, general: c.general });
        }
        if !problems.is_empty() {
            return Err(TaxonomyError::Invalid { path: path.to_string(), problems });
        }
        Ok(Taxonomy { categories })
    }
}

/// A phrase as (anchored, subject, words): `^` before it counts it only at a sentence start, `_ `
/// only after a subject (see the taxonomy file's format); alone they are no phrase at all.
pub(crate) fn marked(phrase: &str) -> (bool, bool, &str) {
    let (anchored, rest) = phrase.strip_prefix('^').map_or((false, phrase), |r| (true, r.trim_start()));
    let (subject, words) = rest.strip_prefix("_ ").map_or((false, rest), |r| (true, r.trim_start()));
    (anchored, subject, words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_taxonomy_has_the_required_ids() {
        let t = Taxonomy::builtin().unwrap();
        for id in [
            "billing",
            "refund",
            "delivery",
            "outage",
            "app_bug",
            "wait_time",
            "repeat_contact",
            "staff",
            "cancellation",
            "price",
            "account_access",
            "idea",
        ] {
            assert!(t.get(id).is_some(), "missing {id}");
        }
        assert_eq!(t.get("idea").unwrap().kind, Kind::Idea);
    }

    #[test]
    fn unknown_keys_name_their_line() {
        let err = Taxonomy::parse(
            "t.toml",
            "[[category]]\nid = \"a\"\nkind = \"complaint\"\nlabel = \"A\"\nphrases = [\"x\"]\nphrase = [\"y\"]\n",
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("t.toml:6:"), "{err}");
    }

    /// The problems of a taxonomy file that parses but is not valid.
    fn problems_of(text: &str) -> Vec<String> {
        let Err(TaxonomyError::Invalid { problems, .. }) = Taxonomy::parse("t.toml", text) else {
            panic!("expected invalid")
        };
        problems
    }

    #[test]
    fn every_problem_is_listed_with_its_line() {
        let text = "[[category]]\nid = \"a\"\nkind = \"complaint\"\nlabel = \"A\"\nphrases = []\n\n[[category]]\nid = \"a\"\nkind = \"idea\"\nlabel = \"\"\nphrases = [\"x\"]\n";
        let problems = problems_of(text);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("line 1:"), "{problems:?}");
        assert!(problems[1].starts_with("line 7:"), "{problems:?}");
    }

    #[test]
    fn a_phrase_that_is_only_a_marker_is_a_problem() {
        let problems = problems_of(
            r#"[[category]]
id = "a"
kind = "complaint"
label = "A"
phrases = ["^", "^ _ ", "cancel", "_x"]
exclude = [" ^ "]
"#,
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().all(|p| p.contains("only a marker")), "{problems:?}");
    }

    #[test]
    fn bad_kind_is_a_parse_error() {
        // "question" is a kind of discovered theme only: a taxonomy may not name it.
        for kind in ["praise", "question"] {
            let text = format!("[[category]]\nid = \"a\"\nkind = \"{kind}\"\nlabel = \"A\"\nphrases = [\"x\"]\n");
            let err = Taxonomy::parse("t", &text).unwrap_err();
            assert!(err.to_string().contains(&format!("unknown variant `{kind}`")), "{err}");
        }
    }
}
