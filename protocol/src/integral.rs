//! Whole numbers in JSON bodies as JSON Schema counts them: `7` and `7.0`
//! are the same integer (serde alone refuses the second), so a body the
//! API description calls valid is read as such. A fraction, or a number out
//! of range, is still refused.

use serde::de::{Deserializer, Error};
use serde::Deserialize;

use super::{Seq, MAX_SEQ};

/// A whole number from 0 to `max`, written as an integer or as a float
/// with no fraction.
fn whole(number: serde_json::Number, max: u64) -> Option<u64> {
    let value = match number.as_u64() {
        Some(n) => n,
        None => {
            let f = number.as_f64()?;
            if f.fract() != 0.0 || !(0.0..=max as f64).contains(&f) {
                return None;
            }
            f as u64
        }
    };
    (value <= max).then_some(value)
}

/// A `seq`: 0 to 2^63 - 1, the range a store keeps.
pub fn seq<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Seq, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    whole(number, MAX_SEQ)
        .ok_or_else(|| D::Error::custom("a seq is a whole number from 0 to 2^63 - 1"))
}

/// A `u32`.
pub fn u32<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    whole(number, u32::MAX as u64)
        .map(|n| n as u32)
        .ok_or_else(|| D::Error::custom("expected a whole number from 0 to 4294967295"))
}

/// An optional `u32` (absent or `null`: none).
pub fn optional_u32<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    match Option::<serde_json::Number>::deserialize(deserializer)? {
        None => Ok(None),
        Some(number) => whole(number, u32::MAX as u64)
            .map(|n| Some(n as u32))
            .ok_or_else(|| D::Error::custom("expected a whole number from 0 to 4294967295")),
    }
}

/// A field that may be absent (`None`, with `#[serde(default)]`), `null`
/// (`Some(None)`) or a `u32` (`Some(Some(n))`): "leave it", "clear it",
/// "set it".
pub fn present_optional_u32<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<u32>>, D::Error> {
    optional_u32(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::{CreateToken, MarkRead, RoomPatch};

    #[test]
    fn a_patch_tells_absent_from_null() {
        let read = |v| {
            serde_json::from_value::<RoomPatch>(v)
                .unwrap()
                .retention_days
        };
        assert_eq!(read(json!({})), None);
        assert_eq!(read(json!({ "retention_days": null })), Some(None));
        assert_eq!(read(json!({ "retention_days": 30.0 })), Some(Some(30)));
        assert!(serde_json::from_value::<RoomPatch>(json!({ "retention_days": -1 })).is_err());
    }

    #[test]
    fn whole_floats_are_integers_and_fractions_are_not() {
        let read = |v| serde_json::from_value::<MarkRead>(json!({ "seq": v }));
        assert_eq!(read(json!(7)).unwrap().seq, 7);
        assert_eq!(read(json!(7.0)).unwrap().seq, 7);
        assert!(read(json!(7.5)).is_err());
        assert!(read(json!(-1)).is_err());
        assert!(read(json!(9_223_372_036_854_775_808_u64)).is_err());
        let token = |v| {
            serde_json::from_value::<CreateToken>(json!({ "name": "ci", "expires_in_days": v }))
        };
        assert_eq!(token(json!(30.0)).unwrap().expires_in_days, Some(30));
        assert_eq!(token(json!(null)).unwrap().expires_in_days, None);
        assert!(token(json!(1.5)).is_err());
    }
}
