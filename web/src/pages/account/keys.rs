//! `Idempotency-Key` values for requests that must take effect once:
//! payments, their reversals, and letters and emails.

use std::collections::HashMap;

use leptos::prelude::*;
use uuid::Uuid;

use crate::api::{self, ApiError};

/// The `Idempotency-Key` of each such request still in flight or with an
/// unknown outcome, by the id of what it acts on (the account for a payment
/// or a letter, the payment for a reversal).
///
/// A key is made when the user submits and is reused by every retry until
/// the server accepts or rejects the request. A retry after a lost response
/// therefore reaches the server with the same key, and the server returns
/// the first result instead of doing the work again. This is also true when
/// the user edited the form in between, because the server rejects a known
/// key sent with another body.
///
/// NOTE: the keys are kept in the page's memory only. A request repeated
/// after a page reload gets a new key, so the server cannot detect the repeat.
#[derive(Clone, Copy)]
pub struct PendingKeys(RwSignal<HashMap<Uuid, String>>);

impl PendingKeys {
    pub fn new() -> Self {
        PendingKeys(RwSignal::new(HashMap::new()))
    }

    /// Returns the pending key for `target`, or makes a new one and keeps it.
    pub fn key_for(self, target: Uuid) -> String {
        if let Some(key) = self.0.with_untracked(|keys| keys.get(&target).cloned()) {
            return key;
        }
        let key = api::new_idempotency_key();
        self.0.update(|keys| {
            keys.insert(target, key.clone());
        });
        key
    }

    /// Returns whether a request for `target` has an outcome not known yet,
    /// so that the next submission is a retry.
    pub fn is_pending(self, target: Uuid) -> bool {
        self.0.with(|keys| keys.contains_key(&target))
    }

    /// Forgets the key of `target` once the outcome is known: the request
    /// succeeded (`failure` is `None`) or the server rejected it.
    pub fn settle(self, target: Uuid, failure: Option<&ApiError>) {
        if failure.is_some_and(ApiError::outcome_unknown) {
            return;
        }
        self.0.update(|keys| {
            keys.remove(&target);
        });
    }
}
