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

use super::model::Resource;
use super::yaml::{self, Node};
use super::{Diagnostic, DiagnosticKind, SourceFile, docker, model::Span};

pub fn load(file: &SourceFile, dockerfile: bool) -> (Vec<Resource>, Vec<Diagnostic>) {
    let error = |msg: String, line: u32, col: u32| {
        Diagnostic::new(
            DiagnosticKind::ParseError,
            Span {
                file: file.id,
                line,
                col,
                end_line: line,
                end_col: col,
            },
            msg,
        )
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
