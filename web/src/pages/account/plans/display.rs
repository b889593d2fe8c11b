//! Plans as the pages show them: status badges, term summaries, discount
//! shares and who approves. The approval page uses these too.

use leptos::prelude::*;
use shared::plans::policy::may_approve;
use shared::plans::{Frequency, InstalmentDto, InstalmentStatus, PlanKind, PlanStatus, PlanTerms};
use shared::money::format_minor_units;
use shared::users::Role;
use shared::Currency;

use crate::components::format_date;

/// Describes how often instalments fall due, for use inside a sentence.
pub fn frequency_phrase(frequency: Frequency) -> &'static str {
    match frequency {
        Frequency::Weekly => "weekly",
        Frequency::Fortnightly => "every two weeks",
        Frequency::Monthly => "monthly",
    }
}

fn money_text(amount: i64, currency: Currency) -> String {
    format_minor_units(amount, currency, '.', ',')
}

/// Summarises terms in one line, such as `Settlement of USD 1,200.00:
/// 6 instalments monthly from 4 Dec 2026, down payment USD 100.00`.
pub fn terms_summary(terms: &PlanTerms, currency: Currency) -> String {
    let count = match terms.instalment_count {
        1 => "1 instalment".to_string(),
        count => format!("{count} instalments"),
    };
    let mut summary = format!("{count} {} from {}", frequency_phrase(terms.frequency), format_date(terms.start_date));
    if terms.down_payment > 0 {
        summary.push_str(&format!(", down payment {}", money_text(terms.down_payment, currency)));
    }
    match (terms.kind, terms.settlement_amount) {
        (PlanKind::Settlement, Some(amount)) => format!("Settlement of {}: {summary}", money_text(amount, currency)),
        (PlanKind::Settlement, None) => format!("Settlement: {summary}"),
        (PlanKind::Instalment, _) => format!("Instalment plan: {summary}"),
    }
}

/// Formats `part` as a percentage of `whole` with one decimal, rounded
/// down, such as `22.8%`. Returns `None` when `whole` is not positive.
pub fn share_text(part: i64, whole: i64) -> Option<String> {
    if whole <= 0 {
        return None;
    }
    let tenths = i128::from(part) * 1000 / i128::from(whole);
    Some(format!("{}.{}%", tenths / 10, (tenths % 10).abs()))
}

/// Names who may approve a plan whose least approver is `required`, for use
/// inside a sentence.
pub fn approver_phrase(required: Role) -> &'static str {
    match required {
        Role::Admin => "an administrator",
        Role::Manager => "a manager or an administrator",
        Role::Assistant | Role::Collector => "any user",
    }
}

/// Says what saving terms with `required` as least approver does for a user
/// of `role`: start the plan at once, or send it for approval.
pub fn approval_outlook(role: Role, required: Option<Role>) -> String {
    match required {
        None => "Within the creditor's policy: the plan starts when you save it.".to_string(),
        Some(_) if may_approve(role, required) => {
            "Outside the creditor's policy, but within what your role may grant: the plan starts when you save it.".to_string()
        }
        Some(required) => format!(
            "Needs approval by {}: saving sends the plan for approval. Explain the terms in the note.",
            approver_phrase(required)
        ),
    }
}

/// Returns whether saving the terms sends the plan for approval, which makes the note required.
pub fn needs_approval(role: Role, required: Option<Role>) -> bool {
    !may_approve(role, required)
}

fn plan_status_class(status: PlanStatus) -> &'static str {
    match status {
        PlanStatus::PendingApproval => "badge plan-pending",
        PlanStatus::OnTrack | PlanStatus::Completed => "badge plan-good",
        PlanStatus::InArrears => "badge plan-warn",
        PlanStatus::Broken | PlanStatus::Rejected => "badge plan-bad",
        PlanStatus::Cancelled | PlanStatus::Renegotiated => "badge plan-closed",
    }
}

#[component]
pub fn PlanStatusBadge(status: PlanStatus) -> impl IntoView {
    view! { <span class=plan_status_class(status)>{status.label()}</span> }
}

/// Renders an instalment's status. A partly paid instalment whose grace days
/// have passed is marked as missed too.
#[component]
pub fn InstalmentStatusBadge(instalment: InstalmentDto) -> impl IntoView {
    let class = match instalment.status {
        InstalmentStatus::Paid => "badge plan-good",
        InstalmentStatus::Pending => "badge",
        InstalmentStatus::PartiallyPaid if instalment.missed => "badge plan-bad",
        InstalmentStatus::PartiallyPaid => "badge plan-warn",
        InstalmentStatus::Missed => "badge plan-bad",
    };
    let text = if instalment.status == InstalmentStatus::PartiallyPaid && instalment.missed {
        "Partly paid, missed"
    } else {
        instalment.status.label()
    };
    view! { <span class=class>{text}</span> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn terms(kind: PlanKind, settlement_amount: Option<i64>, down_payment: i64) -> PlanTerms {
        PlanTerms {
            kind,
            frequency: Frequency::Monthly,
            start_date: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
            instalment_count: 6,
            down_payment,
            settlement_amount,
        }
    }

    #[test]
    fn settlement_summary_names_amount_and_down_payment() {
        let summary = terms_summary(&terms(PlanKind::Settlement, Some(120_000), 10_000), Currency::usd());
        assert_eq!(
            summary,
            "Settlement of USD 1,200.00: 6 instalments monthly from 4 Dec 2026, down payment USD 100.00"
        );
    }

    #[test]
    fn instalment_summary_without_down_payment() {
        let mut plan = terms(PlanKind::Instalment, None, 0);
        plan.instalment_count = 1;
        plan.frequency = Frequency::Fortnightly;
        assert_eq!(
            terms_summary(&plan, Currency::usd()),
            "Instalment plan: 1 instalment every two weeks from 4 Dec 2026"
        );
    }

    #[test]
    fn share_rounds_down_to_tenth() {
        assert_eq!(share_text(35_550, 155_550).as_deref(), Some("22.8%"));
        assert_eq!(share_text(0, 100).as_deref(), Some("0.0%"));
        assert_eq!(share_text(100, 100).as_deref(), Some("100.0%"));
    }

    #[test]
    fn share_of_nothing_is_absent() {
        assert_eq!(share_text(5, 0), None);
    }

    #[test]
    fn assistant_needs_manager_for_discount() {
        assert!(needs_approval(Role::Assistant, Some(Role::Manager)));
        assert_eq!(
            approval_outlook(Role::Assistant, Some(Role::Manager)),
            "Needs approval by a manager or an administrator: saving sends the plan for approval. Explain the terms in the note."
        );
    }

    #[test]
    fn manager_grants_own_limit() {
        assert!(!needs_approval(Role::Manager, Some(Role::Manager)));
        assert!(needs_approval(Role::Manager, Some(Role::Admin)));
        assert!(!needs_approval(Role::Collector, None));
    }
}
