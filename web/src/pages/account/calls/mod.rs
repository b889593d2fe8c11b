//! Calls on the account page: the form that logs one, with the contact
//! check beside it, and the account's timeline.

mod draft;
mod form;
mod timeline;

use leptos::prelude::*;
use shared::accounts::PhoneDto;
use shared::Currency;
use uuid::Uuid;

use self::form::CallForm;
use self::timeline::Timeline;
use crate::components::Notice;

#[component]
pub fn CallsSection(
    account_id: Uuid,
    currency: Currency,
    phones: Vec<PhoneDto>,
    /// Counts the changes made on the account page. A logged call adds one,
    /// and the timeline and the call's contact check load again on each.
    activity: RwSignal<u64>,
) -> impl IntoView {
    let notice = RwSignal::new(None::<String>);
    let on_logged = Callback::new(move |message: String| {
        notice.set(Some(message));
        activity.update(|count| *count += 1);
    });

    view! {
        <div class="payments-layout">
            <section class="card" aria-labelledby="call-form-heading">
                <h2 id="call-form-heading">"Log a call"</h2>
                {move || notice.get().map(|message| view! { <Notice message=message /> })}
                <CallForm account_id=account_id currency=currency phones=phones activity=activity on_logged=on_logged />
            </section>
            <section class="card" aria-labelledby="timeline-heading">
                <h2 id="timeline-heading">"Timeline"</h2>
                <Timeline account_id=account_id currency=currency version=activity />
            </section>
        </div>
    }
}
