//! A one-time index over a tenant's users, so that looking up a person is a
//! few hash lookups instead of a scan of the whole tenant.
//!
//! Built for hundreds of thousands of users: keys are stored as 64-bit
//! hashes of their normalised form (no string is allocated per key) in sorted
//! `(key, id)` arrays (one sort per index instead of a hash insert per key),
//! and normalised names live in one flat buffer. Address and name lookups re-check every hit
//! against the user's actual attribute, so a hash collision can never
//! produce a false match; name *blocking* uses the hashes as they are, since
//! every blocked candidate is scored anyway.

use std::hash::Hasher;
use std::sync::Arc;

use super::kind::DirectoryProfile;
use super::names::{Nicknames, PersonName, coarse_bytes, coarse_key};
use crate::domain::facts::TenantUser;
use crate::domain::text::{
    is_guest_ext_upn, name_key, name_tokens_into, proxy_smtp_address, push_name_key, trim_fast,
};

/// Upper bound on the accounts read from one name's posting list when
/// looking for an initial ("J. Smith" in a directory of many Smiths).
pub const INITIALS_CAP: usize = 4096;

/// A fast non-cryptographic hasher (the "Fx" multiply-rotate scheme).
#[derive(Debug, Default, Clone, Copy)]
struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.add(u64::from(*b));
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Ids at or above this are not indexed (kept from the map-based design,
/// whose inline/list tag used the top bit; 2^31 users is far beyond a tenant).
const MANY: u32 = 1 << 31;

/// Key hash → users, as one array of `(key, id)` pairs sorted by key.
///
/// Built by appending pairs and sorting once ([`Postings::finish`]): sequential
/// writes and one sort are much kinder to the cache than a hash-map insert
/// per key (which dominated the index build when profiled), and a lookup is a
/// binary search returning a contiguous slice of ids.
#[derive(Debug, Default)]
struct Postings {
    pairs: Vec<(u64, u32)>,
    keys: Vec<u64>,
    ids: Vec<u32>,
    /// `starts[b]..starts[b + 1]` holds the keys whose top `bits` bits are
    /// `b`: keys are hashes, so a bucket holds one or two keys and a lookup
    /// touches two cache lines instead of binary-searching the whole array.
    starts: Vec<u32>,
    bits: u32,
}

fn postings(capacity: usize) -> Postings {
    Postings {
        pairs: Vec::with_capacity(capacity),
        keys: Vec::new(),
        ids: Vec::new(),
        starts: Vec::new(),
        bits: 0,
    }
}

fn push(p: &mut Postings, key: Option<u64>, id: u32) {
    if let Some(key) = key {
        p.pairs.push((key, id));
    }
}

impl Postings {
    /// Sort and split the pairs; duplicates (same key and id) are dropped.
    ///
    /// Keys are hashes, so a counting sort on their top bits puts almost
    /// every pair in its place in two linear passes; each bucket (one or two
    /// pairs on average) is then sorted on its own.
    fn finish(&mut self) {
        let pairs = std::mem::take(&mut self.pairs);
        let n = pairs.len().max(1);
        self.bits = (usize::BITS - (n - 1).leading_zeros()).clamp(1, 24);
        let shift = 64 - self.bits;
        let buckets = 1usize << self.bits;
        let mut starts = vec![0u32; buckets + 1];
        for &(k, _) in &pairs {
            starts[(k >> shift) as usize + 1] += 1;
        }
        for b in 0..buckets {
            starts[b + 1] += starts[b];
        }
        let mut next: Vec<u32> = starts[..buckets].to_vec();
        let mut sorted = vec![(0u64, 0u32); pairs.len()];
        for p in pairs {
            let b = (p.0 >> shift) as usize;
            sorted[next[b] as usize] = p;
            next[b] += 1;
        }
        self.keys = Vec::with_capacity(sorted.len());
        self.ids = Vec::with_capacity(sorted.len());
        let mut out_starts = Vec::with_capacity(buckets + 1);
        for b in 0..buckets {
            out_starts.push(self.keys.len() as u32);
            let bucket = &mut sorted[starts[b] as usize..starts[b + 1] as usize];
            if bucket.len() > 1 {
                bucket.sort_unstable();
            }
            let mut last = None;
            for &(k, id) in bucket.iter() {
                if last != Some((k, id)) {
                    self.keys.push(k);
                    self.ids.push(id);
                    last = Some((k, id));
                }
            }
        }
        out_starts.push(self.keys.len() as u32);
        self.starts = out_starts;
    }
}

fn get(p: &Postings, key: Option<u64>) -> &[u32] {
    let Some(key) = key else { return &[] };
    if p.starts.is_empty() {
        return &[];
    }
    let b = (key >> (64 - p.bits)) as usize;
    let (from, to) = (p.starts[b] as usize, p.starts[b + 1] as usize);
    let bucket = &p.keys[from..to];
    let lo = from + bucket.partition_point(|&k| k < key);
    let hi = lo + p.keys[lo..to].partition_point(|&k| k == key);
    &p.ids[lo..hi]
}

fn key_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    trim_fast(s).chars().flat_map(char::to_lowercase)
}

