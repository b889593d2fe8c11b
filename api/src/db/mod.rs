//! Tables (`schema.rs`) and one model file per table group: read structs
//! beside the insert structs that borrow their data.

pub mod accounts;
pub mod creditors;
pub mod schema;
pub mod users;
