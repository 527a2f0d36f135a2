//! From text to syntax tree: the pest grammar binding, the tree, and the
//! translation of pest's errors into readable syntax diagnostics.

mod parse;
pub mod tree;

pub use parse::parse;
