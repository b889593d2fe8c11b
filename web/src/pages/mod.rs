//! One folder per page.

mod account;
pub mod bank_statements;
mod import;
mod login;
mod worklist;

pub use account::AccountPage;
pub use import::ImportPage;
pub use login::LoginPage;
pub use worklist::WorklistPage;
