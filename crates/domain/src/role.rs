//! Roles, what each may do, and scopes. A role is bound to an org and reaches that org's whole
//! subtree; a binding without an org reaches the whole tree. The three administrators
//! (系统管理员, 安全管理员, 审计管理员) are kept apart: no account holds two of them, and their
//! powers do not overlap.

use crate::org::is_within;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SystemAdmin,
    SecurityAdmin,
    AuditAdmin,
    CampaignOffice,
    Supervisor,
    UnitLiaison,
    ResponsiblePerson,
    Leader,
}

/// Things a role may do, each within the scope of the binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See orgs and their tree.
    ReadOrgs,
    /// Create, rename, move, disable orgs; import a tree.
    ManageOrgs,
    /// See accounts.
    ReadUsers,
    /// Create and disable accounts, reset passwords; appoint the three administrators.
    ManageAccounts,
    /// Grant and revoke the business roles.
    ManageRoles,
    /// Approve (or refuse) another administrator's request to reset the password or second
    /// factor of one of the three administrators.
    ApproveResets,
    /// See campaigns.
    ReadCampaigns,
    /// Create and edit campaigns.
    ManageCampaigns,
    /// Read the audit trail.
    ReadAudit,
    /// Export and purge audit records past their retention.
    PurgeAudit,
    /// See tasks and rectification items.
    ReadItems,
    /// Record and edit items (the lifecycle steps have their own rule: see `item::Standing`).
    EditItems,
    /// Supervise items: assign, review, close out, approve extensions (campaign office, supervisor).
    SuperviseItems,
    /// Act for a responsible unit: sign off, report progress, upload evidence, request close-out.
    DeliverItems,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
        Role::CampaignOffice,
        Role::Supervisor,
        Role::UnitLiaison,
        Role::ResponsiblePerson,
        Role::Leader,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
            Role::CampaignOffice => "campaign_office",
            Role::Supervisor => "supervisor",
            Role::UnitLiaison => "unit_liaison",
            Role::ResponsiblePerson => "responsible_person",
            Role::Leader => "leader",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.as_str() == s.trim())
    }

    /// One of the three administrators (三员).
    pub fn is_admin(self) -> bool {
        matches!(
            self,
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin
        )
    }

    pub fn permits(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            // Configuration and accounts; never the audit trail, never business roles.
            Role::SystemAdmin => matches!(p, ReadOrgs | ManageOrgs | ReadUsers | ManageAccounts),
            // Roles and policies; changes no data of its own.
            Role::SecurityAdmin => matches!(p, ReadOrgs | ReadUsers | ManageRoles | ApproveResets),
            // Reads the audit trail and nothing else that changes.
            Role::AuditAdmin => matches!(p, ReadOrgs | ReadUsers | ReadAudit | PurgeAudit),
            Role::CampaignOffice => matches!(
                p,
                ReadOrgs
                    | ManageOrgs
                    | ReadCampaigns
                    | ManageCampaigns
                    | ReadUsers
                    | ReadItems
                    | EditItems
                    | SuperviseItems
            ),
            Role::Supervisor => matches!(
                p,
                ReadOrgs | ReadCampaigns | ReadItems | EditItems | SuperviseItems
            ),
            Role::UnitLiaison => matches!(
                p,
                ReadOrgs | ReadCampaigns | ReadItems | EditItems | DeliverItems
            ),
            Role::ResponsiblePerson => {
                matches!(p, ReadOrgs | ReadCampaigns | ReadItems | DeliverItems)
            }
            Role::Leader => matches!(p, ReadOrgs | ReadCampaigns | ReadItems),
        }
    }

    /// The permission a granter needs to grant or revoke this role.
    pub fn granted_by(self) -> Permission {
        if self.is_admin() {
            Permission::ManageAccounts
        } else {
            Permission::ManageRoles
        }
    }
}

/// Why a role cannot be added to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoleConflict {
    #[error("an account holds at most one of the three administrator roles")]
    TwoAdmins,
    #[error("administrator accounts hold no business roles, and business accounts no administrator role")]
    AdminAndBusiness,
    #[error("nobody may grant a role to themselves")]
    SelfGrant,
}

/// Checks adding `new` to an account that holds `held`. The three administrators never share an
/// account, and an administrator account does no business work.
pub fn check_grant(held: &[Role], new: Role, granter_is_holder: bool) -> Result<(), RoleConflict> {
    if granter_is_holder {
        return Err(RoleConflict::SelfGrant);
    }
    if new.is_admin() {
        if held.iter().any(|r| r.is_admin() && *r != new) {
            return Err(RoleConflict::TwoAdmins);
        }
        if held.iter().any(|r| !r.is_admin()) {
            return Err(RoleConflict::AdminAndBusiness);
        }
    } else if held.iter().any(|r| r.is_admin()) {
        return Err(RoleConflict::AdminAndBusiness);
    }
    Ok(())
}

/// A role bound to a scope: `scope_path` is the org's materialised path, or `/` for everything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Binding {
    pub role: Role,
    pub org_id: Option<i64>,
    pub scope_path: String,
}

/// Who is acting, with the scopes their roles reach.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: i64,
    pub bindings: Vec<Binding>,
}

