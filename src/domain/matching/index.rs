//! A one-time index over a tenant's users, so that looking up a person is a
//! few hash lookups instead of a scan of the whole tenant.

use std::collections::{HashMap, HashSet};

use crate::domain::facts::TenantUser;
use crate::domain::text::{
    is_guest_ext_upn, name_tokens, normalize_key, proxy_smtp_address, split_email,
};

/// Posting lists longer than this are too common to use alone for name
/// blocking (think "john"); such tokens only count in pairs.
pub const TOKEN_CAP: usize = 256;
/// Upper bound on candidates taken from the fallback posting list.
pub const FALLBACK_CAP: usize = 4096;

type Postings = HashMap<String, Vec<u32>>;

fn push(map: &mut Postings, key: String, id: u32) {
    if key.is_empty() {
        return;
    }
    let list = map.entry(key).or_default();
    if list.last() != Some(&id) {
        list.push(id);
    }
}

/// An index over tenant users by every key the matchers use.
///
/// Keys are normalised with [`normalize_key`] (addresses) and
/// [`name_tokens`] (names). Built once in `O(n)`; each lookup is `O(1)` plus
/// the size of the answer.
#[derive(Debug)]
pub struct TenantIndex<'a> {
    users: &'a [TenantUser],
    verified_domains: HashSet<String>,
    by_upn: Postings,
    by_mail: Postings,
    by_other_mail: Postings,
    by_proxy: Postings,
    by_local_part: Postings,
    by_name_key: Postings,
    by_token: Postings,
    by_token_pair: Postings,
    name_chars: Vec<Vec<char>>,
}

impl<'a> TenantIndex<'a> {
    /// Indexes `users`; `verified_domains` are the tenant's verified domains
    /// (used for local-part matching; any case).
    pub fn new(users: &'a [TenantUser], verified_domains: &[String]) -> Self {
        let verified: HashSet<String> = verified_domains.iter().map(|d| normalize_key(d)).collect();
        let mut idx = TenantIndex {
            users,
            verified_domains: verified,
            by_upn: HashMap::with_capacity(users.len()),
            by_mail: HashMap::with_capacity(users.len()),
            by_other_mail: HashMap::new(),
            by_proxy: HashMap::new(),
            by_local_part: HashMap::new(),
            by_name_key: HashMap::new(),
            by_token: HashMap::new(),
            by_token_pair: HashMap::new(),
            name_chars: Vec::with_capacity(users.len()),
        };
        for (i, u) in users.iter().enumerate() {
            let Ok(id) = u32::try_from(i) else { break };
            let upn = normalize_key(&u.user_principal_name);
            push(&mut idx.by_upn, upn.clone(), id);
            let mail = u.mail.as_deref().map(normalize_key).unwrap_or_default();
            push(&mut idx.by_mail, mail.clone(), id);
            for m in &u.other_mails {
                push(&mut idx.by_other_mail, normalize_key(m), id);
            }
            for p in &u.proxy_addresses {
                if let Some(addr) = proxy_smtp_address(p) {
                    push(&mut idx.by_proxy, normalize_key(addr), id);
                }
            }
            for addr in [&upn, &mail] {
                if is_guest_ext_upn(addr) {
                    continue;
                }
                if let Some((local, domain)) = split_email(addr)
                    && idx.verified_domains.contains(domain)
                {
                    push(&mut idx.by_local_part, local.to_string(), id);
                }
            }
            let tokens = name_tokens(&u.display_name);
            let key = tokens.join(" ");
            idx.name_chars.push(key.chars().collect());
            push(&mut idx.by_name_key, key, id);
            let mut seen: Vec<&str> = Vec::with_capacity(tokens.len());
            for t in &tokens {
                if !seen.contains(&t.as_str()) {
                    seen.push(t);
                    push(&mut idx.by_token, t.clone(), id);
                }
            }
            let limit = seen.len().min(6);
            for a in 0..limit {
                for b in a + 1..limit {
                    push(&mut idx.by_token_pair, pair_key(seen[a], seen[b]), id);
                }
            }
        }
        idx
    }

