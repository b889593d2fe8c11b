//! Tests of `shared::plans::policy`: policy validation, the helper rules
//! and every finding of `evaluate`.

use chrono::NaiveDate;
use proptest::prelude::*;
use shared::plans::policy::{
    check_policy, discount_exceeds, evaluate, format_bp, max_discount_for, max_months_for, min_instalment_for, required_down_payment,
    Evaluation, FindingCode, RepaymentPolicy, Severity, TermBand, MAX_INSTALMENTS,
};
use shared::plans::{Frequency, PlanKind, PlanTerms};
use shared::users::Role;
use shared::Currency;

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("test dates are valid")
}

fn usd() -> Currency {
    Currency::usd()
}

const TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2024, 1, 31) {
    Some(day) => day,
    None => panic!("2024-01-31 is a date"),
};

fn instalment_terms(count: u32) -> PlanTerms {
    PlanTerms {
        kind: PlanKind::Instalment,
        frequency: Frequency::Monthly,
        start_date: TODAY,
        instalment_count: count,
        down_payment: 0,
        settlement_amount: None,
    }
}

fn settlement_terms(amount: i64) -> PlanTerms {
    PlanTerms { kind: PlanKind::Settlement, settlement_amount: Some(amount), ..instalment_terms(1) }
}

fn codes(evaluation: &Evaluation) -> Vec<FindingCode> {
    evaluation.findings.iter().map(|finding| finding.code).collect()
}

fn fields_with_errors(policy: &RepaymentPolicy) -> Vec<String> {
    check_policy(policy).into_iter().map(|error| error.field).collect()
}

// ------------------------------------------------------------ check_policy

#[test]
fn check_policy_accepts_default() {
    assert_eq!(check_policy(&RepaymentPolicy::default()), vec![]);
}

#[test]
fn check_policy_accepts_limits() {
    let policy = RepaymentPolicy {
        min_instalment: 1_000_000_000_000_000,
        min_instalment_share_bp: 10_000,
        down_payment_share_bp: 10_000,
        annual_rate_bp: 10_000,
        interest_during_plan: true,
        assistant_max_discount_bp: 10_000,
        manager_max_discount_bp: 10_000,
        term_bands: vec![TermBand { up_to_balance: None, max_months: 120 }],
        frequencies: vec![Frequency::Weekly],
        grace_days: 60,
        missed_to_break: 12,
    };
    assert_eq!(check_policy(&policy), vec![]);
    let lowest = RepaymentPolicy {
        min_instalment: 0,
        grace_days: 0,
        missed_to_break: 1,
        term_bands: vec![TermBand { up_to_balance: None, max_months: 1 }],
        ..RepaymentPolicy::default()
    };
    assert_eq!(check_policy(&lowest), vec![]);
}

#[test]
fn check_policy_rejects_amounts_and_shares() {
    let cases: Vec<(RepaymentPolicy, &str)> = vec![
        (RepaymentPolicy { min_instalment: -1, ..Default::default() }, "min_instalment"),
        (RepaymentPolicy { min_instalment: 1_000_000_000_000_001, ..Default::default() }, "min_instalment"),
        (RepaymentPolicy { min_instalment_share_bp: 10_001, ..Default::default() }, "min_instalment_share_bp"),
        (RepaymentPolicy { down_payment_share_bp: 10_001, ..Default::default() }, "down_payment_share_bp"),
        (RepaymentPolicy { annual_rate_bp: 10_001, ..Default::default() }, "annual_rate_bp"),
        (
            RepaymentPolicy { assistant_max_discount_bp: 10_001, manager_max_discount_bp: 10_001, ..Default::default() },
            "assistant_max_discount_bp",
        ),
        (RepaymentPolicy { manager_max_discount_bp: 10_001, ..Default::default() }, "manager_max_discount_bp"),
        (RepaymentPolicy { missed_to_break: 0, ..Default::default() }, "missed_to_break"),
        (RepaymentPolicy { missed_to_break: 13, ..Default::default() }, "missed_to_break"),
        (RepaymentPolicy { grace_days: 61, ..Default::default() }, "grace_days"),
        (RepaymentPolicy { interest_during_plan: true, annual_rate_bp: 0, ..Default::default() }, "annual_rate_bp"),
    ];
    for (policy, field) in cases {
        let fields = fields_with_errors(&policy);
        assert!(fields.contains(&field.to_string()), "{field} should be rejected, got {fields:?}");
    }
}

