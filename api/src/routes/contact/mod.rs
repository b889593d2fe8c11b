//! Contact work on an account: eligibility, logged calls and contact holds.

pub mod calls;
pub mod eligibility;
pub mod holds;
