//! Who is acting: a signed-in account with its role bindings, or the operator at the command
//! line (who has the machine, and so every power, and is audited as such).

use luodi_domain::role::{Binding, Permission, Principal, Role};

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub principal: Principal,
    pub ip: Option<String>,
    /// The command-line operator.
    pub system: bool,
}

impl Actor {
    pub fn cli() -> Self {
        let user = std::env::var("USER").unwrap_or_else(|_| "operator".into());
        Self {
            user_id: None,
            name: format!("cli:{user}"),
            principal: Principal {
                user_id: 0,
                bindings: Vec::new(),
            },
            ip: None,
            system: true,
        }
    }

    /// The server's own scheduled work (bulletins computed at their cut-off, …).
    pub fn scheduler() -> Self {
        Self {
            name: "system:scheduler".into(),
            ..Self::cli()
        }
    }

    pub fn user(user_id: i64, name: String, bindings: Vec<Binding>, ip: Option<String>) -> Self {
        Self {
            user_id: Some(user_id),
            name,
            principal: Principal { user_id, bindings },
            ip,
            system: false,
        }
    }

    pub fn can(&self, p: Permission, path: &str) -> bool {
        self.system || self.principal.can(p, path)
    }

    pub fn can_somewhere(&self, p: Permission) -> bool {
        self.system || self.principal.can_somewhere(p)
    }

    /// Subtrees where `p` is allowed (`/` for everything).
    pub fn scopes(&self, p: Permission) -> Vec<String> {
        if self.system {
            vec!["/".to_owned()]
        } else {
            self.principal.scopes(p)
        }
    }

    pub fn roles(&self) -> Vec<Role> {
        self.principal.roles()
    }

    pub fn is(&self, user_id: i64) -> bool {
        self.user_id == Some(user_id)
    }
}
