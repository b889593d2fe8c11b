//! Types and rules that the API server and the web app must agree on:
//! money, ids, status enums, request and response bodies, error codes and
//! the validation rules with their user-facing messages.
//!
//! This crate has no I/O and builds for `wasm32-unknown-unknown` as well as
//! native targets.

pub mod accounts;
pub mod auth;
pub mod bank_statements;
pub mod contact;
pub mod correspondence;
pub mod deposits;
pub mod error;
pub mod imports;
pub mod money;
pub mod pagination;
pub mod payments;
pub mod plans;
pub mod status;
pub mod timeline;
pub mod users;
pub mod validation;
pub mod worklist;

pub use error::{ErrorBody, ErrorCode, ErrorEnvelope, FieldError};
pub use money::{Currency, Money};
pub use pagination::Page;
