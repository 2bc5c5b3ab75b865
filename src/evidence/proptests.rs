//! Property tests of the report parsers: no input makes them panic, and a
//! report cut short or corrupted is an error or a result — never a crash.

use std::path::Path;

use proptest::prelude::*;

use super::{Kind, parse};

const JUNIT: &str = r#"<?xml version="1.0"?><testsuites><testsuite name="s" tests="2"><testcase classname="c" name="a" time="0.1"/><testcase classname="c" name="b"><failure message="m">boom</failure></testcase></testsuite></testsuites>"#;
const LCOV: &str = "TN:\nSF:src/a.rs\nDA:1,1\nDA:2,0\nLF:2\nLH:1\nBRF:2\nBRH:1\nend_of_record\n";
const COBERTURA: &str = r#"<coverage lines-valid="4" lines-covered="3" branch-rate="0.5"><packages><package><classes><class name="a"><lines><line number="1" hits="1"/></lines></class></classes></package></packages></coverage>"#;
const SARIF: &str = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t","rules":[{"id":"R"}]}},"results":[{"ruleId":"R","level":"error","message":{"text":"m"}}]}]}"#;

fn kinds() -> impl Strategy<Value = (Kind, &'static str)> {
    prop_oneof![
        Just((Kind::Junit, JUNIT)),
        Just((Kind::Coverage, LCOV)),
        Just((Kind::Coverage, COBERTURA)),
        Just((Kind::Sarif, SARIF)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..400), k in 0u8..3) {
        let kind = [Kind::Junit, Kind::Coverage, Kind::Sarif][k as usize];
        let _ = parse(kind, Path::new("r"), &data);
    }

    /// Real-shaped reports, truncated or with a byte changed: an error names
    /// a line inside the input when it names one.
    #[test]
    fn damaged_reports_never_panic((kind, text) in kinds(), cut in 0usize..400, flip in 0usize..400, byte in any::<u8>()) {
        let mut data = text.as_bytes().to_vec();
        if !data.is_empty() {
            let i = flip % data.len();
            data[i] = byte;
        }
        data.truncate(cut.min(data.len()));
        if let Err(e) = parse(kind, Path::new("r"), &data) {
            let lines = data.iter().filter(|b| **b == b'\n').count() as u64 + 1;
            prop_assert!(e.line.is_none_or(|l| l >= 1 && l <= lines + 1), "line {:?} of {} lines", e.line, lines);
        }
    }

    /// Facts stay consistent: passed + failed + skipped = total, and
    /// coverage is a percentage.
    #[test]
    fn facts_are_consistent(n in 0usize..30, failing in 0usize..30, skipped in 0usize..30) {
        let mut xml = String::from("<testsuite>");
        for i in 0..n {
            if i < failing {
                xml.push_str(&format!("<testcase name=\"t{i}\"><failure/></testcase>"));
            } else if i < failing + skipped {
                xml.push_str(&format!("<testcase name=\"t{i}\"><skipped/></testcase>"));
            } else {
                xml.push_str(&format!("<testcase name=\"t{i}\"/>"));
            }
        }
        xml.push_str("</testsuite>");
        match parse(Kind::Junit, Path::new("j"), xml.as_bytes()).unwrap() {
            super::Facts::Tests(t) => {
                prop_assert_eq!(t.passed + t.failed + t.skipped, t.total);
                prop_assert_eq!(t.total as usize, n);
                prop_assert_eq!(t.failed as usize, failing.min(n));
            }
            other => prop_assert!(false, "{other:?}"),
        }
    }
}
