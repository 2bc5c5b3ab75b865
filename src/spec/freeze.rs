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
            Recurrence::Once { .. } => false,
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
                while let Some(k) = m.next_key::<String>()? {
                    match k.as_str() {
                        "window" => window = Some(m.next_value::<super::Text>()?.0),
                        "reason" => reason = Some(m.next_value::<super::Text>()?.0),
                        other => {
                            return Err(de::Error::unknown_field(other, &["window", "reason"]));
                        }
                    }
                }
                let window = window.ok_or_else(|| de::Error::missing_field("window"))?;
                let mut w = FreezeWindow::parse(&window).map_err(de::Error::custom)?;
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
