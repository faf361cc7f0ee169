//! What the benchmarks share.

// Each benchmark uses what it needs of these.
#[allow(dead_code)]
pub mod db;
#[allow(dead_code)]
pub mod setup;

/// The value at quantile `q` of sorted `times`.
pub fn quantile(times: &[f64], q: f64) -> f64 {
    times[((times.len() as f64 * q) as usize).min(times.len() - 1)]
}
