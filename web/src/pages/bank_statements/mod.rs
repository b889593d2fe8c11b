//! Bank statements: uploading a statement file, and the queue of entries an
//! assistant matches to an account by its reference or dismisses.

mod queue;
mod upload;

use leptos::prelude::*;
use shared::users::Role;

use self::queue::ReviewQueue;
use self::upload::StatementUpload;
use crate::app::use_session;
use crate::components::ErrorBanner;

#[component]
pub fn BankStatementsPage() -> impl IntoView {
    let session = use_session();
    let role = session.user().map(|user| user.role);
    if role.is_none_or(|role| role == Role::Collector) {
        return view! {
            <h1>"Bank statements"</h1>
            <ErrorBanner message="Your role may not see bank statements; ask a manager or an admin." />
        }
        .into_any();
    }
    let may_import = role.is_some_and(Role::may_import);
    let queue_reload = Trigger::new();

    view! {
        <h1>"Bank statements"</h1>
        <Show when=move || may_import>
            <section class="card" aria-labelledby="statement-upload-title">
                <h2 id="statement-upload-title">"Upload a statement"</h2>
                <StatementUpload on_imported=Callback::new(move |_| queue_reload.notify()) />
            </section>
        </Show>
        <section class="card" aria-labelledby="review-queue-title">
            <h2 id="review-queue-title">"Entries to review"</h2>
            <ReviewQueue reload=queue_reload />
        </section>
    }
    .into_any()
}