/// Hash of already-lowercase (or ASCII, lowercased here) UTF-8 bytes, eight
/// at a time.
fn hash_lowered(bytes: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        for (d, b) in w.iter_mut().zip(c) {
            *d = b.to_ascii_lowercase();
        }
        h.add(u64::from_le_bytes(w));
    }
    let rest = chunks.remainder();
    let mut w = [0u8; 8];
    for (d, b) in w.iter_mut().zip(rest) {
        *d = b.to_ascii_lowercase();
    }
    h.add(u64::from_le_bytes(w));
    h.add(bytes.len() as u64);
    h.finish()
}

/// Hash of the normalised key; `None` for an empty key.
///
/// ASCII keys (nearly all addresses) are lowercased on the fly; others are
/// lowercased char by char first, exactly as [`key_eq`] compares them.
fn key_hash(s: &str) -> Option<u64> {
    let t = trim_fast(s);
    if t.is_empty() {
        None
    } else if t.is_ascii() {
        Some(hash_lowered(t.as_bytes()))
    } else {
        let lowered: String = key_chars(t).collect();
        Some(hash_lowered(lowered.as_bytes()))
    }
}

/// Whether two keys are equal once normalised.
fn key_eq(a: &str, b: &str) -> bool {
    let (a, b) = (trim_fast(a), trim_fast(b));
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        key_chars(a).eq(key_chars(b))
    }
}

/// Splits a trimmed address at its last `@` (local part, domain), both
/// non-empty.
fn split_key(s: &str) -> Option<(&str, &str)> {
    let (l, d) = trim_fast(s).rsplit_once('@')?;
    (!l.is_empty() && !d.is_empty()).then_some((l, d))
}

fn token_hash(t: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(t.as_bytes());
    h.finish()
}

/// Order-insensitive hash of two token hashes.
fn pair_hash(a: u64, b: u64) -> u64 {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    let mut h = FxHasher::default();
    h.add(a);
    h.add(b ^ 0x9E37_79B9_7F4A_7C15);
    h.finish()
}

fn text_hash(text: &str) -> Option<u64> {
    (!text.is_empty()).then(|| token_hash(text))
}

/// An index over tenant users by every key the matchers use.
///
/// Addresses are compared trimmed and lowercased; whole names by their
/// sorted, folded tokens ([`name_key`]); name tokens and pairs of them by
/// their coarse keys ([`coarse_key`]), so "Mueller" finds "Müller".
/// Built once in `O(n)`; each lookup is `O(1)` plus the size of the answer.
/// Its [`Tables`] can be shared by every index over the same users
/// ([`TenantIndex::over`]): a fleet of organizations moving to one
/// directory indexes it once.
#[derive(Debug)]
pub struct TenantIndex<'a> {
    users: &'a [TenantUser],
    tables: Arc<Tables>,
}