#[test]
fn check_policy_manager_discount_not_below_assistant() {
    let below = RepaymentPolicy { assistant_max_discount_bp: 2_000, manager_max_discount_bp: 1_999, ..Default::default() };
    assert_eq!(fields_with_errors(&below), vec!["manager_max_discount_bp"]);
    let equal = RepaymentPolicy { assistant_max_discount_bp: 2_000, manager_max_discount_bp: 2_000, ..Default::default() };
    assert_eq!(check_policy(&equal), vec![]);
}

#[test]
fn check_policy_interest_needs_rate() {
    let with_rate = RepaymentPolicy { interest_during_plan: true, annual_rate_bp: 1, ..Default::default() };
    assert_eq!(check_policy(&with_rate), vec![]);
    let rate_without_interest = RepaymentPolicy { interest_during_plan: false, annual_rate_bp: 500, ..Default::default() };
    assert_eq!(check_policy(&rate_without_interest), vec![]);
}

#[test]
fn check_policy_frequencies() {
    let empty = RepaymentPolicy { frequencies: vec![], ..Default::default() };
    assert_eq!(fields_with_errors(&empty), vec!["frequencies"]);
    let repeated =
        RepaymentPolicy { frequencies: vec![Frequency::Weekly, Frequency::Monthly, Frequency::Weekly], ..Default::default() };
    assert_eq!(fields_with_errors(&repeated), vec!["frequencies[2]"]);
    assert_eq!(check_policy(&repeated)[0].code, "duplicate");
}

#[test]
fn check_policy_term_bands() {
    let band = |up_to_balance: Option<i64>, max_months: u32| TermBand { up_to_balance, max_months };
    let cases: Vec<(Vec<TermBand>, Vec<&str>)> = vec![
        (vec![], vec!["term_bands"]),
        (vec![band(Some(100), 12)], vec!["term_bands[0].up_to_balance"]),
        (vec![band(None, 12), band(None, 24)], vec!["term_bands[0].up_to_balance"]),
        (vec![band(Some(0), 12), band(None, 24)], vec!["term_bands[0].up_to_balance"]),
        (vec![band(Some(-5), 12), band(None, 24)], vec!["term_bands[0].up_to_balance"]),
        (vec![band(Some(500), 12), band(Some(500), 24), band(None, 36)], vec!["term_bands[1].up_to_balance"]),
        (vec![band(Some(500), 12), band(Some(400), 24), band(None, 36)], vec!["term_bands[1].up_to_balance"]),
        (vec![band(Some(500), 0), band(None, 121)], vec!["term_bands[0].max_months", "term_bands[1].max_months"]),
    ];
    for (bands, expected) in cases {
        let policy = RepaymentPolicy { term_bands: bands.clone(), ..Default::default() };
        assert_eq!(fields_with_errors(&policy), expected, "bands {bands:?}");
    }
}

#[test]
fn check_policy_messages_name_value_and_fix() {
    let policy = RepaymentPolicy { grace_days: 75, ..Default::default() };
    let errors = check_policy(&policy);
    assert_eq!(errors[0].message, "grace_days 75 is above 60; use 0 to 60 days");
}

// ----------------------------------------------------------------- helpers

