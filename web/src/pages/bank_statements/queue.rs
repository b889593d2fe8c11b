//! The review queue: entries in `needs_review` or `unmatched_reversal`,
//! each matched to an account by its reference or dismissed with a reason.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::bank_statements::{EntryStatus, StatementEntryDto};
use shared::Currency;
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::{format_optional_date, ErrorBanner, MoneyAmount, TableMessageRow};

/// Column count of the queue table, for rows that span all columns.
const COLUMN_COUNT: u32 = 6;

#[component]
pub fn ReviewQueue(
    /// Notified when an upload may have added entries.
    reload: Trigger,
) -> impl IntoView {
    let entries = RwSignal::new(Vec::<StatementEntryDto>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let load_error = RwSignal::new(None::<ApiError>);
    let loading = RwSignal::new(false);
    // The `Idempotency-Key` of each match whose outcome is not known yet, by
    // entry id, so a retry after a lost response cannot post twice.
    let pending_keys = StoredValue::new(HashMap::<Uuid, String>::new());

    let load = move |cursor: Option<String>| {
        loading.set(true);
        spawn_local(async move {
            let first_page = cursor.is_none();
            match api::bank_statements::list_review_queue(cursor).await {
                Ok(page) => {
                    if first_page {
                        entries.try_set(page.items);
                    } else {
                        entries.try_update(|list| list.extend(page.items));
                    }
                    next_cursor.try_set(page.next_cursor);
                    load_error.try_set(None);
                }
                Err(error) => {
                    load_error.try_set(Some(error));
                }
            }
            loading.try_set(false);
        });
    };
    Effect::new(move |_| {
        reload.track();
        load(None);
    });

    // Replaces an entry with its new state; it leaves the queue once matched or dismissed.
    let replace = move |updated: StatementEntryDto| {
        entries.update(|list| {
            if let Some(slot) = list.iter_mut().find(|entry| entry.id == updated.id) {
                *slot = updated;
            }
        });
    };

    view! {
        {move || load_error.get().map(|error| view! { <ErrorBanner message=error.message() id="review-queue-error" /> })}
        <table class="data-table" id="review-queue">
            <caption class="visually-hidden">
                "Bank statement entries waiting for review, oldest first. Match a credit by typing the account reference, or dismiss the entry with a reason."
            </caption>
            <thead>
                <tr>
                    <th scope="col">"Booked"</th>
                    <th scope="col" class="numeric">"Amount"</th>
                    <th scope="col">"Payer and details"</th>
                    <th scope="col">"Best candidate"</th>
                    <th scope="col">"Why it waits"</th>
                    <th scope="col">"Action"</th>
                </tr>
            </thead>
            <tbody>
                {move || {
                    let list = entries.get();
                    if list.is_empty() {
                        let text = if loading.get() { "Loading\u{2026}" } else { "No entries wait for review." };
                        return view! { <TableMessageRow colspan=COLUMN_COUNT>{text}</TableMessageRow> }.into_any();
                    }
                    list.into_iter()
                        .map(|entry| view! { <QueueRow entry=entry pending_keys=pending_keys on_changed=Callback::new(replace) /> })
                        .collect_view()
                        .into_any()
                }}
            </tbody>
        </table>
        <Show when=move || next_cursor.with(Option::is_some)>
            <button
                type="button"
                class="secondary"
                id="review-queue-more"
                disabled=move || loading.get()
                on:click=move |_| load(next_cursor.get_untracked())
            >
                "Show more entries"
            </button>
        </Show>
    }
}

#[component]
fn QueueRow(
    entry: StatementEntryDto,
    pending_keys: StoredValue<HashMap<Uuid, String>>,
    on_changed: Callback<StatementEntryDto>,
) -> impl IntoView {
    let id = entry.id;
    let creditor_id = entry.creditor_id;
    let is_open = matches!(entry.status, EntryStatus::NeedsReview | EntryStatus::UnmatchedReversal);
    let may_match = entry.status == EntryStatus::NeedsReview && entry.amount > 0 && !entry.reversal;
    let best = entry.candidates.first().cloned();
    let account_ref = RwSignal::new(best.as_ref().map(|c| c.account_ref.clone()).unwrap_or_default());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let on_match = move |_| {
        let typed = account_ref.get_untracked().trim().to_string();
        if typed.is_empty() {
            error.set(Some("Account reference is missing; type the reference of the account this credit pays.".to_string()));
            return;
        }
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            let account = match api::bank_statements::find_account_by_ref(creditor_id, &typed).await {
                Ok(Some(account)) => account,
                Ok(None) => {
                    error.try_set(Some(format!("No account of this creditor has the reference {typed}; check the reference.")));
                    busy.try_set(false);
                    return;
                }
                Err(failure) => {
                    error.try_set(Some(failure.message()));
                    busy.try_set(false);
                    return;
                }
            };
            let key = pending_keys
                .try_update_value(|keys| keys.entry(id).or_insert_with(api::new_idempotency_key).clone())
                .unwrap_or_else(api::new_idempotency_key);
            let outcome = api::bank_statements::match_entry(id, account.id, &key).await;
            if !outcome.as_ref().err().is_some_and(ApiError::outcome_unknown) {
                pending_keys.try_update_value(|keys| keys.remove(&id));
            }
            match outcome {
                Ok(updated) => on_changed.run(updated),
                Err(failure) => {
                    error.try_set(Some(failure.message()));
                }
            }
            busy.try_set(false);
        });
    };

    let on_dismiss = move |_| {
        let text = reason.get_untracked().trim().to_string();
        if text.is_empty() {
            error.set(Some("Reason is missing; say why the entry is dismissed.".to_string()));
            return;
        }
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::bank_statements::dismiss_entry(id, &text).await {
                Ok(updated) => on_changed.run(updated),
                Err(failure) => {
                    error.try_set(Some(failure.message()));
                }
            }
            busy.try_set(false);
        });
    };

    let amount = match entry.currency.parse::<Currency>() {
        Ok(currency) => view! { <MoneyAmount amount=entry.amount currency=currency /> }.into_any(),
        Err(_) => format!("{} {}", entry.amount, entry.currency).into_any(),
    };
    let details = [entry.counterparty_name.clone(), entry.remittance_info.clone(), entry.bank_reference.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" \u{b7} ");
    let candidate = best.map(|c| format!("{} ({})", c.account_ref, c.confidence)).unwrap_or_else(|| "\u{2014}".to_string());
    let match_input_id = format!("match-ref-{id}");
    let reason_input_id = format!("dismiss-reason-{id}");

    view! {
        <tr data-entry-id=id.to_string() data-status=entry.status.as_str()>
            <td>{format_optional_date(entry.booking_date.or(entry.value_date))}</td>
            <td class="numeric">{amount}</td>
            <td>{details}</td>
            <td>{candidate}</td>
            <td>{entry.match_reason.clone()}</td>
            <td>
                {move || error.get().map(|message| view! { <p class="field-error" role="alert">{message}</p> })}
                {if !is_open {
                    view! { <span class="entry-status">{entry.status.label()}</span> }.into_any()
                } else {
                    view! {
                        <Show when=move || may_match>
                            <div class="inline-form">
                                <label class="visually-hidden" for=match_input_id.clone()>"Account reference"</label>
                                <input
                                    id=match_input_id.clone()
                                    type="text"
                                    class="match-ref"
                                    placeholder="Account reference"
                                    prop:value=move || account_ref.get()
                                    on:input=move |event| account_ref.set(event_target_value(&event))
                                />
                                <button type="button" class="primary match-button" disabled=move || busy.get() on:click=on_match>
                                    "Match"
                                </button>
                            </div>
                        </Show>
                        <div class="inline-form">
                            <label class="visually-hidden" for=reason_input_id.clone()>"Reason for dismissing"</label>
                            <input
                                id=reason_input_id.clone()
                                type="text"
                                class="dismiss-reason"
                                placeholder="Reason"
                                prop:value=move || reason.get()
                                on:input=move |event| reason.set(event_target_value(&event))
                            />
                            <button type="button" class="secondary dismiss-button" disabled=move || busy.get() on:click=on_dismiss>
                                "Dismiss"
                            </button>
                        </div>
                    }
                        .into_any()
                }}
            </td>
        </tr>
    }
}
