//! Contact work on an account: eligibility, logged calls, contact holds,
//! disputes and the statute of limitations.

pub mod calls;
pub mod disputes;
pub mod eligibility;
pub mod holds;
pub mod rules;
