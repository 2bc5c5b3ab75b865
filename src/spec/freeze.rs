//! Freeze (change) windows: when deployments to an environment are blocked.
//!
//! Written as one line, optionally followed by an IANA time zone
//! (default `UTC`):
//!
//! - weekly: `Fri 16:00 - Mon 08:00 Europe/Berlin`
//! - daily: `22:00 - 06:00 America/New_York`
//! - once: `2026-12-23 - 2027-01-02 Europe/Berlin` or
//!   `2026-12-23T18:00 - 2027-01-02T08:00`
//!
//! or as a mapping `{ window: "<one line>", reason: "…" }`.

use std::borrow::Cow;
use std::fmt;

use jiff::civil::{Date, DateTime, Time, Weekday};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

#[derive(Clone, Debug, PartialEq)]
pub enum Recurrence {
    Weekly {
        start: (Weekday, Time),
        end: (Weekday, Time),
    },
    Daily {
        start: Time,
        end: Time,
    },
    Once {
        from: DateTime,
        until: DateTime,
    },
    /// Starts whenever the cron expression fires; lasts `duration`.
    Cron {
        expr: Cron,
        duration: std::time::Duration,
    },
}

/// A five-field cron expression (minute hour day-of-month month
/// day-of-week) with `*`, lists, ranges, steps and names (MON, JAN).
#[derive(Clone, Debug, PartialEq)]
pub struct Cron {
    pub source: String,
    minute: Vec<bool>,
    hour: Vec<bool>,
    dom: Vec<bool>,
    month: Vec<bool>,
    dow: Vec<bool>,
    dom_any: bool,
    dow_any: bool,
}

fn cron_field(f: &str, min: u32, max: u32, names: &[&str], what: &str) -> Result<(Vec<bool>, bool), String> {
    let mut set = vec![false; max as usize + 1];
    let value = |v: &str| -> Result<u32, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(v)) {
            return Ok(i as u32 + min);
        }
        v.parse::<u32>().map_err(|_| format!("`{v}` is not a valid {what}"))
    };
    for part in f.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (
                r,
                s.parse::<u32>()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| format!("bad step in `{part}`"))?,
            ),
            None => (part, 1),
        };
        let (lo, hi) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a)?, value(b)?)
        } else {
            let v = value(range)?;
            (v, if part.contains('/') { max } else { v })
        };
        if lo < min || hi > max || lo > hi {
            return Err(format!("`{part}` is outside {min}–{max} for the {what}"));
        }
        for v in (lo..=hi).step_by(step as usize) {
            set[v as usize] = true;
        }
    }
    Ok((set, f == "*"))
}

impl Cron {
    /// True when windows of `duration` starting at every firing leave no
    /// gap over five weeks: the freeze would never end.
    pub fn never_closes(&self, duration: std::time::Duration) -> bool {
        let start: DateTime = "2026-01-05T00:00".parse().unwrap_or_default();
        let mut covered_until: Option<DateTime> = None;
        let mut fired = false;
        let span = jiff::SignedDuration::try_from(duration).unwrap_or(jiff::SignedDuration::MAX);
        for m in 0..(35 * 1440) {
            let Ok(t) = start.checked_add(jiff::SignedDuration::from_mins(m)) else {
                return false;
            };
            if self.matches(t) {
                if fired && covered_until.is_some_and(|c| c < t) {
                    return false; // a gap before this firing
                }
                fired = true;
                covered_until = t.checked_add(span).ok().max(covered_until);
            } else if fired && covered_until.is_some_and(|c| c <= t) {
                return false;
            }
        }
        fired
    }

