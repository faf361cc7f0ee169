//! Days and times on the reader's clock, for what is scheduled: "today",
//! "tomorrow" or the date; a `datetime-local` field's value as an instant;
//! tomorrow at an hour. Outside a browser (server rendering), UTC.

use time::OffsetDateTime;

/// Milliseconds since the epoch.
fn ms(ts: OffsetDateTime) -> f64 {
    (ts.unix_timestamp_nanos() / 1_000_000) as f64
}

fn from_ms(ms: f64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).ok()
}

/// The reader's day of `ts`: "today", "tomorrow", or "on YYYY-MM-DD".
pub fn local_day(ts: OffsetDateTime) -> String {
    let day = |t: OffsetDateTime| -> (i32, u32, u32) {
        #[cfg(feature = "hydrate")]
        {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms(t)));
            (
                date.get_full_year() as i32,
                date.get_month() + 1,
                date.get_date(),
            )
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = ms(t);
            (t.year(), u8::from(t.month()) as u32, t.day() as u32)
        }
    };
    let now = super::now();
    let (y, m, d) = day(ts);
    if (y, m, d) == day(now) {
        "today".into()
    } else if (y, m, d) == day(now + time::Duration::days(1)) {
        "tomorrow".into()
    } else {
        format!("on {y:04}-{m:02}-{d:02}")
    }
}

/// The instant a `datetime-local` field's value (`YYYY-MM-DDTHH:MM`) names
/// on the reader's clock.
pub fn from_local_input(value: &str) -> Option<OffsetDateTime> {
    if value.len() < 16 {
        return None;
    }
    #[cfg(feature = "hydrate")]
    {
        // A date-time without an offset is local time to Date.
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value));
        let ms = date.get_time();
        (!ms.is_nan()).then_some(()).and_then(|_| from_ms(ms))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
        time::PrimitiveDateTime::parse(&value[..16], format)
            .ok()
            .map(|t| t.assume_utc())
            .filter(|t| from_ms(ms(*t)).is_some())
    }
}

/// `ts` as a `datetime-local` field's value on the reader's clock.
pub fn local_input_value(ts: OffsetDateTime) -> String {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms(ts)));
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}",
            date.get_full_year(),
            date.get_month() + 1,
            date.get_date(),
            date.get_hours(),
            date.get_minutes()
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}",
            ts.year(),
            u8::from(ts.month()),
            ts.day(),
            ts.hour(),
            ts.minute()
        )
    }
}

/// Tomorrow at `hour`:00 on the reader's clock.
pub fn tomorrow_at(hour: u32) -> OffsetDateTime {
    let now = super::now();
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms(now)));
        date.set_date(date.get_date() + 1);
        date.set_hours(hour);
        date.set_minutes(0);
        date.set_seconds(0);
        date.set_milliseconds(0);
        from_ms(date.get_time()).unwrap_or(now)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let day = now.date() + time::Duration::days(1);
        let time = time::Time::from_hms(hour.min(23) as u8, 0, 0).unwrap_or(time::Time::MIDNIGHT);
        day.with_time(time).assume_utc()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_fields_read_as_expected() {
        let now = crate::chat::now();
        assert_eq!(local_day(now), "today");
        assert_eq!(local_day(now + time::Duration::days(1)), "tomorrow");
        let t = from_local_input("2030-05-06T07:08").unwrap();
        assert_eq!((t.year(), t.hour(), t.minute()), (2030, 7, 8));
        assert!(from_local_input("soon").is_none());
        assert_eq!(tomorrow_at(9).hour(), 9);
    }
}
