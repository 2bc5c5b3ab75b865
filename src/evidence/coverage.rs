//! Coverage reports: LCOV (`SF:`, `DA:`, `LF:`/`LH:`, `BRF:`/`BRH:`,
//! `end_of_record`) and Cobertura XML (`<coverage lines-valid=… …>`), told
//! apart by their content.

use std::path::Path;

use quick_xml::events::Event;

use super::{CoverageFacts, EvidenceError, line_of, pct};

pub fn parse(path: &Path, data: &[u8]) -> Result<CoverageFacts, EvidenceError> {
    let first = data.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first == Some(b'<') {
        cobertura(path, data)
    } else {
        lcov(path, data)
    }
}

fn lcov(path: &Path, data: &[u8]) -> Result<CoverageFacts, EvidenceError> {
    let text = std::str::from_utf8(data).map_err(|e| {
        EvidenceError::new(
            path,
            Some(line_of(data, e.valid_up_to())),
            "the LCOV report is not UTF-8 text",
        )
    })?;
    let mut f = CoverageFacts {
        format: "lcov".into(),
        ..CoverageFacts::default()
    };
    // Per record: explicit totals (LF/LH, BRF/BRH) win over counted DA/BRDA lines.
    let mut rec = Record::default();
    let mut records = 0u64;
    for (i, line) in text.lines().enumerate() {
        let n = i as u64 + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line == "end_of_record" {
            rec.flush(&mut f);
            records += 1;
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(EvidenceError::new(
                path,
                Some(n),
                format!("`{line}` is not an LCOV line (expected KEY:VALUE or end_of_record)"),
            ));
        };
        let num = |v: &str| {
            v.trim()
                .parse::<u64>()
                .map_err(|_| EvidenceError::new(path, Some(n), format!("`{v}` is not a number in `{key}`")))
        };
        match key {
            "SF" => rec.file = true,
            "DA" => {
                let mut parts = value.split(',');
                let _line_no = parts.next().map(num).transpose()?;
                let hits = parts
                    .next()
                    .ok_or_else(|| EvidenceError::new(path, Some(n), "DA needs `line,hits`"))?;
                // Some tools write huge or fractional counts; only "> 0" matters.
                let hit = hits.trim().parse::<f64>().map(|h| h > 0.0).map_err(|_| {
                    EvidenceError::new(path, Some(n), format!("`{}` is not a hit count in `DA`", hits.trim()))
                })?;
                rec.da_total += 1;
                rec.da_hit += u64::from(hit);
            }
            "BRDA" => {
                rec.brda_total += 1;
                let taken = value.rsplit(',').next().unwrap_or("-").trim();
                rec.brda_hit += u64::from(taken != "-" && taken != "0");
            }
            "LF" => rec.lf = Some(num(value)?),
            "LH" => rec.lh = Some(num(value)?),
            "BRF" => rec.brf = Some(num(value)?),
            "BRH" => rec.brh = Some(num(value)?),
            "TN" | "FN" | "FNDA" | "FNF" | "FNH" | "VER" | "FNL" | "FNA" => {}
            other if other.chars().all(|c| c.is_ascii_uppercase()) => {}
            other => {
                return Err(EvidenceError::new(path, Some(n), format!("unknown LCOV key `{other}`")));
            }
        }
    }
    if rec.file {
        // A last record without end_of_record still counts.
        rec.flush(&mut f);
        records += 1;
    }
    if records == 0 {
        return Err(EvidenceError::new(
            path,
            None,
            "no coverage records (no SF: … end_of_record): this is not an LCOV report",
        ));
    }
    f.lines = pct(f.lines_covered, f.lines_total);
    f.branches = (f.branches_total > 0).then(|| pct(f.branches_covered, f.branches_total));
    Ok(f)
}

#[derive(Default)]
struct Record {
    file: bool,
    da_total: u64,
    da_hit: u64,
    brda_total: u64,
    brda_hit: u64,
    lf: Option<u64>,
    lh: Option<u64>,
    brf: Option<u64>,
    brh: Option<u64>,
}

