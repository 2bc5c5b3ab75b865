//! lockgate.yaml: parse, validate and derive stages from arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let vars = [("HOME".to_string(), "/home/x".to_string())].into();
    if let Ok(spec) = lockgate::spec::parse_str(std::path::Path::new("lockgate.yaml"), text, vars) {
        let _ = lockgate::spec::validate(std::path::Path::new("lockgate.yaml"), &spec);
        let _ = lockgate::spec::job_stages(&spec);
        let _ = lockgate::spec::promotion_order(&spec);
    }
});
