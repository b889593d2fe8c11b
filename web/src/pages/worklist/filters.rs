//! The filter form above the worklist. Applying it writes the filters into
//! the URL; the list reloads from there.

use leptos::html;
use leptos::prelude::*;
use shared::accounts::CreditorDto;
use shared::status::{AccountStatus, DpdBucket};
use shared::users::UserDto;
use shared::Currency;

use super::url_state::WorklistState;
use crate::api::{as_sentence, AgentFilter};
use crate::components::{agent_label, describe_amount_error, minor_units_to_input, parse_major_units, FieldMessage};

/// The form's field values as typed, before they are checked.
#[derive(Clone, Copy)]
struct Draft {
    q: RwSignal<String>,
    status: RwSignal<String>,
    dpd: RwSignal<String>,
    creditor: RwSignal<String>,
    agent: RwSignal<String>,
    contact: RwSignal<String>,
    min_balance: RwSignal<String>,
    max_balance: RwSignal<String>,
    currency: RwSignal<String>,
}

impl Draft {
    fn new() -> Self {
        Draft {
            q: RwSignal::new(String::new()),
            status: RwSignal::new(String::new()),
            dpd: RwSignal::new(String::new()),
            creditor: RwSignal::new(String::new()),
            agent: RwSignal::new(String::new()),
            contact: RwSignal::new(String::new()),
            min_balance: RwSignal::new(String::new()),
            max_balance: RwSignal::new(String::new()),
            currency: RwSignal::new(String::new()),
        }
    }

    /// Copies the filters of `state` into the fields.
    fn load(&self, state: &WorklistState) {
        let query = &state.query;
        let currency = state.balance_currency;
        self.q.set(query.q.clone().unwrap_or_default());
        self.status.set(query.status.map(|status| status.as_str().to_string()).unwrap_or_default());
        self.dpd.set(query.dpd.map(|dpd| dpd.as_str().to_string()).unwrap_or_default());
        self.creditor.set(query.creditor_id.map(|id| id.to_string()).unwrap_or_default());
        self.agent.set(query.assigned_agent.map(AgentFilter::as_param).unwrap_or_default());
        self.contact.set(query.no_valid_contact.map(|flag| flag.to_string()).unwrap_or_default());
        self.min_balance.set(query.min_balance.map(|amount| minor_units_to_input(amount, currency)).unwrap_or_default());
        self.max_balance.set(query.max_balance.map(|amount| minor_units_to_input(amount, currency)).unwrap_or_default());
        self.currency.set(currency.code().to_string());
    }
}

/// Problems found in the balance fields, shown beside each field.
#[derive(Clone, Debug, Default, PartialEq)]
struct BalanceErrors {
    min: Option<String>,
    max: Option<String>,
    currency: Option<String>,
}

impl BalanceErrors {
    fn any(&self) -> bool {
        self.min.is_some() || self.max.is_some() || self.currency.is_some()
    }
}

/// Builds the first-page state that the form describes, keeping the sort of `current`.
fn apply_draft(draft: &Draft, current: &WorklistState) -> Result<WorklistState, BalanceErrors> {
    let mut errors = BalanceErrors::default();
    let currency_text = draft.currency.get_untracked().trim().to_ascii_uppercase();
    let currency = if currency_text.is_empty() {
        Currency::usd()
    } else {
        match currency_text.parse::<Currency>() {
            Ok(currency) => currency,
            Err(error) => {
                errors.currency = Some(as_sentence(&format!("Balance currency: {error}")));
                Currency::usd()
            }
        }
    };

    let balance = |text: String, label: &str, slot: &mut Option<String>| -> Option<i64> {
        let text = text.trim().to_string();
        if text.is_empty() {
            return None;
        }
        match parse_major_units(&text, currency) {
            Ok(amount) => Some(amount),
            Err(error) => {
                *slot = Some(as_sentence(&format!("{label}: {}", describe_amount_error(&error, currency))));
                None
            }
        }
    };
    let min_balance = balance(draft.min_balance.get_untracked(), "Minimum balance", &mut errors.min);
    let max_balance = balance(draft.max_balance.get_untracked(), "Maximum balance", &mut errors.max);
    if let (Some(min), Some(max)) = (min_balance, max_balance) {
        if min > max {
            errors.max = Some("Maximum balance is below the minimum balance; raise it or lower the minimum.".to_string());
        }
    }
    if errors.any() {
        return Err(errors);
    }

    let mut state = current.first_page();
    let query = &mut state.query;
    query.q = Some(draft.q.get_untracked().trim().to_string()).filter(|q| !q.is_empty());
    query.status = draft.status.get_untracked().parse::<AccountStatus>().ok();
    query.dpd = draft.dpd.get_untracked().parse::<DpdBucket>().ok();
    query.creditor_id = draft.creditor.get_untracked().parse().ok();
    query.assigned_agent = AgentFilter::parse(&draft.agent.get_untracked());
    query.no_valid_contact = draft.contact.get_untracked().parse::<bool>().ok();
    // NOTE: `GET /accounts` compares these minor units with each account's total in
    // its own minor units, whatever its currency, so USD limits also match EUR or JPY accounts.
    query.min_balance = min_balance;
    query.max_balance = max_balance;
    state.balance_currency = currency;
    Ok(state)
}

