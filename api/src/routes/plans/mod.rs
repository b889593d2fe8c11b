pub mod cancel;
pub mod create;
pub mod decide;
pub mod get;
pub mod list;
pub mod preview;
