//! Reading `.guide` files: the pest grammar, the syntax tree and syntax errors.
pub mod ast;
pub mod error;
pub mod keywords;
pub mod parser;

pub use error::SyntaxError;
pub use parser::parse;
