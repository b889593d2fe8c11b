//! Deposit batches of field collections: open, add payments, close, read.

pub mod add_payments;
pub mod close;
pub mod get;
pub mod list;
pub mod open;
