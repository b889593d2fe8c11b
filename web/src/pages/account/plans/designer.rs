//! The plan designer: terms typed by the user, checked against the
//! creditor's policy on every keystroke with the same rules the server runs,
//! a live schedule preview, and saving.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::plans::policy::{evaluate, Evaluation};
use shared::plans::{CreatePlanRequest, Finding, Frequency, PlanDto, PlanKind, PlanTerms, RepaymentPolicy, Severity};
use shared::users::Role;
use shared::Currency;
use uuid::Uuid;

use super::display::{approval_outlook, needs_approval, share_text};
use super::draft::{field, PlanDraft, MISSING};
use super::findings::{unplaced, FindingList};
use super::schedule_table::ScheduleTable;
use crate::api::{self, as_sentence, ApiError};
use crate::components::{browser_today, format_date, ErrorBanner, FieldMessage, MoneyAmount};

/// The creditor's repayment policy, or `None` while it loads.
pub type PolicyState = RwSignal<Option<Result<RepaymentPolicy, ApiError>>>;

/// Maximum length of a note that the form sends, in characters.
const NOTE_MAX_CHARS: usize = 2000;

/// Returns the element id of a field's input, for moving focus to the first problem.
fn input_id(field_name: &str) -> &'static str {
    match field_name {
        field::KIND => "plan-kind",
        field::FREQUENCY => "plan-frequency",
        field::START_DATE => "plan-start-date",
        field::DOWN_PAYMENT => "plan-down-payment",
        field::SETTLEMENT_AMOUNT => "plan-settlement-amount",
        field::NOTE => "plan-note",
        _ => "plan-instalment-count",
    }
}

fn focus_element(id: &str) {
    use wasm_bindgen::JsCast;
    let element = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(id))
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

/// Returns the server's message for a field, which it may name with or without the `terms.` prefix.
fn server_field_message(error: &ApiError, name: &str) -> Option<String> {
    error.field_message(name).or_else(|| error.field_message(&format!("terms.{name}")))
}

fn is_form_field(name: &str) -> bool {
    let bare = name.strip_prefix("terms.").unwrap_or(name);
    field::ALL.contains(&bare)
}

fn kind_label(kind: PlanKind) -> &'static str {
    match kind {
        PlanKind::Instalment => "Instalment plan: pays the balance",
        PlanKind::Settlement => "Settlement: pays an agreed smaller sum",
    }
}

/// Renders one designer field: label, input, its own message and the policy findings about it.
#[component]
fn DesignerField(
    name: &'static str,
    #[prop(into)] label: String,
    message: Signal<Option<String>>,
    findings: Signal<Vec<Finding>>,
    #[prop(optional)] hint: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let id = input_id(name);
    view! {
        <div class="field" data-field=name>
            <label for=id>{label}</label>
            {children()}
            {hint.map(|text| view! { <p class="hint" id=format!("{id}-hint")>{text}</p> })}
            <FieldMessage id=format!("{id}-error") message=message />
            <div id=format!("{id}-findings")>
                <FindingList findings=findings />
            </div>
        </div>
    }
}

