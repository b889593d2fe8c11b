//! Users and their roles.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages users, creditors and import profiles, and may do everything a manager may.
    Admin,
    /// Approves, assigns and reports; sees every account.
    Manager,
    /// Works accounts: debt recovery assistant.
    Assistant,
    /// Field collector taking cash and cheques.
    Collector,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Manager, Role::Assistant, Role::Collector];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Assistant => "assistant",
            Role::Collector => "collector",
        }
    }

    /// Whether the role may import placement files and manage import profiles.
    pub fn may_import(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }

    /// Whether the role sees all accounts rather than only those assigned to the user.
    pub fn sees_all_accounts(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }

    pub fn may_manage_users(self) -> bool {
        matches!(self, Role::Admin)
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("'{s}' is not a role; use one of admin, manager, assistant, collector"))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserDto {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateUserRequest {
    pub email: String,
    pub password: String,
    pub role: Role,
    #[serde(default)]
    pub display_name: Option<String>,
}
