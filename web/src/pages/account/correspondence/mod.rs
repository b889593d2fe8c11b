//! Letters and emails on the account page: the form that sends one from a
//! template, with its preview, and the list of those made.

mod form;
mod list;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::correspondence::{CorrespondenceDto, CorrespondenceStatus, TemplateDto};
use uuid::Uuid;

use self::form::SendForm;
use self::list::{channel_label, CorrespondenceRow, CorrespondenceTable, COLUMN_COUNT};
use super::keys::PendingKeys;
use crate::api::{self, ApiError};
use crate::components::{ErrorBanner, Notice, TableMessageRow};

#[component]
pub fn CorrespondenceSection(
    account_id: Uuid,
    /// The account's creditor; only global templates and this creditor's own apply.
    creditor_id: Uuid,
    /// Counts the changes made on the account page. A letter adds one, and
    /// the preview's contact check loads again on each.
    activity: RwSignal<u64>,
) -> impl IntoView {
    let keys = PendingKeys::new();
    let templates = RwSignal::new(None::<Result<Vec<TemplateDto>, ApiError>>);
    let items = RwSignal::new(None::<Result<Vec<CorrespondenceDto>, ApiError>>);
    let notice = RwSignal::new(None::<String>);

    let load_templates = move || {
        templates.set(None);
        spawn_local(async move {
            let response = api::list_templates().await.map(|all| {
                all.into_iter().filter(|template| template.creditor_id.is_none_or(|owner| owner == creditor_id)).collect()
            });
            templates.try_set(Some(response));
        });
    };
    load_templates();
    let load_items = move || {
        spawn_local(async move {
            let response = api::list_correspondence(account_id).await;
            items.try_set(Some(response));
        });
    };
    load_items();

    let on_generated = Callback::new(move |made: CorrespondenceDto| {
        let what = match made.status {
            CorrespondenceStatus::Generated => "Letter generated",
            CorrespondenceStatus::Queued => "Email queued",
            _ => "Recorded",
        };
        notice.set(Some(format!("{what}: {}, version {}.", made.template_key, made.version)));
        activity.update(|count| *count += 1);
        items.update(|loaded| match loaded {
            Some(Ok(list)) => {
                list.retain(|item| item.id != made.id);
                list.insert(0, made);
            }
            _ => *loaded = Some(Ok(vec![made])),
        });
    });

    let template_name = move |item: &CorrespondenceDto| {
        templates.with_untracked(|loaded| match loaded {
            Some(Ok(list)) => list.iter().find(|template| template.id == item.template_id).map(|template| template.name.clone()),
            _ => None,
        })
    };
    let rows = move || match items.get() {
        None => view! { <TableMessageRow colspan=COLUMN_COUNT>"Loading letters and emails\u{2026}"</TableMessageRow> }
            .into_any(),
        Some(Err(error)) => view! {
            <TableMessageRow colspan=COLUMN_COUNT>
                <ErrorBanner
                    message=format!("The letters and emails could not be loaded. {}", error.message())
                    id="correspondence-error"
                />
                <button type="button" on:click=move |_| load_items()>
                    "Load letters and emails again"
                </button>
            </TableMessageRow>
        }
        .into_any(),
        Some(Ok(list)) if list.is_empty() => {
            view! { <TableMessageRow colspan=COLUMN_COUNT>"No letters or emails yet."</TableMessageRow> }.into_any()
        }
        Some(Ok(list)) => {
            // Reading the templates here redraws the rows once their names arrive.
            templates.track();
            list.into_iter()
                .map(|item| {
                    let name = template_name(&item).unwrap_or_else(|| channel_label(item.channel).to_string());
                    view! { <CorrespondenceRow item=item template_name=name /> }
                })
                .collect_view()
                .into_any()
        }
    };

    view! {
        <div class="payments-layout">
            <section class="card" aria-labelledby="letter-form-heading">
                <h2 id="letter-form-heading">"Send a letter or email"</h2>
                {move || notice.get().map(|message| view! { <div id="letter-notice"><Notice message=message /></div> })}
                <SendForm
                    account_id=account_id
                    templates=templates.into()
                    keys=keys
                    activity=activity
                    on_generated=on_generated
                />
            </section>
            <section class="card" aria-labelledby="correspondence-heading">
                <h2 id="correspondence-heading">"Letters and emails"</h2>
                <CorrespondenceTable>{rows}</CorrespondenceTable>
            </section>
        </div>
    }
}
