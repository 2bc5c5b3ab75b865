//! Gate checks, job conditions, analysis conditions, canary headers and
//! `${VAR}` interpolation from arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = lockgate::spec::criteria::parse(text);
    let _ = lockgate::spec::condition::parse(text);
    let _ = lockgate::spec::interp::interpolate(text, &|k| (k.len() % 2 == 0).then(|| k.to_string()));
    let _ = lockgate::spec::FreezeWindow::parse(text);
    let _ = lockgate::spec::Duration::parse(text);
    let _ = lockgate::delivery::analysis::Condition::parse(text);
    let _ = lockgate::delivery::proxy::Options::header(text);
});