#[test]
fn min_instalment_share_rounds_up() {
    let policy = RepaymentPolicy { min_instalment: 0, min_instalment_share_bp: 200, ..Default::default() };
    // 2% of 10001 is 200.02, which rounds up to 201.
    assert_eq!(min_instalment_for(&policy, 10_001), 201);
    assert_eq!(min_instalment_for(&policy, 10_000), 200);
    assert_eq!(min_instalment_for(&policy, 1), 1);
    assert_eq!(min_instalment_for(&policy, 0), 0);
}

#[test]
fn min_instalment_takes_larger_rule() {
    let policy = RepaymentPolicy::default();
    assert_eq!(min_instalment_for(&policy, 100_000), 2_500);
    assert_eq!(min_instalment_for(&policy, 1_000_000), 20_000);
}

#[test]
fn max_months_band_boundaries() {
    let policy = RepaymentPolicy::default();
    assert_eq!(max_months_for(&policy, 1), 12);
    assert_eq!(max_months_for(&policy, 100_000), 12);
    assert_eq!(max_months_for(&policy, 100_001), 36);
    assert_eq!(max_months_for(&policy, 1_000_000), 36);
    assert_eq!(max_months_for(&policy, 1_000_001), 60);
    assert_eq!(max_months_for(&policy, i64::MAX), 60);
}

#[test]
fn max_months_without_open_band_uses_last() {
    let policy = RepaymentPolicy { term_bands: vec![TermBand { up_to_balance: Some(10), max_months: 3 }], ..Default::default() };
    assert_eq!(max_months_for(&policy, 11), 3);
    let none = RepaymentPolicy { term_bands: vec![], ..Default::default() };
    assert_eq!(max_months_for(&none, 11), 0);
}

#[test]
fn required_down_payment_rounds_up() {
    let policy = RepaymentPolicy { down_payment_share_bp: 1_250, ..Default::default() };
    assert_eq!(required_down_payment(&policy, 1_000), 125);
    // 12.5% of 1001 is 125.125, which rounds up to 126.
    assert_eq!(required_down_payment(&policy, 1_001), 126);
    assert_eq!(required_down_payment(&RepaymentPolicy::default(), 1_000), 0);
}

#[test]
fn discount_comparison_is_exact() {
    // 10% of 999 is 99.9: a discount of 99 is within it and 100 is not.
    assert!(!discount_exceeds(999, 99, 1_000));
    assert!(discount_exceeds(999, 100, 1_000));
    assert_eq!(max_discount_for(999, 1_000), 99);
    assert!(!discount_exceeds(1_000, 100, 1_000));
    assert!(discount_exceeds(1_000, 101, 1_000));
    assert!(!discount_exceeds(i64::MAX, i64::MAX, 10_000));
}

#[test]
fn format_bp_exact_percentages() {
    assert_eq!(format_bp(1_250), "12.5%");
    assert_eq!(format_bp(1_000), "10%");
    assert_eq!(format_bp(5), "0.05%");
    assert_eq!(format_bp(1_234), "12.34%");
    assert_eq!(format_bp(10_000), "100%");
    assert_eq!(format_bp(0), "0%");
}

// ----------------------------------------------------------- evaluate: ok

#[test]
fn evaluate_clean_instalment_plan() {
    let evaluation = evaluate(&RepaymentPolicy::default(), 100_000, usd(), &instalment_terms(10), TODAY);
    assert_eq!(evaluation.findings, vec![]);
    assert_eq!(evaluation.required_approver, None);
    let schedule = evaluation.schedule.expect("valid terms have a schedule");
    assert_eq!(schedule.amount_financed, 100_000);
    assert_eq!(schedule.annual_rate_bp, 0);
    assert_eq!(schedule.instalments.len(), 10);
}

