pub mod list;
pub mod payment_policy;
