//! A directory's lookups, compact enough for a million users: positions
//! sorted by lowercased UPN (exact, prefix and range lookups), positions
//! sorted by object id (listings in object-id order), and positions by the
//! hash of each lowercased address (mail, other mails, SMTP proxy
//! addresses; a hash is only a candidate, checked against the user). No key
//! is copied: a position is four bytes.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::TenantUser;

/// Lowercased and trimmed.
pub(super) fn lc(s: &str) -> String {
    s.trim().to_lowercase()
}

/// `a` lowercased, compared with `b` (already lowercased), without
/// allocating.
fn cmp_lc(a: &str, b: &str) -> Ordering {
    a.trim().chars().flat_map(char::to_lowercase).cmp(b.chars())
}

fn starts_with_lc(a: &str, prefix: &str) -> bool {
    let mut a = a.trim().chars().flat_map(char::to_lowercase);
    prefix.chars().all(|p| a.next() == Some(p))
}

fn hash(addr: &str) -> u64 {
    let mut h = DefaultHasher::new();
    addr.hash(&mut h);
    h.finish()
}

/// A user's addresses, lowercased, `smtp:` taken off proxy addresses.
fn addresses(u: &TenantUser) -> Vec<String> {
    let mut v: Vec<String> = u.mail.iter().map(|m| lc(m)).collect();
    v.extend(u.other_mails.iter().map(|m| lc(m)));
    v.extend(u.proxy_addresses.iter().map(|p| {
        let p = lc(p);
        p.strip_prefix("smtp:").map(str::to_string).unwrap_or(p)
    }));
    v.sort();
    v.dedup();
    v
}

#[derive(Debug, Clone, Default)]
pub struct Index {
    by_upn: Vec<u32>,
    by_id: Vec<u32>,
    /// The first user with an address of this hash; more in `more`.
    addr: HashMap<u64, u32>,
    more: HashMap<u64, Vec<u32>>,
}

fn pos(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 4 billion users")
}

impl Index {
    /// Index every user at once (a scenario's directory).
    pub fn build(users: &[TenantUser]) -> Self {
        let mut ix = Index {
            addr: HashMap::with_capacity(users.len()),
            ..Index::default()
        };
        let keys: Vec<String> = users.iter().map(|u| lc(&u.upn)).collect();
        ix.by_upn = (0..users.len()).map(pos).collect();
        ix.by_upn
            .sort_by(|&a, &b| keys[a as usize].cmp(&keys[b as usize]));
        drop(keys);
        ix.by_id = (0..users.len()).map(pos).collect();
        ix.by_id
            .sort_by(|&a, &b| users[a as usize].id.cmp(&users[b as usize].id));
        for (i, u) in users.iter().enumerate() {
            ix.add_addresses(u, pos(i));
        }
        ix
    }

    fn add_addresses(&mut self, u: &TenantUser, i: u32) {
        for a in addresses(u) {
            let h = hash(&a);
            match self.addr.entry(h) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(i);
                }
                std::collections::hash_map::Entry::Occupied(_) => {
                    self.more.entry(h).or_default().push(i);
                }
            }
        }
    }

    /// Index the user just pushed at position `i`.
    pub fn add(&mut self, users: &[TenantUser], i: usize) {
        let u = &users[i];
        let key = lc(&u.upn);
        let at = self
            .by_upn
            .partition_point(|&j| cmp_lc(&users[j as usize].upn, &key) != Ordering::Greater);
        self.by_upn.insert(at, pos(i));
        let at = self.by_id.partition_point(|&j| users[j as usize].id < u.id);
        self.by_id.insert(at, pos(i));
        self.add_addresses(u, pos(i));
    }

    /// The positions whose lowercased UPN is in `lo..=hi` (either open),
    /// in UPN order.
    fn upn_span(&self, users: &[TenantUser], lo: Option<&str>, hi: Option<&str>) -> &[u32] {
        let upn = |j: &u32| users[*j as usize].upn.as_str();
        let start = lo.map_or(0, |lo| {
            self.by_upn
                .partition_point(|j| cmp_lc(upn(j), lo) == Ordering::Less)
        });
        let end = hi.map_or(self.by_upn.len(), |hi| {
            self.by_upn
                .partition_point(|j| cmp_lc(upn(j), hi) != Ordering::Greater)
        });
        &self.by_upn[start..end.max(start)]
    }

    pub fn by_upn(&self, users: &[TenantUser], upn: &str) -> Option<usize> {
        let key = lc(upn);
        self.upn_span(users, Some(&key), Some(&key))
            .last()
            .map(|&j| j as usize)
    }

    pub fn with_upn_prefix(&self, users: &[TenantUser], prefix: &str) -> Vec<usize> {
        let p = lc(prefix);
        let mut v: Vec<usize> = self
            .upn_span(users, Some(&p), None)
            .iter()
            .take_while(|&&j| starts_with_lc(&users[j as usize].upn, &p))
            .map(|&j| j as usize)
            .collect();
        v.sort_unstable();
        v
    }

    pub fn in_upn_range(
        &self,
        users: &[TenantUser],
        lo: Option<&str>,
        hi: Option<&str>,
    ) -> Vec<usize> {
        let (lo, hi) = (lo.map(lc), hi.map(lc));
        if let (Some(a), Some(b)) = (&lo, &hi)
            && a > b
        {
            return Vec::new();
        }
        let mut v: Vec<usize> = self
            .upn_span(users, lo.as_deref(), hi.as_deref())
            .iter()
            .map(|&j| j as usize)
            .collect();
        v.sort_unstable();
        v
    }

    /// Positions in object-id order.
    pub fn id_order(&self) -> impl ExactSizeIterator<Item = usize> + '_ {
        self.by_id.iter().map(|&j| j as usize)
    }

    pub fn by_id(&self, users: &[TenantUser], id: &str) -> Option<usize> {
        let id = lc(id);
        self.by_id
            .binary_search_by(|&j| users[j as usize].id.as_str().cmp(&id))
            .ok()
            .map(|k| self.by_id[k] as usize)
    }

    /// Users one of whose addresses is `addr` (any case), by position.
    pub fn by_address(&self, users: &[TenantUser], addr: &str) -> Vec<usize> {
        let a = lc(addr);
        let h = hash(&a);
        let mut v: Vec<usize> = self
            .addr
            .get(&h)
            .into_iter()
            .chain(self.more.get(&h).into_iter().flatten())
            .map(|&j| j as usize)
            .filter(|&j| addresses(&users[j]).contains(&a))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}
