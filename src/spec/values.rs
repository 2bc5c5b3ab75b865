//! Value types of `lockgate.yaml` that parse themselves with a precise
//! error: located values, interpolated text, durations, percentages and
//! ordered name → value maps.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::interp;
use crate::diag::Pos;

/// A value together with where it was written.
#[derive(Clone, Debug)]
pub struct Located<T> {
    pub value: T,
    pub pos: Pos,
}

impl<T> Located<T> {
    pub fn new(value: T, pos: Pos) -> Self {
        Located { value, pos }
    }
}

impl<T: PartialEq> PartialEq for Located<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T> std::ops::Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        let loc = s.referenced;
        Ok(Located {
            value: s.value,
            pos: Pos::new(loc.line(), loc.column(), loc.span().len()),
        })
    }
}

impl<T: Serialize> Serialize for Located<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl<T: JsonSchema> JsonSchema for Located<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        T::json_schema(g)
    }
}

/// A string with `${VAR}` interpolation applied when the file is loaded.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
#[serde(transparent)]
pub struct Text(pub String);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(s.to_owned())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        interp::interpolate_scoped(&raw)
            .map(Text)
            .map_err(|e| de::Error::custom(format!("{} (hint: {})", e.message, e.hint)))
    }
}

impl JsonSchema for Text {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Text".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string" })
    }
}

/// A shell script. It is *not* interpolated at load time: the shell expands
/// `${VAR}` when it runs, with the job's environment.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Script(pub String);

impl JsonSchema for Script {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Script".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A shell script, run with `sh -e` in the project directory. `${VAR}` is expanded by the shell at run time."
        })
    }
}

/// A duration written with units: `250ms`, `30s`, `5m`, `1h30m`, `7d`, `2w`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(pub std::time::Duration);

impl Duration {
    pub const fn from_secs(s: u64) -> Self {
        Duration(std::time::Duration::from_secs(s))
    }

