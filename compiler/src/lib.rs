//! The `.guide` compiler: source -> AST -> typed IR -> bytecode.
pub mod diagnostic;
