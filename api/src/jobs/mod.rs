//! Background work the server runs beside the API. Every job claims its
//! rows with `FOR UPDATE SKIP LOCKED`, so any number of server instances can
//! run them at once, and keeps no state that another instance needs.

pub mod daily_run;
pub mod held_cheques;
pub mod receipt_emails;

use std::sync::Arc;

use tokio::sync::Notify;

/// Wakes the receipt mailer as soon as a payment asks for an emailed receipt.
#[derive(Clone, Default)]
pub struct MailWaker(pub Arc<Notify>);

impl MailWaker {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}
