//! The follow-up queue: open tasks the daily run raised for broken promises,
//! missed instalments and broken plans, each marked done when handled.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::plans::TaskDto;
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::{format_date, ErrorBanner, Notice, TableMessageRow};

/// Column count of the task table.
const COLUMN_COUNT: u32 = 4;

#[component]
fn TaskRow(task: TaskDto, on_done: Callback<TaskDto>) -> impl IntoView {
    let task_id = task.id;
    let saving = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let complete = move |_| {
        if saving.get_untracked() {
            return;
        }
        saving.set(true);
        error.set(None);
        spawn_local(async move {
            match api::complete_task(task_id).await {
                Ok(done) => on_done.run(done),
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            saving.try_set(false);
        });
    };
    view! {
        <tr data-task-id=task_id.to_string() data-task-kind=task.kind.as_str()>
            <td>{task.kind.label()}</td>
            <td class="ref nowrap">
                <a href=format!("/accounts/{}", task.account_id)>{task.account_ref.clone()}</a>
            </td>
            <td class="nowrap">{format_date(task.raised_on)}</td>
            <td class="payment-actions">
                <button type="button" id=format!("task-done-{task_id}") disabled=move || saving.get() on:click=complete>
                    {move || if saving.get() { "Saving\u{2026}" } else { "Done" }}
                </button>
                {move || {
                    error
                        .get()
                        .map(|error| {
                            view! {
                                <span class="field-error" role="alert">
                                    {format!("Not marked done. {}", error.message())}
                                </span>
                            }
                        })
                }}
            </td>
        </tr>
    }
}

#[component]
pub fn TasksPage() -> impl IntoView {
    let mine = RwSignal::new(true);
    let tasks = RwSignal::new(None::<Result<Vec<TaskDto>, ApiError>>);
    let notice = RwSignal::new(None::<String>);
    let generation = StoredValue::new(0u64);
    let reload = Trigger::new();

    Effect::new(move |_| {
        reload.track();
        let only_mine = mine.get();
        let this_request = generation.get_value() + 1;
        generation.set_value(this_request);
        tasks.set(None);
        spawn_local(async move {
            let response = api::list_open_tasks(only_mine).await;
            if generation.try_get_value() == Some(this_request) {
                tasks.try_set(Some(response));
            }
        });
    });

    let on_done = Callback::new(move |done: TaskDto| {
        notice.set(Some(format!("{} on account {} is done.", done.kind.label(), done.account_ref)));
        let done_id: Uuid = done.id;
        tasks.update(|loaded| {
            if let Some(Ok(items)) = loaded {
                items.retain(|task| task.id != done_id);
            }
        });
    });

    let rows = move || match tasks.get() {
        None => view! { <TableMessageRow colspan=COLUMN_COUNT>"Loading tasks\u{2026}"</TableMessageRow> }.into_any(),
        Some(Err(error)) => view! {
            <TableMessageRow colspan=COLUMN_COUNT>
                <ErrorBanner message=format!("The tasks could not be loaded. {}", error.message()) id="tasks-error" />
                <button type="button" on:click=move |_| reload.notify()>
                    "Load again"
                </button>
            </TableMessageRow>
        }
        .into_any(),
        Some(Ok(items)) if items.is_empty() => {
            view! { <TableMessageRow colspan=COLUMN_COUNT>"No open follow-up tasks."</TableMessageRow> }.into_any()
        }
        Some(Ok(items)) => {
            items.into_iter().map(|task| view! { <TaskRow task=task on_done=on_done /> }).collect_view().into_any()
        }
    };

    view! {
        <div class="page-header">
            <h1>"Follow-up tasks"</h1>
        </div>
        {move || notice.get().map(|message| view! { <Notice message=message /> })}
        <section class="card">
            <label class="checkbox">
                <input
                    type="checkbox"
                    id="tasks-mine"
                    prop:checked=move || mine.get()
                    on:change=move |event| mine.set(event_target_checked(&event))
                />
                " Only tasks assigned to me"
            </label>
            <div class="table-wrap">
                <table class="data-table" id="tasks-table">
                    <caption class="visually-hidden">"Open follow-up tasks, each with its account and the day it was raised."</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Task"</th>
                            <th scope="col">"Account"</th>
                            <th scope="col">"Raised"</th>
                            <th scope="col">"Action"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
