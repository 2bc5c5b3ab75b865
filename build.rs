//! Collects the policy rules: one file per rule under `src/policy/rules/<provider>/`.
//! Each file's `//!` doc comment becomes the rule's documentation.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new("src/policy/rules");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    let mut providers: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .collect();
    providers.sort_by_key(|e| e.path());
    for p in providers {
        println!("cargo:rerun-if-changed={}", p.path().display());
        let mut rules: Vec<_> = std::fs::read_dir(p.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        rules.sort();
        for r in rules {
            println!("cargo:rerun-if-changed={}", r.display());
            files.push(r);
        }
    }
    let mut out = String::new();
    let mut entries = String::new();
    for f in &files {
        let provider = f.parent().unwrap().file_name().unwrap().to_str().unwrap();
        let stem = f.file_stem().unwrap().to_str().unwrap();
        let module = format!("{provider}_{stem}");
        let text = std::fs::read_to_string(f).unwrap();
        let doc: String = text
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| {
                let l = l.trim_start_matches("//!");
                format!("{}\n", l.strip_prefix(' ').unwrap_or(l))
            })
            .collect();
        let abs = std::fs::canonicalize(f).unwrap();
        writeln!(out, "#[path = {:?}]\nmod {module};", abs.display().to_string()).unwrap();
        writeln!(
            entries,
            "    Entry {{ rule: &{module}::RULE, doc: {doc:?}, file: \"{provider}/{stem}\" }},"
        )
        .unwrap();
    }
    writeln!(out, "\nstatic ENTRIES: &[Entry] = &[\n{entries}];").unwrap();

    // Built-in compliance frameworks: assets/frameworks/*.yaml.
    let fw_dir = Path::new("assets/frameworks");
    println!("cargo:rerun-if-changed={}", fw_dir.display());
    let mut frameworks: Vec<_> = std::fs::read_dir(fw_dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
                .collect()
        })
        .unwrap_or_default();
    frameworks.sort();
    writeln!(
        out,
        "\n/// Built-in compliance frameworks: (file name, YAML).\npub static FRAMEWORK_FILES: &[(&str, &str)] = &["
    )
    .unwrap();
    for f in &frameworks {
        println!("cargo:rerun-if-changed={}", f.display());
        let abs = std::fs::canonicalize(f).unwrap();
        let name = f.file_name().unwrap().to_str().unwrap();
        writeln!(out, "    ({name:?}, include_str!({:?})),", abs.display().to_string()).unwrap();
    }
    writeln!(out, "];").unwrap();
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("policy_rules.rs");
    std::fs::write(dest, out).unwrap();
}
