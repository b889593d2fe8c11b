//! A creditor's repayment policy and the checks of proposed plan terms
//! against it. The same functions, with the same messages, run in the web
//! app as a plan is typed and in the server when it is saved.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::schedule::{self, Schedule};
use super::{Frequency, PlanKind, PlanTerms};
use crate::money::{Currency, Money};
use crate::users::Role;
use crate::FieldError;

/// Most instalments a plan may have: ten years of weekly payments. The
/// term bands limit how long a plan may run, whatever its frequency.
pub const MAX_INSTALMENTS: u32 = 520;
/// Latest start date accepted, in days after today.
pub const MAX_START_DAYS_AHEAD: i64 = 90;

/// One balance band of the longest-term rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TermBand {
    /// The band covers balances up to and including this many minor units;
    /// null for the last band, which covers every larger balance.
    pub up_to_balance: Option<i64>,
    /// The last instalment may fall due at most this many months after the start date.
    pub max_months: u32,
}

/// What a creditor allows in a plan without a manager's approval.
/// Shares and rates are in basis points (1/100 of a percent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RepaymentPolicy {
    /// Smallest instalment in minor units.
    pub min_instalment: i64,
    /// Smallest instalment as a share of the balance, rounded up to the minor unit.
    pub min_instalment_share_bp: u32,
    /// Longest term by balance band, smallest band first; the last band has no upper bound.
    pub term_bands: Vec<TermBand>,
    /// Down payment required, as a share of the balance, rounded up to the minor unit.
    pub down_payment_share_bp: u32,
    pub frequencies: Vec<Frequency>,
    /// Whether instalment plans charge interest at `annual_rate_bp`.
    pub interest_during_plan: bool,
    /// Nominal annual rate; the period rate is this divided by 12, 26 or 52.
    pub annual_rate_bp: u32,
    /// Largest settlement discount, as a share of the balance, an assistant may grant.
    pub assistant_max_discount_bp: u32,
    /// Largest discount a manager may grant; above it only an administrator may approve.
    pub manager_max_discount_bp: u32,
    /// Days after its due date before an unpaid instalment counts as missed,
    /// and after its date before a promise is judged.
    pub grace_days: u32,
    /// Missed instalments that break a plan.
    pub missed_to_break: u32,
}

impl Default for RepaymentPolicy {
    fn default() -> Self {
        RepaymentPolicy {
            min_instalment: 2_500,
            min_instalment_share_bp: 200,
            term_bands: vec![
                TermBand { up_to_balance: Some(100_000), max_months: 12 },
                TermBand { up_to_balance: Some(1_000_000), max_months: 36 },
                TermBand { up_to_balance: None, max_months: 60 },
            ],
            down_payment_share_bp: 0,
            frequencies: Frequency::ALL.to_vec(),
            interest_during_plan: false,
            annual_rate_bp: 0,
            assistant_max_discount_bp: 1_000,
            manager_max_discount_bp: 3_000,
            grace_days: 5,
            missed_to_break: 2,
        }
    }
}

/// Whether a finding stops the plan from being saved or sends it for approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The terms are invalid; fix them.
    Error,
    /// Outside policy or the taker's limit: saved as a request for `approver`.
    Approval,
}

/// Stable codes of findings. Tools may rely on them; messages may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FindingCode {
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
}

impl FindingCode {
    /// The code as it appears in JSON, such as `start_date_in_past`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::NothingOwed => "nothing_owed",
            FindingCode::InstalmentCountInvalid => "instalment_count_invalid",
            FindingCode::StartDateInPast => "start_date_in_past",
            FindingCode::StartDateTooFar => "start_date_too_far",
            FindingCode::DownPaymentInvalid => "down_payment_invalid",
            FindingCode::SettlementAmountMissing => "settlement_amount_missing",
            FindingCode::SettlementAmountNotAllowed => "settlement_amount_not_allowed",
            FindingCode::SettlementAmountInvalid => "settlement_amount_invalid",
            FindingCode::FrequencyNotAllowed => "frequency_not_allowed",
            FindingCode::InstalmentBelowMinimum => "instalment_below_minimum",
            FindingCode::TermTooLong => "term_too_long",
            FindingCode::DownPaymentBelowRequired => "down_payment_below_required",
            FindingCode::DiscountAboveAssistantLimit => "discount_above_assistant_limit",
            FindingCode::DiscountAboveManagerLimit => "discount_above_manager_limit",
        }
    }
}

