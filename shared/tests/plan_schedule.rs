//! Tests of `shared::plans::schedule`: due dates, published annuity
//! reference values, equal instalments, input errors and properties that
//! hold for every schedule.

use chrono::NaiveDate;
use proptest::prelude::*;
use shared::plans::schedule::{build, due_date, Schedule};
use shared::plans::Frequency;

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("test dates are valid")
}

fn instalments_only(schedule: &Schedule) -> Vec<&shared::plans::ScheduledInstalment> {
    schedule.instalments.iter().filter(|row| row.number > 0).collect()
}

fn assert_totals_exact(schedule: &Schedule) {
    let rows = instalments_only(schedule);
    let sum: i64 = rows.iter().map(|row| row.amount).sum();
    let principal: i64 = rows.iter().map(|row| row.principal).sum();
    let interest: i64 = rows.iter().map(|row| row.interest).sum();
    assert_eq!(principal, schedule.amount_financed, "principal parts must repay the amount financed");
    assert_eq!(interest, schedule.total_interest, "interest parts must add up to total_interest");
    assert_eq!(sum, schedule.amount_financed + schedule.total_interest, "instalments must equal financed plus interest");
    assert_eq!(schedule.total_to_pay, schedule.down_payment + sum, "total_to_pay must be down payment plus instalments");
    for row in &schedule.instalments {
        assert_eq!(row.amount, row.principal + row.interest, "row {} must split into principal and interest", row.number);
    }
}

// ---------------------------------------------------------------- due dates

#[test]
fn due_date_monthly_clamps_to_month_end() {
    let start = date(2024, 1, 31);
    assert_eq!(due_date(start, Frequency::Monthly, 1), Some(date(2024, 2, 29)));
    assert_eq!(due_date(start, Frequency::Monthly, 2), Some(date(2024, 3, 31)));
    assert_eq!(due_date(start, Frequency::Monthly, 3), Some(date(2024, 4, 30)));
    assert_eq!(due_date(start, Frequency::Monthly, 12), Some(date(2025, 1, 31)));
}

#[test]
fn due_date_monthly_non_leap_february() {
    assert_eq!(due_date(date(2023, 1, 31), Frequency::Monthly, 1), Some(date(2023, 2, 28)));
    assert_eq!(due_date(date(2023, 1, 29), Frequency::Monthly, 1), Some(date(2023, 2, 28)));
}

#[test]
fn due_date_leap_day_twelve_months() {
    assert_eq!(due_date(date(2024, 2, 29), Frequency::Monthly, 12), Some(date(2025, 2, 28)));
    assert_eq!(due_date(date(2024, 2, 29), Frequency::Monthly, 48), Some(date(2028, 2, 29)));
}

#[test]
fn due_date_zero_periods_is_start() {
    for frequency in Frequency::ALL {
        assert_eq!(due_date(date(2024, 5, 17), frequency, 0), Some(date(2024, 5, 17)));
    }
}

#[test]
fn due_date_weekly_and_fortnightly_cross_year_end() {
    let start = date(2024, 12, 27);
    assert_eq!(due_date(start, Frequency::Weekly, 1), Some(date(2025, 1, 3)));
    assert_eq!(due_date(start, Frequency::Weekly, 52), Some(date(2025, 12, 26)));
    assert_eq!(due_date(start, Frequency::Fortnightly, 1), Some(date(2025, 1, 10)));
    assert_eq!(due_date(start, Frequency::Fortnightly, 26), Some(date(2025, 12, 26)));
}

#[test]
fn due_date_weekly_across_dst_change_dates() {
    // Plain dates have no time zone, so the clock changes (US 10 March and
    // 3 November 2024) must not shift a due date.
    assert_eq!(due_date(date(2024, 3, 8), Frequency::Weekly, 1), Some(date(2024, 3, 15)));
    assert_eq!(due_date(date(2024, 10, 30), Frequency::Fortnightly, 1), Some(date(2024, 11, 13)));
    assert_eq!(due_date(date(2024, 2, 22), Frequency::Weekly, 1), Some(date(2024, 2, 29)));
}

