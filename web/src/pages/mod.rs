//! One folder per page.

mod account;
mod approvals;
pub mod bank_statements;
mod import;
mod login;
mod priority;
mod tasks;
mod templates;
mod worklist;

pub use account::AccountPage;
pub use approvals::{may_see_approvals, ApprovalsPage};
pub use import::ImportPage;
pub use login::LoginPage;
pub use priority::PriorityPage;
pub use tasks::TasksPage;
pub use templates::{may_edit_templates, TemplatesPage};
pub use worklist::WorklistPage;
