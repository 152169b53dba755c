//! The measures the quality benchmark prints: right answers counted by
//! confidence, recall, confident mistakes, and first answers per trap.

use std::collections::BTreeMap;

use super::{Directory, Trap, directory};
use crate::domain::matching::{
    Confidence, DisconnectedUser, MatchConfig, UserMatches, match_users,
};

/// Matches the disconnected users of one directory per seed (each of
/// `employees` people) and measures the answers together.
pub fn run(seeds: &[u64], employees: usize) -> Measures {
    let mut m = Measures::default();
    for &seed in seeds {
        let dir = directory(seed, employees);
        let users: Vec<DisconnectedUser> = dir.cases.iter().map(|c| c.user.clone()).collect();
        let results = match_users(
            &users,
            &dir.tenant,
            &dir.verified_domains,
            &MatchConfig::default(),
        );
        m.add(&dir, &results);
    }
    m
}

/// Counts of right answers among answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Right.
    pub right: usize,
    /// All.
    pub total: usize,
}

impl Tally {
    fn add(&mut self, right: bool) {
        self.total += 1;
        self.right += usize::from(right);
    }

    /// `right / total` (1.0 when there is nothing to count).
    pub fn ratio(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.right as f64 / self.total as f64
        }
    }
}

/// What the benchmark measures.
#[derive(Debug, Clone, Default)]
pub struct Measures {
    /// First suggestions by their confidence: how many were the right account.
    pub by_level: BTreeMap<Confidence, Tally>,
    /// Users with no suggestion: how many really have no account.
    pub abstained: Tally,
    /// Every user: the first answer (a suggestion, or an invitation when
    /// there is none) is right.
    pub first: Tally,
    /// Users who have an account: it is among the suggestions.
    pub recall: Tally,
    /// Suggestions (any position) at exact that are not the user's account.
    pub wrong_exact: usize,
    /// Suggestions (any position) at high that are not the user's account.
    pub wrong_high: usize,
    /// First answers per trap.
    pub by_trap: BTreeMap<Trap, Tally>,
}

impl Measures {
    /// Precision@1: the share of users whose first answer is right.
    pub fn precision_at_1(&self) -> f64 {
        self.first.ratio()
    }

    /// Adds the results for one directory.
    pub fn add(&mut self, dir: &Directory, results: &[UserMatches]) {
        for (case, r) in dir.cases.iter().zip(results) {
            let truth = case.truth.map(|t| dir.tenant[t].id.as_str());
            let first = r.suggestions.first();
            let right = first.map(|s| s.tenant_user_id.as_str()) == truth;
            match first {
                Some(s) => self.by_level.entry(s.confidence).or_default().add(right),
                None => self.abstained.add(right),
            }
            self.first.add(right);
            self.by_trap.entry(case.trap).or_default().add(right);
            if let Some(t) = truth {
                self.recall
                    .add(r.suggestions.iter().any(|s| s.tenant_user_id == t));
            }
            for s in &r.suggestions {
                if Some(s.tenant_user_id.as_str()) != truth {
                    match s.confidence {
                        Confidence::Exact => self.wrong_exact += 1,
                        Confidence::High => self.wrong_high += 1,
                        _ => {}
                    }
                }
            }
        }
    }

    /// The rows the benchmark prints: (name, figure, target, met).
    pub fn rows(&self) -> Vec<(String, String, String, Option<bool>)> {
        let mut rows = Vec::new();
        let pct = |t: &Tally| format!("{:.3} ({}/{})", t.ratio(), t.right, t.total);
        for level in [
            Confidence::Exact,
            Confidence::High,
            Confidence::Medium,
            Confidence::Low,
        ] {
            let t = self.by_level.get(&level).copied().unwrap_or_default();
            rows.push((
                format!("quality: precision at {}", level.word()),
                pct(&t),
                String::new(),
                None,
            ));
        }
        rows.push((
            "quality: no suggestion, and none was right".into(),
            pct(&self.abstained),
            String::new(),
            None,
        ));
        rows.push((
            "quality: precision@1 (abstaining counts)".into(),
            pct(&self.first),
            ">= 0.95".into(),
            Some(self.precision_at_1() >= 0.95),
        ));
        rows.push((
            "quality: recall (right account suggested)".into(),
            pct(&self.recall),
            ">= 0.90".into(),
            Some(self.recall.ratio() >= 0.90),
        ));
        rows.push((
            "quality: wrong suggestions at exact".into(),
            self.wrong_exact.to_string(),
            "0".into(),
            Some(self.wrong_exact == 0),
        ));
        rows.push((
            "quality: wrong suggestions at high".into(),
            self.wrong_high.to_string(),
            "0".into(),
            Some(self.wrong_high == 0),
        ));
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_count_first_answers_recall_and_confident_mistakes() {
        let dir = directory(3, 300);
        let results = match_users(
            &dir.cases.iter().map(|c| c.user.clone()).collect::<Vec<_>>(),
            &dir.tenant,
            &dir.verified_domains,
            &MatchConfig::default(),
        );
        let mut m = Measures::default();
        m.add(&dir, &results);
        assert_eq!(m.first.total, dir.cases.len());
        let levels: usize = m.by_level.values().map(|t| t.total).sum();
        assert_eq!(levels + m.abstained.total, dir.cases.len());
        assert_eq!(
            m.recall.total,
            dir.cases.iter().filter(|c| c.truth.is_some()).count()
        );
        // Every answer wrong: first answers and recall fall to the cases
        // with no account, and each exact or high suggestion is a mistake.
        let mut wrong = results.clone();
        for r in &mut wrong {
            for s in &mut r.suggestions {
                s.tenant_user_id = "nobody".into();
            }
        }
        let mut w = Measures::default();
        w.add(&dir, &wrong);
        assert_eq!(w.recall.right, 0);
        assert!(w.first.right <= dir.cases.iter().filter(|c| c.truth.is_none()).count());
        let confident = wrong
            .iter()
            .flat_map(|r| &r.suggestions)
            .filter(|s| s.confidence <= Confidence::High)
            .count();
        assert_eq!(w.wrong_exact + w.wrong_high, confident);
        assert!(confident > 0);
        let rows = w.rows();
        assert_eq!(rows.len(), 9);
        assert!(
            rows.iter()
                .any(|r| r.0.contains("precision@1") && r.3 == Some(false))
        );
    }
}
