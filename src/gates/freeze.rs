//! Whether an instant falls inside a freeze window, and when it ends.

use jiff::civil::{DateTime, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan as _};

use crate::spec::{FreezeWindow, Recurrence};

fn to_instant(dt: DateTime, tz: &TimeZone) -> Option<Timestamp> {
    tz.to_ambiguous_zoned(dt).compatible().ok().map(|z| z.timestamp())
}

fn offset_days(from: Weekday, to: Weekday) -> i64 {
    (to.to_monday_zero_offset() as i64 - from.to_monday_zero_offset() as i64).rem_euclid(7)
}

/// When `at` is inside `w`, the instant the window ends.
pub fn active_until(w: &FreezeWindow, at: Timestamp) -> Option<Timestamp> {
    let tz = TimeZone::get(&w.timezone).ok()?;
    let local = at.to_zoned(tz.clone()).datetime();
    match &w.recurrence {
        Recurrence::Once { from, until } => {
            let (a, b) = (to_instant(*from, &tz)?, to_instant(*until, &tz)?);
            (a <= at && at < b).then_some(b)
        }
        Recurrence::Weekly { start, end } => {
            // The most recent start at or before `at` (this week or last).
            let back = offset_days(start.0, local.date().weekday());
            for extra in [0i64, 7] {
                let day = local.date().checked_sub((back + extra).days()).ok()?;
                let s = day.to_datetime(start.1);
                let s_at = to_instant(s, &tz)?;
                if s_at > at {
                    continue;
                }
                let mut len = offset_days(start.0, end.0);
                if len == 0 && end.1 <= start.1 {
                    len = 7;
                }
                let e = day.checked_add(len.days()).ok()?.to_datetime(end.1);
                let e_at = to_instant(e, &tz)?;
                return (at < e_at).then_some(e_at);
            }
            None
        }
        Recurrence::Cron { expr, duration } => {
            // The most recent firing within `duration` before `at`.
            let minutes = duration.as_secs() / 60;
            let mut t = at
                .checked_sub(jiff::SignedDuration::from_secs(at.as_second().rem_euclid(60)))
                .ok()?;
            for _ in 0..=minutes {
                if expr.matches(t.to_zoned(tz.clone()).datetime()) {
                    let end = t.checked_add(jiff::SignedDuration::try_from(*duration).ok()?).ok()?;
                    return (at < end).then_some(end);
                }
                t = t.checked_sub(jiff::SignedDuration::from_secs(60)).ok()?;
            }
            None
        }
        Recurrence::Daily { start, end } => {
            for back in [0i64, 1] {
                let day = local.date().checked_sub(back.days()).ok()?;
                let s_at = to_instant(day.to_datetime(*start), &tz)?;
                if s_at > at {
                    continue;
                }
                let end_day = if *end <= *start {
                    day.checked_add(1.days()).ok()?
                } else {
                    day
                };
                let e_at = to_instant(end_day.to_datetime(*end), &tz)?;
                return (at < e_at).then_some(e_at);
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn weekly_window_across_the_weekend_in_its_zone() {
        let w = FreezeWindow::parse("Fri 16:00 - Mon 08:00 Europe/Berlin").unwrap();
        // 2026-11-20 is a Friday; Berlin is UTC+1 in November.
        assert_eq!(active_until(&w, t("2026-11-20T14:59:00Z")), None);
        assert_eq!(
            active_until(&w, t("2026-11-20T15:00:00Z")),
            Some(t("2026-11-23T07:00:00Z"))
        );
        assert_eq!(
            active_until(&w, t("2026-11-22T12:00:00Z")),
            Some(t("2026-11-23T07:00:00Z"))
        );
        assert_eq!(active_until(&w, t("2026-11-23T07:00:00Z")), None);
        assert_eq!(active_until(&w, t("2026-11-25T12:00:00Z")), None);
    }

    #[test]
    fn cron_window_lasts_its_duration() {
        let w: FreezeWindow =
            serde_saphyr::from_str("{ cron: '0 16 * * FRI', duration: 64h, timezone: Europe/Berlin }").unwrap();
        assert_eq!(active_until(&w, t("2026-11-20T14:59:00Z")), None);
        assert_eq!(
            active_until(&w, t("2026-11-20T15:00:00Z")),
            Some(t("2026-11-23T07:00:00Z"))
        );
        assert_eq!(
            active_until(&w, t("2026-11-22T23:00:00Z")),
            Some(t("2026-11-23T07:00:00Z"))
        );
        assert_eq!(active_until(&w, t("2026-11-23T07:00:00Z")), None);
    }

    #[test]
    fn daily_window_over_midnight_and_one_off_window() {
        let w = FreezeWindow::parse("22:00 - 06:00 UTC").unwrap();
        assert_eq!(
            active_until(&w, t("2026-11-22T23:30:00Z")),
            Some(t("2026-11-23T06:00:00Z"))
        );
        assert_eq!(
            active_until(&w, t("2026-11-23T05:59:00Z")),
            Some(t("2026-11-23T06:00:00Z"))
        );
        assert_eq!(active_until(&w, t("2026-11-23T12:00:00Z")), None);
        let once = FreezeWindow::parse("2026-12-23 - 2027-01-02 UTC").unwrap();
        assert_eq!(
            active_until(&once, t("2026-12-24T10:00:00Z")),
            Some(t("2027-01-02T00:00:00Z"))
        );
        assert_eq!(active_until(&once, t("2027-01-02T00:00:00Z")), None);
    }
}
