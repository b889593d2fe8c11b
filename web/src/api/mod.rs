//! Every call to the Recovery Desk HTTP API, typed with the `shared` DTOs.

mod accounts;
mod auth;
pub mod bank_statements;
mod client;
mod contact;
mod correspondence;
mod directory;
mod error;
mod exports;
mod imports;
mod payments;
mod plans;
mod promises;
mod tasks;
mod tokens;
mod worklist;

pub use accounts::{assign_account, change_status, get_account, list_accounts, AccountQuery, AgentFilter};
pub use auth::{login, logout, me};
pub use client::set_session_end_handler;
pub use contact::{account_timeline, contact_eligibility, list_disputes, log_call, raise_dispute, verify_dispute};
pub use correspondence::{
    create_template, create_template_version, download_letter_pdf, generate_correspondence, letter_pdf_path,
    list_correspondence, list_template_versions, list_templates, preview_template,
};
pub use directory::{list_agents, list_creditors};
pub use error::{as_sentence, ApiError};
pub use exports::{download_export, ExportFile, ExportFormat, ExportList};
pub use imports::{
    download_report_csv, get_import, list_import_profiles, list_imports, report_csv_path, start_import,
};
pub use payments::{
    download_receipt_pdf, list_payments, new_idempotency_key, post_payment, receipt_pdf_path, reverse_payment,
    PaymentOutcome,
};
pub use plans::{cancel_plan, create_plan, decide_plan, get_repayment_policy, list_account_plans, list_plans};
pub use promises::{create_promise, list_promises};
pub use tasks::{complete_task, list_open_tasks};
pub use tokens::has_session;
pub use worklist::prioritised_worklist;
