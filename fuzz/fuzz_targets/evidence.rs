//! JUnit, LCOV/Cobertura and SARIF reports from arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lockgate::evidence::{Kind, parse};

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("report");
    let _ = parse(Kind::Junit, path, data);
    let _ = parse(Kind::Coverage, path, data);
    let _ = parse(Kind::Sarif, path, data);
});