impl Principal {
    /// May this principal do `p` on something located at `path`?
    pub fn can(&self, p: Permission, path: &str) -> bool {
        self.bindings
            .iter()
            .any(|b| b.role.permits(p) && is_within(path, &b.scope_path))
    }

    /// May it do `p` anywhere at all (to show a menu entry, say)?
    pub fn can_somewhere(&self, p: Permission) -> bool {
        self.bindings.iter().any(|b| b.role.permits(p))
    }

    /// The minimal set of subtree roots where `p` is allowed: no root lies inside another.
    pub fn scopes(&self, p: Permission) -> Vec<String> {
        let mut paths: Vec<String> = self
            .bindings
            .iter()
            .filter(|b| b.role.permits(p))
            .map(|b| b.scope_path.clone())
            .collect();
        paths.sort();
        paths.dedup();
        let mut out: Vec<String> = Vec::new();
        for p in paths {
            // Sorted order puts an ancestor before its descendants.
            if !out.iter().any(|o| is_within(&p, o)) {
                out.push(p);
            }
        }
        out
    }

    pub fn roles(&self) -> Vec<Role> {
        let mut r: Vec<Role> = self.bindings.iter().map(|b| b.role).collect();
        r.sort();
        r.dedup();
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(bs: &[(Role, &str)]) -> Principal {
        Principal {
            user_id: 1,
            bindings: bs
                .iter()
                .map(|(r, p)| Binding {
                    role: *r,
                    org_id: None,
                    scope_path: (*p).to_owned(),
                })
                .collect(),
        }
    }

    #[test]
    fn scope_reaches_subtree_only() {
        let p = principal(&[(Role::UnitLiaison, "/1/5/")]);
        assert!(p.can(Permission::ReadOrgs, "/1/5/"));
        assert!(p.can(Permission::ReadOrgs, "/1/5/7/"));
        assert!(!p.can(Permission::ReadOrgs, "/1/"));
        assert!(!p.can(Permission::ReadOrgs, "/1/50/"));
        assert!(!p.can(Permission::ManageOrgs, "/1/5/7/"));
    }

    #[test]
    fn minimal_scopes() {
        let p = principal(&[
            (Role::Leader, "/1/5/9/"),
            (Role::CampaignOffice, "/1/5/"),
            (Role::Leader, "/2/"),
            (Role::Leader, "/1/50/"),
        ]);
        assert_eq!(
            p.scopes(Permission::ReadOrgs),
            vec!["/1/5/", "/1/50/", "/2/"]
        );
        assert_eq!(p.scopes(Permission::ManageCampaigns), vec!["/1/5/"]);
    }

    #[test]
    fn three_admins_never_overlap() {
        use Permission::*;
        let all = [
            ReadOrgs,
            ManageOrgs,
            ReadUsers,
            ManageAccounts,
            ManageRoles,
            ReadCampaigns,
            ManageCampaigns,
            ReadAudit,
            PurgeAudit,
        ];
        let exclusive = [ManageAccounts, ManageRoles, ReadAudit, PurgeAudit];
        for p in exclusive {
            let holders: Vec<_> = [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin]
                .into_iter()
                .filter(|r| r.permits(p))
                .collect();
            assert_eq!(holders.len(), 1, "{p:?} held by exactly one administrator");
        }
        // The audit admin changes nothing but the trail's retention.
        for p in all {
            if Role::AuditAdmin.permits(p) {
                assert!(matches!(p, ReadOrgs | ReadUsers | ReadAudit | PurgeAudit));
            }
        }
        // The administrators do no business work.
        for r in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            assert!(
                !r.permits(ReadItems) && !r.permits(SuperviseItems) && !r.permits(DeliverItems)
            );
        }
        // A leader reads and changes nothing.
        assert!(
            Role::Leader.permits(ReadItems)
                && !Role::Leader.permits(EditItems)
                && !Role::Leader.permits(DeliverItems)
        );
        // Business roles never read the audit or manage accounts/roles.
        for r in Role::ALL.into_iter().filter(|r| !r.is_admin()) {
            assert!(!r.permits(ReadAudit) && !r.permits(ManageAccounts) && !r.permits(ManageRoles));
        }
    }

    #[test]
    fn grants() {
        assert_eq!(
            check_grant(&[Role::SystemAdmin], Role::AuditAdmin, false),
            Err(RoleConflict::TwoAdmins)
        );
        assert_eq!(
            check_grant(&[Role::AuditAdmin], Role::SecurityAdmin, false),
            Err(RoleConflict::TwoAdmins)
        );
        assert_eq!(
            check_grant(&[Role::AuditAdmin], Role::AuditAdmin, false),
            Ok(())
        );
        assert_eq!(
            check_grant(&[Role::Leader], Role::AuditAdmin, false),
            Err(RoleConflict::AdminAndBusiness)
        );
        assert_eq!(
            check_grant(&[Role::SecurityAdmin], Role::Leader, false),
            Err(RoleConflict::AdminAndBusiness)
        );
        assert_eq!(
            check_grant(&[Role::Leader], Role::Supervisor, false),
            Ok(())
        );
        assert_eq!(
            check_grant(&[], Role::SystemAdmin, true),
            Err(RoleConflict::SelfGrant)
        );
        assert_eq!(Role::AuditAdmin.granted_by(), Permission::ManageAccounts);
        assert_eq!(Role::Leader.granted_by(), Permission::ManageRoles);
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }
}
