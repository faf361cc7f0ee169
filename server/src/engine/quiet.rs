//! Do-not-disturb as a rule the server can apply at any moment: a pause
//! (`until`) and daily quiet hours reckoned in the user's time zone (their
//! profile's; UTC without one), across daylight-saving changes.

use chrono::{Duration as Days, NaiveDate, NaiveTime, TimeZone};
use protocol::{Dnd, DndSchedule};
use time::OffsetDateTime;

use crate::store::DndRecord;

/// One user's do-not-disturb.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuietRule {
    pub until: Option<OffsetDateTime>,
    /// Minutes after local midnight: start, end (`start > end` runs past
    /// midnight).
    pub schedule: Option<(u16, u16)>,
    pub timezone: Option<String>,
}

impl From<DndRecord> for QuietRule {
    fn from(record: DndRecord) -> Self {
        QuietRule {
            until: record.until,
            schedule: record.schedule,
            timezone: record.timezone,
        }
    }
}

impl QuietRule {
    /// The rule a `dnd` frame states.
    pub fn from_wire(dnd: &Dnd) -> Self {
        QuietRule {
            until: dnd.until,
            schedule: dnd.schedule.as_ref().and_then(DndSchedule::minutes),
            timezone: dnd.timezone.clone(),
        }
    }

    /// Whether notifications are held at `now`.
    pub fn quiet(&self, now: OffsetDateTime) -> bool {
        self.window(now).is_some_and(|(from, _)| from <= now)
    }

    /// The current or next quiet stretch after `now`, if any: the pause
    /// and the quiet hours that overlap it, as one.
    pub fn window(&self, now: OffsetDateTime) -> Option<(OffsetDateTime, OffsetDateTime)> {
        let scheduled = self.schedule.and_then(|s| self.next_scheduled(s, now));
        match (self.until.filter(|until| *until > now), scheduled) {
            (Some(until), Some((from, to))) if from <= until => {
                Some((from.min(now), to.max(until)))
            }
            (Some(until), _) => Some((now, until)),
            (None, scheduled) => scheduled,
        }
    }

    /// The first stretch of quiet hours that has not ended at `now`.
    fn next_scheduled(
        &self,
        (start, end): (u16, u16),
        now: OffsetDateTime,
    ) -> Option<(OffsetDateTime, OffsetDateTime)> {
        let zone: chrono_tz::Tz = self
            .timezone
            .as_deref()
            .and_then(|z| z.parse().ok())
            .unwrap_or(chrono_tz::UTC);
        let now_chrono = chrono::DateTime::from_timestamp(now.unix_timestamp(), 0)?;
        let today = now_chrono.with_timezone(&zone).date_naive();
        let at = |day: NaiveDate, minute: u16| -> Option<OffsetDateTime> {
            let time = NaiveTime::from_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0)?;
            let local = day.and_time(time);
            // A time skipped by a clock change counts from an hour later.
            let instant = zone.from_local_datetime(&local).earliest().or_else(|| {
                zone.from_local_datetime(&(local + Days::hours(1)))
                    .earliest()
            })?;
            OffsetDateTime::from_unix_timestamp(instant.timestamp()).ok()
        };
        (-1..=1).find_map(|offset| {
            let day = today.checked_add_signed(Days::days(offset))?;
            let end_day = if start < end { day } else { day.succ_opt()? };
            let (from, to) = (at(day, start)?, at(end_day, end)?);
            (to > now).then_some((from, to))
        })
    }

    /// The rule as the wire states it, with its stretch reckoned at `now`.
    pub fn to_wire(&self, now: OffsetDateTime) -> Dnd {
        let window = self.window(now);
        let minute = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        Dnd {
            until: self.until.filter(|until| *until > now),
            schedule: self.schedule.map(|(start, end)| DndSchedule {
                start: minute(start),
                end: minute(end),
            }),
            timezone: self.timezone.clone(),
            quiet_from: window.map(|(from, _)| from),
            quiet_until: window.map(|(_, until)| until),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_pause_holds_until_it_ends() {
        let now = datetime!(2026-12-04 10:00 UTC);
        let rule = QuietRule {
            until: Some(datetime!(2026-12-04 11:00 UTC)),
            ..Default::default()
        };
        assert!(rule.quiet(now));
        assert!(!rule.quiet(datetime!(2026-12-04 11:00 UTC)));
    }

    #[test]
    fn quiet_hours_run_past_midnight_in_the_users_zone() {
        let rule = QuietRule {
            schedule: Some((22 * 60, 8 * 60)),
            timezone: Some("Europe/Paris".into()),
            ..Default::default()
        };
        // 22:30 in Paris (UTC+1 in December) is quiet; 12:00 is not.
        assert!(rule.quiet(datetime!(2026-12-04 21:30 UTC)));
        assert!(rule.quiet(datetime!(2026-12-05 06:59 UTC)));
        assert!(!rule.quiet(datetime!(2026-12-05 07:00 UTC)));
        let noon = datetime!(2026-12-04 11:00 UTC);
        assert!(!rule.quiet(noon));
        assert_eq!(
            rule.window(noon),
            Some((
                datetime!(2026-12-04 21:00 UTC),
                datetime!(2026-12-05 07:00 UTC)
            ))
        );
    }

    #[test]
    fn a_pause_that_meets_quiet_hours_is_one_stretch() {
        let rule = QuietRule {
            until: Some(datetime!(2026-12-04 23:00 UTC)),
            schedule: Some((22 * 60, 6 * 60)),
            timezone: None,
        };
        let now = datetime!(2026-12-04 20:00 UTC);
        assert_eq!(
            rule.window(now),
            Some((now, datetime!(2026-12-05 06:00 UTC)))
        );
        let wire = rule.to_wire(now);
        assert!(wire.quiet_at(now));
        assert_eq!(wire.schedule.unwrap().start, "22:00");
    }
}