    pub fn as_std(self) -> std::time::Duration {
        self.0
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if t.is_empty() {
            return Err("empty duration; write e.g. `30s`, `5m`, `1h30m` or `7d`".into());
        }
        if t.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!(
                "`{t}` has no unit; write e.g. `{t}s` for seconds or `{t}m` for minutes"
            ));
        }
        let mut total_ms: u128 = 0;
        let mut rest = t;
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            if digits == 0 {
                return Err(format!(
                    "invalid duration `{t}`; write e.g. `30s`, `5m`, `1h30m` or `7d`"
                ));
            }
            let n: u128 = rest[..digits]
                .parse()
                .map_err(|_| format!("number too large in duration `{t}`"))?;
            rest = &rest[digits..];
            let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
            let unit = &rest[..unit_len];
            rest = &rest[unit_len..];
            let ms: u128 = match unit {
                "ms" => 1,
                "s" => 1_000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                "w" => 604_800_000,
                "" => return Err(format!("`{t}` has a number without a unit at the end")),
                other => {
                    return Err(format!(
                        "unknown unit `{other}` in duration `{t}`; units are ms, s, m, h, d and w"
                    ));
                }
            };
            total_ms = n
                .checked_mul(ms)
                .and_then(|v| total_ms.checked_add(v))
                .filter(|v| *v <= u64::MAX as u128)
                .ok_or_else(|| format!("duration `{t}` is too long"))?;
        }
        Ok(Duration(std::time::Duration::from_millis(total_ms as u64)))
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ms = self.0.as_millis();
        if ms == 0 {
            return f.write_str("0s");
        }
        for (unit, size) in [
            ("d", 86_400_000u128),
            ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1_000),
            ("ms", 1),
        ] {
            if ms >= size {
                write!(f, "{}{unit}", ms / size)?;
                ms %= size;
            }
        }
        Ok(())
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as `30s`, `5m`, `1h30m` or `7d`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                Duration::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                Err(E::custom(format!(
                    "`{v}` has no unit; write e.g. `{v}s` for seconds or `{v}m` for minutes"
                )))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                Err(E::custom(format!("`{v}` is not a duration; write e.g. `30s`")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                Err(E::custom(format!(
                    "`{v}` is not a duration; write e.g. `1500ms` or `2s`"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Duration {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^([0-9]+(ms|s|m|h|d|w))+$",
            "description": "A duration with units: 250ms, 30s, 5m, 1h30m, 7d, 2w."
        })
    }
}

/// A percentage between 0 and 100: `25`, `25%`, `0.5%`.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Percent(pub f64);

impl Percent {
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let num = t.strip_suffix('%').unwrap_or(t).trim();
        let v: f64 = num
            .parse()
            .map_err(|_| format!("`{t}` is not a percentage; write e.g. `25%` or `0.5%`"))?;
        Self::check(v)
    }

    fn check(v: f64) -> Result<Self, String> {
        if !v.is_finite() || !(0.0..=100.0).contains(&v) {
            return Err(format!("percentage {v} is outside 0–100"));
        }
        Ok(Percent(v))
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Percent;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a percentage such as `25%`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Percent, E> {
                Percent::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Percent, E> {
                Percent::check(v as f64).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Percent, E> {
                Percent::check(v as f64).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Percent, E> {
                Percent::check(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Percent {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Percent".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A percentage between 0 and 100, e.g. 25 or \"25%\" or \"0.5%\".",
            "anyOf": [
                { "type": "number", "minimum": 0, "maximum": 100 },
                { "type": "string", "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*%?\\s*$" }
            ]
        })
    }
}

/// A map written as YAML mapping whose order is kept and whose keys keep
/// their location (for "unknown job `x`" errors).
#[derive(Clone, Debug)]
pub struct NamedMap<V> {
    pub entries: Vec<(Located<String>, V)>,
}

impl<V> Default for NamedMap<V> {
    fn default() -> Self {
        NamedMap { entries: Vec::new() }
    }
}

impl<V> NamedMap<V> {
    pub fn get(&self, name: &str) -> Option<&V> {
        self.entries.iter().find(|(k, _)| k.value == name).map(|(_, v)| v)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.entries.iter().map(|(k, v)| (k.value.as_str(), v))
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.value.as_str())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for NamedMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MV<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MV<V> {
            type Value = NamedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of names to definitions")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<NamedMap<V>, A::Error> {
                let mut entries = Vec::new();
                while let Some(k) = m.next_key::<Located<String>>()? {
                    let v = m.next_value::<V>()?;
                    entries.push((k, v));
                }
                Ok(NamedMap { entries })
            }
            fn visit_unit<E: de::Error>(self) -> Result<NamedMap<V>, E> {
                Ok(NamedMap::default())
            }
        }
        d.deserialize_map(MV(PhantomData))
    }
}

impl<V: Serialize> Serialize for NamedMap<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.entries.iter().map(|(k, v)| (&k.value, v)))
    }
}

impl<V: JsonSchema> JsonSchema for NamedMap<V> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("Map_of_{}", V::schema_name()).into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let v = g.subschema_for::<V>();
        json_schema!({
            "type": "object",
            "propertyNames": { "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$" },
            "additionalProperties": v
        })
    }
}

/// One string or a list of them: `junit: a.xml` or `junit: [a.xml, b.xml]`.
/// Every entry keeps its location and is interpolated like [`Text`].
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TextList(pub Vec<Located<Text>>);

impl TextList {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Located<Text>> {
        self.0.iter()
    }
}

enum OneOrMany {
    One(Text),
    Many(Vec<Located<Text>>),
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = s.next_element()? {
                    out.push(v);
                }
                Ok(OneOrMany::Many(out))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Text::deserialize(de::value::StrDeserializer::<E>::new(v)).map(OneOrMany::One)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for TextList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let located = Located::<OneOrMany>::deserialize(d)?;
        Ok(match located.value {
            OneOrMany::One(t) => TextList(vec![Located::new(t, located.pos)]),
            OneOrMany::Many(v) => TextList(v),
        })
    }
}

