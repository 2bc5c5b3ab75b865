//! Which resources a YAML file or a Dockerfile holds.
//!
//! - Kubernetes: every document with `apiVersion` and `kind` (a `List`'s
//!   `items` each), kind `k8s.<Kind>` (`k8s.Deployment`), address
//!   `<Kind>/<namespace>/<name>`.
//! - GitHub Actions: a document under `.github/workflows/`, or with
//!   top-level `on` and `jobs`: kind `github.workflow`.
//! - GitLab CI: `.gitlab-ci.yml` (or `*.gitlab-ci.yml`): kind `gitlab.ci`.
//! - Dockerfiles: kind `dockerfile` (see `docker.rs`).
//!
//! Other YAML is not scanned, but a YAML syntax error is reported wherever
//! it is, and the other documents of the file are still read. Helm chart
//! templates (`templates/*.yaml` with `{{ … }}`) are skipped: they are Go
//! templates; scan their rendered output.

use super::model::{Attr, Body, Resource};
use super::terraform::value::Val;
use super::yaml::{self, Node};
use super::{Diagnostic, DiagnosticKind, SourceFile, docker, model::Span};

pub fn load(file: &SourceFile, dockerfile: bool) -> (Vec<Resource>, Vec<Diagnostic>) {
    let error = |msg: String, line: u32, col: u32| {
        Diagnostic::new(DiagnosticKind::ParseError, Span::point(file.id, line, col), msg)
    };
    if dockerfile {
        return match docker::parse(file) {
            Ok(r) => (vec![r], Vec::new()),
            Err((msg, line, col)) => (Vec::new(), vec![error(msg, line, col)]),
        };
    }
    // A Helm chart's templates are Go templates, not manifests: scan the
    // rendered output instead (`helm template chart | lockgate scan -`).
    if (file.path.contains("/templates/") || file.path.starts_with("templates/")) && file.text.contains("{{") {
        return (Vec::new(), Vec::new());
    }
    let mut out = Vec::new();
    let mut diags = Vec::new();
    let name = file.path.rsplit('/').next().unwrap_or(&file.path).to_string();
    let workflow_path = file.path.contains(".github/workflows/");
    let gitlab = name == ".gitlab-ci.yml" || name.ends_with(".gitlab-ci.yml") || name.ends_with(".gitlab-ci.yaml");
    for doc in yaml::parse_stream(&file.text, file.id) {
        let node = match doc {
            Ok(Some(n)) => n,
            Ok(None) => continue,
            Err((msg, line, col)) => {
                diags.push(error(msg, line, col));
                continue;
            }
        };
        if gitlab {
            out.push(resource("gitlab.ci", &name, &file.path, &node));
        } else if workflow_path || (node.get("jobs").is_some() && node.get("on").is_some()) {
            out.push(resource("github.workflow", &name, &file.path, &node));
        } else {
            kubernetes(&node, &mut out);
        }
    }
    (out, diags)
}

fn resource(kind: &str, name: &str, address: &str, node: &Node) -> Resource {
    Resource {
        kind: kind.into(),
        name: name.into(),
        address: address.into(),
        base: address.into(),
        span: node.span(),
        body: node.to_body(),
        via: Vec::new(),
    }
}

fn kubernetes(node: &Node, out: &mut Vec<Resource>) {
    let (Some(api), Some(kind)) = (
        node.get("apiVersion").and_then(Node::str),
        node.get("kind").and_then(Node::str),
    ) else {
        return;
    };
    let _ = api;
    if kind == "List" || kind.ends_with("List") {
        if let Some(Node::Seq(items, _)) = node.get("items") {
            for item in items {
                kubernetes(item, out);
            }
        }
        return;
    }
    let meta = node.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Node::str)
        .unwrap_or("unnamed");
    let address = match meta.and_then(|m| m.get("namespace")).and_then(Node::str) {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    };
    out.push(Resource {
        kind: format!("k8s.{kind}"),
        name: name.into(),
        address: address.clone(),
        base: address,
        span: node.span(),
        body: node.to_body(),
        via: Vec::new(),
    });
}

