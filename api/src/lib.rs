//! The Recovery Desk server: REST API under `/api/v1`, the web app's host,
//! and the `recovery-desk` command-line tools.

pub mod auth;
pub mod bank_statements;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod imports;
pub mod jobs;
pub mod letters;
pub mod mail;
pub mod postgres;
pub mod receipts;
pub mod routes;
pub mod services;
pub mod startup;
pub mod telemetry;