/// One thing the policy says of proposed terms, tied to the field it is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// The `PlanTerms` field the finding is about, such as `instalment_count`.
    pub field: String,
    pub code: FindingCode,
    pub severity: Severity,
    pub message: String,
    /// For an approval finding, the least role that may approve it.
    pub approver: Option<Role>,
}

/// The schedule and the findings for proposed terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    /// Absent when a finding of severity `Error` makes a schedule impossible.
    pub schedule: Option<Schedule>,
    pub findings: Vec<Finding>,
    /// The highest approver any approval finding names.
    pub required_approver: Option<Role>,
}

impl Evaluation {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Rank of a role in the approval chain: assistant and collector 0, manager 1, administrator 2.
pub fn approval_rank(role: Role) -> u8 {
    match role {
        Role::Assistant | Role::Collector => 0,
        Role::Manager => 1,
        Role::Admin => 2,
    }
}

/// Whether `role` may approve (or, when taking the plan, grant without
/// approval) a plan whose findings name `required` as least approver.
pub fn may_approve(role: Role, required: Option<Role>) -> bool {
    match required {
        None => true,
        Some(required) => approval_rank(role) >= approval_rank(required),
    }
}

/// Largest amount, in minor units, that a policy may set as the minimum instalment.
pub const MAX_MIN_INSTALMENT: i64 = 1_000_000_000_000_000;
/// Largest share, rate or discount in a policy, in basis points (100%).
pub const MAX_BP: u32 = 10_000;
/// Longest term a band may allow, in months.
pub const MAX_TERM_MONTHS: u32 = 120;
/// Most missed instalments a policy may tolerate before a plan breaks.
pub const MAX_MISSED_TO_BREAK: u32 = 12;
/// Most grace days a policy may give.
pub const MAX_GRACE_DAYS: u32 = 60;

/// Checks a repayment policy before it is saved. Field names are the JSON
/// names, with an index for bands (`term_bands[1].max_months`). Returns
/// every problem found, or nothing when the policy is valid.
pub fn check_policy(policy: &RepaymentPolicy) -> Vec<FieldError> {
    let mut errors = Vec::new();

    if !(0..=MAX_MIN_INSTALMENT).contains(&policy.min_instalment) {
        errors.push(FieldError::new(
            "min_instalment",
            "out_of_range",
            format!(
                "min_instalment {} is out of range; use 0 to {MAX_MIN_INSTALMENT} minor units",
                policy.min_instalment
            ),
        ));
    }

    let shares = [
        ("min_instalment_share_bp", policy.min_instalment_share_bp),
        ("down_payment_share_bp", policy.down_payment_share_bp),
        ("annual_rate_bp", policy.annual_rate_bp),
        ("assistant_max_discount_bp", policy.assistant_max_discount_bp),
        ("manager_max_discount_bp", policy.manager_max_discount_bp),
    ];
    for (field, value) in shares {
        if value > MAX_BP {
            errors.push(FieldError::new(
                field,
                "out_of_range",
                format!("{field} {value} is above {MAX_BP} basis points (100%); use 0 to {MAX_BP}"),
            ));
        }
    }
    if policy.manager_max_discount_bp < policy.assistant_max_discount_bp {
        errors.push(FieldError::new(
            "manager_max_discount_bp",
            "invalid",
            format!(
                "manager_max_discount_bp {} is below assistant_max_discount_bp {}; a manager may grant at least what an assistant may, so raise it",
                policy.manager_max_discount_bp, policy.assistant_max_discount_bp
            ),
        ));
    }

    check_frequencies(&policy.frequencies, &mut errors);
    check_term_bands(&policy.term_bands, &mut errors);

    if !(1..=MAX_MISSED_TO_BREAK).contains(&policy.missed_to_break) {
        errors.push(FieldError::new(
            "missed_to_break",
            "out_of_range",
            format!("missed_to_break {} is out of range; use 1 to {MAX_MISSED_TO_BREAK}", policy.missed_to_break),
        ));
    }
    if policy.grace_days > MAX_GRACE_DAYS {
        errors.push(FieldError::new(
            "grace_days",
            "out_of_range",
            format!("grace_days {} is above {MAX_GRACE_DAYS}; use 0 to {MAX_GRACE_DAYS} days", policy.grace_days),
        ));
    }
    if policy.interest_during_plan && policy.annual_rate_bp == 0 {
        errors.push(FieldError::new(
            "annual_rate_bp",
            "required",
            "annual_rate_bp is 0 but interest_during_plan is true; set a rate above 0 or turn interest off",
        ));
    }
    errors
}

fn check_frequencies(frequencies: &[Frequency], errors: &mut Vec<FieldError>) {
    if frequencies.is_empty() {
        errors.push(FieldError::new(
            "frequencies",
            "required",
            "frequencies is empty; allow at least one of weekly, fortnightly or monthly",
        ));
    }
    for (index, frequency) in frequencies.iter().enumerate() {
        if frequencies[..index].contains(frequency) {
            errors.push(FieldError::new(
                &format!("frequencies[{index}]"),
                "duplicate",
                format!("frequencies lists {} more than once; remove the repeat", frequency.as_str()),
            ));
        }
    }
}

fn check_term_bands(bands: &[TermBand], errors: &mut Vec<FieldError>) {
    if bands.is_empty() {
        errors.push(FieldError::new(
            "term_bands",
            "required",
            "term_bands is empty; add at least one band, the last with a null up_to_balance",
        ));
        return;
    }

    let last_index = bands.len() - 1;
    let mut previous_limit: Option<i64> = None;
    for (index, band) in bands.iter().enumerate() {
        let limit_field = format!("term_bands[{index}].up_to_balance");
        match (band.up_to_balance, index == last_index) {
            (None, true) => {}
            (Some(_), true) => errors.push(FieldError::new(
                &limit_field,
                "invalid",
                "the last term band must have a null up_to_balance so that it covers every larger balance; clear it or add a band after it",
            )),
            (None, false) => errors.push(FieldError::new(
                &limit_field,
                "required",
                "only the last term band may have a null up_to_balance; give this band an upper balance or remove the bands after it",
            )),
            (Some(limit), false) => {
                if limit <= 0 {
                    errors.push(FieldError::new(
                        &limit_field,
                        "out_of_range",
                        format!("up_to_balance {limit} is not positive; use a balance above 0 minor units"),
                    ));
                } else if let Some(previous) = previous_limit.filter(|previous| limit <= *previous) {
                    errors.push(FieldError::new(
                        &limit_field,
                        "invalid",
                        format!("up_to_balance {limit} is not above the previous band's {previous}; list bands from the smallest balance up"),
                    ));
                }
                previous_limit = Some(limit);
            }
        }

        if !(1..=MAX_TERM_MONTHS).contains(&band.max_months) {
            errors.push(FieldError::new(
                &format!("term_bands[{index}].max_months"),
                "out_of_range",
                format!("max_months {} is out of range; use 1 to {MAX_TERM_MONTHS} months", band.max_months),
            ));
        }
    }
}

/// Computes `ceil(balance × share_bp / 10000)`, the share rounded up to the
/// minor unit so that the policy's share is always reached. Returns 0 for a
/// balance of 0 or less, and `i64::MAX` when the result does not fit.
fn share_rounded_up(balance: i64, share_bp: u32) -> i64 {
    if balance <= 0 {
        return 0;
    }
    let product = i128::from(balance) * i128::from(share_bp);
    let share = (product + i128::from(MAX_BP) - 1) / i128::from(MAX_BP);
    i64::try_from(share).unwrap_or(i64::MAX)
}

/// Returns the smallest regular instalment the policy allows without
/// approval: the larger of `min_instalment` and `min_instalment_share_bp`
/// of the balance, rounded up to the minor unit.
pub fn min_instalment_for(policy: &RepaymentPolicy, balance: i64) -> i64 {
    policy.min_instalment.max(share_rounded_up(balance, policy.min_instalment_share_bp))
}

/// Returns the longest term, in months, that the policy allows for the
/// balance: the first band whose `up_to_balance` is at least the balance,
/// else the last band. Returns 0 when the policy has no bands, so every
/// plan then needs approval (`check_policy` rejects such a policy).
pub fn max_months_for(policy: &RepaymentPolicy, balance: i64) -> u32 {
    policy
        .term_bands
        .iter()
        .find(|band| band.up_to_balance.is_none_or(|limit| limit >= balance))
        .or(policy.term_bands.last())
        .map_or(0, |band| band.max_months)
}

/// Returns the down payment the policy requires: `down_payment_share_bp`
/// of the balance, rounded up to the minor unit.
pub fn required_down_payment(policy: &RepaymentPolicy, balance: i64) -> i64 {
    share_rounded_up(balance, policy.down_payment_share_bp)
}

/// Returns whether `discount` is more than `limit_bp` of `balance`. The
/// comparison is exact, `discount × 10000 > limit_bp × balance`, so a
/// discount of exactly the limit is within it.
pub fn discount_exceeds(balance: i64, discount: i64, limit_bp: u32) -> bool {
    i128::from(discount) * i128::from(MAX_BP) > i128::from(limit_bp) * i128::from(balance)
}

/// Returns the largest discount within `limit_bp` of `balance`:
/// `floor(balance × limit_bp / 10000)`, or 0 for a balance of 0 or less.
pub fn max_discount_for(balance: i64, limit_bp: u32) -> i64 {
    if balance <= 0 {
        return 0;
    }
    let discount = i128::from(balance) * i128::from(limit_bp) / i128::from(MAX_BP);
    i64::try_from(discount).unwrap_or(i64::MAX)
}

/// Formats basis points as an exact percentage without trailing zeros:
/// 1250 as `12.5%`, 1000 as `10%` and 5 as `0.05%`.
pub fn format_bp(bp: u32) -> String {
    let whole = bp / 100;
    let hundredths = bp % 100;
    if hundredths == 0 {
        format!("{whole}%")
    } else if hundredths.is_multiple_of(10) {
        format!("{whole}.{}%", hundredths / 10)
    } else {
        format!("{whole}.{hundredths:02}%")
    }
}

/// `PlanTerms` fields in the order findings are listed.
const FIELD_ORDER: [&str; 6] = ["kind", "frequency", "start_date", "instalment_count", "down_payment", "settlement_amount"];

/// Checks proposed terms against the policy and builds their schedule.
///
/// `balance` is the account's balance in minor units of `currency`, and
/// `today` is the creditor's date. Findings of severity `Error` leave the
/// schedule out. Findings of severity `Approval` name the least role that
/// may approve them, and `required_approver` is the highest of those roles.
/// Findings are listed by field in the order of `PlanTerms`: `kind`,
/// `frequency`, `start_date`, `instalment_count`, `down_payment`,
/// `settlement_amount`.
pub fn evaluate(policy: &RepaymentPolicy, balance: i64, currency: Currency, terms: &PlanTerms, today: NaiveDate) -> Evaluation {
    let money = |amount: i64| Money::new(amount, currency).display();
    let mut findings = term_errors(balance, terms, today, &money);

    let mut schedule = None;
    if findings.is_empty() {
        match build_schedule(policy, balance, terms) {
            Ok(built) => schedule = Some(built),
            Err(message) => findings.push(error("instalment_count", FindingCode::InstalmentCountInvalid, message)),
        }
    }
    if balance > 0 {
        findings.extend(approval_findings(policy, balance, terms, schedule.as_ref(), &money));
    }

    findings.sort_by_key(|finding| FIELD_ORDER.iter().position(|field| *field == finding.field));
    let required_approver = findings.iter().filter_map(|finding| finding.approver).max_by_key(|role| approval_rank(*role));
    Evaluation { schedule, findings, required_approver }
}

fn error(field: &str, code: FindingCode, message: String) -> Finding {
    Finding { field: field.to_string(), code, severity: Severity::Error, message, approver: None }
}

fn approval(field: &str, code: FindingCode, approver: Role, message: String) -> Finding {
    Finding { field: field.to_string(), code, severity: Severity::Approval, message, approver: Some(approver) }
}

/// Finds the terms that make a plan impossible, whatever the policy.
fn term_errors(balance: i64, terms: &PlanTerms, today: NaiveDate, money: &dyn Fn(i64) -> String) -> Vec<Finding> {
    let mut findings = Vec::new();

    if balance <= 0 {
        findings.push(error(
            "kind",
            FindingCode::NothingOwed,
            format!("The balance is {}, so nothing is owed; a plan can only be made while the account owes money", money(balance)),
        ));
    }

    if terms.start_date < today {
        findings.push(error(
            "start_date",
            FindingCode::StartDateInPast,
            format!("Start date {} is before today ({today}); choose today or a later date", terms.start_date),
        ));
    }
    if let Some(latest) = today.checked_add_days(Days::new(MAX_START_DAYS_AHEAD as u64)) {
        if terms.start_date > latest {
            findings.push(error(
                "start_date",
                FindingCode::StartDateTooFar,
                format!(
                    "Start date {} is more than {MAX_START_DAYS_AHEAD} days after today; choose a date on or before {latest}",
                    terms.start_date
                ),
            ));
        }
    }

    if terms.instalment_count == 0 || terms.instalment_count > MAX_INSTALMENTS {
        findings.push(error(
            "instalment_count",
            FindingCode::InstalmentCountInvalid,
            format!("{} instalments is out of range; choose 1 to {MAX_INSTALMENTS} instalments", terms.instalment_count),
        ));
    }

    let settlement_ok = settlement_errors(balance, terms, money, &mut findings);
    down_payment_errors(balance, terms, settlement_ok, money, &mut findings);
    findings
}

/// Adds the findings about `settlement_amount` and returns whether the
/// amount to pay (the balance, or a valid settlement amount) is known.
fn settlement_errors(balance: i64, terms: &PlanTerms, money: &dyn Fn(i64) -> String, findings: &mut Vec<Finding>) -> bool {
    match (terms.kind, terms.settlement_amount) {
        (PlanKind::Instalment, None) => true,
        (PlanKind::Instalment, Some(amount)) => {
            findings.push(error(
                "settlement_amount",
                FindingCode::SettlementAmountNotAllowed,
                format!(
                    "An instalment plan repays the whole balance, so a settlement amount of {} is not allowed; remove it or make the plan a settlement",
                    money(amount)
                ),
            ));
            true
        }
        (PlanKind::Settlement, None) => {
            findings.push(error(
                "settlement_amount",
                FindingCode::SettlementAmountMissing,
                "A settlement needs a settlement amount; enter the total the debtor will pay, down payment included".to_string(),
            ));
            false
        }
        (PlanKind::Settlement, Some(amount)) if amount <= 0 => {
            findings.push(error(
                "settlement_amount",
                FindingCode::SettlementAmountInvalid,
                format!("Settlement amount of {} is not positive; enter the total the debtor will pay", money(amount)),
            ));
            false
        }
        (PlanKind::Settlement, Some(amount)) if balance > 0 && amount >= balance => {
            findings.push(error(
                "settlement_amount",
                FindingCode::SettlementAmountInvalid,
                format!(
                    "Settlement amount of {} is not below the balance of {}; a settlement must be a discount, so lower it or make an instalment plan",
                    money(amount),
                    money(balance)
                ),
            ));
            false
        }
        (PlanKind::Settlement, Some(_)) => balance > 0,
    }
}

fn down_payment_errors(balance: i64, terms: &PlanTerms, amount_known: bool, money: &dyn Fn(i64) -> String, findings: &mut Vec<Finding>) {
    if terms.down_payment < 0 {
        findings.push(error(
            "down_payment",
            FindingCode::DownPaymentInvalid,
            format!("Down payment of {} is negative; enter 0 for none or a positive amount", money(terms.down_payment)),
        ));
        return;
    }
    if balance <= 0 || !amount_known {
        return;
    }
    let (to_pay, what) = match terms.settlement_amount {
        Some(amount) if terms.kind == PlanKind::Settlement => (amount, "settlement amount"),
        _ => (balance, "balance"),
    };
    if terms.down_payment >= to_pay {
        findings.push(error(
            "down_payment",
            FindingCode::DownPaymentInvalid,
            format!(
                "Down payment of {} is not below the {what} of {}, so nothing is left for instalments; lower the down payment or record the whole amount as a payment",
                money(terms.down_payment),
                money(to_pay)
            ),
        ));
    }
}

/// Builds the schedule of terms that have passed `term_errors`.
fn build_schedule(policy: &RepaymentPolicy, balance: i64, terms: &PlanTerms) -> Result<Schedule, String> {
    let (to_pay, annual_rate_bp) = match (terms.kind, terms.settlement_amount) {
        // Settlements never carry interest.
        (PlanKind::Settlement, Some(amount)) => (amount, 0),
        _ => (balance, if policy.interest_during_plan { policy.annual_rate_bp } else { 0 }),
    };
    let amount_financed = to_pay - terms.down_payment;
    schedule::build(amount_financed, terms.down_payment, annual_rate_bp, terms.frequency, terms.start_date, terms.instalment_count)
}

/// Finds the terms outside the policy. Checks that need the schedule are
/// skipped when there is none. `balance` must be positive.
fn approval_findings(
    policy: &RepaymentPolicy,
    balance: i64,
    terms: &PlanTerms,
    schedule: Option<&Schedule>,
    money: &dyn Fn(i64) -> String,
) -> Vec<Finding> {
    let mut findings = Vec::new();

    if !policy.frequencies.contains(&terms.frequency) {
        let allowed: Vec<&str> = policy.frequencies.iter().map(|frequency| frequency.as_str()).collect();
        let allowed = if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") };
        findings.push(approval(
            "frequency",
            FindingCode::FrequencyNotAllowed,
            Role::Manager,
            format!(
                "{} instalments are outside the policy, which allows {allowed}; choose an allowed frequency or ask a manager to approve",
                terms.frequency.label()
            ),
        ));
    }

    if let Some(schedule) = schedule {
        findings.extend(instalment_size_finding(policy, balance, terms, schedule, money));
        findings.extend(term_length_finding(policy, balance, terms, schedule));
    }

    let required = required_down_payment(policy, balance);
    if terms.down_payment >= 0 && terms.down_payment < required {
        findings.push(approval(
            "down_payment",
            FindingCode::DownPaymentBelowRequired,
            Role::Manager,
            format!(
                "Down payment of {} is below the required {} ({} of the balance); pay at least {} down or ask a manager to approve",
                money(terms.down_payment),
                money(required),
                format_bp(policy.down_payment_share_bp),
                money(required)
            ),
        ));
    }

    if let (PlanKind::Settlement, Some(amount)) = (terms.kind, terms.settlement_amount) {
        if amount > 0 && amount < balance {
            findings.extend(discount_finding(policy, balance, amount, money));
        }
    }
    findings
}

fn instalment_size_finding(
    policy: &RepaymentPolicy,
    balance: i64,
    terms: &PlanTerms,
    schedule: &Schedule,
    money: &dyn Fn(i64) -> String,
) -> Option<Finding> {
    if terms.instalment_count <= 1 {
        return None;
    }
    // Instalment 1 is the regular amount: with equal instalments the last
    // may be larger, and with interest the last may be smaller.
    let first = schedule.instalments.iter().find(|row| row.number == 1)?;
    let minimum = min_instalment_for(policy, balance);
    if first.amount >= minimum {
        return None;
    }
    Some(approval(
        "instalment_count",
        FindingCode::InstalmentBelowMinimum,
        Role::Manager,
        format!(
            "Instalments of {} are below the minimum of {} for this balance; pay at least {} per instalment or ask a manager to approve",
            money(first.amount),
            money(minimum),
            money(minimum)
        ),
    ))
}

fn term_length_finding(policy: &RepaymentPolicy, balance: i64, terms: &PlanTerms, schedule: &Schedule) -> Option<Finding> {
    let max_months = max_months_for(policy, balance);
    // A limit past the end of chrono's calendar cannot be exceeded.
    let latest = terms.start_date.checked_add_months(Months::new(max_months))?;
    if schedule.last_due_on <= latest {
        return None;
    }
    Some(approval(
        "instalment_count",
        FindingCode::TermTooLong,
        Role::Manager,
        format!(
            "The last instalment falls due on {}, after {latest}, which is {max_months} months after the start date and the longest term for this balance; use fewer or more frequent instalments, or ask a manager to approve",
            schedule.last_due_on
        ),
    ))
}

fn discount_finding(policy: &RepaymentPolicy, balance: i64, settlement_amount: i64, money: &dyn Fn(i64) -> String) -> Option<Finding> {
    let discount = balance - settlement_amount;
    let (limit_bp, who, code, approver, fix) = if discount_exceeds(balance, discount, policy.manager_max_discount_bp) {
        (policy.manager_max_discount_bp, "a manager", FindingCode::DiscountAboveManagerLimit, Role::Admin, "an administrator")
    } else if discount_exceeds(balance, discount, policy.assistant_max_discount_bp) {
        (policy.assistant_max_discount_bp, "an assistant", FindingCode::DiscountAboveAssistantLimit, Role::Manager, "a manager")
    } else {
        return None;
    };
    let max_discount = max_discount_for(balance, limit_bp);
    Some(approval(
        "settlement_amount",
        code,
        approver,
        format!(
            "A discount of {} is above the {} of the balance ({}) that {who} may grant; settle for at least {} or ask {fix} to approve",
            money(discount),
            format_bp(limit_bp),
            money(max_discount),
            money(balance - max_discount)
        ),
    ))
}