#[component]
pub fn PlanDesigner(
    account_id: Uuid,
    currency: Currency,
    /// The account's current balance in minor units, which the policy measures the plan against.
    #[prop(into)]
    balance: Signal<i64>,
    policy: PolicyState,
    /// The signed-in user's role, which decides whether saving needs approval.
    role: Role,
    /// The open plan being renegotiated. Saving closes it as renegotiated.
    replacing: RwSignal<Option<PlanDto>>,
    /// Called with the plan the server saved.
    on_saved: Callback<PlanDto>,
) -> impl IntoView {
    let today = browser_today();
    let draft = RwSignal::new(PlanDraft::starting(today));
    let note = RwSignal::new(String::new());
    // Messages about empty inputs appear only after the first attempt to save.
    let show_missing = RwSignal::new(false);
    let note_missing = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let blocked = RwSignal::new(false);
    let saving = RwSignal::new(false);

    // Renegotiating starts from the old plan's terms, moved to start today
    // when the old start date has passed.
    Effect::new(move |_| {
        if let Some(plan) = replacing.get() {
            let mut terms = plan.terms.clone();
            terms.start_date = terms.start_date.max(today);
            draft.set(PlanDraft::from_terms(&terms, currency));
            error.set(None);
            focus_element("plan-kind");
        }
    });

    let edit = move |change: &dyn Fn(&mut PlanDraft)| {
        draft.update(|draft| change(draft));
        error.set(None);
        blocked.set(false);
    };

    let terms = Memo::new(move |_| draft.with(|draft| draft.to_terms(currency)));
    let evaluation = Memo::new(move |_| {
        let Ok(terms) = terms.get() else {
            return None;
        };
        let balance = balance.get();
        policy.with(|policy| match policy {
            Some(Ok(policy)) => Some(evaluate(policy, balance, currency, &terms, today)),
            _ => None,
        })
    });
    let findings_for = move |name: &'static str| {
        Signal::derive(move || {
            evaluation.with(|evaluation| {
                evaluation
                    .as_ref()
                    .map(|evaluation| evaluation.findings.iter().filter(|finding| finding.field == name).cloned().collect())
                    .unwrap_or_default()
            })
        })
    };
    let other_findings =
        Signal::derive(move || evaluation.with(|evaluation| evaluation.as_ref().map(|e| unplaced(&e.findings)).unwrap_or_default()));

    // The form's own reading problems come first, because the server's are from the last save.
    let message_for = move |name: &'static str| {
        Signal::derive(move || {
            if name == field::NOTE && note_missing.get() {
                return Some(
                    "Note is missing; the plan needs approval, so say why these terms suit the debtor.".to_string(),
                );
            }
            let show_missing = show_missing.get();
            let own: Vec<String> = terms.with(|terms| match terms {
                Err(problems) => problems
                    .iter()
                    .filter(|problem| problem.field == name && (show_missing || problem.code != MISSING))
                    .map(|problem| problem.message.clone())
                    .collect(),
                Ok(_) => Vec::new(),
            });
            if !own.is_empty() {
                return Some(own.join(" "));
            }
            error.with(|error| error.as_ref().and_then(|error| server_field_message(error, name)))
        })
    };

    let required_approver = Memo::new(move |_| evaluation.with(|e| e.as_ref().and_then(|e| e.required_approver)));
    let has_errors = Memo::new(move |_| evaluation.with(|e| e.as_ref().is_some_and(Evaluation::has_errors)));
    let sends_for_approval = Memo::new(move |_| needs_approval(role, required_approver.get()));

    let banner_message = move || {
        if blocked.get() {
            return Some("The plan cannot be saved yet. Correct the errors marked at the fields.".to_string());
        }
        error.with(|error| {
            let error = error.as_ref()?;
            let other_fields: Vec<String> = error
                .field_errors()
                .iter()
                .filter(|problem| !is_form_field(&problem.field))
                .map(|problem| as_sentence(&problem.message))
                .collect();
            Some(if error.field_errors().is_empty() {
                format!("The plan was not saved. {}", error.message())
            } else if other_fields.is_empty() {
                "The plan was not saved. Correct the fields marked below and save it again.".to_string()
            } else {
                format!("The plan was not saved. {}", other_fields.join(" "))
            })
        })
    };

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if saving.get_untracked() {
            return;
        }
        show_missing.set(true);
        error.set(None);
        let terms: PlanTerms = match terms.get_untracked() {
            Ok(terms) => terms,
            Err(problems) => {
                if let Some(first) = problems.first() {
                    focus_element(input_id(&first.field));
                }
                return;
            }
        };
        let first_error = evaluation.with_untracked(|evaluation| {
            evaluation
                .as_ref()
                .and_then(|e| e.findings.iter().find(|finding| finding.severity == Severity::Error).map(|f| f.field.clone()))
        });
        if let Some(field_name) = first_error {
            blocked.set(true);
            focus_element(input_id(&field_name));
            return;
        }
        let note_text = note.get_untracked().trim().to_string();
        // Without the policy the need for approval is unknown, so the server decides.
        let note_required = sends_for_approval.get_untracked() && evaluation.with_untracked(Option::is_some);
        note_missing.set(note_required && note_text.is_empty());
        if note_missing.get_untracked() {
            focus_element(input_id(field::NOTE));
            return;
        }

        let request = CreatePlanRequest {
            terms,
            note: (!note_text.is_empty()).then_some(note_text),
            replaces_plan_id: replacing.with_untracked(|plan| plan.as_ref().map(|plan| plan.id)),
        };
        saving.set(true);
        spawn_local(async move {
            match api::create_plan(account_id, &request).await {
                Ok(plan) => {
                    draft.try_set(PlanDraft::starting(today));
                    note.try_set(String::new());
                    show_missing.try_set(false);
                    replacing.try_set(None);
                    on_saved.run(plan);
                }
                Err(failure) => {
                    if let Some(first) = failure.field_errors().iter().find(|problem| is_form_field(&problem.field)) {
                        let bare = first.field.strip_prefix("terms.").unwrap_or(&first.field).to_string();
                        request_animation_frame(move || focus_element(input_id(&bare)));
                    }
                    error.try_set(Some(failure));
                }
            }
            saving.try_set(false);
        });
    };

    let kind_message = message_for(field::KIND);
    let frequency_message = message_for(field::FREQUENCY);
    let start_date_message = message_for(field::START_DATE);
    let count_message = message_for(field::INSTALMENT_COUNT);
    let down_payment_message = message_for(field::DOWN_PAYMENT);
    let settlement_message = message_for(field::SETTLEMENT_AMOUNT);
    let note_message = message_for(field::NOTE);
    let aria_invalid = |message: Signal<Option<String>>| move || message.get().is_some().to_string();
    let is_settlement = move || draft.with(|draft| draft.kind == PlanKind::Settlement);

    let renegotiation = move || {
        replacing.get().map(|plan| {
            view! {
                <div class="banner banner-info" id="plan-renegotiating">
                    {format!(
                        "Renegotiating the plan made on {} ({}). Saving closes it as renegotiated. ",
                        format_date(plan.created_at.date_naive()),
                        plan.status.label().to_lowercase(),
                    )}
                    <button type="button" class="secondary" id="plan-renegotiate-stop" on:click=move |_| replacing.set(None)>
                        "Stop renegotiating"
                    </button>
                </div>
            }
        })
    };

    let policy_status = move || {
        policy.with(|policy| match policy {
            None => Some(view! { <p class="hint">"Loading the creditor's repayment policy\u{2026}"</p> }.into_any()),
            Some(Err(error)) => Some(
                view! {
                    <ErrorBanner
                        message=format!(
                            "The creditor's repayment policy could not be loaded, so the terms are checked only when you save. {}",
                            error.message(),
                        )
                        id="plan-policy-error"
                    />
                }
                .into_any(),
            ),
            Some(Ok(_)) => None,
        })
    };

    let discount = move || {
        let settlement = terms.with(|terms| terms.as_ref().ok().and_then(|terms| terms.settlement_amount))?;
        let balance = balance.get();
        let discount = balance - settlement;
        let share = share_text(discount, balance).map(|share| format!(" ({share} of the balance)")).unwrap_or_default();
        Some(view! {
            <p class="hint" id="plan-discount">
                "Discount: " <MoneyAmount amount=discount currency=currency /> {share}
            </p>
        })
    };

    let outlook = move || {
        if has_errors.get() {
            return Some(view! {
                <p class="plan-outlook blocked" id="plan-approval" data-required-approver="">
                    "The terms break a rule that no approval can lift; correct the fields marked in red."
                </p>
            }
            .into_any());
        }
        evaluation.with(Option::is_some).then(|| {
            let required = required_approver.get();
            view! {
                <p
                    class="plan-outlook"
                    class:needs-approval=move || sends_for_approval.get()
                    id="plan-approval"
                    data-required-approver=required.map(|role| role.as_str()).unwrap_or_default()
                >
                    {approval_outlook(role, required)}
                </p>
            }
            .into_any()
        })
    };

    let preview = move || match (evaluation.get(), terms.with(Result::is_ok)) {
        (Some(Evaluation { schedule: Some(schedule), .. }), _) => {
            view! { <ScheduleTable schedule=schedule currency=currency /> }.into_any()
        }
        (Some(_), _) => view! { <p class="muted">"No schedule while the terms have errors."</p> }.into_any(),
        (None, false) => view! { <p class="muted">"Fill in the terms to see the schedule."</p> }.into_any(),
        (None, true) => view! { <p class="muted">"The schedule appears once the policy has loaded."</p> }.into_any(),
    };

    let save_label = move || {
        if saving.get() {
            "Saving\u{2026}"
        } else if sends_for_approval.get() && !has_errors.get() {
            "Send for approval"
        } else {
            "Save plan"
        }
    };

    view! {
        {renegotiation}
        {policy_status}
        <div class="plan-layout">
            <form class="plan-form" on:submit=on_submit novalidate=true>
                {move || banner_message().map(|message| view! { <ErrorBanner message=message id="plan-error" /> })}
                <p class="hint" id="plan-balance">
                    "Balance: " {move || view! { <MoneyAmount amount=balance.get() currency=currency /> }}
                </p>
                <div class="field-row">
                    <DesignerField name=field::KIND label="Kind" message=kind_message findings=findings_for(field::KIND)>
                        <select
                            id="plan-kind"
                            aria-describedby="plan-kind-error plan-kind-findings"
                            aria-invalid=aria_invalid(kind_message)
                            on:change=move |event| {
                                let chosen = PlanKind::parse(&event_target_value(&event)).unwrap_or(PlanKind::Instalment);
                                edit(&|draft| draft.kind = chosen);
                            }
                        >
                            {[PlanKind::Instalment, PlanKind::Settlement]
                                .into_iter()
                                .map(|choice| {
                                    view! {
                                        <option
                                            value=choice.as_str()
                                            prop:selected=move || draft.with(|draft| draft.kind == choice)
                                        >
                                            {kind_label(choice)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </DesignerField>
                    <DesignerField
                        name=field::FREQUENCY
                        label="Frequency"
                        message=frequency_message
                        findings=findings_for(field::FREQUENCY)
                    >
                        <select
                            id="plan-frequency"
                            aria-describedby="plan-frequency-error plan-frequency-findings"
                            aria-invalid=aria_invalid(frequency_message)
                            on:change=move |event| {
                                let chosen = Frequency::parse(&event_target_value(&event)).unwrap_or(Frequency::Monthly);
                                edit(&|draft| draft.frequency = chosen);
                            }
                        >
                            {Frequency::ALL
                                .into_iter()
                                .map(|choice| {
                                    view! {
                                        <option
                                            value=choice.as_str()
                                            prop:selected=move || draft.with(|draft| draft.frequency == choice)
                                        >
                                            {choice.label()}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </DesignerField>
                </div>
                <div class="field-row">
                    <DesignerField
                        name=field::START_DATE
                        label="Start date"
                        message=start_date_message
                        findings=findings_for(field::START_DATE)
                        hint="A down payment is due on this day; instalment 1 one period later."
                    >
                        <input
                            id="plan-start-date"
                            type="date"
                            aria-describedby="plan-start-date-hint plan-start-date-error plan-start-date-findings"
                            aria-invalid=aria_invalid(start_date_message)
                            prop:value=move || draft.with(|draft| draft.start_date.clone())
                            on:input=move |event| {
                                let text = event_target_value(&event);
                                edit(&|draft| draft.start_date = text.clone());
                            }
                        />
                    </DesignerField>
                    <DesignerField
                        name=field::INSTALMENT_COUNT
                        label="Number of instalments"
                        message=count_message
                        findings=findings_for(field::INSTALMENT_COUNT)
                    >
                        <input
                            id="plan-instalment-count"
                            type="text"
                            inputmode="numeric"
                            autocomplete="off"
                            aria-describedby="plan-instalment-count-error plan-instalment-count-findings"
                            aria-invalid=aria_invalid(count_message)
                            prop:value=move || draft.with(|draft| draft.instalment_count.clone())
                            on:input=move |event| {
                                let text = event_target_value(&event);
                                edit(&|draft| draft.instalment_count = text.clone());
                            }
                        />
                    </DesignerField>
                </div>
                <div class="field-row">
                    <DesignerField
                        name=field::DOWN_PAYMENT
                        label=format!("Down payment ({}, optional)", currency.code())
                        message=down_payment_message
                        findings=findings_for(field::DOWN_PAYMENT)
                    >
                        <input
                            id="plan-down-payment"
                            type="text"
                            inputmode="decimal"
                            autocomplete="off"
                            aria-describedby="plan-down-payment-error plan-down-payment-findings"
                            aria-invalid=aria_invalid(down_payment_message)
                            prop:value=move || draft.with(|draft| draft.down_payment.clone())
                            on:input=move |event| {
                                let text = event_target_value(&event);
                                edit(&|draft| draft.down_payment = text.clone());
                            }
                        />
                    </DesignerField>
                    <Show when=is_settlement>
                        <DesignerField
                            name=field::SETTLEMENT_AMOUNT
                            label=format!("Settlement amount ({})", currency.code())
                            message=settlement_message
                            findings=findings_for(field::SETTLEMENT_AMOUNT)
                            hint="The total the debtor pays, down payment included."
                        >
                            <input
                                id="plan-settlement-amount"
                                type="text"
                                inputmode="decimal"
                                autocomplete="off"
                                aria-describedby="plan-settlement-amount-hint plan-settlement-amount-error plan-settlement-amount-findings"
                                aria-invalid=aria_invalid(settlement_message)
                                prop:value=move || draft.with(|draft| draft.settlement_amount.clone())
                                on:input=move |event| {
                                    let text = event_target_value(&event);
                                    edit(&|draft| draft.settlement_amount = text.clone());
                                }
                            />
                        </DesignerField>
                    </Show>
                </div>
                {discount}
                <FindingList findings=other_findings />
                <DesignerField
                    name=field::NOTE
                    label="Note (required when the plan needs approval)"
                    message=note_message
                    findings=findings_for(field::NOTE)
                >
                    <textarea
                        id="plan-note"
                        rows="2"
                        maxlength=NOTE_MAX_CHARS.to_string()
                        aria-describedby="plan-note-error"
                        aria-invalid=aria_invalid(note_message)
                        prop:value=move || note.get()
                        on:input=move |event| {
                            note.set(event_target_value(&event));
                            note_missing.set(false);
                        }
                    ></textarea>
                </DesignerField>
                {outlook}
                <button type="submit" id="plan-save" class="primary" disabled=move || saving.get()>
                    {save_label}
                </button>
            </form>
            <div class="plan-preview">
                <h3>"Schedule"</h3>
                {preview}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::{ErrorBody, FieldError};

    fn rejection(fields: Vec<FieldError>) -> ApiError {
        ApiError::Server {
            status: 400,
            error: ErrorBody { code: "validation_failed".to_string(), message: "invalid".to_string(), fields },
        }
    }

    #[test]
    fn server_message_found_with_or_without_prefix() {
        let error = rejection(vec![
            FieldError::new("terms.instalment_count", "invalid", "too many instalments"),
            FieldError::new("note", "required", "note is missing"),
        ]);
        assert_eq!(server_field_message(&error, "instalment_count").as_deref(), Some("Too many instalments."));
        assert_eq!(server_field_message(&error, "note").as_deref(), Some("Note is missing."));
        assert_eq!(server_field_message(&error, "down_payment"), None);
    }

    #[test]
    fn form_fields_include_prefixed_names() {
        assert!(is_form_field("terms.settlement_amount"));
        assert!(is_form_field("note"));
        assert!(!is_form_field("replaces_plan_id"));
    }
}
