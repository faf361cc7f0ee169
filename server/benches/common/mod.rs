//! What the benchmarks share.

pub mod db;