impl Serialize for TextList {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl JsonSchema for TextList {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "TextList".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "anyOf": [ { "type": "string" }, { "type": "array", "items": { "type": "string" } } ] })
    }
}

/// A type that can be written in full (a mapping) or in a short form,
/// e.g. `health: /healthz` for `health: { path: /healthz }`.
pub trait Shorthand: Sized {
    /// What the short form is made of.
    type Short: for<'de> Deserialize<'de> + JsonSchema;
    /// What the value may look like, for error messages.
    const EXPECTING: &'static str;
    fn expand(short: Self::Short) -> Self;
}

/// A [`Shorthand`] value: deserializes from either form, serializes in
/// full, and its JSON Schema accepts both.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Sh<T>(pub T);

impl<T> std::ops::Deref for Sh<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<'de, T> Deserialize<'de> for Sh<T>
where
    T: Shorthand + Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<T> V<T>
        where
            T: Shorthand,
        {
            fn short<'de, D: Deserializer<'de>>(d: D) -> Result<Sh<T>, D::Error> {
                T::Short::deserialize(d).map(|s| Sh(T::expand(s)))
            }
        }
        impl<'de, T> Visitor<'de> for V<T>
        where
            T: Shorthand + Deserialize<'de>,
        {
            type Value = Sh<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(T::EXPECTING)
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Sh<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(m)).map(Sh)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, s: A) -> Result<Sh<T>, A::Error> {
                Self::short(de::value::SeqAccessDeserializer::new(s))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Sh<T>, E> {
                Self::short(de::value::StrDeserializer::<E>::new(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Sh<T>, E> {
                Self::short(de::value::U64Deserializer::<E>::new(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Sh<T>, E> {
                Self::short(de::value::I64Deserializer::<E>::new(v))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

impl<T: Serialize> Serialize for Sh<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<T: Shorthand + JsonSchema> JsonSchema for Sh<T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("Sh_{}", T::schema_name()).into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let short = g.subschema_for::<T::Short>();
        let full = g.subschema_for::<T>();
        json_schema!({ "anyOf": [ short, full ] })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_print() {
        for (s, ms) in [
            ("250ms", 250u64),
            ("30s", 30_000),
            ("5m", 300_000),
            ("1h30m", 5_400_000),
            ("7d", 604_800_000),
        ] {
            let d = Duration::parse(s).unwrap();
            assert_eq!(d.0.as_millis() as u64, ms, "{s}");
            assert_eq!(d.to_string(), s);
        }
        assert_eq!(Duration::parse("2w").unwrap().to_string(), "14d");
        assert!(Duration::parse("30").unwrap_err().contains("no unit"));
        assert!(Duration::parse("3x").unwrap_err().contains("unknown unit `x`"));
        assert!(Duration::parse("s").is_err());
        assert!(Duration::parse("99999999999999999999w").is_err());
    }

    #[test]
    fn percentages_accept_numbers_and_suffix() {
        assert_eq!(Percent::parse("25%").unwrap().0, 25.0);
        assert_eq!(Percent::parse("0.5 %").unwrap().0, 0.5);
        assert_eq!(Percent::parse("100").unwrap().0, 100.0);
        assert!(Percent::parse("101%").is_err());
        assert!(Percent::parse("high").is_err());
        assert!(Percent::parse("NaN").is_err());
    }

    proptest::proptest! {
        #[test]
        fn duration_parse_never_panics(s in "\\PC{0,20}") {
            let _ = Duration::parse(&s);
        }

        #[test]
        fn duration_display_round_trips(ms in 0u64..10_000_000_000) {
            let d = Duration(std::time::Duration::from_millis(ms));
            let printed = d.to_string();
            proptest::prop_assert_eq!(Duration::parse(&printed).unwrap(), d);
        }
    }
}
