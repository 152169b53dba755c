//! The rules that change the world: connect or change the directory,
//! disconnect, remap a user, add a user to the organization.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::super::ids;
use super::*;

impl World {
    /// Names a user could appear under in another directory: their sign-in
    /// name and their personal account email.
    fn names_of(&self, o: usize, user: usize, subject_upn: Option<&str>) -> Vec<String> {
        let u = &self.orgs[o].users[user];
        let mut v = vec![u.principal_name.clone()];
        v.extend(u.msa_email.clone());
        v.extend(subject_upn.map(str::to_string));
        v
    }

    /// Connect (or change) the organization to `tenant_id`; `caller` is the
    /// organization user making the request.
    pub fn connect(
        &mut self,
        o: usize,
        caller: usize,
        caller_upn: &str,
        tenant_id: &str,
    ) -> Result<(), Refusal> {
        if !self.is_admin(o, caller) {
            return Err(refusal(
                403,
                "UnauthorizedRequestException",
                "TF400813: Only Project Collection Administrators or the organization owner can change the organization's Microsoft Entra connection.",
            ));
        }
        let Some(dest) = self.tenant(tenant_id).cloned() else {
            return Err(refusal(
                400,
                "InvalidTenantException",
                &format!("VS403282: The tenant '{tenant_id}' was not found."),
            ));
        };
        let names = self.names_of(o, caller, Some(caller_upn));
        let member = names
            .iter()
            .filter_map(|n| dest.object_for(n))
            .any(|u| u.user_type == "Member" && u.enabled);
        if !member {
            return Err(refusal(
                400,
                "AadTenantLinkException",
                "Only active members of the AAD tenant are allowed to perform the link.",
            ));
        }
        if let Some(src) = self.orgs[o].tenant.clone() {
            if src == dest.id {
                return Ok(());
            }
            let in_source = self
                .tenant(&src)
                .is_some_and(|t| names.iter().any(|n| t.object_for(n).is_some()));
            if !in_source {
                return Err(refusal(
                    400,
                    "AadTenantLinkException",
                    "You must be a member or a guest of the organization's current directory to change it.",
                ));
            }
        }
        // No user limit: organizations of more than 100 users can still
        // connect; 100 is the limit of the portal's Resolve page (Microsoft
        // Learn, "Access via Microsoft Entra FAQs", faq-azure-access).
        let changing = self.orgs[o].tenant.is_some();
        self.link_users(o, &dest);
        if changing {
            self.orgs[o].entra_groups.clear();
        }
        self.orgs[o].tenant = Some(dest.id);
        Ok(())
    }

    /// What a connect does to the users: same-UPN users move to the
    /// directory, everyone else is disconnected (kept, without access).
    pub(super) fn link_users(&mut self, o: usize, dest: &Tenant) {
        for u in &mut self.orgs[o].users {
            let key = match u.origin {
                Origin::Msa => u
                    .msa_email
                    .clone()
                    .unwrap_or_else(|| u.principal_name.clone()),
                Origin::Aad => u.principal_name.clone(),
            };
            match dest.user_by_upn(&key) {
                Some(tu) => {
                    u.origin = Origin::Aad;
                    u.origin_id = tu.id.clone();
                    u.principal_name = tu.upn.clone();
                    u.aad_tenant = Some(dest.id.clone());
                    u.descriptor = ids::descriptor("aad", &u.id);
                    u.active = true;
                }
                None => u.active = false,
            }
        }
    }

    /// Disconnect: back to personal accounts.
    pub fn disconnect(&mut self, o: usize, caller: usize) -> Result<(), Refusal> {
        if !self.is_admin(o, caller) {
            return Err(refusal(
                403,
                "UnauthorizedRequestException",
                "TF400813: Only Project Collection Administrators or the organization owner can disconnect the organization.",
            ));
        }
        if self.orgs[o].tenant.is_none() {
            return Ok(());
        }
        let msa_emails: HashMap<String, (String, String)> = self
            .msa
            .iter()
            .map(|m| (lc(&m.email), (m.email.clone(), m.puid.clone())))
            .collect();
        for u in &mut self.orgs[o].users {
            let candidates = [u.msa_email.clone(), Some(u.principal_name.clone())];
            let found = candidates
                .iter()
                .flatten()
                .find_map(|e| msa_emails.get(&lc(e)));
            match found {
                Some((email, puid)) => {
                    u.origin = Origin::Msa;
                    u.origin_id = puid.clone();
                    u.principal_name = email.clone();
                    u.msa_email = Some(email.clone());
                    u.aad_tenant = None;
                    u.descriptor = ids::descriptor("msa", &u.id);
                    u.active = true;
                }
                None => u.active = false,
            }
        }
        self.orgs[o].entra_groups.clear();
        self.orgs[o].tenant = None;
        Ok(())
    }

