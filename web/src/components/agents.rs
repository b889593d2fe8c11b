//! Labels for users who work accounts, as choice lists show them.

use shared::users::UserDto;

/// Labels an agent with name and role, such as `Ana Smith (collector)`,
/// and marks deactivated users, who can no longer be given accounts.
pub fn agent_label(agent: &UserDto) -> String {
    if agent.active {
        format!("{} ({})", agent.display_name, agent.role.as_str())
    } else {
        format!("{} ({}, deactivated)", agent.display_name, agent.role.as_str())
    }
}
