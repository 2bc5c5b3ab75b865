//! JUnit XML: `<testsuites>` / `<testsuite>` with `<testcase>` elements whose
//! `<failure>`, `<error>` or `<skipped>` children give their outcome. Flaky
//! reruns that finally passed (`<flakyFailure>`, `<rerunFailure>` in
//! cargo-nextest and Surefire) count as passed.

use std::path::Path;

use quick_xml::events::{BytesStart, Event};

use super::{EvidenceError, MAX_NAMES, TestFacts, line_of};

fn attr(e: &BytesStart, name: &[u8]) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

#[derive(Default)]
struct Case {
    name: String,
    failed: bool,
    skipped: bool,
}

pub fn parse(path: &Path, data: &[u8]) -> Result<TestFacts, EvidenceError> {
    let mut reader = quick_xml::Reader::from_reader(data);
    reader.config_mut().trim_text(true);
    let mut facts = TestFacts::default();
    let mut root_seen = false;
    let mut depth = 0usize;
    let mut case: Option<(usize, Case)> = None;
    let err = |reader: &quick_xml::Reader<&[u8]>, msg: String| {
        EvidenceError::new(path, Some(line_of(data, reader.error_position() as usize)), msg)
    };
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| err(&reader, format!("not well-formed XML: {e}")))?;
        let (start, empty) = match &ev {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            Event::End(_) => {
                if let Some((d, _)) = &case
                    && *d == depth
                {
                    let (_, c) = case.take().unwrap_or_default();
                    finish_case(&mut facts, c);
                }
                depth = depth.saturating_sub(1);
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let Some(e) = start else { continue };
        if !empty {
            depth += 1;
        }
        let name = e.name();
        let local = name.local_name();
        let tag = local.as_ref();
        if !root_seen {
            if tag != b"testsuites" && tag != b"testsuite" {
                return Err(EvidenceError::new(
                    path,
                    Some(line_of(data, reader.buffer_position() as usize)),
                    format!(
                        "the root element is <{}>, not <testsuites> or <testsuite>: this is not a JUnit report",
                        String::from_utf8_lossy(tag)
                    ),
                ));
            }
            root_seen = true;
            continue;
        }
        match tag {
            b"testcase" => {
                if let Some((_, c)) = case.take() {
                    finish_case(&mut facts, c);
                }
                let class = attr(&e, b"classname").unwrap_or_default();
                let n = attr(&e, b"name").unwrap_or_default();
                if let Some(t) = attr(&e, b"time").and_then(|t| t.parse::<f64>().ok())
                    && t.is_finite()
                    && t >= 0.0
                {
                    facts.duration_s += t;
                }
                let c = Case {
                    name: if class.is_empty() { n } else { format!("{class}::{n}") },
                    ..Case::default()
                };
                if empty {
                    finish_case(&mut facts, c);
                } else {
                    case = Some((depth, c));
                }
            }
            b"failure" | b"error" => {
                if let Some((_, c)) = &mut case {
                    c.failed = true;
                }
            }
            b"skipped" => {
                if let Some((_, c)) = &mut case {
                    c.skipped = true;
                }
            }
            _ => {}
        }
    }
    if !root_seen {
        return Err(EvidenceError::new(
            path,
            None,
            "no <testsuites> or <testsuite> element: this is not a JUnit report",
        ));
    }
    if depth != 0 {
        return Err(EvidenceError::new(
            path,
            Some(line_of(data, data.len())),
            "the XML ends before its elements are closed",
        ));
    }
    Ok(facts)
}

fn finish_case(facts: &mut TestFacts, c: Case) {
    facts.total += 1;
    if c.failed {
        facts.failed += 1;
        if facts.failing.len() < MAX_NAMES {
            facts.failing.push(c.name);
        }
    } else if c.skipped {
        facts.skipped += 1;
    } else {
        facts.passed += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<TestFacts, EvidenceError> {
        parse(Path::new("junit.xml"), s.as_bytes())
    }

    /// Shape of cargo-nextest's JUnit output (profile `ci`), including a
    /// flaky test that passed on retry.
    #[test]
    fn nextest_report() {
        let f = p(r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nextest-run" tests="4" failures="1" errors="0" uuid="x" timestamp="2026-11-22T18:00:00Z" time="1.5">
    <testsuite name="lockgate::cli" tests="4" disabled="1" errors="0" failures="1">
        <testcase name="validate::good" classname="lockgate::cli" timestamp="t" time="0.25"/>
        <testcase name="validate::bad" classname="lockgate::cli" time="0.5">
            <failure type="test failure">thread panicked at tests/cli/validate.rs:10:5</failure>
            <system-out>out</system-out>
        </testcase>
        <testcase name="flaky" classname="lockgate::cli" time="0.25">
            <flakyFailure type="test failure" message="first try failed"/>
        </testcase>
        <testcase name="ignored" classname="lockgate::cli"><skipped/></testcase>
    </testsuite>
</testsuites>"#)
        .unwrap();
        assert_eq!((f.total, f.passed, f.failed, f.skipped), (4, 2, 1, 1));
        assert_eq!(f.failing, vec!["lockgate::cli::validate::bad".to_string()]);
        assert!((f.duration_s - 1.0).abs() < 1e-9);
    }

    /// Shape of pytest's `--junitxml` (a single root <testsuites> with an
    /// error that is not a failure) and Jest's jest-junit.
    #[test]
    fn pytest_and_jest_reports() {
        let f = p(r#"<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="1" failures="0" skipped="1" tests="3" time="0.1"><testcase classname="tests.test_app" name="test_ok" time="0.001" /><testcase classname="tests.test_app" name="test_db" time="0.002"><error message="fixture failed">E   ConnectionError</error></testcase><testcase classname="tests.test_app" name="test_slow" time="0.000"><skipped type="pytest.skip" message="slow">skip</skipped></testcase></testsuite></testsuites>"#).unwrap();
        assert_eq!((f.total, f.passed, f.failed, f.skipped), (3, 1, 1, 1));
        let j = p(r#"<testsuites name="jest tests" tests="1" failures="0"><testsuite name="sum" tests="1"><testcase classname="sum adds" name="sum adds" time="0.003"></testcase></testsuite></testsuites>"#).unwrap();
        assert_eq!((j.total, j.passed), (1, 1));
    }

    #[test]
    fn malformed_reports_name_the_line() {
        let e = p("<testsuites>\n<testsuite>\n<testcase name='a'>\n</testsuite>").unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        assert!(e.message.contains("not well-formed"), "{e}");
        let e = p("<html><body/></html>").unwrap_err();
        assert!(e.message.contains("not a JUnit report"), "{e}");
        let e = p("<testsuites><testsuite>").unwrap_err();
        assert!(e.message.contains("ends before"), "{e}");
    }
}