    pub fn parse(s: &str) -> Result<Cron, String> {
        let fields: Vec<&str> = s.split_whitespace().collect();
        let [mi, h, dom, mo, dow] = fields.as_slice() else {
            return Err(format!(
                "`{s}` is not a cron expression; write five fields: minute hour day month weekday, e.g. `0 16 * * FRI`"
            ));
        };
        let months = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ];
        let days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
        let (minute, _) = cron_field(mi, 0, 59, &[], "minute")?;
        let (hour, _) = cron_field(h, 0, 23, &[], "hour")?;
        let (dom_set, dom_any) = cron_field(dom, 1, 31, &[], "day of the month")?;
        let (month, _) = cron_field(mo, 1, 12, &months, "month")?;
        let (mut dow_set, dow_any) = cron_field(dow, 0, 7, &days, "weekday")?;
        if dow_set[7] {
            dow_set[0] = true; // 7 is Sunday too
        }
        Ok(Cron {
            source: s.to_string(),
            minute,
            hour,
            dom: dom_set,
            month,
            dow: dow_set,
            dom_any,
            dow_any,
        })
    }

    /// Whether the expression fires at this local minute (cron's rule: when
    /// both day fields are restricted, either may match).
    pub fn matches(&self, t: DateTime) -> bool {
        let dom = self.dom[t.day() as usize];
        let dow = self.dow[t.weekday().to_sunday_zero_offset() as usize];
        let day_ok = match (self.dom_any, self.dow_any) {
            (true, true) => true,
            (true, false) => dow,
            (false, true) => dom,
            (false, false) => dom || dow,
        };
        self.minute[t.minute() as usize] && self.hour[t.hour() as usize] && self.month[t.month() as usize] && day_ok
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FreezeWindow {
    pub recurrence: Recurrence,
    /// IANA time zone name the times are in.
    pub timezone: String,
    pub reason: Option<String>,
    /// The window as written (for messages and round trips).
    pub source: String,
}

impl FreezeWindow {
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let (left, right) = t.split_once(" - ").or_else(|| t.split_once('–')).ok_or_else(|| {
            format!(
                "`{t}` is not a window; write `START - END [TIME_ZONE]`, e.g. `Fri 16:00 - Mon 08:00 Europe/Berlin`"
            )
        })?;
        let left: Vec<&str> = left.split_whitespace().collect();
        let mut right: Vec<&str> = right.split_whitespace().collect();
        let timezone = match right.last() {
            Some(last) if looks_like_zone(last) => {
                let z = right.pop().unwrap_or("UTC").to_string();
                jiff::tz::TimeZone::get(&z).map_err(|_| {
                    format!("unknown time zone `{z}`; use an IANA name such as `Europe/Berlin` or `UTC`")
                })?;
                z
            }
            _ => "UTC".to_string(),
        };
        let recurrence = match (left.as_slice(), right.as_slice()) {
            ([d1, t1], [d2, t2]) => Recurrence::Weekly {
                start: (weekday(d1)?, time(t1)?),
                end: (weekday(d2)?, time(t2)?),
            },
            ([a], [b]) if a.contains(':') && !a.contains('-') => Recurrence::Daily {
                start: time(a)?,
                end: time(b)?,
            },
            ([a], [b]) => {
                let from = datetime(a)?;
                let until = datetime(b)?;
                if until <= from {
                    return Err(format!("window `{t}` ends before it starts"));
                }
                Recurrence::Once { from, until }
            }
            _ => {
                return Err(format!(
                    "`{t}` is not a window; write `Fri 16:00 - Mon 08:00`, `22:00 - 06:00` or `2026-12-23 - 2027-01-02`, optionally followed by a time zone"
                ));
            }
        };
        let never_closes = match &recurrence {
            Recurrence::Weekly { start, end } => start == end,
            Recurrence::Daily { start, end } => start == end,
            Recurrence::Once { .. } | Recurrence::Cron { .. } => false,
        };
        if never_closes {
            return Err(format!(
                "window `{t}` starts and ends at the same moment; it would never close"
            ));
        }
        Ok(FreezeWindow {
            recurrence,
            timezone,
            reason: None,
            source: t.to_string(),
        })
    }
}

fn looks_like_zone(s: &str) -> bool {
    s.contains('/') || s.eq_ignore_ascii_case("utc") || s.chars().all(|c| c.is_ascii_uppercase())
}