#[test]
fn evaluate_charges_interest_only_when_policy_says() {
    let with_interest = RepaymentPolicy { interest_during_plan: true, annual_rate_bp: 1_200, ..Default::default() };
    let evaluation = evaluate(&with_interest, 100_000, usd(), &instalment_terms(10), TODAY);
    let schedule = evaluation.schedule.unwrap();
    assert_eq!(schedule.annual_rate_bp, 1_200);
    assert!(schedule.total_interest > 0);

    let rate_off = RepaymentPolicy { interest_during_plan: false, annual_rate_bp: 1_200, ..Default::default() };
    let schedule = evaluate(&rate_off, 100_000, usd(), &instalment_terms(10), TODAY).schedule.unwrap();
    assert_eq!(schedule.total_interest, 0);
}

#[test]
fn evaluate_settlement_has_no_interest() {
    let policy = RepaymentPolicy { interest_during_plan: true, annual_rate_bp: 1_200, ..Default::default() };
    let terms = PlanTerms { instalment_count: 3, down_payment: 10_000, ..settlement_terms(95_000) };
    let evaluation = evaluate(&policy, 100_000, usd(), &terms, TODAY);
    let schedule = evaluation.schedule.unwrap();
    assert_eq!(schedule.amount_financed, 85_000);
    assert_eq!(schedule.total_interest, 0);
    assert_eq!(schedule.total_to_pay, 95_000);
}

// -------------------------------------------------------- evaluate: errors

fn assert_single_error(evaluation: &Evaluation, field: &str, code: FindingCode) {
    assert_eq!(codes(evaluation), vec![code], "findings: {:?}", evaluation.findings);
    let finding = &evaluation.findings[0];
    assert_eq!(finding.field, field);
    assert_eq!(finding.severity, Severity::Error);
    assert_eq!(finding.approver, None);
    assert!(evaluation.schedule.is_none());
    assert!(evaluation.has_errors());
}

#[test]
fn evaluate_nothing_owed() {
    for balance in [0, -500] {
        let evaluation = evaluate(&RepaymentPolicy::default(), balance, usd(), &instalment_terms(3), TODAY);
        assert_single_error(&evaluation, "kind", FindingCode::NothingOwed);
    }
}

#[test]
fn evaluate_instalment_count_out_of_range() {
    for count in [0, MAX_INSTALMENTS + 1] {
        let evaluation = evaluate(&RepaymentPolicy::default(), 100_000, usd(), &instalment_terms(count), TODAY);
        assert_single_error(&evaluation, "instalment_count", FindingCode::InstalmentCountInvalid);
    }
}

#[test]
fn evaluate_start_date_limits() {
    let policy = RepaymentPolicy::default();
    let at = |start_date| PlanTerms { start_date, ..instalment_terms(3) };

    let past = evaluate(&policy, 100_000, usd(), &at(date(2024, 1, 30)), TODAY);
    assert_single_error(&past, "start_date", FindingCode::StartDateInPast);

    // 90 days after 31 January 2024 is 30 April 2024.
    let latest = evaluate(&policy, 100_000, usd(), &at(date(2024, 4, 30)), TODAY);
    assert_eq!(latest.findings, vec![]);
    let too_far = evaluate(&policy, 100_000, usd(), &at(date(2024, 5, 1)), TODAY);
    assert_single_error(&too_far, "start_date", FindingCode::StartDateTooFar);
}

#[test]
fn evaluate_down_payment_invalid() {
    let policy = RepaymentPolicy::default();
    let with_down = |down_payment| PlanTerms { down_payment, ..instalment_terms(3) };
    for down in [-1, 100_000, 100_001] {
        let evaluation = evaluate(&policy, 100_000, usd(), &with_down(down), TODAY);
        assert_single_error(&evaluation, "down_payment", FindingCode::DownPaymentInvalid);
    }
    let largest = PlanTerms { down_payment: 99_999, ..instalment_terms(1) };
    assert_eq!(evaluate(&policy, 100_000, usd(), &largest, TODAY).findings, vec![]);

    let settlement = PlanTerms { down_payment: 90_000, ..settlement_terms(90_000) };
    let evaluation = evaluate(&policy, 100_000, usd(), &settlement, TODAY);
    assert_single_error(&evaluation, "down_payment", FindingCode::DownPaymentInvalid);
}