/// Package manifests; with the lockfiles below they are gathered per
/// directory into `project` resources for the package-manager standards
/// (LG-PKG rules).
const MANIFESTS: &[&str] = &[
    "package.json",
    "pyproject.toml",
    "requirements.txt",
    "Pipfile",
    "setup.py",
    "go.mod",
    "Gopkg.toml",
    "glide.yaml",
    "Cargo.toml",
];

/// Lockfiles: generated, full of hashes.
const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "bun.lockb",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "go.sum",
    "Gopkg.lock",
    "Cargo.lock",
];

/// Whether a file name is a package manifest or a lockfile.
pub fn is_project_file(name: &str) -> bool {
    MANIFESTS.contains(&name) || LOCKFILES.contains(&name)
}

/// Whether the file at `path` is a lockfile.
pub fn is_lockfile(path: &str) -> bool {
    LOCKFILES.contains(&path.rsplit('/').next().unwrap_or(path))
}

/// One `project` resource per directory holding a manifest or lockfile:
/// attribute `files` (the names present), `poetry` (pyproject.toml uses
/// Poetry), `cargo_binary` (Cargo.toml builds a binary), `go_vendor`
/// (a `vendor/` folder beside the Go manifest).
pub fn projects(files: &[&SourceFile]) -> Vec<Resource> {
    let mut by_dir: std::collections::BTreeMap<String, Vec<&SourceFile>> = std::collections::BTreeMap::new();
    for f in files {
        let dir = match f.path.rfind('/') {
            Some(i) => f.path[..i].to_string(),
            None => ".".to_string(),
        };
        by_dir.entry(dir).or_default().push(f);
    }
    let file_name = |f: &SourceFile| f.path.rsplit('/').next().unwrap_or(&f.path).to_string();
    let mut out = Vec::new();
    for (dir, list) in by_dir {
        let mut names: Vec<String> = list.iter().map(|f| file_name(f)).collect();
        names.sort();
        // The resource points at the ecosystem's main manifest.
        let main = [
            "package.json",
            "pyproject.toml",
            "go.mod",
            "Cargo.toml",
            "requirements.txt",
        ]
        .iter()
        .find_map(|m| list.iter().find(|f| file_name(f) == *m))
        .unwrap_or(&list[0]);
        let span = main.span(0..main.text.lines().next().map_or(0, str::len));
        let text_of = |n: &str| list.iter().find(|f| file_name(f) == n).map(|f| f.text.as_str());
        let attr = |v: Val| Attr {
            value: v,
            span,
            refs: Vec::new(),
        };
        let dir_abs = main.abs.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
        let mut body = Body::default();
        body.attrs.push((
            "files".into(),
            attr(Val::List(names.iter().cloned().map(Val::Str).collect())),
        ));
        if let Some(py) = text_of("pyproject.toml") {
            let poetry =
                py.contains("[tool.poetry") || py.contains("poetry.core.masonry") || py.contains("poetry-core");
            body.attrs.push(("poetry".into(), attr(Val::Bool(poetry))));
        }
        if let Some(cargo) = text_of("Cargo.toml") {
            let binary = cargo.contains("[[bin]]") || dir_abs.join("src/main.rs").is_file();
            body.attrs.push(("cargo_binary".into(), attr(Val::Bool(binary))));
        }
        if names
            .iter()
            .any(|n| n == "go.mod" || n.starts_with("Gopkg") || n == "glide.yaml")
        {
            body.attrs
                .push(("go_vendor".into(), attr(Val::Bool(dir_abs.join("vendor").is_dir()))));
        }
        out.push(Resource {
            kind: "project".into(),
            name: dir.clone(),
            address: format!("project {dir}"),
            base: format!("project {dir}"),
            span,
            body,
            via: Vec::new(),
        });
    }
    out
}

/// A scanned file as a resource of kind `file` with its `text`, for rules
/// that read files whole (secrets).
pub fn file_resource(f: &SourceFile) -> Resource {
    let whole = f.span(0..f.text.len());
    let mut body = Body::default();
    body.attrs.push((
        "text".into(),
        Attr {
            value: Val::Str(f.text.clone()),
            span: whole,
            refs: Vec::new(),
        },
    ));
    Resource {
        kind: "file".into(),
        name: f.path.clone(),
        address: f.path.clone(),
        base: f.path.clone(),
        span: Span {
            end_line: whole.line,
            end_col: whole.col,
            ..whole
        },
        body,
        via: Vec::new(),
    }
}
