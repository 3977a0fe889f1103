//! The `.guide` compiler: source -> AST -> typed IR -> bytecode.
//!
//! One module per stage, data flowing one way:
//! [`syntax`] (pest grammar, AST) -> [`project`] (files, imports, schema) -> [`check`] (types,
//! names, exhaustiveness; produces [`ir`]) -> code generation. [`diagnostic`] renders every
//! stage's errors.
pub mod analysis;
pub mod check;
pub mod codegen;
pub mod diagnostic;
pub mod ir;
pub mod preview;
pub mod project;
pub mod render;
pub mod schema;
pub mod syntax;