#[test]
fn evaluate_settlement_amount_errors() {
    let policy = RepaymentPolicy::default();

    let missing = PlanTerms { settlement_amount: None, ..settlement_terms(0) };
    assert_single_error(&evaluate(&policy, 100_000, usd(), &missing, TODAY), "settlement_amount", FindingCode::SettlementAmountMissing);

    let not_allowed = PlanTerms { settlement_amount: Some(50_000), ..instalment_terms(3) };
    assert_single_error(
        &evaluate(&policy, 100_000, usd(), &not_allowed, TODAY),
        "settlement_amount",
        FindingCode::SettlementAmountNotAllowed,
    );

    for amount in [0, -1, 100_000, 100_001] {
        let evaluation = evaluate(&policy, 100_000, usd(), &settlement_terms(amount), TODAY);
        assert_single_error(&evaluation, "settlement_amount", FindingCode::SettlementAmountInvalid);
    }
}

#[test]
fn evaluate_unbuildable_schedule_is_error() {
    // 5 cents over 10 instalments is less than a cent each.
    let evaluation = evaluate(&RepaymentPolicy::default(), 5, usd(), &instalment_terms(10), TODAY);
    assert!(evaluation.schedule.is_none());
    let errors: Vec<_> = evaluation.findings.iter().filter(|finding| finding.severity == Severity::Error).collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "instalment_count");
    assert_eq!(errors[0].code, FindingCode::InstalmentCountInvalid);
    assert!(errors[0].message.contains("fewer instalments"), "{}", errors[0].message);
}

// ----------------------------------------------------- evaluate: approvals

fn assert_single_approval(evaluation: &Evaluation, field: &str, code: FindingCode, approver: Role) {
    assert_eq!(codes(evaluation), vec![code], "findings: {:?}", evaluation.findings);
    let finding = &evaluation.findings[0];
    assert_eq!(finding.field, field);
    assert_eq!(finding.severity, Severity::Approval);
    assert_eq!(finding.approver, Some(approver));
    assert_eq!(evaluation.required_approver, Some(approver));
    assert!(evaluation.schedule.is_some());
    assert!(!evaluation.has_errors());
}

#[test]
fn evaluate_frequency_not_allowed() {
    let policy = RepaymentPolicy { frequencies: vec![Frequency::Monthly, Frequency::Fortnightly], ..Default::default() };
    let terms = PlanTerms { frequency: Frequency::Weekly, ..instalment_terms(4) };
    let evaluation = evaluate(&policy, 100_000, usd(), &terms, TODAY);
    assert_single_approval(&evaluation, "frequency", FindingCode::FrequencyNotAllowed, Role::Manager);
    assert!(evaluation.findings[0].message.contains("monthly, fortnightly"), "{}", evaluation.findings[0].message);
}

#[test]
fn evaluate_instalment_below_minimum() {
    let policy = RepaymentPolicy::default();
    // USD 1,000.00 over 50 is USD 20.00, below the USD 25.00 minimum.
    let terms = PlanTerms { frequency: Frequency::Weekly, ..instalment_terms(50) };
    let evaluation = evaluate(&policy, 100_000, usd(), &terms, TODAY);
    assert_single_approval(&evaluation, "instalment_count", FindingCode::InstalmentBelowMinimum, Role::Manager);
    assert_eq!(
        evaluation.findings[0].message,
        "Instalments of USD 20.00 are below the minimum of USD 25.00 for this balance; pay at least USD 25.00 per instalment or ask a manager to approve"
    );

    let at_minimum = PlanTerms { frequency: Frequency::Weekly, ..instalment_terms(40) };
    assert_eq!(evaluate(&policy, 100_000, usd(), &at_minimum, TODAY).findings, vec![]);
}

