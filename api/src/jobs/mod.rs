//! Background work the server runs beside the API. Every job claims its
//! rows with `FOR UPDATE SKIP LOCKED`, so any number of server instances can
//! run them at once, and keeps no state that another instance needs.

pub mod correspondence_emails;
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

/// Wakes the correspondence mailer as soon as an email is queued. It is a
/// separate `Notify` from the receipt mailer's, because `notify_one` wakes
/// only one waiting job.
#[derive(Clone, Default)]
pub struct CorrespondenceWaker(pub MailWaker);

impl CorrespondenceWaker {
    pub fn wake(&self) {
        self.0.wake();
    }
}

/// Runs `work` on the blocking thread pool. An error or a panic is logged
/// with `what` (such as "claiming receipt emails") and gives `None`.
pub(crate) async fn run_blocking<T: Send + 'static>(
    what: &'static str,
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Option<T> {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(value)) => Some(value),
        Ok(Err(error)) => {
            tracing::error!(error.cause = %error, "{what} failed");
            None
        }
        Err(error) => {
            tracing::error!(error.cause = %error, "{what} panicked");
            None
        }
    }
}