#[component]
pub fn FilterForm(
    state: Memo<WorklistState>,
    /// Creditors for the creditor filter; empty until loaded.
    creditors: Signal<Vec<CreditorDto>>,
    /// Agents for the agent filter, or `None` to hide the filter (the user may not list users).
    agents: Signal<Option<Vec<UserDto>>>,
    search_input: NodeRef<html::Input>,
    /// Called with the URL of the state the form describes.
    on_apply: Callback<String>,
) -> impl IntoView {
    let draft = Draft::new();
    let errors = RwSignal::new(BalanceErrors::default());
    Effect::new(move |_| {
        draft.load(&state.get());
        errors.set(BalanceErrors::default());
    });

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        match apply_draft(&draft, &state.get_untracked()) {
            Ok(next) => {
                errors.set(BalanceErrors::default());
                on_apply.run(next.to_url());
            }
            Err(found) => errors.set(found),
        }
    };
    // Resets the fields and errors here as well as in the URL, because when the
    // URL is already "/" the state does not change and the effect above does not run.
    let on_clear = move |_| {
        let cleared = WorklistState::default();
        draft.load(&cleared);
        errors.set(BalanceErrors::default());
        on_apply.run(cleared.to_url());
    };

    let min_message = Signal::derive(move || errors.with(|errors| errors.min.clone()));
    let max_message = Signal::derive(move || errors.with(|errors| errors.max.clone()));
    let currency_message = Signal::derive(move || errors.with(|errors| errors.currency.clone()));

    view! {
        <form class="filters" on:submit=on_submit role="search" aria-label="Filter accounts">
            <div class="field field-search">
                <label for="worklist-search">"Search " <kbd>"/"</kbd></label>
                <input
                    id="worklist-search"
                    type="search"
                    placeholder="Account ref or debtor name"
                    node_ref=search_input
                    prop:value=move || draft.q.get()
                    on:input=move |event| draft.q.set(event_target_value(&event))
                />
            </div>
            <div class="field">
                <label for="filter-status">"Status"</label>
                <select
                    id="filter-status"
                    prop:value=move || draft.status.get()
                    on:change=move |event| draft.status.set(event_target_value(&event))
                >
                    <option value="" prop:selected=move || draft.status.with(String::is_empty)>"Any status"</option>
                    {AccountStatus::ALL
                        .into_iter()
                        .map(|status| {
                            let selected = move || draft.status.with(|value| value == status.as_str());
                            view! { <option value=status.as_str() prop:selected=selected>{status.label()}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-dpd">"Days past due"</label>
                <select
                    id="filter-dpd"
                    prop:value=move || draft.dpd.get()
                    on:change=move |event| draft.dpd.set(event_target_value(&event))
                >
                    <option value="" prop:selected=move || draft.dpd.with(String::is_empty)>"Any"</option>
                    {DpdBucket::ALL
                        .into_iter()
                        .map(|bucket| {
                            let selected = move || draft.dpd.with(|value| value == bucket.as_str());
                            view! { <option value=bucket.as_str() prop:selected=selected>{bucket.as_str()}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-creditor">"Creditor"</label>
                <select
                    id="filter-creditor"
                    prop:value=move || draft.creditor.get()
                    on:change=move |event| draft.creditor.set(event_target_value(&event))
                >
                    <option value="" prop:selected=move || draft.creditor.with(String::is_empty)>"Any creditor"</option>
                    {move || {
                        creditors
                            .get()
                            .into_iter()
                            .map(|creditor| {
                                let id = creditor.id.to_string();
                                let selected = {
                                    let id = id.clone();
                                    move || draft.creditor.with(|value| *value == id)
                                };
                                view! { <option value=id prop:selected=selected>{creditor.name}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            {move || {
                agents
                    .get()
                    .map(|agents| {
                        view! {
                            <div class="field">
                                <label for="filter-agent">"Agent"</label>
                                <select
                                    id="filter-agent"
                                    prop:value=move || draft.agent.get()
                                    on:change=move |event| draft.agent.set(event_target_value(&event))
                                >
                                    <option value="" prop:selected=move || draft.agent.with(String::is_empty)>
                                        "Any agent"
                                    </option>
                                    <option value="none" prop:selected=move || draft.agent.with(|value| value == "none")>
                                        "Unassigned"
                                    </option>
                                    {agents
                                        .into_iter()
                                        .map(|agent| {
                                            let id = agent.id.to_string();
                                            let selected = {
                                                let id = id.clone();
                                                move || draft.agent.with(|value| *value == id)
                                            };
                                            view! {
                                                <option value=id prop:selected=selected>{agent_label(&agent)}</option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </div>
                        }
                    })
            }}
            <div class="field">
                <label for="filter-contact">"Valid contact"</label>
                <select
                    id="filter-contact"
                    prop:value=move || draft.contact.get()
                    on:change=move |event| draft.contact.set(event_target_value(&event))
                >
                    <option value="" prop:selected=move || draft.contact.with(String::is_empty)>"Any"</option>
                    <option value="true" prop:selected=move || draft.contact.with(|value| value == "true")>
                        "None valid"
                    </option>
                    <option value="false" prop:selected=move || draft.contact.with(|value| value == "false")>
                        "At least one valid"
                    </option>
                </select>
            </div>
            <div class="field field-amount">
                <label for="filter-min-balance">"Balance from"</label>
                <input
                    id="filter-min-balance"
                    type="text"
                    inputmode="decimal"
                    placeholder="0.00"
                    aria-describedby="filter-min-balance-error"
                    aria-invalid=move || min_message.get().is_some().to_string()
                    prop:value=move || draft.min_balance.get()
                    on:input=move |event| {
                        draft.min_balance.set(event_target_value(&event));
                        errors.update(|errors| errors.min = None);
                    }
                />
            </div>
            <div class="field field-amount">
                <label for="filter-max-balance">"to"</label>
                <input
                    id="filter-max-balance"
                    type="text"
                    inputmode="decimal"
                    placeholder="any"
                    aria-describedby="filter-max-balance-error"
                    aria-invalid=move || max_message.get().is_some().to_string()
                    prop:value=move || draft.max_balance.get()
                    on:input=move |event| {
                        draft.max_balance.set(event_target_value(&event));
                        errors.update(|errors| errors.max = None);
                    }
                />
            </div>
            <div class="field field-currency">
                <label for="filter-currency">"Balance currency"</label>
                <input
                    id="filter-currency"
                    type="text"
                    maxlength="3"
                    autocapitalize="characters"
                    title="The currency in which the balance limits are typed. It does not filter accounts by currency."
                    aria-describedby="filter-currency-error"
                    aria-invalid=move || currency_message.get().is_some().to_string()
                    prop:value=move || draft.currency.get()
                    on:input=move |event| {
                        draft.currency.set(event_target_value(&event));
                        errors.update(|errors| errors.currency = None);
                    }
                />
            </div>
            <div class="filter-actions">
                <button type="submit" class="primary" id="filter-apply">
                    "Apply filters"
                </button>
                <button type="button" class="secondary" id="filter-clear" on:click=on_clear>
                    "Clear"
                </button>
            </div>
            <div class="filter-errors">
                <FieldMessage id="filter-min-balance-error" message=min_message />
                <FieldMessage id="filter-max-balance-error" message=max_message />
                <FieldMessage id="filter-currency-error" message=currency_message />
            </div>
        </form>
    }
}