fn weekday(s: &str) -> Result<Weekday, String> {
    let l = s.to_ascii_lowercase();
    let days = [
        ("mon", Weekday::Monday),
        ("tue", Weekday::Tuesday),
        ("wed", Weekday::Wednesday),
        ("thu", Weekday::Thursday),
        ("fri", Weekday::Friday),
        ("sat", Weekday::Saturday),
        ("sun", Weekday::Sunday),
    ];
    days.iter()
        .find(|(p, _)| l.len() >= 3 && (l == *p || (l.starts_with(p) && l.ends_with("day"))))
        .map(|(_, d)| *d)
        .ok_or_else(|| format!("`{s}` is not a day; use Mon, Tue, Wed, Thu, Fri, Sat or Sun"))
}

fn time(s: &str) -> Result<Time, String> {
    let (h, m) = s
        .split_once(':')
        .ok_or_else(|| format!("`{s}` is not a time; write HH:MM, e.g. 16:00"))?;
    let h: i8 = h.parse().map_err(|_| format!("`{s}` is not a time; write HH:MM"))?;
    let m: i8 = m.parse().map_err(|_| format!("`{s}` is not a time; write HH:MM"))?;
    Time::new(h, m, 0, 0).map_err(|_| format!("`{s}` is not a valid time of day"))
}

fn datetime(s: &str) -> Result<DateTime, String> {
    if let Ok(d) = s.parse::<DateTime>() {
        return Ok(d);
    }
    s.parse::<Date>()
        .map(|d| d.to_datetime(Time::midnight()))
        .map_err(|_| format!("`{s}` is not a date; write YYYY-MM-DD or YYYY-MM-DDTHH:MM"))
}