impl Record {
    fn flush(&mut self, f: &mut CoverageFacts) {
        let lines_total = self.lf.unwrap_or(self.da_total);
        let lines_hit = self.lh.unwrap_or(self.da_hit).min(lines_total);
        let br_total = self.brf.unwrap_or(self.brda_total);
        let br_hit = self.brh.unwrap_or(self.brda_hit).min(br_total);
        f.lines_total += lines_total;
        f.lines_covered += lines_hit;
        f.branches_total += br_total;
        f.branches_covered += br_hit;
        f.files += 1;
        *self = Record::default();
    }
}

/// Totals from the `<coverage>` root: lines valid/covered, branches valid/covered, line and branch rate.
type RootTotals = (
    Option<u64>,
    Option<u64>,
    Option<u64>,
    Option<u64>,
    Option<f64>,
    Option<f64>,
);

fn cobertura(path: &Path, data: &[u8]) -> Result<CoverageFacts, EvidenceError> {
    let mut reader = quick_xml::Reader::from_reader(data);
    reader.config_mut().trim_text(true);
    let mut f = CoverageFacts {
        format: "cobertura".into(),
        ..CoverageFacts::default()
    };
    let mut root: Option<RootTotals> = None;
    let (mut counted_lines, mut counted_hit, mut counted_br, mut counted_br_hit) = (0u64, 0u64, 0u64, 0u64);
    let mut classes = 0u64;
    loop {
        let ev = reader.read_event().map_err(|e| {
            EvidenceError::new(
                path,
                Some(line_of(data, reader.error_position() as usize)),
                format!("not well-formed XML: {e}"),
            )
        })?;
        let e = match &ev {
            Event::Start(e) | Event::Empty(e) => e.clone(),
            Event::Eof => break,
            _ => continue,
        };
        let name = e.name();
        let tag = name.local_name();
        let get = |k: &[u8]| {
            e.try_get_attribute(k)
                .ok()
                .flatten()
                .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
        };
        if root.is_none() {
            if tag.as_ref() != b"coverage" {
                let what = String::from_utf8_lossy(tag.as_ref()).into_owned();
                let hint = if what == "report" {
                    " (JaCoCo XML: export LCOV or Cobertura instead)"
                } else {
                    ""
                };
                return Err(EvidenceError::new(
                    path,
                    Some(line_of(data, reader.buffer_position() as usize)),
                    format!("the root element is <{what}>, not <coverage>: this is not a Cobertura report{hint}"),
                ));
            }
            let n = |k: &[u8]| get(k).and_then(|v| v.parse::<u64>().ok());
            let r = |k: &[u8]| {
                get(k)
                    .and_then(|v| v.parse::<f64>().ok())
                    .filter(|v| v.is_finite() && (0.0..=1.0).contains(v))
            };
            root = Some((
                n(b"lines-valid"),
                n(b"lines-covered"),
                n(b"branches-valid"),
                n(b"branches-covered"),
                r(b"line-rate"),
                r(b"branch-rate"),
            ));
            continue;
        }
        match tag.as_ref() {
            b"class" => classes += 1,
            b"line" => {
                counted_lines += 1;
                let hits = get(b"hits").and_then(|h| h.parse::<u64>().ok()).unwrap_or(0);
                counted_hit += u64::from(hits > 0);
                if get(b"branch").as_deref() == Some("true")
                    && let Some(cc) = get(b"condition-coverage")
                    && let Some((hit, total)) = cc
                        .split_once('(')
                        .and_then(|(_, r)| r.trim_end_matches(')').split_once('/'))
                {
                    counted_br += total.trim().parse::<u64>().unwrap_or(0);
                    counted_br_hit += hit.trim().parse::<u64>().unwrap_or(0);
                }
            }
            _ => {}
        }
    }
    let Some((lv, lc, bv, bc, lr, br)) = root else {
        return Err(EvidenceError::new(
            path,
            None,
            "no <coverage> element: this is not a Cobertura report",
        ));
    };
    // Totals from the root attributes when present; otherwise count <line>s.
    match (lv, lc) {
        (Some(v), Some(c)) => {
            f.lines_total = v;
            f.lines_covered = c.min(v);
            f.lines = pct(f.lines_covered, f.lines_total);
        }
        _ if counted_lines > 0 => {
            f.lines_total = counted_lines;
            f.lines_covered = counted_hit;
            f.lines = pct(counted_hit, counted_lines);
        }
        _ => match lr {
            Some(rate) => f.lines = (rate * 10_000.0).round() / 100.0,
            None => {
                return Err(EvidenceError::new(
                    path,
                    None,
                    "the Cobertura report has neither line totals nor a line-rate",
                ));
            }
        },
    }
    match (bv, bc) {
        (Some(v), Some(c)) if v > 0 => {
            f.branches_total = v;
            f.branches_covered = c.min(v);
            f.branches = Some(pct(f.branches_covered, v));
        }
        _ if counted_br > 0 => {
            f.branches_total = counted_br;
            f.branches_covered = counted_br_hit.min(counted_br);
            f.branches = Some(pct(f.branches_covered, counted_br));
        }
        _ => {
            f.branches = br
                .filter(|_| bv.unwrap_or(1) > 0)
                .map(|r| (r * 10_000.0).round() / 100.0)
        }
    }
    f.files = classes;
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<CoverageFacts, EvidenceError> {
        parse(Path::new("cov"), s.as_bytes())
    }

    /// Shape written by cargo-llvm-cov / grcov / bun (LF/LH/BRF/BRH totals).
    #[test]
    fn lcov_with_totals_and_counted_lines() {
        let f = p("TN:\nSF:src/a.rs\nFN:1,main\nFNDA:1,main\nFNF:1\nFNH:1\nDA:1,1\nDA:2,0\nBRDA:2,0,0,1\nBRDA:2,0,1,-\nBRF:2\nBRH:1\nLF:2\nLH:1\nend_of_record\nSF:src/b.rs\nDA:1,5\nDA:2,3\nDA:3,0\nend_of_record\n").unwrap();
        assert_eq!((f.lines_total, f.lines_covered, f.files), (5, 3, 2));
        assert_eq!(f.lines, 60.0);
        assert_eq!(f.branches, Some(50.0));
    }

    /// Shape written by pytest-cov (`--cov-report=xml`) and gocover-cobertura.
    #[test]
    fn cobertura_root_totals_and_counted_lines() {
        let f = p(r#"<?xml version="1.0" ?>
<coverage version="7.4" timestamp="1" lines-valid="200" lines-covered="167" line-rate="0.835" branches-covered="3" branches-valid="4" branch-rate="0.75" complexity="0">
  <packages><package name="app"><classes><class name="a.py" filename="a.py"><lines><line number="1" hits="1"/></lines></class></classes></package></packages>
</coverage>"#)
        .unwrap();
        assert_eq!(
            (f.lines_total, f.lines_covered, f.lines, f.branches),
            (200, 167, 83.5, Some(75.0))
        );
        let g = p(r#"<coverage line-rate="0.5"><packages><package><classes><class><lines><line number="1" hits="2"/><line number="2" hits="0" branch="true" condition-coverage="50% (1/2)"/></lines></class></classes></package></packages></coverage>"#).unwrap();
        assert_eq!(
            (g.lines_total, g.lines_covered, g.lines, g.branches),
            (2, 1, 50.0, Some(50.0))
        );
    }

    #[test]
    fn malformed_coverage_is_an_error_with_a_line() {
        let e = p("SF:a\nDA:1,1\nthis is not lcov\n").unwrap_err();
        assert_eq!(e.line, Some(3));
        let e = p("SF:a\nLF:lots\n").unwrap_err();
        assert!(e.message.contains("not a number"), "{e}");
        let e = p("<report name='jacoco'/>").unwrap_err();
        assert!(e.message.contains("JaCoCo"), "{e}");
        let e = p("<coverage><packages></coverage>").unwrap_err();
        assert!(e.message.contains("not well-formed"), "{e}");
        let e = p("TN:x\n").unwrap_err();
        assert!(e.message.contains("no coverage records"), "{e}");
    }
}
