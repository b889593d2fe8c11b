//! Splitting a payment over an account's components, and re-splitting an
//! account's payments when one arrives with an earlier date or is reversed.
//!
//! Everything here is pure arithmetic on minor units; the payments service
//! reads the timeline from the ledger and writes the differences back as
//! journal entries.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use uuid::Uuid;

/// A part of what the debtor owes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Component {
    Fees,
    Interest,
    Principal,
}

impl Component {
    pub const ALL: [Component; 3] = [Component::Fees, Component::Interest, Component::Principal];

    pub fn as_str(self) -> &'static str {
        match self {
            Component::Fees => "fees",
            Component::Interest => "interest",
            Component::Principal => "principal",
        }
    }
}

impl FromStr for Component {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Component::ALL
            .into_iter()
            .find(|c| c.as_str() == text)
            .ok_or_else(|| format!("'{text}' is not a balance component; use fees, interest or principal"))
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The order in which a payment pays off the components; each appears once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllocationOrder(pub [Component; 3]);

impl Default for AllocationOrder {
    /// Fees first, then interest, then principal.
    fn default() -> Self {
        AllocationOrder(Component::ALL)
    }
}

impl AllocationOrder {
    /// Reads the order from component names, refusing repeats and omissions.
    pub fn parse(names: &[String]) -> Result<Self, String> {
        let parsed: Vec<Component> = names.iter().map(|n| n.parse()).collect::<Result<_, _>>()?;
        match parsed.as_slice() {
            [a, b, c] if a != b && b != c && a != c => Ok(AllocationOrder([*a, *b, *c])),
            _ => Err("the allocation order must name fees, interest and principal once each".to_string()),
        }
    }

    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|c| c.as_str().to_string()).collect()
    }
}

/// Amounts per component in minor units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Components {
    pub principal: i64,
    pub interest: i64,
    pub fees: i64,
}

impl Components {
    pub fn get(&self, component: Component) -> i64 {
        match component {
            Component::Principal => self.principal,
            Component::Interest => self.interest,
            Component::Fees => self.fees,
        }
    }

    fn get_mut(&mut self, component: Component) -> &mut i64 {
        match component {
            Component::Principal => &mut self.principal,
            Component::Interest => &mut self.interest,
            Component::Fees => &mut self.fees,
        }
    }

    pub fn total(&self) -> i64 {
        self.principal + self.interest + self.fees
    }
}

/// Amounts one payment paid: each component and the rest kept as unapplied credit.
/// The four parts always add up to the payment's amount.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Allocation {
    pub paid: Components,
    pub unapplied: i64,
}

impl Allocation {
    pub fn total(&self) -> i64 {
        self.paid.total() + self.unapplied
    }

    /// This allocation minus `other`, part by part.
    pub fn minus(&self, other: &Allocation) -> Allocation {
        Allocation {
            paid: Components {
                principal: self.paid.principal - other.paid.principal,
                interest: self.paid.interest - other.paid.interest,
                fees: self.paid.fees - other.paid.fees,
            },
            unapplied: self.unapplied - other.unapplied,
        }
    }

    pub fn is_zero(&self) -> bool {
        *self == Allocation::default()
    }
}

/// Splits `amount` over the positive parts of `owed` in `order`; what is
/// left once everything is paid becomes unapplied credit. Components that
/// are zero or negative take nothing.
pub fn allocate(owed: &Components, amount: i64, order: AllocationOrder) -> Allocation {
    debug_assert!(amount >= 0, "payments are positive");
    let mut left = amount;
    let mut paid = Components::default();
    for component in order.0 {
        let take = owed.get(component).max(0).min(left);
        *paid.get_mut(component) = take;
        left -= take;
    }
    Allocation { paid, unapplied: left }
}

/// One event on an account's timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The placed balance and corrections of it: applied before anything dated.
    Opening { delta: Components },
    /// A dated charge (such as a returned-payment fee) or credit to components.
    Charge { on: NaiveDate, sequence: i64, delta: Components },
    /// A payment (or the part of one that went to this account) still in force.
    Payment { on: NaiveDate, sequence: i64, payment_id: Uuid, amount: i64 },
}

