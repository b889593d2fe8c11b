pub mod assignments;
pub mod export;
pub mod get;
pub mod teams;