#[test]
fn evaluate_minimum_judges_first_instalment() {
    let policy = RepaymentPolicy { min_instalment: 334, min_instalment_share_bp: 0, ..Default::default() };
    // 1000 over 3 is 333, 333, 334: the regular instalment 333 is below 334.
    let evaluation = evaluate(&policy, 1_000, usd(), &instalment_terms(3), TODAY);
    assert_eq!(codes(&evaluation), vec![FindingCode::InstalmentBelowMinimum]);

    let at = RepaymentPolicy { min_instalment: 333, ..policy };
    assert_eq!(evaluate(&at, 1_000, usd(), &instalment_terms(3), TODAY).findings, vec![]);
}

#[test]
fn evaluate_single_instalment_exempt_from_minimum() {
    let policy = RepaymentPolicy { min_instalment: 1_000_000, ..Default::default() };
    let evaluation = evaluate(&policy, 100, usd(), &instalment_terms(1), TODAY);
    assert_eq!(evaluation.findings, vec![]);
}

#[test]
fn evaluate_term_too_long() {
    let policy = RepaymentPolicy { min_instalment: 0, min_instalment_share_bp: 0, ..Default::default() };
    // A balance of USD 1,000.00 is in the 12-month band. Twelve monthly
    // instalments from 31 January end on 31 January a year later, exactly
    // 12 months after the start, which is allowed; thirteen are not.
    let at_limit = evaluate(&policy, 100_000, usd(), &instalment_terms(12), TODAY);
    assert_eq!(at_limit.findings, vec![]);
    assert_eq!(at_limit.schedule.unwrap().last_due_on, date(2025, 1, 31));

    let over = evaluate(&policy, 100_000, usd(), &instalment_terms(13), TODAY);
    assert_single_approval(&over, "instalment_count", FindingCode::TermTooLong, Role::Manager);
    assert!(over.findings[0].message.contains("2025-02-28"), "{}", over.findings[0].message);

    // 52 weeks from 31 January 2024 end on 29 January 2025, within 12 months.
    let weekly = PlanTerms { frequency: Frequency::Weekly, ..instalment_terms(52) };
    assert_eq!(evaluate(&policy, 100_000, usd(), &weekly, TODAY).findings, vec![]);
    let weekly_over = PlanTerms { frequency: Frequency::Weekly, ..instalment_terms(53) };
    assert_eq!(codes(&evaluate(&policy, 100_000, usd(), &weekly_over, TODAY)), vec![FindingCode::TermTooLong]);
}

#[test]
fn evaluate_down_payment_below_required() {
    let policy = RepaymentPolicy { down_payment_share_bp: 1_250, ..Default::default() };
    // 12.5% of USD 1,000.01 is USD 125.00125, so USD 125.01 is required.
    let below = PlanTerms { down_payment: 12_500, ..instalment_terms(3) };
    let evaluation = evaluate(&policy, 100_001, usd(), &below, TODAY);
    assert_single_approval(&evaluation, "down_payment", FindingCode::DownPaymentBelowRequired, Role::Manager);
    assert!(evaluation.findings[0].message.contains("USD 125.01 (12.5% of the balance)"), "{}", evaluation.findings[0].message);

    let enough = PlanTerms { down_payment: 12_501, ..instalment_terms(3) };
    assert_eq!(evaluate(&policy, 100_001, usd(), &enough, TODAY).findings, vec![]);
}