impl Event {
    /// Orders openings first, then by date, and within a day by posting
    /// order. So a fee charged today never takes money from a payment
    /// received earlier today.
    fn sort_key(&self) -> (u8, Option<NaiveDate>, i64) {
        match self {
            Event::Opening { .. } => (0, None, 0),
            Event::Charge { on, sequence, .. } | Event::Payment { on, sequence, .. } => (1, Some(*on), *sequence),
        }
    }
}

/// The result of replaying a timeline.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Replay {
    pub allocations: HashMap<Uuid, Allocation>,
    /// Amount owed after every event.
    pub owed: Components,
    /// Unapplied credit after every event.
    pub unapplied: i64,
}

/// Applies the events in timeline order and returns each payment's allocation.
pub fn replay(events: &[Event], order: AllocationOrder) -> Replay {
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by_key(|e| e.sort_key());
    let mut result = Replay::default();
    for event in sorted {
        match event {
            Event::Opening { delta } | Event::Charge { delta, .. } => {
                result.owed.principal += delta.principal;
                result.owed.interest += delta.interest;
                result.owed.fees += delta.fees;
            }
            Event::Payment { payment_id, amount, .. } => {
                let allocation = allocate(&result.owed, *amount, order);
                result.owed.principal -= allocation.paid.principal;
                result.owed.interest -= allocation.paid.interest;
                result.owed.fees -= allocation.paid.fees;
                result.unapplied += allocation.unapplied;
                *result.allocations.entry(*payment_id).or_default() = allocation;
            }
        }
    }
    result
}

/// How to spread one payment over several accounts of a debtor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpreadRule {
    /// Oldest delinquency first, each account paid off before the next.
    OldestFirst,
    /// Largest balance first, each account paid off before the next.
    LargestFirst,
    /// In proportion to the balances; the minor units left by rounding down
    /// go one at a time to the largest remainders (largest-remainder method).
    Proportional,
}

/// An account that a spread payment can go to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpreadTarget {
    pub account_id: Uuid,
    pub owed: i64,
    pub delinquent_since: Option<NaiveDate>,
}

