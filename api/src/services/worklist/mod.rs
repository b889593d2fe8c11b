//! The prioritised worklist (`rank`) over stored scores (`score`), call and
//! mailing list exports (`export`), bulk reassignment and teams (`assign`),
//! and the batch loader of contact-rule inputs they share (`contact_inputs`).

pub mod assign;
pub mod contact_inputs;
pub mod export;
pub mod rank;
pub mod score;
