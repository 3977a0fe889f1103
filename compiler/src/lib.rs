//! The `.guide` language: source -> AST -> typed IR -> bytecode, and every diagnostic on the way.
//!
//! One module per stage, data flowing one way:
//! [`syntax`] (pest grammar, AST) -> [`project`] (files, imports, schema, read through an injected
//! reader) -> [`check`] (types, names, exhaustiveness; produces [`ir`]) -> [`codegen`] (bytecode for
//! `guide-runtime`) -> [`analysis`] (every variant, durations, dead content). [`compile()`] runs
//! them all and is the one entry point every tool uses. [`report`] writes the messages of the checker and the analyses; [`diagnostic`] renders them.
//!
//! This crate does no network, no database and no terminal I/O; it reads files only through
//! [`project::Reader`]. The command line lives in `guide-cli`, batch production in
//! `guide-render`, the designers' preview in `guide-preview` (see ARCHITECTURE.md).
pub mod analysis;
pub mod check;
pub mod codegen;
pub mod compile;
pub mod demos;
pub mod diagnostic;
pub mod format;
pub mod index;
pub mod ir;
pub mod notify;
pub mod project;
pub mod report;
pub mod schema;
pub mod syntax;

pub use compile::{compile, Compiled};