#[test]
fn due_date_overflow_is_none() {
    assert_eq!(due_date(NaiveDate::MAX, Frequency::Weekly, 1), None);
    assert_eq!(due_date(NaiveDate::MAX, Frequency::Monthly, 1), None);
    assert_eq!(due_date(NaiveDate::MAX, Frequency::Fortnightly, u32::MAX), None);
    assert_eq!(due_date(date(2024, 1, 1), Frequency::Monthly, u32::MAX), None);
}

// ------------------------------------------------------- published values

/// Interest of period `k` (from 1) of an annuity with the unrounded payment,
/// computed in f64 from the closed form `r · (P·g^(k−1) − pmt·(g^(k−1) − 1)/r)`.
/// NOTE: f64 is used only here, as a reference independent of the Decimal
/// code under test, and only compared within a tolerance.
fn reference_ipmt(principal: f64, rate: f64, count: u32, k: u32) -> f64 {
    let growth = (1.0 + rate).powi(count as i32);
    let pmt = principal * rate * growth / (growth - 1.0);
    let before = (1.0 + rate).powi(k as i32 - 1);
    rate * (principal * before - pmt * (before - 1.0) / rate)
}

/// Checks every period's interest against `reference_ipmt`. The schedule
/// pays the rounded payment, so after `k − 1` periods its balance drifts
/// from the reference by at most `(0.5 + |δ|)·((1+r)^(k−1) − 1)/r`, where
/// `δ` is the payment's rounding. The interest then differs by `r` times
/// that drift plus its own rounding of at most 0.5.
fn assert_interest_near_reference(schedule: &Schedule, principal: f64, rate: f64, unrounded_pmt: f64) {
    let rows = instalments_only(schedule);
    let count = rows.len() as u32;
    let delta = (rows[0].amount as f64 - unrounded_pmt).abs();
    for row in &rows {
        let reference = reference_ipmt(principal, rate, count, row.number);
        let drift = (0.5 + delta) * ((1.0 + rate).powi(row.number as i32 - 1) - 1.0);
        let tolerance = 0.5 + drift + 1e-6;
        assert!(
            (row.interest as f64 - reference).abs() <= tolerance,
            "period {}: interest {} is further than {tolerance} from the reference {reference}",
            row.number,
            row.interest
        );
    }
}

#[test]
fn numpy_pmt_mortgage_example() {
    // numpy-financial `pmt` documentation: pmt(0.075/12, 12*15, 200000)
    // = -1854.0247200054619, in dollars.
    let published_pmt_dollars = -1854.0247200054619_f64;
    let published_pmt_cents = -published_pmt_dollars * 100.0;
    let schedule = build(20_000_000, 0, 750, Frequency::Monthly, date(2024, 1, 15), 180).unwrap();
    let rows = instalments_only(&schedule);

    assert_eq!(rows.len(), 180);
    for row in &rows[..179] {
        assert_eq!(row.amount, 185_402, "instalment {} must be the published payment rounded", row.number);
    }
    assert_totals_exact(&schedule);
    assert_interest_near_reference(&schedule, 20_000_000.0, 0.075 / 12.0, published_pmt_cents);
    // The first period's interest is exactly 200000 × 0.075 / 12 = 1250.00.
    assert_eq!(rows[0].interest, 125_000);
}