    /// All indexed users.
    pub fn users(&self) -> &'a [TenantUser] {
        self.users
    }

    /// The user at position `i` (positions are what the lookups return).
    pub fn user(&self, i: u32) -> Option<&'a TenantUser> {
        self.users.get(i as usize)
    }

    /// Whether `domain` (any case) is a verified domain of the tenant.
    pub fn is_verified_domain(&self, domain: &str) -> bool {
        self.verified_domains.contains(&normalize_key(domain))
    }

    fn get<'m>(map: &'m Postings, key: &str) -> &'m [u32] {
        map.get(&normalize_key(key))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Users whose UPN equals `email` (case and whitespace ignored).
    pub fn by_upn(&self, email: &str) -> &[u32] {
        Self::get(&self.by_upn, email)
    }

    /// Users whose primary `mail` equals `email`.
    pub fn by_mail(&self, email: &str) -> &[u32] {
        Self::get(&self.by_mail, email)
    }

    /// Users listing `email` in `otherMails`.
    pub fn by_other_mail(&self, email: &str) -> &[u32] {
        Self::get(&self.by_other_mail, email)
    }

    /// Users with an `smtp:` proxy address equal to `email`.
    pub fn by_proxy(&self, email: &str) -> &[u32] {
        Self::get(&self.by_proxy, email)
    }

    /// Users whose UPN or mail has this local part at a verified domain.
    pub fn by_local_part(&self, local: &str) -> &[u32] {
        Self::get(&self.by_local_part, local)
    }

    /// Users whose normalised display name equals that of `display_name`.
    pub fn by_name(&self, display_name: &str) -> &[u32] {
        let key = name_tokens(display_name).join(" ");
        self.by_name_key.get(&key).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The normalised name of user `i` as characters (for similarity).
    pub fn name_chars(&self, i: u32) -> &[char] {
        self.name_chars
            .get(i as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Candidate users for name similarity, by blocking on name tokens.
    ///
    /// A user is a candidate when it shares a token whose posting list is at
    /// most [`TOKEN_CAP`] long, or a pair of tokens (any posting size). When
    /// that finds nobody, the rarest shared token's list is used, cut at
    /// [`FALLBACK_CAP`]. `seen` must have one slot per user and is
    /// stamped with `stamp` to deduplicate without clearing.
    pub fn name_candidates(
        &self,
        tokens: &[String],
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
        let mut rarest: Option<&[u32]> = None;
        for t in tokens {
            if let Some(list) = self.by_token.get(t) {
                if list.len() <= TOKEN_CAP {
                    add(list, out);
                }
                if rarest.is_none_or(|r| list.len() < r.len()) {
                    rarest = Some(list);
                }
            }
        }
        let limit = tokens.len().min(6);
        for a in 0..limit {
            for b in a + 1..limit {
                if tokens[a] == tokens[b] {
                    continue;
                }
                if let Some(list) = self.by_token_pair.get(&pair_key(&tokens[a], &tokens[b])) {
                    add(list, out);
                }
            }
        }
        if out.is_empty()
            && let Some(list) = rarest
        {
            add(&list[..list.len().min(FALLBACK_CAP)], out);
        }
    }
}

fn pair_key(a: &str, b: &str) -> String {
    if a <= b {
        format!("{a} {b}")
    } else {
        format!("{b} {a}")
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
        assert_eq!(idx.name_chars(0).iter().collect::<String>(), "alice smith");
    }

    #[test]
    fn name_candidates_block_on_rare_tokens_and_pairs() {
        let mut users = Vec::new();
        // A very common given name.
        for i in 0..(TOKEN_CAP + 10) {
            users.push(tu(
                &i.to_string(),
                &format!("j{i}@c.com"),
                &format!("John Family{i}"),
            ));
        }
        users.push(tu("x", "x@c.com", "John Doe"));
        let n = users.len();
        let idx = TenantIndex::new(&users, &[]);
        let mut seen = vec![0u32; n];
        let mut out = Vec::new();
        // Shares the pair (doe, john) and the rare token doe.
        idx.name_candidates(&name_tokens("Doe John"), &mut seen, 1, &mut out);
        assert_eq!(out, vec![(n - 1) as u32]);
        // A typo in the rare token: only "john" is shared and it is common,
        // so the fallback takes the rarest list (capped).
        idx.name_candidates(&name_tokens("John Dough"), &mut seen, 2, &mut out);
        assert_eq!(out.len(), TOKEN_CAP + 11);
        // Nothing shared at all.
        idx.name_candidates(&name_tokens("Zed Q"), &mut seen, 3, &mut out);
        assert!(out.is_empty());
        // Rare token Family7 is found directly.
        idx.name_candidates(&name_tokens("Family7 Jon"), &mut seen, 4, &mut out);
        assert_eq!(out, vec![7]);
    }
}