/// What a [`TenantIndex`] looks users up in, built for one list of users
/// and one set of verified domains.
#[derive(Debug)]
pub struct Tables {
    /// The list it was built over: its address and length (never
    /// dereferenced; only compared in [`TenantIndex::over`]).
    built_over: (usize, usize),
    verified_domains: Vec<String>,
    by_upn: Postings,
    by_mail: Postings,
    by_other_mail: Postings,
    by_proxy: Postings,
    by_local_part: Postings,
    by_name_key: Postings,
    by_token: Postings,
    by_token_pair: Postings,
    /// Every user's folded name key, one after another.
    name_buf: String,
    name_ends: Vec<usize>,
    profile: DirectoryProfile,
}

impl std::ops::Deref for TenantIndex<'_> {
    type Target = Tables;
    fn deref(&self) -> &Tables {
        &self.tables
    }
}

/// Verified domains as the tables keep them: trimmed, lowercase, no blanks.
fn domains(verified_domains: &[String]) -> Vec<String> {
    verified_domains
        .iter()
        .map(|d| d.trim().to_lowercase())
        .filter(|d| !d.is_empty())
        .collect()
}

impl<'a> TenantIndex<'a> {
    /// Indexes `users`; `verified_domains` are the tenant's verified domains
    /// (used for local-part matching; any case).
    pub fn new(users: &'a [TenantUser], verified_domains: &[String]) -> Self {
        TenantIndex {
            users,
            tables: Arc::new(Tables::build(users, verified_domains)),
        }
    }

    /// An index over `users` with `tables` already built, if they were
    /// built over this very list (the same allocation and length, which the
    /// caller keeps alive and unchanged: a shared `Arc`) and these domains.
    pub fn over(
        users: &'a [TenantUser],
        verified_domains: &[String],
        tables: &Arc<Tables>,
    ) -> Option<Self> {
        (tables.built_over == (users.as_ptr() as usize, users.len())
            && tables.verified_domains == domains(verified_domains))
        .then(|| TenantIndex {
            users,
            tables: Arc::clone(tables),
        })
    }

    /// Its tables, to share with the next index over the same users.
    pub fn tables(&self) -> &Arc<Tables> {
        &self.tables
    }
}

impl Tables {
    fn build(users: &[TenantUser], verified_domains: &[String]) -> Self {
        let n = users.len();
        let mut idx = Tables {
            built_over: (users.as_ptr() as usize, n),
            verified_domains: domains(verified_domains),
            by_upn: postings(n),
            by_mail: postings(n),
            by_other_mail: postings(n / 2),
            by_proxy: postings(n * 2),
            by_local_part: postings(n * 2),
            by_name_key: postings(n),
            by_token: postings(n * 2),
            by_token_pair: postings(n),
            name_buf: String::with_capacity(n * 16),
            name_ends: Vec::with_capacity(n),
            profile: DirectoryProfile::of(users),
        };
        // Scratch for each name's folded text, token ranges, spelling key
        // and token hashes.
        let (mut fold, mut spans) = (String::new(), Vec::new());
        let mut hashes = Vec::<u64>::new();
        for (i, u) in users.iter().enumerate() {
            // Ids must stay below the MANY marker bit.
            let Some(id) = u32::try_from(i).ok().filter(|id| id & MANY == 0) else {
                break;
            };
            push(&mut idx.by_upn, key_hash(&u.user_principal_name), id);
            if let Some(m) = &u.mail {
                push(&mut idx.by_mail, key_hash(m), id);
            }
            for m in &u.other_mails {
                push(&mut idx.by_other_mail, key_hash(m), id);
            }
            for p in &u.proxy_addresses {
                if let Some(addr) = proxy_smtp_address(p) {
                    push(&mut idx.by_proxy, key_hash(addr), id);
                }
            }
            let mut locals = [None, None];
            for (slot, l) in locals.iter_mut().zip(idx.local_parts(u)) {
                *slot = key_hash(l);
            }
            for h in locals {
                push(&mut idx.by_local_part, h, id);
            }
            name_tokens_into(&u.display_name, &mut fold, &mut spans);
            let start = idx.name_buf.len();
            push_name_key(&fold, &spans, &mut idx.name_buf);
            idx.name_ends.push(idx.name_buf.len());
            push(&mut idx.by_name_key, text_hash(&idx.name_buf[start..]), id);
            hashes.clear();
            for &(a, b) in &spans {
                // The same hash as `token_hash` of the coarse key, byte by byte.
                let mut hasher = FxHasher::default();
                coarse_bytes(&fold[a..b], |c| hasher.add(u64::from(c)));
                let h = hasher.finish();
                if !hashes.contains(&h) {
                    hashes.push(h);
                }
            }
            let limit = hashes.len().min(6);
            for a in 0..limit {
                for b in a + 1..limit {
                    push(
                        &mut idx.by_token_pair,
                        Some(pair_hash(hashes[a], hashes[b])),
                        id,
                    );
                }
            }
            for &h in &hashes {
                push(&mut idx.by_token, Some(h), id);
            }
        }
        for p in [
            &mut idx.by_upn,
            &mut idx.by_mail,
            &mut idx.by_other_mail,
            &mut idx.by_proxy,
            &mut idx.by_local_part,
            &mut idx.by_name_key,
            &mut idx.by_token,
            &mut idx.by_token_pair,
        ] {
            p.finish();
        }
        idx
    }