impl fmt::Display for FreezeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl Serialize for FreezeWindow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FreezeWindow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FreezeWindow;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a window such as `Fri 16:00 - Mon 08:00 Europe/Berlin`, or { window, reason }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FreezeWindow, E> {
                let text = super::interp::interpolate_scoped(v).map_err(|e| E::custom(e.message))?;
                FreezeWindow::parse(&text).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<FreezeWindow, A::Error> {
                let mut window: Option<String> = None;
                let mut reason: Option<String> = None;
                let mut cron: Option<String> = None;
                let mut duration: Option<super::Duration> = None;
                let mut timezone: Option<String> = None;
                while let Some(k) = m.next_key::<String>()? {
                    match k.as_str() {
                        "window" => window = Some(m.next_value::<super::Text>()?.0),
                        "reason" => reason = Some(m.next_value::<super::Text>()?.0),
                        "cron" => cron = Some(m.next_value::<super::Text>()?.0),
                        "duration" => duration = Some(m.next_value()?),
                        "timezone" => timezone = Some(m.next_value::<super::Text>()?.0),
                        other => {
                            return Err(de::Error::unknown_field(
                                other,
                                &["window", "cron", "duration", "timezone", "reason"],
                            ));
                        }
                    }
                }
                let mut w = match (window, cron) {
                    (Some(window), None) => FreezeWindow::parse(&window).map_err(de::Error::custom)?,
                    (None, Some(cron)) => {
                        let expr = Cron::parse(&cron).map_err(de::Error::custom)?;
                        let duration = duration
                            .ok_or_else(|| de::Error::custom("a cron window needs `duration`, e.g. `duration: 64h`"))?;
                        if duration.as_std().is_zero()
                            || duration.as_std() > std::time::Duration::from_secs(31 * 86_400)
                        {
                            return Err(de::Error::custom("a cron window lasts between 1 minute and 31 days"));
                        }
                        if expr.never_closes(duration.as_std()) {
                            return Err(de::Error::custom(format!(
                                "cron `{cron}` fires again before each {duration} window ends: the freeze would never close"
                            )));
                        }
                        let tz = timezone.unwrap_or_else(|| "UTC".to_string());
                        jiff::tz::TimeZone::get(&tz)
                            .map_err(|_| de::Error::custom(format!("unknown time zone `{tz}`")))?;
                        FreezeWindow {
                            recurrence: Recurrence::Cron {
                                expr,
                                duration: duration.as_std(),
                            },
                            timezone: tz.clone(),
                            reason: None,
                            source: format!("cron `{cron}` for {duration} ({tz})"),
                        }
                    }
                    (Some(_), Some(_)) => return Err(de::Error::custom("write either `window` or `cron`, not both")),
                    (None, None) => return Err(de::Error::missing_field("window")),
                };
                w.reason = reason;
                Ok(w)
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for FreezeWindow {
    fn schema_name() -> Cow<'static, str> {
        "FreezeWindow".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A freeze window: weekly `Fri 16:00 - Mon 08:00 Europe/Berlin`, daily `22:00 - 06:00 UTC`, or once `2026-12-23 - 2027-01-02`.",
            "anyOf": [
                { "type": "string" },
                {
                    "type": "object",
                    "properties": {
                        "window": { "type": "string" },
                        "reason": { "type": "string" }
                    },
                    "required": ["window"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "description": "A recurring window: starts when the cron expression fires, lasts `duration`.",
                    "properties": {
                        "cron": { "type": "string" },
                        "duration": { "type": "string" },
                        "timezone": { "type": "string" },
                        "reason": { "type": "string" }
                    },
                    "required": ["cron", "duration"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms() {
        let w = FreezeWindow::parse("Fri 16:00 - Mon 08:00 Europe/Berlin").unwrap();
        assert_eq!(w.timezone, "Europe/Berlin");
        assert!(matches!(
            w.recurrence,
            Recurrence::Weekly {
                start: (Weekday::Friday, _),
                end: (Weekday::Monday, _)
            }
        ));
        let w = FreezeWindow::parse("22:00 - 06:00").unwrap();
        assert_eq!(w.timezone, "UTC");
        assert!(matches!(w.recurrence, Recurrence::Daily { .. }));
        let w = FreezeWindow::parse("2026-12-23 - 2027-01-02T08:00 UTC").unwrap();
        assert!(matches!(w.recurrence, Recurrence::Once { .. }));
        let w = FreezeWindow::parse("friday 16:00 - monday 08:00").unwrap();
        assert!(matches!(w.recurrence, Recurrence::Weekly { .. }));
    }

    #[test]
    fn cron_expressions() {
        let c = Cron::parse("0 16 * * FRI").unwrap();
        let fri = "2026-11-20T16:00".parse::<DateTime>().unwrap();
        assert!(c.matches(fri));
        assert!(!c.matches("2026-11-20T16:01".parse().unwrap()));
        assert!(!c.matches("2026-11-21T16:00".parse().unwrap()));
        let c = Cron::parse("*/15 9-17 1,15 * *").unwrap();
        assert!(c.matches("2026-11-15T09:45".parse().unwrap()));
        assert!(!c.matches("2026-11-16T09:45".parse().unwrap()));
        assert!(Cron::parse("0 25 * * *").unwrap_err().contains("outside"));
        assert!(
            Cron::parse("0 * * * *")
                .unwrap()
                .never_closes(std::time::Duration::from_secs(3600))
        );
        assert!(
            !Cron::parse("0 * * * *")
                .unwrap()
                .never_closes(std::time::Duration::from_secs(1800))
        );
        assert!(
            !Cron::parse("0 16 * * FRI")
                .unwrap()
                .never_closes(std::time::Duration::from_secs(64 * 3600))
        );
        assert!(Cron::parse("0 16 * *").unwrap_err().contains("five fields"));
        assert!(Cron::parse("0 16 * * FUN").unwrap_err().contains("not a valid weekday"));
    }

    #[test]
    fn rejects_bad_windows_with_a_reason() {
        for (input, needle) in [
            ("Fri 16:00", "not a window"),
            ("Fri 16:00 - Mon 08:00 Mars/Base", "unknown time zone"),
            ("Fry 16:00 - Mon 08:00", "not a day"),
            ("Fri 25:00 - Mon 08:00", "not a valid time"),
            ("2027-01-02 - 2026-12-23", "ends before it starts"),
            ("Fri 16:00 - Fri 16:00", "never close"),
        ] {
            let err = FreezeWindow::parse(input).unwrap_err();
            assert!(err.contains(needle), "{input}: {err}");
        }
    }
}