#[test]
fn numpy_ipmt_one_year_example() {
    // numpy-financial `ipmt` documentation: a 1-year loan of 2500 at 8.24%
    // compounded monthly, printed to cents as (period, ppmt, ipmt, balance).
    let published: [(u32, f64, f64, f64); 12] = [
        (1, -200.58, -17.17, 2299.42),
        (2, -201.96, -15.79, 2097.46),
        (3, -203.35, -14.40, 1894.11),
        (4, -204.74, -13.01, 1689.37),
        (5, -206.15, -11.60, 1483.22),
        (6, -207.56, -10.18, 1275.66),
        (7, -208.99, -8.76, 1066.67),
        (8, -210.42, -7.32, 856.25),
        (9, -211.87, -5.88, 644.38),
        (10, -213.32, -4.42, 431.05),
        (11, -214.79, -2.96, 216.26),
        (12, -216.26, -1.49, -0.00),
    ];
    let published_total_interest_cents = 11_298;

    let rate = 0.0824_f64 / 12.0;
    let growth = (1.0 + rate).powi(12);
    let unrounded_pmt = 250_000.0 * rate * growth / (growth - 1.0);

    let schedule = build(250_000, 0, 824, Frequency::Monthly, date(2024, 3, 1), 12).unwrap();
    let rows = instalments_only(&schedule);
    assert_totals_exact(&schedule);
    let delta = (rows[0].amount as f64 - unrounded_pmt).abs();

    let mut balance = 250_000;
    for (row, (period, ppmt, ipmt, published_balance)) in rows.iter().zip(published) {
        assert_eq!(row.number, period);
        balance -= row.principal;
        let ipmt_cents = (-ipmt * 100.0_f64).round() as i64;
        let ppmt_cents = (-ppmt * 100.0_f64).round() as i64;
        let balance_cents = (published_balance * 100.0_f64).round() as i64;
        assert!((row.interest - ipmt_cents).abs() <= 1, "period {period}: interest {} vs published {ipmt_cents}", row.interest);
        // The last principal part is whatever balance is left, drift included.
        if period < 12 {
            assert!((row.principal - ppmt_cents).abs() <= 1, "period {period}: principal {} vs published {ppmt_cents}", row.principal);
        }
        // The balance pays the rounded payment and rounded interest, so it
        // drifts from the published one by the bound of `assert_interest_near_reference`.
        let drift = (0.5 + delta) * ((1.0 + rate).powi(period as i32) - 1.0) / rate;
        assert!(
            ((balance - balance_cents) as f64).abs() <= 0.5 + drift,
            "period {period}: balance {balance} vs published {balance_cents}, allowed drift {drift}"
        );
    }
    assert_eq!(balance, 0);
    assert!((schedule.total_interest - published_total_interest_cents).abs() <= 1, "total interest {}", schedule.total_interest);
    assert_interest_near_reference(&schedule, 250_000.0, rate, unrounded_pmt);
}

#[test]
fn excel_pmt_example() {
    // Microsoft Excel PMT documentation: PMT(8%/12, 10, 10000) = ($1,037.03).
    let schedule = build(1_000_000, 0, 800, Frequency::Monthly, date(2024, 1, 1), 10).unwrap();
    let rows = instalments_only(&schedule);
    for row in &rows[..9] {
        assert_eq!(row.amount, 103_703, "instalment {}", row.number);
    }
    assert!((rows[9].amount - 103_703).abs() <= 5, "last instalment {} only absorbs rounding", rows[9].amount);
    assert_totals_exact(&schedule);
}

#[test]
fn excel_ipmt_first_month_example() {
    // Microsoft Excel IPMT documentation: IPMT(10%/12, 1, 3*12, 8000) = ($66.67).
    let schedule = build(800_000, 0, 1_000, Frequency::Monthly, date(2024, 1, 1), 36).unwrap();
    assert_eq!(instalments_only(&schedule)[0].interest, 6_667);
    assert_totals_exact(&schedule);
}

#[test]
fn excel_ppmt_first_month_example() {
    // Microsoft Excel PPMT documentation: PPMT(10%/12, 1, 2*12, 2000) = ($75.62).
    let schedule = build(200_000, 0, 1_000, Frequency::Monthly, date(2024, 1, 1), 24).unwrap();
    assert_eq!(instalments_only(&schedule)[0].principal, 7_562);
    assert_totals_exact(&schedule);
}

// ------------------------------------------------------------ equal parts

#[test]
fn equal_instalments_remainder_on_last() {
    let schedule = build(1_000, 0, 0, Frequency::Monthly, date(2024, 1, 31), 3).unwrap();
    let amounts: Vec<i64> = schedule.instalments.iter().map(|row| row.amount).collect();
    assert_eq!(amounts, vec![333, 333, 334]);
    assert_eq!(schedule.total_interest, 0);
    assert_eq!(schedule.total_to_pay, 1_000);
    assert_eq!(schedule.last_due_on, date(2024, 4, 30));
    assert_totals_exact(&schedule);
}

