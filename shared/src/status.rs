//! Account status and the transitions allowed between statuses.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Placed with us and being worked.
    Open,
    /// The debtor keeps to a promise or a repayment plan.
    InArrangement,
    /// The debtor disputes the debt; collection pauses until it is verified.
    Disputed,
    /// Collection paused by a manager, a bankruptcy or a death notice.
    OnHold,
    /// Paid in full.
    Paid,
    /// Closed by a settlement for less than the balance.
    Settled,
    /// Written off as uncollectable.
    WrittenOff,
    /// Handed back to the creditor.
    Returned,
}

impl AccountStatus {
    pub const ALL: [AccountStatus; 8] = [
        AccountStatus::Open,
        AccountStatus::InArrangement,
        AccountStatus::Disputed,
        AccountStatus::OnHold,
        AccountStatus::Paid,
        AccountStatus::Settled,
        AccountStatus::WrittenOff,
        AccountStatus::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Open => "open",
            AccountStatus::InArrangement => "in_arrangement",
            AccountStatus::Disputed => "disputed",
            AccountStatus::OnHold => "on_hold",
            AccountStatus::Paid => "paid",
            AccountStatus::Settled => "settled",
            AccountStatus::WrittenOff => "written_off",
            AccountStatus::Returned => "returned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AccountStatus::Open => "Open",
            AccountStatus::InArrangement => "In arrangement",
            AccountStatus::Disputed => "Disputed",
            AccountStatus::OnHold => "On hold",
            AccountStatus::Paid => "Paid",
            AccountStatus::Settled => "Settled",
            AccountStatus::WrittenOff => "Written off",
            AccountStatus::Returned => "Returned",
        }
    }

    /// Whether the account is closed: no further collection work happens on it.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            AccountStatus::Paid | AccountStatus::Settled | AccountStatus::WrittenOff | AccountStatus::Returned
        )
    }

    /// The statuses an account may move to from this one.
    pub fn allowed_next(self) -> &'static [AccountStatus] {
        use AccountStatus::*;
        match self {
            Open => &[InArrangement, Disputed, OnHold, Paid, Settled, WrittenOff, Returned],
            InArrangement => &[Open, Disputed, OnHold, Paid, Settled, WrittenOff, Returned],
            Disputed => &[Open, OnHold, WrittenOff, Returned],
            OnHold => &[Open, Disputed, WrittenOff, Returned],
            // A reversed final payment reopens a paid or settled account.
            Paid | Settled => &[Open],
            WrittenOff | Returned => &[],
        }
    }

    /// Checks a transition, returning the message to show when it is not allowed.
    pub fn check_transition(self, to: AccountStatus) -> Result<(), String> {
        if self.allowed_next().contains(&to) {
            Ok(())
        } else {
            Err(format!(
                "an account cannot move from {} to {}; allowed next statuses: {}",
                self.as_str(),
                to.as_str(),
                if self.allowed_next().is_empty() {
                    "none".to_string()
                } else {
                    self.allowed_next().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                }
            ))
        }
    }
}

impl FromStr for AccountStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AccountStatus::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| {
            format!(
                "'{s}' is not an account status; use one of {}",
                AccountStatus::ALL.map(|x| x.as_str()).join(", ")
            )
        })
    }
}

impl fmt::Display for AccountStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Days-past-due buckets used by worklist filters, in the industry's usual 30-day bands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DpdBucket {
    #[serde(rename = "0-30")]
    UpTo30,
    #[serde(rename = "31-60")]
    UpTo60,
    #[serde(rename = "61-90")]
    UpTo90,
    #[serde(rename = "91-180")]
    UpTo180,
    #[serde(rename = "181-365")]
    UpTo365,
    #[serde(rename = "365+")]
    Over365,
}

impl DpdBucket {
    pub const ALL: [DpdBucket; 6] = [
        DpdBucket::UpTo30,
        DpdBucket::UpTo60,
        DpdBucket::UpTo90,
        DpdBucket::UpTo180,
        DpdBucket::UpTo365,
        DpdBucket::Over365,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DpdBucket::UpTo30 => "0-30",
            DpdBucket::UpTo60 => "31-60",
            DpdBucket::UpTo90 => "61-90",
            DpdBucket::UpTo180 => "91-180",
            DpdBucket::UpTo365 => "181-365",
            DpdBucket::Over365 => "365+",
        }
    }

    /// Inclusive bounds in days; the upper bound is `None` for the open-ended bucket.
    pub fn bounds(self) -> (i32, Option<i32>) {
        match self {
            DpdBucket::UpTo30 => (0, Some(30)),
            DpdBucket::UpTo60 => (31, Some(60)),
            DpdBucket::UpTo90 => (61, Some(90)),
            DpdBucket::UpTo180 => (91, Some(180)),
            DpdBucket::UpTo365 => (181, Some(365)),
            DpdBucket::Over365 => (366, None),
        }
    }

    pub fn for_days(days: i32) -> DpdBucket {
        DpdBucket::ALL
            .into_iter()
            .find(|b| {
                let (low, high) = b.bounds();
                days >= low && high.is_none_or(|h| days <= h)
            })
            .unwrap_or(DpdBucket::UpTo30)
    }
}

impl FromStr for DpdBucket {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DpdBucket::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| {
            format!("'{s}' is not a days-past-due bucket; use one of {}", DpdBucket::ALL.map(|x| x.as_str()).join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_statuses_do_not_reopen_except_paid_and_settled() {
        assert!(AccountStatus::WrittenOff.check_transition(AccountStatus::Open).is_err());
        assert!(AccountStatus::Paid.check_transition(AccountStatus::Open).is_ok());
        assert!(AccountStatus::Open.check_transition(AccountStatus::Open).is_err());
    }

    #[test]
    fn every_status_round_trips_through_text() {
        for status in AccountStatus::ALL {
            assert_eq!(status.as_str().parse::<AccountStatus>(), Ok(status));
        }
    }

    #[test]
    fn dpd_bucket_edges() {
        assert_eq!(DpdBucket::for_days(0), DpdBucket::UpTo30);
        assert_eq!(DpdBucket::for_days(30), DpdBucket::UpTo30);
        assert_eq!(DpdBucket::for_days(31), DpdBucket::UpTo60);
        assert_eq!(DpdBucket::for_days(365), DpdBucket::UpTo365);
        assert_eq!(DpdBucket::for_days(366), DpdBucket::Over365);
    }
}