/// Splits `amount` over `targets`. Whatever exceeds all balances goes to the
/// first target in the rule's order, where it becomes unapplied credit.
/// Returns (account, amount) pairs with positive amounts only.
pub fn spread(amount: i64, targets: &[SpreadTarget], rule: SpreadRule) -> Vec<(Uuid, i64)> {
    let mut ordered: Vec<&SpreadTarget> = targets.iter().collect();
    match rule {
        SpreadRule::OldestFirst => ordered.sort_by_key(|t| (t.delinquent_since.is_none(), t.delinquent_since, t.account_id)),
        SpreadRule::LargestFirst | SpreadRule::Proportional => {
            ordered.sort_by_key(|t| (std::cmp::Reverse(t.owed), t.account_id))
        }
    }
    let mut shares: Vec<(Uuid, i64)> = ordered.iter().map(|t| (t.account_id, 0)).collect();
    let owed: Vec<i64> = ordered.iter().map(|t| t.owed.max(0)).collect();
    let total_owed: i64 = owed.iter().sum();
    let payable = amount.min(total_owed);
    match rule {
        SpreadRule::OldestFirst | SpreadRule::LargestFirst => {
            let mut left = payable;
            for (share, owed) in shares.iter_mut().zip(&owed) {
                let take = (*owed).min(left);
                share.1 = take;
                left -= take;
            }
        }
        SpreadRule::Proportional if total_owed > 0 => {
            // i128 keeps payable * owed exact for any two i64 values. The
            // units left by rounding down go to the largest remainders.
            let mut given = 0;
            let mut remainders = Vec::with_capacity(shares.len());
            for (index, (share, owed)) in shares.iter_mut().zip(&owed).enumerate() {
                let exact = i128::from(payable) * i128::from(*owed);
                share.1 = (exact / i128::from(total_owed)) as i64;
                given += share.1;
                remainders.push((exact % i128::from(total_owed), index));
            }
            remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            for (_, index) in remainders.into_iter().cycle() {
                if given == payable {
                    break;
                }
                if shares[index].1 < owed[index] {
                    shares[index].1 += 1;
                    given += 1;
                }
            }
        }
        SpreadRule::Proportional => {}
    }
    if let Some(first) = shares.first_mut() {
        first.1 += amount - payable;
    }
    shares.retain(|(_, share)| *share > 0);
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn owed(principal: i64, interest: i64, fees: i64) -> Components {
        Components { principal, interest, fees }
    }

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
    }

    #[test]
    fn pays_fees_then_interest_then_principal_by_default() {
        let allocation = allocate(&owed(10_000, 2_000, 1_500), 5_000, AllocationOrder::default());
        assert_eq!(allocation.paid, owed(1_500, 2_000, 1_500));
        assert_eq!(allocation.unapplied, 0);
    }

    #[test]
    fn keeps_an_overpayment_as_unapplied_credit() {
        let allocation = allocate(&owed(1_000, 200, 0), 1_500, AllocationOrder::default());
        assert_eq!(allocation.paid, owed(1_000, 200, 0));
        assert_eq!(allocation.unapplied, 300);
    }

    #[test]
    fn follows_a_configured_order() {
        let order = AllocationOrder::parse(&["principal".into(), "interest".into(), "fees".into()]).unwrap();
        let allocation = allocate(&owed(1_000, 200, 300), 1_100, order);
        assert_eq!(allocation.paid, owed(1_000, 100, 0));
    }

    #[test]
    fn refuses_an_order_that_repeats_a_component() {
        let error = AllocationOrder::parse(&["fees".into(), "fees".into(), "principal".into()]).unwrap_err();
        assert!(error.contains("once each"), "{error}");
        assert!(AllocationOrder::parse(&["fees".into(), "tax".into(), "principal".into()]).is_err());
    }

    #[test]
    fn a_back_dated_payment_changes_what_a_later_one_paid() {
        // A fee charged on the 10th; a payment on the 15th pays it first.
        let later = Uuid::from_u128(2);
        let mut events = vec![
            Event::Opening { delta: owed(1_000, 0, 0) },
            Event::Charge { on: date(10), sequence: 1, delta: owed(0, 0, 300) },
            Event::Payment { on: date(15), sequence: 2, payment_id: later, amount: 500 },
        ];
        let before = replay(&events, AllocationOrder::default());
        assert_eq!(before.allocations[&later].paid, owed(200, 0, 300));

        // A payment dated the 5th, before the fee, pays principal. The later
        // payment then finds only 100 of principal left, so 100 of it
        // becomes unapplied credit.
        let earlier = Uuid::from_u128(3);
        events.push(Event::Payment { on: date(5), sequence: 3, payment_id: earlier, amount: 900 });
        let after = replay(&events, AllocationOrder::default());
        assert_eq!(after.allocations[&earlier].paid, owed(900, 0, 0));
        assert_eq!(after.allocations[&later].paid, owed(100, 0, 300));
        assert_eq!(after.allocations[&later].unapplied, 100);
        assert_eq!(after.owed, owed(0, 0, 0));
        assert_eq!(after.unapplied, 100);
    }

    #[test]
    fn spreads_oldest_first_and_puts_the_excess_on_the_first_account() {
        let a = SpreadTarget { account_id: Uuid::from_u128(1), owed: 500, delinquent_since: Some(date(20)) };
        let b = SpreadTarget { account_id: Uuid::from_u128(2), owed: 300, delinquent_since: Some(date(1)) };
        assert_eq!(spread(600, &[a.clone(), b.clone()], SpreadRule::OldestFirst), vec![(b.account_id, 300), (a.account_id, 300)]);
        assert_eq!(spread(1_000, &[a.clone(), b.clone()], SpreadRule::OldestFirst), vec![(b.account_id, 500), (a.account_id, 500)]);
    }

    #[test]
    fn spreads_in_proportion_with_the_remainder_to_the_largest() {
        let a = SpreadTarget { account_id: Uuid::from_u128(1), owed: 200, delinquent_since: None };
        let b = SpreadTarget { account_id: Uuid::from_u128(2), owed: 100, delinquent_since: None };
        // 100 * 200 / 300 = 66.67, 100 * 100 / 300 = 33.33; the spare unit goes to the larger remainder.
        assert_eq!(spread(100, &[a.clone(), b.clone()], SpreadRule::Proportional), vec![(a.account_id, 67), (b.account_id, 33)]);
        // 1001 over 113799 and 48899: exact shares 700.15 and 300.85, so the spare unit goes to the smaller balance.
        let c = SpreadTarget { account_id: Uuid::from_u128(3), owed: 113_799, delinquent_since: None };
        let d = SpreadTarget { account_id: Uuid::from_u128(4), owed: 48_899, delinquent_since: None };
        assert_eq!(spread(1_001, &[c.clone(), d.clone()], SpreadRule::Proportional), vec![(c.account_id, 700), (d.account_id, 301)]);
    }

    #[test]
    fn a_fee_charged_later_the_same_day_does_not_take_an_earlier_payment() {
        let paid = Uuid::from_u128(9);
        let events = vec![
            Event::Opening { delta: owed(1_000, 0, 0) },
            Event::Payment { on: date(10), sequence: 1, payment_id: paid, amount: 100 },
            Event::Charge { on: date(10), sequence: 2, delta: owed(0, 0, 25) },
        ];
        let result = replay(&events, AllocationOrder::default());
        assert_eq!(result.allocations[&paid].paid, owed(100, 0, 0));
        assert_eq!(result.owed, owed(900, 0, 25));
    }

    fn arb_owed() -> impl Strategy<Value = Components> {
        (0i64..1_000_000, 0i64..100_000, 0i64..10_000).prop_map(|(p, i, f)| owed(p, i, f))
    }

    proptest! {
        #[test]
        fn an_allocation_adds_up_and_never_overpays_a_component(owed in arb_owed(), amount in 0i64..2_000_000) {
            let allocation = allocate(&owed, amount, AllocationOrder::default());
            prop_assert_eq!(allocation.total(), amount);
            for c in Component::ALL {
                prop_assert!(allocation.paid.get(c) >= 0 && allocation.paid.get(c) <= owed.get(c));
            }
            prop_assert!(allocation.unapplied >= 0);
            prop_assert!(allocation.unapplied == 0 || allocation.paid == owed);
        }

        #[test]
        fn a_spread_hands_out_exactly_the_amount(
            amount in 1i64..5_000_000,
            balances in proptest::collection::vec((0i64..1_000_000, proptest::option::of(1u32..28)), 1..6),
            rule in prop_oneof![Just(SpreadRule::OldestFirst), Just(SpreadRule::LargestFirst), Just(SpreadRule::Proportional)],
        ) {
            let targets: Vec<SpreadTarget> = balances.iter().enumerate().map(|(i, (owed, day))| SpreadTarget {
                account_id: Uuid::from_u128(i as u128 + 1), owed: *owed, delinquent_since: day.map(date),
            }).collect();
            let shares = spread(amount, &targets, rule);
            prop_assert_eq!(shares.iter().map(|s| s.1).sum::<i64>(), amount);
            let total_owed: i64 = targets.iter().map(|t| t.owed).sum();
            for (account, share) in &shares {
                let target = targets.iter().find(|t| t.account_id == *account).unwrap();
                prop_assert!(*share > 0);
                // Only the first account takes more than it owes, and only once everything is paid.
                if *share > target.owed {
                    prop_assert!(amount > total_owed);
                }
            }
        }

        #[test]
        fn a_replay_never_loses_or_creates_money(
            opening in arb_owed(),
            steps in proptest::collection::vec((1u32..28, prop_oneof![(0i64..5_000).prop_map(Ok), (1i64..300_000).prop_map(Err)]), 0..20),
        ) {
            let mut events = vec![Event::Opening { delta: opening }];
            let mut paid_in = 0;
            let mut charged = 0;
            for (sequence, (day, step)) in steps.into_iter().enumerate() {
                match step {
                    Ok(fee) => { charged += fee; events.push(Event::Charge { on: date(day), sequence: sequence as i64, delta: owed(0, 0, fee) }) }
                    Err(amount) => { paid_in += amount; events.push(Event::Payment { on: date(day), sequence: sequence as i64, payment_id: Uuid::from_u128(sequence as u128), amount }) }
                }
            }
            let result = replay(&events, AllocationOrder::default());
            let allocated: i64 = result.allocations.values().map(Allocation::total).sum();
            prop_assert_eq!(allocated, paid_in);
            prop_assert_eq!(result.owed.total() + paid_in - result.unapplied, opening.total() + charged);
            for c in Component::ALL {
                prop_assert!(result.owed.get(c) >= 0);
            }
        }
    }
}