#[test]
fn down_payment_is_row_zero() {
    let schedule = build(900, 100, 0, Frequency::Weekly, date(2024, 1, 1), 2).unwrap();
    let first = &schedule.instalments[0];
    assert_eq!((first.number, first.due_on, first.amount, first.principal, first.interest), (0, date(2024, 1, 1), 100, 100, 0));
    assert_eq!(schedule.instalments.len(), 3);
    assert_eq!(schedule.instalments[1].due_on, date(2024, 1, 8));
    assert_eq!(schedule.total_to_pay, 1_000);
    assert_totals_exact(&schedule);
}

#[test]
fn no_down_payment_no_row_zero() {
    let schedule = build(900, 0, 0, Frequency::Weekly, date(2024, 1, 1), 2).unwrap();
    assert_eq!(schedule.instalments[0].number, 1);
}

#[test]
fn interest_exact_half_rounds_to_even() {
    // 1800 × 1% / 12 = 1.5 exactly, which rounds to 2; 3000 × 1% / 12 = 2.5
    // exactly, which rounds to 2. A period rate rounded to 28 places first
    // would give 1.4999… and 2.4999… and round both down.
    let odd = build(1_800, 0, 100, Frequency::Monthly, date(2024, 1, 1), 1).unwrap();
    assert_eq!(odd.instalments[0].interest, 2);
    assert_eq!(odd.instalments[0].amount, 1_802);
    let even = build(3_000, 0, 100, Frequency::Monthly, date(2024, 1, 1), 1).unwrap();
    assert_eq!(even.instalments[0].interest, 2);
}

#[test]
fn single_instalment_with_interest() {
    // One weekly period at 52% a year is exactly 1%.
    let schedule = build(10_000, 0, 5_200, Frequency::Weekly, date(2024, 1, 1), 1).unwrap();
    assert_eq!(schedule.instalments[0].amount, 10_100);
    assert_eq!(schedule.total_interest, 100);
}

// ------------------------------------------------------------------ errors

#[test]
fn build_rejects_invalid_inputs() {
    let start = date(2024, 1, 1);
    let cases: [(i64, i64, u32, u32, &str); 7] = [
        (1_000, 0, 0, 0, "instalment count 0"),
        (1_000, 0, 0, 521, "instalment count 521"),
        (1_000, -1, 0, 3, "down payment -1"),
        (0, 500, 0, 3, "nothing is left"),
        (-5, 0, 0, 3, "nothing is left"),
        (1_000, 0, 10_001, 3, "10001 basis points"),
        (2, 0, 0, 3, "fewer instalments"),
    ];
    for (financed, down, rate, count, expected) in cases {
        let result = build(financed, down, rate, Frequency::Monthly, start, count);
        let message = result.expect_err("invalid input must be rejected");
        assert!(message.contains(expected), "message {message:?} should contain {expected:?}");
    }
}

#[test]
fn build_rejects_tiny_annuity_instalment() {
    let message = build(100, 0, 1_000, Frequency::Weekly, date(2024, 1, 1), 520).unwrap_err();
    assert!(message.contains("fewer instalments"), "{message}");
}

#[test]
fn build_reports_overflow_without_panicking() {
    let start = date(2024, 1, 1);
    let huge = build(i64::MAX - 1, 1, 10_000, Frequency::Monthly, start, 520);
    assert!(huge.unwrap_err().contains("too large"));
    let total = build(i64::MAX / 2 + 1, i64::MAX / 2 + 1, 0, Frequency::Monthly, start, 1);
    assert!(total.unwrap_err().contains("too large"));
    let late = build(1_000, 0, 0, Frequency::Monthly, NaiveDate::MAX, 1);
    assert!(late.unwrap_err().contains("calendar"));
}

#[test]
fn build_handles_largest_inputs() {
    let schedule = build(1_000_000_000_000_000, 0, 10_000, Frequency::Monthly, date(2024, 1, 1), 520).unwrap();
    assert_totals_exact(&schedule);
    let weekly = build(1_000_000_000_000_000, 0, 10_000, Frequency::Weekly, date(2024, 1, 1), 520).unwrap();
    assert_totals_exact(&weekly);
}

