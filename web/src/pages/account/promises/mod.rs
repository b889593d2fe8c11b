//! Promises to pay on the account page: the form that records one and the list.

mod draft;
mod form;
mod list;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::plans::PromiseDto;
use shared::Currency;
use uuid::Uuid;

use self::form::PromiseForm;
use self::list::{PromiseRow, PromisesTable, COLUMN_COUNT};
use crate::api::{self, ApiError};
use crate::components::{format_date, ErrorBanner, Notice, TableMessageRow};

#[component]
pub fn PromisesSection(
    account_id: Uuid,
    currency: Currency,
    /// Counts the changes made on the account page; the list loads again on
    /// each, because a call can record a promise.
    activity: RwSignal<u64>,
) -> impl IntoView {
    let promises = RwSignal::new(None::<Result<Vec<PromiseDto>, ApiError>>);
    let notice = RwSignal::new(None::<String>);

    let load = move || {
        spawn_local(async move {
            let response = api::list_promises(account_id).await;
            promises.try_set(Some(response));
        });
    };
    Effect::new(move |_| {
        activity.track();
        load();
    });

    let on_saved = Callback::new(move |promise: PromiseDto| {
        notice.set(Some(format!("Promise recorded: due by {}.", format_date(promise.promised_on))));
        activity.update(|count| *count += 1);
        promises.update(|loaded| match loaded {
            Some(Ok(items)) => items.insert(0, promise),
            _ => *loaded = Some(Ok(vec![promise])),
        });
    });

    let rows = move || match promises.get() {
        None => view! { <TableMessageRow colspan=COLUMN_COUNT>"Loading promises\u{2026}"</TableMessageRow> }.into_any(),
        Some(Err(error)) => view! {
            <TableMessageRow colspan=COLUMN_COUNT>
                <ErrorBanner message=format!("The promises could not be loaded. {}", error.message()) id="promises-error" />
                <button type="button" on:click=move |_| load()>
                    "Load promises again"
                </button>
            </TableMessageRow>
        }
        .into_any(),
        Some(Ok(items)) if items.is_empty() => {
            view! { <TableMessageRow colspan=COLUMN_COUNT>"No promises recorded yet."</TableMessageRow> }.into_any()
        }
        Some(Ok(items)) => items.into_iter().map(|promise| view! { <PromiseRow promise=promise /> }).collect_view().into_any(),
    };

    view! {
        <div class="payments-layout">
            <section class="card" aria-labelledby="promise-form-heading">
                <h2 id="promise-form-heading">"Record a promise to pay"</h2>
                {move || notice.get().map(|message| view! { <Notice message=message /> })}
                <PromiseForm account_id=account_id currency=currency on_saved=on_saved />
            </section>
            <section class="card" aria-labelledby="promises-heading">
                <h2 id="promises-heading">"Promises"</h2>
                <PromisesTable>{rows}</PromisesTable>
            </section>
        </div>
    }
}