    /// Add `principal` to the organization with `license` (user entitlements'
    /// POST): an Entra user of the connected directory (by UPN, or the
    /// object standing for a personal account), or, while the organization
    /// is backed by personal accounts, a personal account. A user who is
    /// already there gets the licence. Returns the user's position.
    pub fn add_org_user(
        &mut self,
        o: usize,
        principal: &str,
        license: &str,
        now: DateTime<Utc>,
    ) -> Result<usize, String> {
        let existing = self.orgs[o].users.iter().position(|u| {
            u.principal_name.eq_ignore_ascii_case(principal)
                || u.msa_email
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case(principal))
        });
        if let Some(i) = existing {
            self.orgs[o].users[i].license = license.to_string();
            return Ok(i);
        }
        let key = ids::guid(&["orguser", &self.orgs[o].id, &lc(principal)]);
        let user = match self.orgs[o].tenant.clone() {
            Some(tid) => {
                let t = self.tenant(&tid).expect("connected tenant exists");
                let tu = t.object_for(principal).filter(|u| u.enabled).ok_or_else(|| {
                    format!(
                        "The user '{principal}' was not found in the organization's Microsoft Entra directory ({}).",
                        t.display_name
                    )
                })?;
                let mail = tu.mail.clone().unwrap_or_else(|| tu.upn.clone());
                let who = NewUser::Entra {
                    upn: &tu.upn,
                    mail: &mail,
                    oid: &tu.id,
                    tid: &tid,
                };
                OrgUser::new(&key, who, &tu.display_name, license, now)
            }
            None => {
                let m = self.msa(principal).ok_or_else(|| {
                    format!(
                        "The user '{principal}' is not a Microsoft account; this organization is backed by Microsoft accounts."
                    )
                })?;
                let who = NewUser::Personal {
                    email: &m.email,
                    puid: &m.puid,
                };
                OrgUser::new(&key, who, &m.display_name, license, now)
            }
        };
        self.orgs[o].users.push(user);
        Ok(self.orgs[o].users.len() - 1)
    }

    /// Move a (disconnected) user's rights to the Entra object `oid` of the connected tenant.
    pub fn remap(&mut self, o: usize, descriptor: &str, oid: &str) -> Result<usize, Refusal> {
        let Some(i) = self.orgs[o].user_by_descriptor(descriptor) else {
            return Err(refusal(
                404,
                "GraphSubjectNotFoundException",
                &format!(
                    "VS860015: The subject with descriptor '{descriptor}' could not be found."
                ),
            ));
        };
        let Some(tid) = self.orgs[o].tenant.clone() else {
            return Err(refusal(
                400,
                "InvalidOperationException",
                "The organization is not connected to a Microsoft Entra directory; there is nothing to map to.",
            ));
        };
        let t = self.tenant(&tid).expect("connected tenant exists");
        let Some(tu) = t.user_by_id(oid).cloned() else {
            return Err(refusal(
                404,
                "IdentityNotFoundException",
                &format!(
                    "The identity with origin id '{oid}' was not found in the organization's directory."
                ),
            ));
        };
        let taken = self.orgs[o]
            .users
            .iter()
            .position(|u| u.active && u.origin == Origin::Aad && u.origin_id == tu.id);
        if taken.is_some_and(|other| other != i) {
            return Err(refusal(
                409,
                "IdentityAlreadyExistsException",
                &format!(
                    "The identity '{}' already has access as another user of this organization.",
                    tu.upn
                ),
            ));
        }
        let u = &mut self.orgs[o].users[i];
        u.origin = Origin::Aad;
        u.origin_id = tu.id.clone();
        u.principal_name = tu.upn.clone();
        u.aad_tenant = Some(tid);
        u.descriptor = ids::descriptor("aad", &u.id);
        u.active = true;
        u.remaps += 1;
        Ok(i)
    }
}

