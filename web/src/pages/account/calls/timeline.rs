//! The account's timeline: calls, promises, plans, payments and changes,
//! newest first.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::timeline::{TimelineDto, TimelineEntryDto};
use shared::Currency;
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::{format_datetime, ErrorBanner, MoneyAmount};

#[component]
pub fn Timeline(
    account_id: Uuid,
    /// The account's currency, for amounts whose entry names none.
    currency: Currency,
    /// Changes whenever the timeline must load again.
    version: RwSignal<u64>,
) -> impl IntoView {
    let loaded = RwSignal::new(None::<Result<TimelineDto, ApiError>>);
    Effect::new(move |_| {
        version.track();
        spawn_local(async move {
            let response = api::account_timeline(account_id).await;
            loaded.try_set(Some(response));
        });
    });

    move || match loaded.get() {
        None => view! { <p class="page-status">"Loading the timeline\u{2026}"</p> }.into_any(),
        Some(Err(error)) => view! {
            <ErrorBanner message=format!("The timeline could not be loaded. {}", error.message()) id="timeline-error" />
            <button type="button" on:click=move |_| version.update(|v| *v += 1)>
                "Load the timeline again"
            </button>
        }
        .into_any(),
        Some(Ok(timeline)) if timeline.items.is_empty() => {
            view! { <p class="page-status">"Nothing has happened on this account yet."</p> }.into_any()
        }
        Some(Ok(timeline)) => view! {
            <ol class="timeline" id="timeline">
                {timeline
                    .items
                    .into_iter()
                    .map(|entry| view! { <TimelineEntry entry=entry account_currency=currency /> })
                    .collect_view()}
            </ol>
            {timeline.truncated.then(|| view! { <p class="hint">"Older entries are not shown."</p> })}
        }
        .into_any(),
    }
}

#[component]
fn TimelineEntry(entry: TimelineEntryDto, account_currency: Currency) -> impl IntoView {
    let amount = entry.details.get("amount").and_then(|v| v.as_i64());
    let currency = entry
        .details
        .get("currency")
        .and_then(|v| v.as_str())
        .and_then(|code| code.parse::<Currency>().ok())
        .or(Some(account_currency));
    let notes = entry.details.get("notes").and_then(|v| v.as_str()).map(str::to_string);
    view! {
        <li class="timeline-entry" data-kind=entry.kind.clone()>
            <time datetime=entry.at.to_rfc3339()>{format_datetime(entry.at)}</time>
            " "
            <span class="timeline-summary">{entry.summary}</span>
            {match (amount, currency) {
                (Some(amount), Some(currency)) => Some(view! { " " <MoneyAmount amount=amount currency=currency /> }),
                _ => None,
            }}
            {notes.map(|notes| view! { <p class="timeline-notes">{notes}</p> })}
        </li>
    }
}
