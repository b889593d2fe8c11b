pub mod list;
pub mod payment_policy;
pub mod repayment_policy;
pub mod time_zone;
