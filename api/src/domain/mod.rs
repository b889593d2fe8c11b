//! Business rules that need no database: pure functions over values, tested
//! on their own.

pub mod allocation;
pub mod contact_rules;
pub mod postal_address;
