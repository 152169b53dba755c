//! Who signs in as whom: the account a name chooses at an authority, and
//! what that account is at any authority later (a personal account stays a
//! personal account), and the choices the sign-in pages offer.

use super::*;

impl World {
    /// Which account `who` (a UPN or personal account email, optionally
    /// prefixed `personal:` or `work:` to choose between two accounts of one
    /// address) signs in as at the authority `tenant` (`organizations`,
    /// `common`, `consumers`, an id or a domain). Unprefixed, `organizations`
    /// and `common` prefer the personal account (the account picker's first
    /// entry; see docs/emulator.md), a tenant prefers its own work account.
    pub fn sign_in(&self, who: &str, tenant: &str) -> Result<Account, String> {
        let (kind, name) = match who.split_once(':') {
            Some(("personal", n)) => (Some(true), n),
            Some(("work", n)) => (Some(false), n),
            _ => (None, who),
        };
        let personal = kind != Some(false);
        let work = kind != Some(true);
        let msa = personal
            .then(|| self.msa(name))
            .flatten()
            .map(|m| Account::Personal(m.email.clone()));
        match lc(tenant).as_str() {
            "consumers" | CONSUMERS_TENANT => msa.ok_or_else(|| {
                format!("AADSTS50020: User account '{name}' does not exist as a personal Microsoft account.")
            }),
            "organizations" | "common" => msa
                .or_else(|| {
                    work.then(|| {
                        self.tenants.iter().find_map(|t| {
                            t.user_by_upn(name)
                                .filter(|u| u.msa.is_none() && u.user_type == "Member")
                                .map(|u| Account::Work { tid: t.id.clone(), oid: u.id.clone() })
                        })
                    })
                    .flatten()
                })
                .ok_or_else(|| format!("AADSTS50034: The user account {name} does not exist in any directory.")),
            other => {
                let t = self
                    .tenant(other)
                    .ok_or_else(|| format!("AADSTS90002: Tenant '{other}' not found."))?;
                let own = work
                    .then(|| t.user_by_upn(name).filter(|u| u.msa.is_none()))
                    .flatten()
                    .map(|u| Account::Work { tid: t.id.clone(), oid: u.id.clone() });
                let external = || {
                    personal
                        .then(|| t.user_for_external(name))
                        .flatten()
                        .map(|u| Account::Personal(u.msa.clone().unwrap_or_default()))
                };
                own.or_else(external).ok_or_else(|| {
                    format!(
                        "AADSTS50020: User account '{name}' does not exist in tenant '{}' and cannot access the application.",
                        t.display_name
                    )
                })
            }
        }
    }

    /// Who `account` is at the authority `tenant`. A personal account stays
    /// a personal account: in a tenant it is only the directory object that
    /// stands for it (a guest, or an external member), never the work
    /// account that happens to have the same address. A work account is
    /// itself in its home tenant and at `organizations`/`common`, and in
    /// another tenant the object standing for it.
    pub fn subject_for(&self, account: &Account, tenant: &str) -> Result<Subject, String> {
        let in_tenant = |t: &Tenant, u: &TenantUser| {
            if !u.enabled {
                return Err("AADSTS50057: The user account is disabled.".to_string());
            }
            Ok(Subject {
                tid: t.id.clone(),
                oid: u.id.clone(),
                upn: u.upn.clone(),
                name: u.display_name.clone(),
            })
        };
        let authority = lc(tenant);
        let multi = matches!(authority.as_str(), "organizations" | "common");
        let consumers = matches!(authority.as_str(), "consumers" | CONSUMERS_TENANT);
        let not_here = |name: &str, t: &Tenant| {
            format!(
                "AADSTS50020: User account '{name}' from an external identity provider does not exist in tenant '{}' and cannot access the application in that tenant. The account needs to be added as an external user in the tenant first.",
                t.display_name
            )
        };
        match account {
            Account::Personal(email) if multi || consumers => self
                .msa(email)
                .map(|m| Subject {
                    tid: CONSUMERS_TENANT.into(),
                    oid: m.oid.clone(),
                    upn: m.email.clone(),
                    name: m.display_name.clone(),
                })
                .ok_or_else(|| format!("AADSTS50034: The user account {email} does not exist.")),
            Account::Personal(email) => {
                let t = self
                    .tenant(&authority)
                    .ok_or_else(|| format!("AADSTS90002: Tenant '{tenant}' not found."))?;
                let u = t
                    .user_for_external(email)
                    .ok_or_else(|| not_here(email, t))?;
                in_tenant(t, u)
            }
            Account::Work { tid, oid } => {
                let home = self
                    .tenant(tid)
                    .ok_or("AADSTS50034: The home tenant is gone.")?;
                let me = home
                    .user_by_id(oid)
                    .ok_or("AADSTS50034: The user account does not exist.")?;
                if consumers {
                    return Err(format!(
                        "AADSTS50020: User account '{}' is a work or school account; only personal Microsoft accounts sign in here.",
                        me.upn
                    ));
                }
                if multi || authority == *tid || home.has_domain(&authority) {
                    return in_tenant(home, me);
                }
                let t = self
                    .tenant(&authority)
                    .ok_or_else(|| format!("AADSTS90002: Tenant '{tenant}' not found."))?;
                let u = t.object_for(&me.upn).ok_or_else(|| not_here(&me.upn, t))?;
                in_tenant(t, u)
            }
        }
    }

    /// Who `who` is when signing in afresh at `tenant`: [`World::sign_in`]
    /// then [`World::subject_for`].
    #[cfg(test)]
    pub fn resolve(&self, who: &str, tenant: &str) -> Result<Subject, String> {
        self.subject_for(&self.sign_in(who, tenant)?, tenant)
    }

    /// Every account a person could pick on the sign-in pages, as (value,
    /// label): an address that is both a personal and a work account is
    /// offered twice, as Entra's account picker does.
    pub fn sign_in_choices(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = Vec::new();
        let mut work = Vec::new();
        for t in &self.tenants {
            for u in t.users.iter().take(200) {
                if u.msa.is_none()
                    && !work
                        .iter()
                        .any(|(x, _): &(String, String)| x.eq_ignore_ascii_case(&u.upn))
                {
                    work.push((u.upn.clone(), t.display_name.clone()));
                }
            }
        }
        for m in &self.msa {
            if work.iter().any(|(x, _)| x.eq_ignore_ascii_case(&m.email)) {
                v.push((
                    format!("personal:{}", m.email),
                    format!("{} (personal account)", m.email),
                ));
            } else {
                v.push((m.email.clone(), m.email.clone()));
            }
        }
        for (upn, tenant) in work {
            if self.msa(&upn).is_some() {
                v.push((
                    format!("work:{upn}"),
                    format!("{upn} (work or school account, {tenant})"),
                ));
            } else {
                v.push((upn.clone(), upn));
            }
        }
        v
    }
}
