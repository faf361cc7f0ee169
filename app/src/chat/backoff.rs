//! When to try reconnecting: exponential backoff with full jitter.
//!
//! Attempt `n` waits a random time between 0 and `min(30 s, 0.5 s × 2ⁿ)`, so a
//! thousand clients that lost the same server do not come back in one wave.

/// First attempt's ceiling.
pub const BASE_MS: f64 = 500.0;
/// No attempt waits longer than this.
pub const CAP_MS: f64 = 30_000.0;
/// A connection that stayed up this long resets the attempt count.
pub const STABLE_MS: u32 = 10_000;

/// The delay before attempt `attempt` (0-based), given a random number in [0, 1).
pub fn delay_ms(attempt: u32, random: f64) -> f64 {
    let ceiling = (BASE_MS * 2f64.powi(attempt.min(16) as i32)).min(CAP_MS);
    random.clamp(0.0, 1.0) * ceiling
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_to_the_cap_with_full_jitter() {
        assert_eq!(delay_ms(0, 1.0), 500.0);
        assert_eq!(delay_ms(1, 1.0), 1000.0);
        assert_eq!(delay_ms(3, 0.5), 2000.0);
        assert_eq!(delay_ms(6, 1.0), CAP_MS);
        assert_eq!(delay_ms(1000, 1.0), CAP_MS, "no overflow");
        assert_eq!(delay_ms(5, 0.0), 0.0);
    }
}