// -------------------------------------------------------------- properties

fn any_frequency() -> impl Strategy<Value = Frequency> {
    prop_oneof![Just(Frequency::Weekly), Just(Frequency::Fortnightly), Just(Frequency::Monthly)]
}

/// Start dates from 2000 to 2099, with leap days and month ends drawn often.
fn any_start() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        (2000i32..2100, 1u32..=12, 1u32..=31).prop_filter_map("valid date", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
        (0i32..25).prop_map(|i| date(2000 + 4 * i, 2, 29)),
        (2000i32..2100, 1u32..=12).prop_map(|(y, m)| {
            let first_of_next = if m == 12 { date(y + 1, 1, 1) } else { date(y, m + 1, 1) };
            first_of_next.pred_opt().expect("not the first day of the calendar")
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 400,
        // Integration tests have no lib.rs beside them, so failing inputs go
        // to a `.regressions` file next to this source file.
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn schedule_properties(
        financed in 1i64..=1_000_000_000_000,
        down in prop_oneof![Just(0i64), 1i64..=1_000_000_000_000],
        rate in prop_oneof![Just(0u32), 0u32..=5_000],
        count in 1u32..=520,
        frequency in any_frequency(),
        start in any_start(),
    ) {
        match build(financed, down, rate, frequency, start, count) {
            Ok(schedule) => {
                let rows = instalments_only(&schedule);
                prop_assert_eq!(rows.len() as u32, count);
                prop_assert_eq!(schedule.instalments.len() as u32, count + u32::from(down > 0));

                let sum: i64 = rows.iter().map(|row| row.amount).sum();
                let principal: i64 = rows.iter().map(|row| row.principal).sum();
                prop_assert_eq!(sum, financed + schedule.total_interest);
                prop_assert_eq!(principal, financed);
                prop_assert_eq!(schedule.total_to_pay, down + sum);
                if rate == 0 {
                    prop_assert_eq!(schedule.total_interest, 0);
                }

                for row in &schedule.instalments {
                    prop_assert!(row.amount > 0, "row {} amount {}", row.number, row.amount);
                    prop_assert!(row.principal >= 0, "row {} principal {}", row.number, row.principal);
                    prop_assert!(row.interest >= 0, "row {} interest {}", row.number, row.interest);
                    prop_assert_eq!(row.amount, row.principal + row.interest);
                }
                for (k, row) in rows.iter().enumerate() {
                    prop_assert_eq!(row.number, k as u32 + 1);
                    prop_assert_eq!(Some(row.due_on), due_date(start, frequency, row.number));
                }
                for pair in schedule.instalments.windows(2) {
                    prop_assert!(pair[0].due_on < pair[1].due_on, "dates must increase: {} then {}", pair[0].due_on, pair[1].due_on);
                }
                for row in &rows[..rows.len() - 1] {
                    prop_assert_eq!(row.amount, rows[0].amount);
                }
                prop_assert_eq!(schedule.last_due_on, rows[rows.len() - 1].due_on);
            }
            Err(message) => {
                // The only rejection expected for these inputs is an amount
                // too small to spread. That needs a payment of at most half a
                // minor unit, or a balance drift (at most one minor unit per
                // period, compounded) as large as the final balance.
                prop_assert!(message.contains("fewer instalments"), "unexpected error: {}", message);
                let possible = if rate == 0 {
                    financed < i64::from(count)
                } else {
                    let r = f64::from(rate) / 10_000.0 / f64::from(frequency.periods_per_year());
                    let growth = (1.0 + r).powi(count as i32);
                    let pmt = financed as f64 * r * growth / (growth - 1.0);
                    let max_drift = ((1.0 + r).powi(count as i32 - 1) - 1.0) / r;
                    pmt <= 0.5 + 1e-9 || pmt / (1.0 + r) <= max_drift + 1.0
                };
                prop_assert!(possible, "{} over {} at {} bp was rejected: {}", financed, count, rate, message);
            }
        }
    }
}
