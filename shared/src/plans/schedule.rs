//! Exact instalment schedules: minor units, decimal arithmetic, explicit rounding.

use chrono::{Days, Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::policy::MAX_INSTALMENTS;
use super::Frequency;

/// One row of a schedule. Number 0 is the down payment, due on the start date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduledInstalment {
    pub number: u32,
    pub due_on: NaiveDate,
    pub amount: i64,
    pub principal: i64,
    pub interest: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Schedule {
    /// What the instalments after the down payment repay, before interest.
    pub amount_financed: i64,
    pub down_payment: i64,
    /// Nominal annual rate in basis points (0 for none).
    pub annual_rate_bp: u32,
    /// The down payment (when there is one) and then instalments 1 to n.
    pub instalments: Vec<ScheduledInstalment>,
    pub total_interest: i64,
    /// Down payment plus every instalment: amount financed plus interest plus down payment.
    pub total_to_pay: i64,
    pub last_due_on: NaiveDate,
}

/// Highest nominal annual rate accepted, in basis points (100%).
pub const MAX_ANNUAL_RATE_BP: u32 = 10_000;

/// Returns the due date of instalment `k`: `start` plus `k` weeks, `k`
/// fortnights or `k` months. Months are always counted from `start`, and a
/// day that the target month lacks becomes that month's last day, so a
/// 31 January start falls due on 29 February 2024, 31 March and 30 April.
/// Returns `None` when the date is out of chrono's range.
pub fn due_date(start: NaiveDate, frequency: Frequency, k: u32) -> Option<NaiveDate> {
    match frequency {
        Frequency::Weekly => start.checked_add_days(Days::new(7 * u64::from(k))),
        Frequency::Fortnightly => start.checked_add_days(Days::new(14 * u64::from(k))),
        Frequency::Monthly => start.checked_add_months(Months::new(k)),
    }
}

/// Builds the schedule of a plan: an optional down payment (row 0, due on
/// `start`) and `count` instalments due on [`due_date`]`(start, frequency, k)`.
/// Amounts are in minor units.
///
/// With `annual_rate_bp` 0, each instalment is `amount_financed / count`
/// rounded down, and the last one also takes the remainder. Otherwise the
/// period rate `r` is `annual_rate_bp / 10000 / periods_per_year`. Every
/// instalment but the last is the annuity payment `P·r / (1 − (1+r)^−n)`
/// rounded half to even, and each period's interest is the remaining
/// principal times `r`, rounded half to even. The last instalment is the
/// remaining principal plus its interest, so it absorbs every rounding
/// difference and the instalments sum to `amount_financed` plus the total
/// interest exactly.
///
/// Returns an error message when an input is out of range, when an
/// instalment would round to less than one minor unit or repay the
/// principal before the last instalment, or when a sum or a date overflows.
pub fn build(
    amount_financed: i64,
    down_payment: i64,
    annual_rate_bp: u32,
    frequency: Frequency,
    start: NaiveDate,
    count: u32,
) -> Result<Schedule, String> {
    check_inputs(amount_financed, down_payment, annual_rate_bp, count)?;

    let mut instalments = Vec::with_capacity(count as usize + 1);
    if down_payment > 0 {
        instalments.push(ScheduledInstalment { number: 0, due_on: start, amount: down_payment, principal: down_payment, interest: 0 });
    }

    let parts = if annual_rate_bp == 0 {
        equal_parts(amount_financed, count)?
    } else {
        annuity_parts(amount_financed, annual_rate_bp, frequency, count)?
    };

    let mut total_interest: i64 = 0;
    let mut total_to_pay: i64 = down_payment;
    for (k, part) in (1..=count).zip(parts) {
        let due_on = due_date(start, frequency, k)
            .ok_or_else(|| format!("instalment {k} would fall due after the last date the calendar supports; choose an earlier start date or fewer instalments"))?;
        total_interest = total_interest.checked_add(part.interest).ok_or_else(too_large)?;
        total_to_pay = total_to_pay.checked_add(part.amount).ok_or_else(too_large)?;
        instalments.push(ScheduledInstalment { number: k, due_on, amount: part.amount, principal: part.principal, interest: part.interest });
    }

    let last_due_on = instalments.last().map(|row| row.due_on).unwrap_or(start);
    Ok(Schedule { amount_financed, down_payment, annual_rate_bp, instalments, total_interest, total_to_pay, last_due_on })
}

/// One instalment's amount and its split, in minor units.
struct Part {
    amount: i64,
    principal: i64,
    interest: i64,
}

fn check_inputs(amount_financed: i64, down_payment: i64, annual_rate_bp: u32, count: u32) -> Result<(), String> {
    if count == 0 || count > MAX_INSTALMENTS {
        return Err(format!("instalment count {count} is out of range; choose 1 to {MAX_INSTALMENTS} instalments"));
    }
    if down_payment < 0 {
        return Err(format!("down payment {down_payment} is negative; use 0 for no down payment"));
    }
    if amount_financed <= 0 {
        return Err(format!(
            "amount financed is {amount_financed} minor units, so nothing is left to pay in instalments after the down payment; lower the down payment or take the whole amount as a single payment"
        ));
    }
    if annual_rate_bp > MAX_ANNUAL_RATE_BP {
        return Err(format!("annual rate of {annual_rate_bp} basis points is above the maximum of {MAX_ANNUAL_RATE_BP} (100%); lower the rate"));
    }
    Ok(())
}

fn too_large() -> String {
    "the amounts in this schedule are too large to add up in 64 bits; lower the amount financed".to_string()
}

fn too_small(amount_financed: i64, count: u32) -> String {
    format!(
        "{amount_financed} minor units over {count} instalments makes each instalment smaller than one minor unit or pays the amount off before the last instalment; use fewer instalments"
    )
}

/// Splits `amount` into `count` instalments of `amount / count` rounded
/// down, with the remainder on the last one.
fn equal_parts(amount: i64, count: u32) -> Result<Vec<Part>, String> {
    let regular = amount / i64::from(count);
    if regular == 0 {
        return Err(too_small(amount, count));
    }
    let last = amount - regular * (i64::from(count) - 1);
    let parts = (1..=count)
        .map(|k| {
            let value = if k == count { last } else { regular };
            Part { amount: value, principal: value, interest: 0 }
        })
        .collect();
    Ok(parts)
}

/// Splits `amount` into `count` annuity instalments by the rules of [`build`].
fn annuity_parts(amount: i64, annual_rate_bp: u32, frequency: Frequency, count: u32) -> Result<Vec<Part>, String> {
    let periods_per_year = frequency.periods_per_year();
    let regular = annuity_payment(amount, annual_rate_bp, periods_per_year, count).ok_or_else(too_large)?;
    if regular <= 0 {
        return Err(too_small(amount, count));
    }

    let mut parts = Vec::with_capacity(count as usize);
    let mut remaining = amount;
    for k in 1..=count {
        let interest = period_interest(remaining, annual_rate_bp, periods_per_year).ok_or_else(too_large)?;
        if k == count {
            let value = remaining.checked_add(interest).ok_or_else(too_large)?;
            parts.push(Part { amount: value, principal: remaining, interest });
            break;
        }
        let principal = regular - interest;
        // A regular instalment must cover its interest and leave some
        // principal for the last instalment.
        if principal < 0 || principal >= remaining {
            return Err(too_small(amount, count));
        }
        remaining -= principal;
        parts.push(Part { amount: regular, principal, interest });
    }
    Ok(parts)
}

/// Computes `remaining × annual_rate_bp / (10000 × periods_per_year)` rounded
/// half to even. It is one division of two integers, so an exact half of a
/// minor unit is seen as exact and goes to the even neighbour.
fn period_interest(remaining: i64, annual_rate_bp: u32, periods_per_year: u32) -> Option<i64> {
    let numerator = Decimal::from(remaining).checked_mul(Decimal::from(annual_rate_bp))?;
    let denominator = Decimal::from(10_000u32 * periods_per_year);
    let interest = numerator.checked_div(denominator)?;
    to_minor_units(interest)
}

/// Computes the annuity payment `P·r·g / (g − 1)` with `g = (1+r)^n`,
/// rounded half to even to the minor unit. Returns `None` on overflow.
fn annuity_payment(amount: i64, annual_rate_bp: u32, periods_per_year: u32, count: u32) -> Option<i64> {
    let rate = Decimal::from(annual_rate_bp).checked_div(Decimal::from(10_000u32 * periods_per_year))?;
    let growth = power(Decimal::ONE.checked_add(rate)?, count)?;
    // r·g / (g − 1) lies between r and r + 1, so multiplying P by it last
    // keeps every intermediate value far below Decimal's limit of about 7.9e28.
    let factor = rate.checked_mul(growth)?.checked_div(growth.checked_sub(Decimal::ONE)?)?;
    to_minor_units(Decimal::from(amount).checked_mul(factor)?)
}

/// Raises `base` to `exponent` by repeated squaring. Returns `None` on overflow.
fn power(base: Decimal, exponent: u32) -> Option<Decimal> {
    let mut result = Decimal::ONE;
    let mut square = base;
    let mut remaining = exponent;
    while remaining > 0 {
        if remaining & 1 == 1 {
            result = result.checked_mul(square)?;
        }
        remaining >>= 1;
        if remaining > 0 {
            square = square.checked_mul(square)?;
        }
    }
    Some(result)
}

fn to_minor_units(value: Decimal) -> Option<i64> {
    let rounded = value.round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven);
    i64::try_from(rounded).ok()
}
