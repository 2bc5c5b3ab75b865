//! Orderings derived from a validated spec: pipeline stages and the
//! promotion chain. Used by `demo`, the pipeline runner and generated docs.

use super::Spec;

/// Jobs grouped into stages: every job's `needs` are in earlier stages, so
/// the jobs of one stage may run in parallel. Order inside a stage follows
/// the file. Assumes a validated (acyclic) spec; jobs on a cycle are left out.
pub fn job_stages(spec: &Spec) -> Vec<Vec<String>> {
    let names: Vec<&str> = spec.pipeline.names().collect();
    let mut stage_of: Vec<Option<usize>> = vec![None; names.len()];
    let mut changed = true;
    while changed {
        changed = false;
        for (i, (_, job)) in spec.pipeline.entries.iter().enumerate() {
            if stage_of[i].is_some() {
                continue;
            }
            let mut stage = 0;
            let mut ready = true;
            for n in &job.needs {
                match names.iter().position(|x| *x == n.value).map(|j| stage_of[j]) {
                    Some(Some(s)) => stage = stage.max(s + 1),
                    Some(None) => ready = false,
                    None => {}
                }
            }
            if ready {
                stage_of[i] = Some(stage);
                changed = true;
            }
        }
    }
    let depth = stage_of.iter().flatten().max().map_or(0, |m| m + 1);
    let mut stages = vec![Vec::new(); depth];
    for (i, s) in stage_of.iter().enumerate() {
        if let Some(s) = s {
            stages[*s].push(names[i].to_string());
        }
    }
    stages
}

/// Environments ordered along `promote_from` (roots first, then by depth,
/// ties in file order).
pub fn promotion_order(spec: &Spec) -> Vec<String> {
    let depth = |name: &str| {
        let mut d = 0;
        let mut cur = name.to_string();
        while let Some(from) = spec.environments.get(&cur).and_then(|e| e.promote_from.as_ref()) {
            d += 1;
            if d > spec.environments.len() {
                break;
            }
            cur = from.value.clone();
        }
        d
    };
    let mut envs: Vec<(usize, usize, String)> = spec
        .environments
        .names()
        .enumerate()
        .map(|(i, n)| (depth(n), i, n.to_string()))
        .collect();
    envs.sort();
    envs.into_iter().map(|(_, _, n)| n).collect()
}
