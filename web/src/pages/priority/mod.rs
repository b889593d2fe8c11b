//! "Call next": the signed-in agent's accounts ranked by score, each with
//! the reasons for its place and whether the contact rules allow a call now.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::worklist::{WorklistItem, WorklistPage};
use shared::Currency;

use crate::api::{self, ApiError};
use crate::components::{format_count, format_datetime, ErrorBanner, MoneyAmount, TableMessageRow};

/// Column count of the ranked table.
const COLUMN_COUNT: u32 = 6;

#[component]
pub fn PriorityPage() -> impl IntoView {
    let include_blocked = RwSignal::new(false);
    // The cursors of the pages shown so far; the last one loads the next page.
    let cursor = RwSignal::new(None::<String>);
    let page = RwSignal::new(None::<Result<WorklistPage, ApiError>>);
    let generation = StoredValue::new(0u64);

    Effect::new(move |_| {
        let blocked = include_blocked.get();
        let at = cursor.get();
        let this_request = generation.get_value() + 1;
        generation.set_value(this_request);
        page.set(None);
        spawn_local(async move {
            let response = api::prioritised_worklist(blocked, at).await;
            if generation.try_get_value() == Some(this_request) {
                page.try_set(Some(response));
            }
        });
    });

    let rows = move || match page.get() {
        None => view! { <TableMessageRow colspan=COLUMN_COUNT>"Ranking your accounts\u{2026}"</TableMessageRow> }.into_any(),
        Some(Err(error)) => view! {
            <TableMessageRow colspan=COLUMN_COUNT>
                <ErrorBanner message=format!("The worklist could not be loaded. {}", error.message()) id="priority-error" />
            </TableMessageRow>
        }
        .into_any(),
        Some(Ok(loaded)) if loaded.items.is_empty() => view! {
            <TableMessageRow colspan=COLUMN_COUNT>"No account can be called now."</TableMessageRow>
        }
        .into_any(),
        Some(Ok(loaded)) => loaded.items.into_iter().map(|item| view! { <PriorityRow item=item /> }).collect_view().into_any(),
    };
    let left_out = move || {
        page.with(|loaded| match loaded {
            Some(Ok(loaded)) if loaded.left_out_total > 0 => {
                let parts: Vec<String> =
                    loaded.left_out.iter().map(|count| format!("{} {}", format_count(count.count.unsigned_abs()), count.code.replace('_', " "))).collect();
                Some(format!(
                    "{} accounts are left out because they cannot be called now: {}.",
                    format_count(loaded.left_out_total.unsigned_abs()),
                    parts.join(", ")
                ))
            }
            _ => None,
        })
    };
    let next_cursor = move || page.with(|loaded| loaded.as_ref().and_then(|l| l.as_ref().ok()).and_then(|l| l.next_cursor.clone()));

    view! {
        <section class="card" aria-labelledby="priority-heading">
            <h1 id="priority-heading">"Call next"</h1>
            <p class="hint">"Your accounts, highest score first. The score adds the points listed under each account."</p>
            <label class="inline-check">
                <input
                    type="checkbox"
                    id="priority-include-blocked"
                    prop:checked=move || include_blocked.get()
                    on:change=move |event| {
                        cursor.set(None);
                        include_blocked.set(event_target_checked(&event));
                    }
                />
                " Show accounts that cannot be called now"
            </label>
            {move || left_out().map(|text| view! { <p class="hint" id="priority-left-out">{text}</p> })}
            <table class="data-table" id="priority-table">
                <thead>
                    <tr>
                        <th scope="col">"Score"</th>
                        <th scope="col">"Account"</th>
                        <th scope="col">"Debtor"</th>
                        <th scope="col" class="num">"Balance"</th>
                        <th scope="col">"Why here"</th>
                        <th scope="col">"Call now"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <p>
                <button type="button" id="priority-first" disabled=move || cursor.get().is_none() on:click=move |_| cursor.set(None)>
                    "First page"
                </button>
                " "
                <button
                    type="button"
                    id="priority-next"
                    disabled=move || next_cursor().is_none()
                    on:click=move |_| cursor.set(next_cursor())
                >
                    "Next page"
                </button>
            </p>
        </section>
    }
}

#[component]
fn PriorityRow(item: WorklistItem) -> impl IntoView {
    let currency = item.currency.parse::<Currency>().ok();
    let call_now = if item.eligibility.allowed {
        "Allowed".to_string()
    } else {
        let reasons: Vec<String> = item.eligibility.reasons.iter().map(|reason| reason.message.clone()).collect();
        let next = item.eligibility.next_allowed_at.map(|at| format!(" Next allowed: {}.", format_datetime(at))).unwrap_or_default();
        format!("Not now: {}{next}", reasons.join(" "))
    };
    view! {
        <tr data-account-id=item.account_id.to_string() data-score=item.score.to_string()>
            <td class="num">{item.score}</td>
            <td class="ref nowrap">
                <a href=format!("/accounts/{}", item.account_id)>{item.account_ref.clone()}</a>
            </td>
            <td>{item.debtor_name.clone().unwrap_or_else(|| "\u{2014}".to_string())}</td>
            <td class="num nowrap">
                {match currency {
                    Some(currency) => view! { <MoneyAmount amount=item.total_balance currency=currency /> }.into_any(),
                    None => view! { {format!("{} {}", item.total_balance, item.currency)} }.into_any(),
                }}
            </td>
            <td>
                <ul class="score-reasons">
                    {item
                        .score_reasons
                        .into_iter()
                        .map(|reason| view! { <li data-code=reason.code>{reason.message}</li> })
                        .collect_view()}
                </ul>
            </td>
            <td>{call_now}</td>
        </tr>
    }
}
