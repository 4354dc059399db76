//! What verification keeps between runs, for `serve`: each source's preparation and the
//! verdicts on the quotes citing it, for as long as the source's text is the same (by
//! its SHA-256). A run reads the cache on every core, then adds what it prepared and
//! judged; a source's verdicts are dropped when quotes edited away have made them
//! outnumber its citations, so the cache never grows much beyond the site.
//!
//! It also keeps each topic as last checked: while no source changed, a topic that is the
//! very one `load` gave last time (its file unchanged) verifies as it did then, and a
//! save of one topic checks that topic alone.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use super::prepared::Prepared;
use super::verdict::Verdict;
use super::{TopicCheck, VerifiedTopic};
use crate::diagnostics::Diagnostics;
use crate::model::{RelPath, Source, SourceId, Topic};

/// How many verdicts a source keeps beyond twice its citations before they are dropped.
pub(super) const SLACK: usize = 16;

/// What verification kept of earlier runs.
#[derive(Debug, Default)]
pub struct Cache {
    sources: HashMap<SourceId, Entry>,
    /// The sources of the last run, and those that could not be loaded: what the kept
    /// topics were checked against.
    checked_against: (Vec<(SourceId, String)>, BTreeSet<String>),
    /// The topics of the last run, by file.
    topics: HashMap<RelPath, KeptTopic>,
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

/// A topic as checked in the last run.
#[derive(Debug)]
pub(super) struct KeptTopic {
    /// As `load` gave it: the same one again means its file did not change.
    pub topic: Arc<Topic>,
    pub verified: Arc<VerifiedTopic>,
    pub diagnostics: Diagnostics,
    /// The sources its citations name, by index in the site's sources.
    pub cited: Vec<usize>,
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
    /// Every topic as checked now.
    pub topics: Vec<KeptTopic>,
}

impl Cache {
    /// What is kept about `source`, if its text is the same as then.
    pub(super) fn get(&self, source: &Source) -> Option<&Entry> {
        self.sources
            .get(&source.id)
            .filter(|entry| entry.sha256 == source.sha256)
    }

    /// Whether `sources` and `unloadable` are what the kept topics were checked against.
    pub(super) fn same_sources(&self, sources: &[Source], unloadable: &BTreeSet<String>) -> bool {
        let (checked, checked_unloadable) = &self.checked_against;
        checked.len() == sources.len()
            && checked
                .iter()
                .zip(sources)
                .all(|((id, sha256), source)| *id == source.id && *sha256 == source.sha256)
            && checked_unloadable == unloadable
    }

    /// The last check of `topic`, if it is the very topic checked then; to be used only
    /// when [`Cache::same_sources`] holds. Nothing was judged for it this time.
    pub(super) fn topic(&self, topic: &Arc<Topic>) -> Option<TopicCheck> {
        let kept = self.topics.get(&topic.file)?;
        Arc::ptr_eq(&kept.topic, topic).then(|| TopicCheck {
            verified: Arc::clone(&kept.verified),
            diagnostics: kept.diagnostics.clone(),
            judged: Vec::new(),
            cited: kept.cited.clone(),
        })
    }

    /// Keeps what a run over `sources` found new, and forgets the sources gone.
    pub(super) fn update(&mut self, sources: &[Source], unloadable: &BTreeSet<String>, news: News) {
        if !self.same_sources(sources, unloadable) {
            let ids = sources
                .iter()
                .map(|source| (source.id.clone(), source.sha256.clone()))
                .collect();
            self.checked_against = (ids, unloadable.clone());
        }
        self.topics = news
            .topics
            .into_iter()
            .map(|kept| (kept.topic.file.clone(), kept))
            .collect();
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
