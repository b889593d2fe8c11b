//! Letter and email templates: the list with each template's newest
//! version, a template's versions and their text, new templates and new
//! versions, and a preview against one account. Managers and
//! administrators use this page, because only they may change templates.

mod create;
mod detail;
mod preview;
mod text_fields;
mod version_form;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::accounts::CreditorDto;
use shared::correspondence::{TemplateDto, TemplateVersionDto};
use shared::users::Role;
use shared::FieldError;
use uuid::Uuid;

use self::create::CreateTemplateForm;
use self::detail::TemplateDetail;
use crate::api::{self, as_sentence, ApiError};
use crate::app::use_session;
use crate::components::{format_datetime, ErrorBanner, Notice, TableMessageRow};

/// Column count of the template table, for rows that span all columns.
const COLUMN_COUNT: u32 = 6;

/// Returns whether the role may open the Templates page.
pub fn may_edit_templates(role: Role) -> bool {
    role.sees_all_accounts()
}

/// Returns the message for one form field: the form's own problems first,
/// because the server's are from the previous submission.
fn field_message(
    problems: RwSignal<Vec<FieldError>>,
    error: RwSignal<Option<ApiError>>,
    name: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        let own: Vec<String> = problems.with(|problems| {
            problems.iter().filter(|problem| problem.field == name).map(|problem| as_sentence(&problem.message)).collect()
        });
        if !own.is_empty() {
            return Some(own.join(" "));
        }
        error.with(|error| error.as_ref().and_then(|error| error.field_message(name)))
    })
}

/// Returns the sentence above a form that the server rejected: a pointer to
/// the marked fields when every problem is at one of `fields`, and the
/// server's message and the other problems otherwise.
fn rejection_banner(error: &ApiError, what: &str, fields: &[&str]) -> String {
    let others: Vec<String> = error
        .field_errors()
        .iter()
        .filter(|problem| !fields.contains(&problem.field.as_str()))
        .map(|problem| format!("{}: {}", problem.field, as_sentence(&problem.message)))
        .collect();
    if error.field_errors().is_empty() {
        format!("The {what} was not saved. {}", error.message())
    } else if others.is_empty() {
        format!("The {what} was not saved. Correct the fields marked below and save it again.")
    } else {
        format!("The {what} was not saved. {}", others.join(" "))
    }
}

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let allowed = use_session().user().is_some_and(|user| may_edit_templates(user.role));
    if !allowed {
        return view! {
            <h1>"Templates"</h1>
            <ErrorBanner message="Your role may not change templates; a manager or an administrator does." />
        }
        .into_any();
    }

    let templates = RwSignal::new(None::<Result<Vec<TemplateDto>, ApiError>>);
    let creditors = RwSignal::new(Vec::<CreditorDto>::new());
    let creditor_error = RwSignal::new(None::<String>);
    let selected = RwSignal::new(None::<Uuid>);
    let notice = RwSignal::new(None::<String>);

    let load = move || {
        templates.set(None);
        spawn_local(async move {
            let response = api::list_templates().await;
            templates.try_set(Some(response));
        });
    };
    load();
    spawn_local(async move {
        match api::list_creditors().await {
            Ok(list) => {
                creditors.try_set(list);
            }
            Err(ApiError::SessionEnded) => {}
            Err(error) => {
                creditor_error.try_set(Some(format!("The creditor list is unavailable. {}", error.message())));
            }
        }
    });

    let on_created = Callback::new(move |template: TemplateDto| {
        notice.set(Some(format!("Template {} created with version 1.", template.name)));
        selected.set(Some(template.id));
        templates.update(|loaded| match loaded {
            Some(Ok(items)) => items.push(template),
            _ => *loaded = Some(Ok(vec![template])),
        });
    });
    let on_version_added = Callback::new(move |version: TemplateVersionDto| {
        notice.set(Some(format!("Version {} saved.", version.version)));
        templates.update(|loaded| {
            if let Some(Ok(items)) = loaded {
                if let Some(template) = items.iter_mut().find(|template| template.id == version.template_id) {
                    template.current = version;
                }
            }
        });
    });

    let creditor_name = move |id: Option<Uuid>| match id {
        None => "All creditors".to_string(),
        Some(id) => creditors.with(|list| {
            list.iter().find(|creditor| creditor.id == id).map(|creditor| creditor.name.clone()).unwrap_or_else(|| id.to_string())
        }),
    };
    let rows = move || match templates.get() {
        None => view! { <TableMessageRow colspan=COLUMN_COUNT>"Loading templates\u{2026}"</TableMessageRow> }.into_any(),
        Some(Err(error)) => view! {
            <TableMessageRow colspan=COLUMN_COUNT>
                <ErrorBanner message=format!("The templates could not be loaded. {}", error.message()) id="templates-error" />
                <button type="button" on:click=move |_| load()>
                    "Load templates again"
                </button>
            </TableMessageRow>
        }
        .into_any(),
        Some(Ok(items)) if items.is_empty() => {
            view! { <TableMessageRow colspan=COLUMN_COUNT>"No templates yet. Create one below."</TableMessageRow> }.into_any()
        }
        Some(Ok(items)) => items
            .into_iter()
            .map(|template| {
                let id = template.id;
                let owner = creditor_name(template.creditor_id);
                view! {
                    <tr data-template-id=id.to_string() data-template-key=template.key.clone()>
                        <td>
                            {template.name.clone()} <span class="payment-note muted">{template.key.clone()}</span>
                        </td>
                        <td>{template.channel.as_str()}</td>
                        <td>{owner}</td>
                        <td>{if template.mentions_legal_action { "Yes" } else { "No" }}</td>
                        <td class="nowrap">
                            {format!("v{}", template.current.version)}
                            <span class="payment-note muted">{format_datetime(template.current.created_at)}</span>
                        </td>
                        <td>
                            <button
                                type="button"
                                class="secondary template-open"
                                aria-pressed=move || (selected.get() == Some(id)).to_string()
                                on:click=move |_| {
                                    notice.set(None);
                                    selected.set(Some(id));
                                }
                            >
                                "Open"
                            </button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
            .into_any(),
    };

    let selected_template = Memo::new(move |_| {
        let id = selected.get()?;
        templates.with(|loaded| match loaded {
            Some(Ok(items)) => items.iter().find(|template| template.id == id).cloned(),
            _ => None,
        })
    });
    // The detail is built again only when another template is opened, so a
    // new version does not clear its forms.
    let selected_id = Memo::new(move |_| selected_template.with(|template| template.as_ref().map(|t| t.id)));

    view! {
        <div class="page-header">
            <h1>"Templates"</h1>
        </div>
        {move || notice.get().map(|message| view! { <div id="templates-notice"><Notice message=message /></div> })}
        {move || creditor_error.get().map(|message| view! { <Notice message=message /> })}
        <section class="card">
            <div class="table-wrap">
                <table class="data-table" id="templates-table">
                    <caption class="visually-hidden">"Letter and email templates with their newest version."</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Template"</th>
                            <th scope="col">"Channel"</th>
                            <th scope="col">"Creditor"</th>
                            <th scope="col">"Speaks of legal action"</th>
                            <th scope="col">"Newest version"</th>
                            <th scope="col">"Details"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
        {move || {
            selected_id
                .get()
                .and_then(|_| selected_template.get_untracked())
                .map(|template| view! { <TemplateDetail template=template on_version_added=on_version_added /> })
        }}
        <section class="card" aria-labelledby="template-create-heading">
            <h2 id="template-create-heading">"New template"</h2>
            <CreateTemplateForm creditors=creditors.into() on_created=on_created />
        </section>
    }
    .into_any()
}
