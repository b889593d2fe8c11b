//! Policy findings shown beside the designer's fields and in the approval queue.

use leptos::prelude::*;
use shared::plans::{Finding, FindingCode, Severity};

use super::draft::field;
use crate::api::as_sentence;

fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "finding finding-error",
        Severity::Approval => "finding finding-approval",
    }
}

fn severity_text(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Approval => "approval",
    }
}

/// Returns the stable snake_case code, such as `term_too_long`, as the API sends it.
fn code_text(code: FindingCode) -> String {
    serde_json::to_value(code).ok().and_then(|value| value.as_str().map(str::to_string)).unwrap_or_default()
}

/// Returns the findings that no designer field shows, such as one about the balance.
pub fn unplaced(findings: &[Finding]) -> Vec<Finding> {
    findings.iter().filter(|finding| !field::ALL.contains(&finding.field.as_str())).cloned().collect()
}

fn finding_item(finding: Finding) -> impl IntoView {
    view! {
        <li
            class=severity_class(finding.severity)
            data-finding-field=finding.field.clone()
            data-finding-code=code_text(finding.code)
            data-finding-severity=severity_text(finding.severity)
        >
            {as_sentence(&finding.message)}
        </li>
    }
}

/// Renders findings as a list of sentences, or nothing when there are none.
/// Errors and findings that need approval have their own colours.
#[component]
pub fn FindingList(#[prop(into)] findings: Signal<Vec<Finding>>) -> impl IntoView {
    move || {
        let list = findings.get();
        (!list.is_empty()).then(|| {
            view! { <ul class="findings">{list.into_iter().map(finding_item).collect_view()}</ul> }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(field_name: &str) -> Finding {
        Finding {
            field: field_name.to_string(),
            code: FindingCode::NothingOwed,
            severity: Severity::Error,
            message: "message".to_string(),
            approver: None,
        }
    }

    #[test]
    fn code_text_is_wire_spelling() {
        assert_eq!(code_text(FindingCode::DiscountAboveAssistantLimit), "discount_above_assistant_limit");
    }

    #[test]
    fn only_findings_without_field_are_unplaced() {
        let findings = vec![finding("instalment_count"), finding("balance"), finding("settlement_amount")];
        let fields: Vec<String> = unplaced(&findings).into_iter().map(|finding| finding.field).collect();
        assert_eq!(fields, ["balance"]);
    }
}
