//! Property tests of the spec parser and validator.

use std::path::Path;

use proptest::prelude::*;

use super::{job_stages, parse_str, validate};

fn vars() -> super::interp::Vars {
    [("SET".to_string(), "v".to_string())].into()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Arbitrary text never panics the parser, and every error has a position
    /// inside the file.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        if let Err(d) = parse_str(Path::new("f.yaml"), &text, vars()) {
            let lines = text.lines().count().max(1) as u64;
            prop_assert!(d.pos.line <= lines + 1, "line {} beyond {} lines", d.pos.line, lines);
        }
    }

    /// YAML-shaped mutations of a real file never panic parse or validate.
    #[test]
    fn mutated_spec_never_panics(cut in 0usize..1200, insert in "[a-z:{}\\[\\]$ \n-]{0,8}") {
        let base = crate::commands::DEMO_SPEC;
        let at = base.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(base.len());
        let text = format!("{}{}{}", &base[..at], insert, &base[at..]);
        if let Ok(spec) = parse_str(Path::new("f.yaml"), &text, vars()) {
            let _ = validate(Path::new("f.yaml"), &spec);
            let _ = job_stages(&spec);
        }
    }

    /// Random job graphs: a cycle diagnostic appears exactly when the graph
    /// has a cycle, and stages order every job after its needs otherwise.
    #[test]
    fn cycles_are_found_exactly(n in 1usize..8, edges in proptest::collection::vec((0usize..8, 0usize..8), 0..16)) {
        let edges: Vec<(usize, usize)> = edges.into_iter().filter(|(a, b)| *a < n && *b < n && a != b).collect();
        let mut yaml = String::from("project: p\npipeline:\n");
        for i in 0..n {
            let mut needs: Vec<String> = edges.iter().filter(|(a, _)| *a == i).map(|(_, b)| format!("j{b}")).collect();
            needs.dedup();
            needs.sort();
            needs.dedup();
            yaml.push_str(&format!("  j{i}: {{ run: x, needs: [{}] }}\n", needs.join(", ")));
        }
        let spec = parse_str(Path::new("f.yaml"), &yaml, vars()).unwrap();
        let diags = validate(Path::new("f.yaml"), &spec);
        let reported = diags.iter().any(|d| d.message.starts_with("dependency cycle"));
        prop_assert_eq!(reported, has_cycle(n, &edges), "{}", yaml);
        if !reported {
            let stages = job_stages(&spec);
            let stage_of = |name: String| stages.iter().position(|s| s.contains(&name)).unwrap();
            prop_assert_eq!(stages.iter().map(Vec::len).sum::<usize>(), n);
            for (a, b) in &edges {
                let (sa, sb) = (stage_of(format!("j{a}")), stage_of(format!("j{b}")));
                prop_assert!(sa > sb, "j{} (stage {}) needs j{} (stage {})", a, sa, b, sb);
            }
        }
    }
}

/// Reference: Kahn's algorithm leaves nodes behind iff there is a cycle.
fn has_cycle(n: usize, edges: &[(usize, usize)]) -> bool {
    let mut indeg = vec![0; n];
    let mut uniq: Vec<(usize, usize)> = edges.to_vec();
    uniq.sort();
    uniq.dedup();
    for (a, _) in &uniq {
        indeg[*a] += 1;
    }
    let mut ready: Vec<usize> = (0..n).filter(|i| indeg[*i] == 0).collect();
    let mut done = 0;
    while let Some(b) = ready.pop() {
        done += 1;
        for (a, bb) in &uniq {
            if *bb == b {
                indeg[*a] -= 1;
                if indeg[*a] == 0 {
                    ready.push(*a);
                }
            }
        }
    }
    done < n
}
