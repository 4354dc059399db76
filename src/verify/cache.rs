//! What verification keeps between runs, for `serve`: each source's preparation and the
//! verdicts on the quotes citing it, for as long as the source's text is the same (by
//! its SHA-256). A run reads the cache on every core, then adds what it prepared and
//! judged; a source's verdicts are dropped when quotes edited away have made them
//! outnumber its citations, so the cache never grows much beyond the site.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::prepared::Prepared;
use super::verdict::Verdict;
use crate::model::{Source, SourceId};

/// How many verdicts a source keeps beyond twice its citations before they are dropped.
pub(super) const SLACK: usize = 16;

/// What verification kept of earlier runs.
#[derive(Debug, Default)]
pub struct Cache {
    sources: HashMap<SourceId, Entry>,
    /// What the last run had to do anew.
    pub last: Work,
}

/// How many sources a run prepared and how many quotes it judged, rather than take them
/// from the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    pub prepared: usize,
    pub judged: usize,
}

/// What is kept about one source.
#[derive(Debug)]
pub(super) struct Entry {
    /// Of the text the preparation and the verdicts are about.
    sha256: String,
    prepared: Arc<Prepared>,
    /// By quote, as written.
    verdicts: HashMap<String, Arc<Verdict>>,
}

impl Entry {
    pub(super) fn prepared(&self) -> Arc<Prepared> {
        Arc::clone(&self.prepared)
    }

    pub(super) fn verdict(&self, quote: &str) -> Option<Arc<Verdict>> {
        self.verdicts.get(quote).cloned()
    }
}

/// A verdict judged in a run.
pub(super) struct Judged {
    /// The index of the source in the site.
    pub source: usize,
    pub quote: String,
    pub verdict: Arc<Verdict>,
}

/// What a run adds to the cache, by the index of the sources in the site.
pub(super) struct News {
    /// The preparations made (not taken from the cache).
    pub prepared: Vec<Option<Arc<Prepared>>>,
    pub judged: Vec<Judged>,
    /// How many citations name each source.
    pub citations: Vec<usize>,
}

impl Cache {
    /// What is kept about `source`, if its text is the same as then.
    pub(super) fn get(&self, source: &Source) -> Option<&Entry> {
        self.sources
            .get(&source.id)
            .filter(|entry| entry.sha256 == source.sha256)
    }

    /// Keeps what a run over `sources` found new, and forgets the sources gone.
    pub(super) fn update(&mut self, sources: &[Source], news: News) {
        let ids: HashSet<&SourceId> = sources.iter().map(|source| &source.id).collect();
        self.sources.retain(|id, _| ids.contains(id));
        let mut work = Work {
            prepared: 0,
            judged: news.judged.len(),
        };
        for ((source, prepared), citations) in sources.iter().zip(news.prepared).zip(news.citations)
        {
            if let Some(prepared) = prepared {
                work.prepared += 1;
                let entry = Entry {
                    sha256: source.sha256.clone(),
                    prepared,
                    verdicts: HashMap::new(),
                };
                self.sources.insert(source.id.clone(), entry);
            }
            let entry = self.sources.get_mut(&source.id).expect("kept above");
            if entry.verdicts.len() > 2 * citations + SLACK {
                entry.verdicts.clear();
            }
        }
        for judged in news.judged {
            let id = &sources[judged.source].id;
            let entry = self.sources.get_mut(id).expect("kept above");
            entry.verdicts.insert(judged.quote, judged.verdict);
        }
        self.last = work;
    }

    /// How many verdicts are kept, for tests.
    #[cfg(test)]
    pub(super) fn verdicts(&self) -> usize {
        self.sources
            .values()
            .map(|entry| entry.verdicts.len())
            .sum()
    }
}
