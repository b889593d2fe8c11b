pub mod assign;
pub mod change_status;
pub mod get;
pub mod list;
pub mod timeline;