#[test]
fn evaluate_discount_thresholds() {
    // Default limits: an assistant 10%, a manager 30%. Balance USD 1,000.00.
    let policy = RepaymentPolicy::default();
    let balance = 100_000;
    let evaluate_at = |amount| evaluate(&policy, balance, usd(), &settlement_terms(amount), TODAY);

    assert_eq!(evaluate_at(90_000).findings, vec![], "exactly 10% is within the assistant's limit");

    let over_assistant = evaluate_at(89_999);
    assert_single_approval(&over_assistant, "settlement_amount", FindingCode::DiscountAboveAssistantLimit, Role::Manager);
    assert_eq!(
        over_assistant.findings[0].message,
        "A discount of USD 100.01 is above the 10% of the balance (USD 100.00) that an assistant may grant; settle for at least USD 900.00 or ask a manager to approve"
    );

    let at_manager = evaluate_at(70_000);
    assert_single_approval(&at_manager, "settlement_amount", FindingCode::DiscountAboveAssistantLimit, Role::Manager);

    let over_manager = evaluate_at(69_999);
    assert_single_approval(&over_manager, "settlement_amount", FindingCode::DiscountAboveManagerLimit, Role::Admin);
    assert!(over_manager.findings[0].message.contains("ask an administrator"), "{}", over_manager.findings[0].message);
}

#[test]
fn evaluate_discount_threshold_on_uneven_balance() {
    // 10% of 999 is 99.9, so a discount of 99 (settling for 900) is within
    // the limit and 100 (settling for 899) is one minor unit over.
    let policy = RepaymentPolicy { min_instalment: 0, ..Default::default() };
    assert_eq!(evaluate(&policy, 999, usd(), &settlement_terms(900), TODAY).findings, vec![]);
    let over = evaluate(&policy, 999, usd(), &settlement_terms(899), TODAY);
    assert_eq!(codes(&over), vec![FindingCode::DiscountAboveAssistantLimit]);
}

#[test]
fn evaluate_highest_approver_and_field_order() {
    let policy = RepaymentPolicy {
        frequencies: vec![Frequency::Monthly],
        down_payment_share_bp: 1_000,
        ..Default::default()
    };
    let terms = PlanTerms {
        kind: PlanKind::Settlement,
        frequency: Frequency::Weekly,
        start_date: TODAY,
        instalment_count: 60,
        down_payment: 0,
        settlement_amount: Some(50_000),
    };
    let evaluation = evaluate(&policy, 100_000, usd(), &terms, TODAY);
    assert_eq!(
        codes(&evaluation),
        vec![
            FindingCode::FrequencyNotAllowed,
            FindingCode::InstalmentBelowMinimum,
            FindingCode::TermTooLong,
            FindingCode::DownPaymentBelowRequired,
            FindingCode::DiscountAboveManagerLimit,
        ]
    );
    assert_eq!(evaluation.required_approver, Some(Role::Admin));
}

#[test]
fn evaluate_errors_listed_by_field() {
    let terms = PlanTerms {
        kind: PlanKind::Instalment,
        frequency: Frequency::Monthly,
        start_date: date(2023, 12, 1),
        instalment_count: 0,
        down_payment: -5,
        settlement_amount: Some(10),
    };
    let evaluation = evaluate(&RepaymentPolicy::default(), 100_000, usd(), &terms, TODAY);
    assert_eq!(
        codes(&evaluation),
        vec![
            FindingCode::StartDateInPast,
            FindingCode::InstalmentCountInvalid,
            FindingCode::DownPaymentInvalid,
            FindingCode::SettlementAmountNotAllowed,
        ]
    );
    assert!(evaluation.schedule.is_none());
}

// -------------------------------------------------------------- properties

fn any_frequency() -> impl Strategy<Value = Frequency> {
    prop_oneof![Just(Frequency::Weekly), Just(Frequency::Fortnightly), Just(Frequency::Monthly)]
}

