//! Analyses of a checked campaign: the personalised variants a recipient can receive, witnesses
//! for each, and the duration range.
pub mod domains;
pub mod timing;