    /// Local parts of the user's UPN and mail that sit at a verified domain
    /// (guest `#EXT#` UPNs excluded).
    fn local_parts<'u>(&self, u: &'u TenantUser) -> impl Iterator<Item = &'u str> + use<'u, '_> {
        [Some(u.user_principal_name.as_str()), u.mail.as_deref()]
            .into_iter()
            .flatten()
            .filter(|a| !is_guest_ext_upn(a))
            .filter_map(split_key)
            .filter(|(_, d)| self.is_verified_domain(d))
            .map(|(l, _)| l)
    }

    /// Whether `domain` (any case) is a verified domain of the tenant.
    pub fn is_verified_domain(&self, domain: &str) -> bool {
        self.verified_domains.iter().any(|v| key_eq(v, domain))
    }
}

impl<'a> TenantIndex<'a> {
    /// All indexed users.
    pub fn users(&self) -> &'a [TenantUser] {
        self.users
    }

    /// The user at position `i` (positions are what the lookups return).
    pub fn user(&self, i: u32) -> Option<&'a TenantUser> {
        self.users.get(i as usize)
    }

    fn verified(&self, map: &Postings, key: &str, keep: impl Fn(&TenantUser) -> bool) -> Vec<u32> {
        get(map, key_hash(key))
            .iter()
            .copied()
            .filter(|&id| self.user(id).is_some_and(&keep))
            .collect()
    }

    /// Users whose UPN equals `email` (case and whitespace ignored).
    pub fn by_upn(&self, email: &str) -> Vec<u32> {
        self.verified(&self.by_upn, email, |u| {
            key_eq(&u.user_principal_name, email)
        })
    }

    /// Users whose primary `mail` equals `email`.
    pub fn by_mail(&self, email: &str) -> Vec<u32> {
        self.verified(&self.by_mail, email, |u| {
            u.mail.as_deref().is_some_and(|m| key_eq(m, email))
        })
    }

    /// Users listing `email` in `otherMails`.
    pub fn by_other_mail(&self, email: &str) -> Vec<u32> {
        self.verified(&self.by_other_mail, email, |u| {
            u.other_mails.iter().any(|m| key_eq(m, email))
        })
    }

    /// Users with an `smtp:` proxy address equal to `email`.
    pub fn by_proxy(&self, email: &str) -> Vec<u32> {
        self.verified(&self.by_proxy, email, |u| {
            u.proxy_addresses
                .iter()
                .filter_map(|p| proxy_smtp_address(p))
                .any(|a| key_eq(a, email))
        })
    }

    /// Users whose UPN or mail has this local part at a verified domain.
    pub fn by_local_part(&self, local: &str) -> Vec<u32> {
        self.verified(&self.by_local_part, local, |u| {
            self.local_parts(u).any(|l| key_eq(l, local))
        })
    }

    /// Users whose normalised display name equals that of `display_name`.
    pub fn by_name(&self, display_name: &str) -> Vec<u32> {
        let key = name_key(display_name);
        get(&self.by_name_key, text_hash(&key))
            .iter()
            .copied()
            .filter(|&id| self.name_key(id) == key)
            .collect()
    }

    /// The normalised name of user `i`: folded tokens, sorted, joined by
    /// single spaces.
    pub fn name_key(&self, i: u32) -> &str {
        let i = i as usize;
        let Some(&end) = self.name_ends.get(i) else {
            return "";
        };
        let start = if i == 0 {
            0
        } else {
            self.name_ends.get(i - 1).copied().unwrap_or(0)
        };
        self.name_buf.get(start..end).unwrap_or("")
    }

    /// What the directory's people look like (for account kinds).
    pub fn profile(&self) -> &DirectoryProfile {
        &self.profile
    }

    fn token(&self, key: &str) -> &[u32] {
        get(&self.by_token, text_hash(key))
    }

    fn pair(&self, a: &str, b: &str) -> &[u32] {
        match (text_hash(a), text_hash(b)) {
            (Some(a), Some(b)) => get(&self.by_token_pair, Some(pair_hash(a, b))),
            _ => &[],
        }
    }

    /// Accounts whose name may agree with `name` (every one is compared in
    /// full afterwards, so this may over-approximate but must not miss).
    ///
    /// Found through posting lists, never by scanning the directory: pairs
    /// of the name's tokens and their nickname variants (which also finds
    /// names with a middle name or a double surname, since every pair of an
    /// account's first six tokens is indexed); for an initial ("J. Smith"),
    /// the accounts holding the other token whose name has a token with that
    /// initial (at most [`INITIALS_CAP`] read); for one token
    /// ("ingridsolberg", "jsmith"), every split of it into two names, or an
    /// initial and a name; for two tokens, an account whose single name is
    /// both written together. `seen` must have one slot per user and is
    /// stamped with `stamp` to deduplicate without clearing.
    pub fn name_candidates(
        &self,
        name: &PersonName,
        nick: &Nicknames,
        seen: &mut [u32],
        stamp: u32,
        out: &mut Vec<u32>,
    ) {
        out.clear();
        let mut add = |list: &[u32], out: &mut Vec<u32>| {
            for &id in list {
                if let Some(slot) = seen.get_mut(id as usize)
                    && *slot != stamp
                {
                    *slot = stamp;
                    out.push(id);
                }
            }
        };
        let n = name.coarse.len().min(6);
        let keys = &name.coarse[..n];
        let tokens = &name.tokens[..n];
        let initial = |t: &str| t.chars().count() == 1;
        let mut variants: Vec<Vec<&str>> = Vec::with_capacity(n);
        let mut buf = Vec::new();
        for k in keys {
            nick.variants(k, &mut buf);
            let mut v = vec![k.as_str()];
            v.extend(buf.iter().copied().take(31));
            variants.push(v);
        }
        for a in 0..n {
            for b in a + 1..n {
                if initial(&tokens[a]) || initial(&tokens[b]) {
                    continue;
                }
                for x in &variants[a] {
                    for y in &variants[b] {
                        add(self.pair(x, y), out);
                    }
                }
            }
        }
        // An initial and a name.
        for (i, t) in tokens.iter().enumerate() {
            if !initial(t) {
                continue;
            }
            for (j, other) in tokens.iter().enumerate() {
                if j != i && !initial(other) {
                    self.with_initial(&keys[j], other, t, &mut |list, out| add(list, out), out);
                }
            }
        }
        let mut key = String::new();
        let mut glued = String::new();
        if n == 1 {
            let t = &tokens[0];
            let cuts: Vec<usize> = t.char_indices().map(|(i, _)| i).skip(1).collect();
            for &cut in &cuts {
                let (x, y) = t.split_at(cut);
                if x.chars().count() == 1 {
                    // "jsmith": an initial run into a surname.
                    if y.chars().count() >= 2 {
                        coarse_key(y, &mut key);
                        self.with_initial(&key, y, x, &mut |list, out| add(list, out), out);
                    }
                    continue;
                }
                if y.chars().count() < 2 {
                    continue;
                }
                let mut kx = String::new();
                coarse_key(x, &mut kx);
                coarse_key(y, &mut key);
                add(self.pair(&kx, &key), out);
            }
        } else if n == 2 {
            for (x, y) in [(0, 1), (1, 0)] {
                glued.clear();
                glued.push_str(&tokens[x]);
                glued.push_str(&tokens[y]);
                coarse_key(&glued, &mut key);
                add(self.token(&key), out);
            }
        }
    }

    /// Accounts holding the name with coarse key `key` (folded `token`)
    /// and another name starting with `initial`.
    fn with_initial(
        &self,
        key: &str,
        token: &str,
        initial: &str,
        add: &mut dyn FnMut(&[u32], &mut Vec<u32>),
        out: &mut Vec<u32>,
    ) {
        let list = self.token(key);
        let list = &list[..list.len().min(INITIALS_CAP)];
        let mut keep: Vec<u32> = Vec::new();
        for &id in list {
            let has = self
                .name_key(id)
                .split(' ')
                .any(|w| w != token && w.starts_with(initial));
            if has {
                keep.push(id);
            }
        }
        add(&keep, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::facts::UserType;

    fn tu(id: &str, upn: &str, name: &str) -> TenantUser {
        TenantUser {
            id: id.into(),
            user_principal_name: upn.into(),
            display_name: name.into(),
            user_type: UserType::Member,
            account_enabled: true,
            ..TenantUser::default()
        }
    }

    #[test]
    fn tables_are_shared_only_over_the_same_list_and_domains() {
        let users = vec![
            tu("1", "alice@contoso.com", "Alice Smith"),
            tu("2", "bob@contoso.com", "Bob Jones"),
        ];
        let domains = vec!["contoso.com".to_string()];
        let first = TenantIndex::new(&users, &domains);
        let again = TenantIndex::over(&users, &[" CONTOSO.com".into()], first.tables())
            .expect("same list, same domains");
        assert!(
            Arc::ptr_eq(first.tables(), again.tables()),
            "shared, not rebuilt"
        );
        assert_eq!(again.by_upn("bob@contoso.com"), &[1]);
        assert_eq!(again.by_local_part("alice"), &[0]);
        // An equal copy is another list: its addresses may change apart.
        let copy = users.clone();
        assert!(TenantIndex::over(&copy, &domains, first.tables()).is_none());
        assert!(TenantIndex::over(&users[..1], &domains, first.tables()).is_none());
        assert!(TenantIndex::over(&users, &["fabrikam.com".into()], first.tables()).is_none());
    }

    #[test]
    fn lookups_are_normalised() {
        let mut a = tu("1", "Alice@Contoso.com", "Alice Smith");
        a.mail = Some("alice.smith@contoso.com".into());
        a.other_mails = vec!["Alice@Outlook.com".into()];
        a.proxy_addresses = vec![
            "SMTP:alice.smith@contoso.com".into(),
            "smtp:asmith@contoso.com".into(),
            "X500:/o=x".into(),
        ];
        let mut g = tu(
            "2",
            "bob_outlook.com#EXT#@contoso.onmicrosoft.com",
            "Bob Jones",
        );
        g.user_type = UserType::Guest;
        g.mail = Some("bob@outlook.com".into());
        let users = vec![a, g];
        let idx = TenantIndex::new(&users, &["CONTOSO.com".into()]);
        assert_eq!(idx.by_upn(" alice@contoso.COM "), &[0]);
        assert!(idx.by_upn("bob@outlook.com").is_empty());
        assert_eq!(idx.by_mail("BOB@outlook.com"), &[1]);
        assert_eq!(idx.by_other_mail("alice@outlook.com"), &[0]);
        assert_eq!(idx.by_proxy("asmith@contoso.com"), &[0]);
        assert!(idx.by_proxy("/o=x").is_empty());
        assert_eq!(idx.by_local_part("alice"), &[0]);
        assert_eq!(idx.by_local_part("alice.smith"), &[0]);
        // Guest UPNs and unverified domains are not local-part keys.
        assert!(idx.by_local_part("bob").is_empty());
        assert!(idx.by_local_part("bob_outlook.com#ext#").is_empty());
        assert_eq!(idx.by_name("smith, ALICE"), &[0]);
        assert!(idx.is_verified_domain("contoso.com"));
        assert_eq!(idx.user(1).map(|u| u.id.as_str()), Some("2"));
        assert_eq!(idx.user(9), None);
        assert_eq!(idx.name_key(0), "alice smith");
    }

    #[test]
    fn non_ascii_keys_and_shared_keys() {
        let users = vec![
            tu("1", "ÉLODIE@Contoso.com", "Élodie"),
            tu("2", "x@contoso.com", "Élodie"),
            tu("3", "y@contoso.com", "elodie"),
        ];
        let idx = TenantIndex::new(&users, &["contoso.com".into()]);
        assert_eq!(idx.by_upn("élodie@contoso.com"), &[0]);
        assert_eq!(idx.by_upn(" ÉLODIE@CONTOSO.COM"), &[0]);
        assert!(idx.by_upn("elodie@contoso.com").is_empty());
        assert_eq!(idx.by_local_part("ÉLODIE"), &[0]);
        // One key held by three users (the folded name).
        assert_eq!(idx.by_name("ELODIE"), &[0, 1, 2]);
        assert!(idx.by_upn("").is_empty());
        assert!(idx.by_name("").is_empty());
    }

    fn candidates(idx: &TenantIndex<'_>, name: &str, stamp: u32, seen: &mut [u32]) -> Vec<u32> {
        let mut out = Vec::new();
        idx.name_candidates(
            &PersonName::parse(name),
            Nicknames::builtin(),
            seen,
            stamp,
            &mut out,
        );
        out.sort();
        out
    }

    #[test]
    fn name_candidates_come_from_pairs_variants_initials_and_run_together_names() {
        let mut users = Vec::new();
        // A very common given name: never read alone.
        for i in 0..300 {
            users.push(tu(
                &i.to_string(),
                &format!("j{i}@c.com"),
                &format!("John Family{i}"),
            ));
        }
        let base = users.len() as u32;
        users.push(tu("doe", "jd@c.com", "John Doe"));
        users.push(tu("rob", "rs@c.com", "Robert Smith"));
        users.push(tu("jane", "js@c.com", "Jane Smith"));
        users.push(tu("ingrid", "is@c.com", "Ingrid Solberg"));
        users.push(tu("maria", "mg@c.com", "María García López"));
        users.push(tu("mueller", "jm@c.com", "Jürgen Müller"));
        users.push(tu("glued", "ab@c.com", "annaberg"));
        let idx = TenantIndex::new(&users, &[]);
        let mut seen = vec![0u32; users.len()];
        let (doe, rob, jane, ingrid, maria, mueller, glued) = (
            base,
            base + 1,
            base + 2,
            base + 3,
            base + 4,
            base + 5,
            base + 6,
        );
        assert_eq!(candidates(&idx, "Doe John", 1, &mut seen), vec![doe]);
        assert_eq!(candidates(&idx, "Bob Smith", 2, &mut seen), vec![rob]);
        assert_eq!(
            candidates(&idx, "J. Smith", 3, &mut seen),
            vec![jane],
            "Robert has no J"
        );
        assert_eq!(candidates(&idx, "jsmith", 4, &mut seen), vec![jane]);
        assert_eq!(
            candidates(&idx, "ingridsolberg", 5, &mut seen),
            vec![ingrid]
        );
        assert_eq!(candidates(&idx, "Maria Garcia", 6, &mut seen), vec![maria]);
        assert_eq!(
            candidates(&idx, "Juergen Mueller", 7, &mut seen),
            vec![mueller]
        );
        assert_eq!(candidates(&idx, "Anna Berg", 8, &mut seen), vec![glued]);
        // One common token alone finds nobody; neither does a near-namesake.
        assert!(candidates(&idx, "John Dough", 9, &mut seen).is_empty());
        assert!(candidates(&idx, "Roberta Smith", 10, &mut seen).is_empty());
        assert!(candidates(&idx, "John", 11, &mut seen).is_empty());
        assert!(candidates(&idx, "", 12, &mut seen).is_empty());
        assert_eq!(idx.profile(), &DirectoryProfile::default());
    }
}
