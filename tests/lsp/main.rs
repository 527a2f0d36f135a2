//! The language server, driven in process.
