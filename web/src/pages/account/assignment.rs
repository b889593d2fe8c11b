//! Who works the account: managers and admins choose an agent or leave the
//! account unassigned; everyone else sees the assigned agent.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::accounts::AccountDetail;
use shared::users::UserDto;
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::app::use_session;
use crate::components::{agent_label, ErrorBanner, FieldMessage, Notice};

/// The value of the "Unassigned" choice, as the worklist's agent filter spells it.
const UNASSIGNED: &str = "none";

/// The agents to choose from: `None` while loading.
pub type AgentList = RwSignal<Option<Result<Vec<UserDto>, ApiError>>>;

/// Loads the agents into `agents`. The page calls it once, so a change of
/// status or assignment does not load them again.
pub fn load_agents(agents: AgentList) {
    agents.set(None);
    spawn_local(async move {
        let loaded = api::list_agents().await;
        agents.try_set(Some(loaded));
    });
}

/// Returns whether the signed-in user may assign accounts. The server lets
/// the roles that see every account (managers and admins) assign them.
pub fn may_assign() -> bool {
    use_session().user().is_some_and(|user| user.role.sees_all_accounts())
}

#[component]
pub fn Assignment(
    account_id: Uuid,
    agent_id: Option<Uuid>,
    agent_name: Option<String>,
    /// Agents for the choice, loaded by the page only when `may_assign` returns true.
    agents: AgentList,
    /// The outcome of the last save, kept by the page because a save replaces this card.
    notice: RwSignal<Option<String>>,
    /// Called with the account as the server returns it after the change.
    on_assigned: Callback<AccountDetail>,
) -> impl IntoView {
    let notice_view = move || notice.get().map(|message| view! { <Notice message=message /> });
    if !may_assign() {
        let signed_in_id = use_session().user().map(|user| user.id);
        let assigned = match (agent_id, agent_name) {
            (Some(id), _) if Some(id) == signed_in_id => "You".to_string(),
            (Some(_), Some(name)) => name,
            (Some(_), None) => "An agent whose name is not known".to_string(),
            (None, _) => "Unassigned".to_string(),
        };
        return view! {
            <dl class="facts">
                <dt>"Assigned agent"</dt>
                <dd id="assigned-agent">{assigned}</dd>
            </dl>
            <p class="hint">"A manager or an admin assigns accounts."</p>
        }
        .into_any();
    }

    let current = agent_id.map(|id| id.to_string()).unwrap_or_else(|| UNASSIGNED.to_string());
    let chosen = RwSignal::new(current.clone());
    let error = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);
    let unchanged = {
        let current = current.clone();
        move || chosen.with(|chosen| *chosen == current)
    };

    let agent_message = Signal::derive(move || error.with(|error| error.as_ref().and_then(|e| e.field_message("agent_id"))));
    // An error about the agent field shows beside the field; any other shows above the form.
    let banner_message = move || {
        error.with(|error| match error {
            Some(error) if error.field_message("agent_id").is_none() => Some(error.message()),
            _ => None,
        })
    };

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let choice = chosen.get_untracked();
        let new_agent = if choice == UNASSIGNED {
            None
        } else {
            match choice.parse::<Uuid>() {
                Ok(id) => Some(id),
                Err(_) => return,
            }
        };
        error.set(None);
        notice.set(None);
        saving.set(true);
        spawn_local(async move {
            match api::assign_account(account_id, new_agent).await {
                Ok(updated) => {
                    let message = match &updated.summary.assigned_agent_name {
                        Some(name) => format!("Assigned to {name}."),
                        None if updated.summary.assigned_agent_id.is_some() => "Assigned.".to_string(),
                        None => "The account is now unassigned.".to_string(),
                    };
                    notice.try_set(Some(message));
                    on_assigned.run(updated);
                }
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            saving.try_set(false);
        });
    };

    // The current agent stays a choice even when the list leaves them out
    // (deactivated, or a manager given the account through the API), so the
    // form opens on the real assignment.
    let current_agent_option = move || {
        let id = agent_id?;
        let listed_as_active = agents.with(|loaded| match loaded {
            Some(Ok(list)) => list.iter().any(|agent| agent.id == id && agent.active),
            _ => false,
        });
        if listed_as_active {
            return None;
        }
        let label = agents
            .with(|loaded| match loaded {
                Some(Ok(list)) => list.iter().find(|agent| agent.id == id).map(agent_label),
                _ => None,
            })
            .or_else(|| agent_name.clone())
            .unwrap_or_else(|| "The current agent".to_string());
        Some(view! {
            <option value=id.to_string() prop:selected=move || chosen.with(|chosen| *chosen == id.to_string())>
                {format!("{label} (current)")}
            </option>
        })
    };
    let active_agent_options = move || {
        agents.with(|loaded| match loaded {
            Some(Ok(list)) => list
                .iter()
                .filter(|agent| agent.active)
                .map(|agent| {
                    let id = agent.id.to_string();
                    let selected = {
                        let id = id.clone();
                        move || chosen.with(|chosen| *chosen == id)
                    };
                    view! { <option value=id prop:selected=selected>{agent_label(agent)}</option> }
                })
                .collect_view()
                .into_any(),
            _ => ().into_any(),
        })
    };
    let list_status = move || {
        agents.with(|loaded| match loaded {
            None => Some(view! { <p class="hint">"Loading agents\u{2026}"</p> }.into_any()),
            Some(Err(failure)) => Some(
                view! {
                    <ErrorBanner message=format!("The list of agents could not be loaded. {}", failure.message()) />
                    <p>
                        <button type="button" class="secondary" on:click=move |_| load_agents(agents)>
                            "Load agents again"
                        </button>
                    </p>
                }
                .into_any(),
            ),
            Some(Ok(list)) if !list.iter().any(|agent| agent.active) => Some(
                view! {
                    <p class="hint">
                        "No active assistant or collector exists yet. An admin creates them with "
                        <code>"recovery-desk user create"</code> "."
                    </p>
                }
                .into_any(),
            ),
            Some(Ok(_)) => None,
        })
    };

    view! {
        <form class="assignment-form" on:submit=on_submit>
            {notice_view}
            {move || banner_message().map(|message| view! { <ErrorBanner message=message id="assignment-error" /> })}
            <div class="field">
                <label for="assignment-agent">"Assigned agent"</label>
                <select
                    id="assignment-agent"
                    aria-describedby="assignment-agent-error"
                    aria-invalid=move || agent_message.get().is_some().to_string()
                    on:change=move |event| {
                        chosen.set(event_target_value(&event));
                        error.set(None);
                    }
                >
                    <option value=UNASSIGNED prop:selected=move || chosen.with(|chosen| chosen == UNASSIGNED)>
                        "Unassigned"
                    </option>
                    {current_agent_option}
                    {active_agent_options}
                </select>
                <FieldMessage id="assignment-agent-error" message=agent_message />
            </div>
            {list_status}
            <button
                type="submit"
                id="assignment-submit"
                class="primary"
                disabled=move || saving.get() || unchanged()
            >
                {move || if saving.get() { "Saving\u{2026}" } else { "Save assignment" }}
            </button>
        </form>
    }
    .into_any()
}