fn refusal(status: u16, type_key: &'static str, message: &str) -> Refusal {
    Refusal {
        status,
        type_key,
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::scenario::Scenario;
    use super::*;

    fn world(name: &str) -> World {
        World::from_scenario(Scenario::load(name).unwrap(), Utc::now())
    }

    fn caller(w: &World) -> (usize, String) {
        let s = w.resolve(&w.default_sign_in, "organizations").unwrap();
        (w.org_user_for(0, &s).expect("owner can use the org"), s.upn)
    }

    #[test]
    fn ready_connect_keeps_everyone() {
        let mut w = world("ready");
        let (c, upn) = caller(&w);
        let t = w.tenants[0].id.clone();
        w.connect(0, c, &upn, &t).unwrap();
        assert!(
            w.orgs[0]
                .users
                .iter()
                .all(|u| u.active && u.origin == Origin::Aad)
        );
        // The old personal sign-in no longer works; the Entra one does.
        assert!(
            w.org_user_for(0, &w.resolve("ann@fabrikam.com", "organizations").unwrap())
                .is_none()
        );
        let entra = w.resolve("ann@fabrikam.com", &t).unwrap();
        assert_eq!(w.org_user_for(0, &entra), Some(0));
    }

    #[test]
    fn lockout_owner_loses_access_as_reported() {
        let mut w = world("lockout");
        let (c, upn) = caller(&w);
        let t = w.tenants[0].id.clone();
        w.connect(0, c, &upn, &t).unwrap();
        let owner_entra = w.resolve("alice@outlook.com", &t).unwrap();
        assert_eq!(owner_entra.tid, t);
        assert!(owner_entra.upn.contains("#EXT#"));
        assert!(
            w.org_user_for(0, &owner_entra).is_none(),
            "owner is locked out"
        );
        assert!(!w.orgs[0].users[w.orgs[0].owner].active);
        // Remapping the owner to the #EXT# member restores access.
        let d = w.orgs[0].users[w.orgs[0].owner].descriptor.clone();
        w.remap(0, &d, &owner_entra.oid).unwrap();
        assert_eq!(w.org_user_for(0, &owner_entra), Some(w.orgs[0].owner));
        // Disconnect reverses it: the personal account works again.
        w.disconnect(0, w.orgs[0].owner).unwrap();
        let personal = w.resolve("alice@outlook.com", "organizations").unwrap();
        assert_eq!(w.org_user_for(0, &personal), Some(w.orgs[0].owner));
    }

    #[test]
    fn guest_cannot_connect_and_over_100_can() {
        let mut w = world("guest-admin");
        let (c, upn) = caller(&w);
        let t = w.tenants[0].id.clone();
        let e = w.connect(0, c, &upn, &t).unwrap_err();
        assert!(e.message.contains("Only active members"), "{e:?}");
        assert!(w.orgs[0].tenant.is_none());

        let mut w = world("over-100");
        assert_eq!(w.orgs[0].users.len(), 150);
        let (c, upn) = caller(&w);
        let t = w.tenants[0].id.clone();
        w.connect(0, c, &upn, &t).unwrap();
        assert_eq!(w.orgs[0].tenant.as_deref(), Some(t.as_str()));
        let active = w.orgs[0].users.iter().filter(|u| u.active).count();
        assert_eq!(active, 1, "only the owner has a same-UPN account");
    }

    #[test]
    fn change_tenant_drops_entra_groups_and_needs_membership() {
        let mut w = world("messy");
        let (c, upn) = caller(&w);
        let fab = w.tenant("fabrikam.onmicrosoft.com").unwrap().id.clone();
        let nw = w.tenant("northwind.com").unwrap().id.clone();
        w.connect(0, c, &upn, &fab).unwrap();
        w.orgs[0].entra_groups.push(EntraGroup {
            name: "Devs".into(),
            descriptor: "aadgp.x".into(),
            origin_id: "x".into(),
        });
        // The owner is only a guest in Northwind: refused, nothing changes.
        let owner = w.resolve("owner@fabrikam.com", &fab).unwrap();
        let c = w.org_user_for(0, &owner).unwrap();
        assert!(w.connect(0, c, &owner.upn, &nw).is_err());
        assert_eq!(w.orgs[0].tenant.as_deref(), Some(fab.as_str()));
        assert_eq!(w.orgs[0].entra_groups.len(), 1);
    }
}