fn any_policy() -> impl Strategy<Value = RepaymentPolicy> {
    let bands = prop::collection::vec((prop::option::of(-10i64..=2_000_000), 0u32..=200), 0..4)
        .prop_map(|bands| bands.into_iter().map(|(up_to_balance, max_months)| TermBand { up_to_balance, max_months }).collect());
    (
        (-10i64..=1_000_000, 0u32..=12_000, bands, 0u32..=12_000),
        (prop::collection::vec(any_frequency(), 0..4), any::<bool>(), 0u32..=12_000),
        (0u32..=12_000, 0u32..=12_000),
    )
        .prop_map(|((min_instalment, share, term_bands, down_share), (frequencies, interest, rate), (assistant, manager))| {
            RepaymentPolicy {
                min_instalment,
                min_instalment_share_bp: share,
                term_bands,
                down_payment_share_bp: down_share,
                frequencies,
                interest_during_plan: interest,
                annual_rate_bp: rate,
                assistant_max_discount_bp: assistant,
                manager_max_discount_bp: manager,
                grace_days: 5,
                missed_to_break: 2,
            }
        })
}

fn any_terms() -> impl Strategy<Value = PlanTerms> {
    (
        prop_oneof![Just(PlanKind::Instalment), Just(PlanKind::Settlement)],
        any_frequency(),
        -10i64..=120,
        0u32..=600,
        prop_oneof![Just(0i64), -10i64..=2_000_000],
        prop::option::of(-10i64..=2_000_000),
    )
        .prop_map(|(kind, frequency, offset, instalment_count, down_payment, settlement_amount)| PlanTerms {
            kind,
            frequency,
            start_date: TODAY + chrono::Duration::days(offset),
            instalment_count,
            down_payment,
            settlement_amount,
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 500,
        // Integration tests have no lib.rs beside them, so failing inputs go
        // to a `.regressions` file next to this source file.
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn evaluate_properties(
        policy in any_policy(),
        balance in prop_oneof![-10i64..=0, 1i64..=2_000_000, Just(i64::MAX)],
        terms in any_terms(),
    ) {
        let evaluation = evaluate(&policy, balance, usd(), &terms, TODAY);

        prop_assert_eq!(evaluation.has_errors(), evaluation.schedule.is_none());
        for finding in &evaluation.findings {
            match finding.severity {
                Severity::Error => prop_assert_eq!(finding.approver, None),
                Severity::Approval => prop_assert!(finding.approver.is_some()),
            }
            prop_assert!(!finding.message.is_empty());
        }

        let order = ["kind", "frequency", "start_date", "instalment_count", "down_payment", "settlement_amount"];
        let positions: Vec<usize> = evaluation
            .findings
            .iter()
            .map(|finding| order.iter().position(|field| *field == finding.field).expect("finding names a PlanTerms field"))
            .collect();
        prop_assert!(positions.windows(2).all(|pair| pair[0] <= pair[1]), "findings out of order: {:?}", evaluation.findings);

        let highest = evaluation.findings.iter().filter_map(|finding| finding.approver).max_by_key(|role| shared::plans::policy::approval_rank(*role));
        prop_assert_eq!(evaluation.required_approver, highest);

        if let Some(schedule) = &evaluation.schedule {
            prop_assert_eq!(schedule.down_payment, terms.down_payment);
            let expected_total = match terms.kind {
                PlanKind::Instalment => balance + schedule.total_interest,
                PlanKind::Settlement => terms.settlement_amount.expect("a valid settlement has an amount"),
            };
            prop_assert_eq!(schedule.total_to_pay, expected_total);
        }
    }
}

#[test]
fn finding_codes_match_their_json_names() {
    use shared::plans::FindingCode::*;
    for code in [
        NothingOwed,
        InstalmentCountInvalid,
        StartDateInPast,
        StartDateTooFar,
        DownPaymentInvalid,
        SettlementAmountMissing,
        SettlementAmountNotAllowed,
        SettlementAmountInvalid,
        FrequencyNotAllowed,
        InstalmentBelowMinimum,
        TermTooLong,
        DownPaymentBelowRequired,
        DiscountAboveAssistantLimit,
        DiscountAboveManagerLimit,
    ] {
        assert_eq!(serde_json::to_value(code).unwrap(), serde_json::Value::String(code.as_str().to_string()));
    }
}
