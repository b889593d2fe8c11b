//! The preview of a template version against one account, named by its
//! reference or its id.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::accounts::AccountSort;
use shared::correspondence::{PreviewDto, PreviewRequest};
use uuid::Uuid;

use crate::api::{self, as_sentence, AccountQuery, ApiError};
use crate::components::{ErrorBanner, FieldMessage, PreviewView};

/// Finds the account that `text` names: an account id, or an account
/// reference that exactly one visible account has. The server matches
/// references case-sensitively, and so does this lookup.
///
/// NOTE: only the first page of the account search (50 accounts, sorted by
/// reference) is read, so a reference among more matches may not be found.
async fn resolve_account(text: &str) -> Result<Uuid, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("Type an account reference or an account id.".to_string());
    }
    if let Ok(id) = text.parse::<Uuid>() {
        return Ok(id);
    }
    let query = AccountQuery { q: Some(text.to_string()), sort: AccountSort::AccountRef, ..AccountQuery::default() };
    let page = api::list_accounts(&query)
        .await
        .map_err(|error| format!("The account could not be looked up. {}", error.message()))?;
    let matches: Vec<Uuid> = page
        .items
        .iter()
        .filter(|account| account.account_ref == text)
        .map(|account| account.id)
        .collect();
    match matches.as_slice() {
        [id] => Ok(*id),
        [] => Err(format!(
            "No account has the reference {text}; check it (upper and lower case count), or paste the account id."
        )),
        _ => Err(format!(
            "{} accounts of different creditors have the reference {text}; paste the account id instead.",
            matches.len()
        )),
    }
}

/// Explains a failed preview: the problems with the subject or body, such as
/// a merge field without a value, or the server's message.
fn describe_failure(error: &ApiError) -> String {
    let problems: Vec<String> = error
        .field_errors()
        .iter()
        .filter(|problem| problem.field != "account_id")
        .map(|problem| format!("{}: {}", problem.field, as_sentence(&problem.message)))
        .collect();
    if problems.is_empty() {
        format!("The preview could not be made. {}", error.message())
    } else {
        format!("The template cannot be filled in for this account. {}", problems.join(" "))
    }
}

#[component]
pub fn TemplatePreview(
    template_id: Uuid,
    /// The version to render.
    #[prop(into)]
    version: Signal<Option<i32>>,
) -> impl IntoView {
    let account = RwSignal::new(String::new());
    let account_problem = RwSignal::new(None::<String>);
    let result = RwSignal::new(None::<Result<PreviewDto, String>>);
    let loading = RwSignal::new(false);
    let account_message = Signal::derive(move || account_problem.get());

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if loading.get_untracked() {
            return;
        }
        account_problem.set(None);
        result.set(None);
        let text = account.get_untracked();
        let version = version.get_untracked();
        loading.set(true);
        spawn_local(async move {
            match resolve_account(&text).await {
                Err(problem) => {
                    account_problem.try_set(Some(problem));
                }
                Ok(account_id) => {
                    let request = PreviewRequest { account_id, version };
                    match api::preview_template(template_id, &request).await {
                        Ok(shown) => {
                            result.try_set(Some(Ok(shown)));
                        }
                        Err(failure) if failure.status() == Some(404) || failure.field_message("account_id").is_some() => {
                            let reason = failure.field_message("account_id").unwrap_or_else(|| failure.message());
                            account_problem.try_set(Some(reason));
                        }
                        Err(failure) => {
                            result.try_set(Some(Err(describe_failure(&failure))));
                        }
                    }
                }
            }
            loading.try_set(false);
        });
    };

    view! {
        <form class="template-preview-form" on:submit=on_submit novalidate=true>
            <div class="field-row">
                <div class="field">
                    <label for="template-preview-account">"Account reference or id"</label>
                    <input
                        id="template-preview-account"
                        type="text"
                        autocomplete="off"
                        aria-describedby="template-preview-account-error"
                        aria-invalid=move || account_message.get().is_some().to_string()
                        prop:value=move || account.get()
                        on:input=move |event| account.set(event_target_value(&event))
                    />
                    <FieldMessage id="template-preview-account-error" message=account_message />
                </div>
            </div>
            <button type="submit" id="template-preview-submit" disabled=move || loading.get()>
                {move || if loading.get() { "Filling in\u{2026}" } else { "Preview for this account" }}
            </button>
        </form>
        {move || match result.get() {
            None => ().into_any(),
            Some(Err(message)) => view! { <ErrorBanner message=message id="template-preview-error" /> }.into_any(),
            Some(Ok(shown)) => view! { <PreviewView preview=shown id="template-preview" /> }.into_any(),
        }}
    }
}
