//! The source tree's shape: no import circles between files (the kernel must not come to
//! depend on a model through a back door), and README's layout table names every folder
//! of `src/` and only paths that exist.
//!
//! The import graph is read from the source text: every `crate::`, `super::` and (in a
//! `mod.rs`) child-module path outside comments and tests, with re-exports followed to the
//! file that defines the item. A re-export is where a name is found, not a dependency.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The one edge back by design: the `Protocol` trait's world-level hooks take the `World`
/// they run in, and the world is generic over the trait (as a plugin trait names the app).
const INTENDED_EDGE: (&str, &str) = ("kernel::protocol", "kernel::world");

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/kernel/world.rs` → `kernel::world`; `src/kernel/mod.rs` → `kernel`; lib → "".
fn module_of(path: &Path) -> String {
    let rel = path.strip_prefix("src").expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

/// The source without comments and without its `#[cfg(test)]` tail.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths one use-tree names: `a::{b, c::D}` gives `a::b` and `a::c::D` (braces
/// expanded one level, which is as deep as this crate nests them).
fn expand(tree: &str) -> Vec<Vec<String>> {
    let segments = |s: &str| -> Vec<String> {
        s.split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.chars().all(is_ident))
            .map(str::to_string)
            .collect()
    };
    match tree.find('{') {
        None => vec![segments(tree)],
        Some(open) => {
            let head = segments(&tree[..open]);
            let close = tree.rfind('}').unwrap_or(tree.len());
            tree[open + 1..close]
                .split(',')
                .map(|item| [head.clone(), segments(item)].concat())
                .collect()
        }
    }
}

/// Every path in the code that starts with `prefix` (`crate::`, `super::`), as its
/// segments after the prefix.
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(is_ident) {
            continue;
        }
        let mut end = rest
            .find(|c: char| !(is_ident(c) || c == ':'))
            .unwrap_or(rest.len());
        if rest[end..].starts_with('{') {
            end += rest[end..].find('}').map_or(rest.len() - end, |c| c + 1);
        }
        out.extend(expand(&rest[..end]));
    }
    out
}

/// The use-trees of statements that begin with `keyword` (`pub use `, `use `).
fn uses<'c>(code: &'c str, keyword: &'c str) -> impl Iterator<Item = &'c str> {
    code.split(';')
        .filter_map(move |s| s.trim().strip_prefix(keyword))
}

struct Tree {
    modules: BTreeSet<String>,
    /// (module, name) → the path it re-exports, absolute from the crate root.
    reexports: BTreeMap<(String, String), Vec<String>>,
}

fn join(parent: &str, rest: &[String]) -> Vec<String> {
    let mut v: Vec<String> = parent
        .split("::")
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    v.extend(rest.iter().cloned());
    v
}

impl Tree {
    /// The file that defines what `path` names (following re-exports).
    fn resolve(&self, path: &[String], depth: u32) -> Option<String> {
        for n in (1..=path.len()).rev() {
            let module = path[..n].join("::");
            if !self.modules.contains(&module) {
                continue;
            }
            if let Some(name) = path.get(n) {
                if let Some(target) = self.reexports.get(&(module.clone(), name.clone())) {
                    if depth < 8 {
                        if let Some(found) = self.resolve(target, depth + 1) {
                            return Some(found);
                        }
                    }
                }
            }
            return Some(module);
        }
        None
    }
}

/// Absolute segments of a path written in `module` with the given prefix.
fn absolute(module: &str, prefix: &str, rest: &[String], is_mod_file: bool) -> Vec<String> {
    match prefix {
        "crate::" => rest.to_vec(),
        "super::" => {
            let mut parent: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
            parent.pop();
            join(&parent.join("::"), rest)
        }
        _ if is_mod_file => join(module, rest),
        _ => rest.to_vec(),
    }
}

fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    let sources: Vec<(String, bool, String)> = files
        .iter()
        .map(|f| {
            let is_mod_file = f.ends_with("mod.rs") || f.ends_with("lib.rs");
            let text = fs::read_to_string(f).expect("read");
            (module_of(f), is_mod_file, code_of(&text))
        })
        .collect();
    let mut tree = Tree {
        modules: sources.iter().map(|(m, _, _)| m.clone()).collect(),
        reexports: BTreeMap::new(),
    };
    for (module, is_mod_file, code) in &sources {
        for stmt in uses(code, "pub use ") {
            let (prefix, body) = ["crate::", "super::", "self::"]
                .iter()
                .find_map(|p| stmt.strip_prefix(p).map(|b| (*p, b)))
                .unwrap_or(("", stmt));
            for path in expand(body) {
                let Some(name) = path.last().cloned() else {
                    continue;
                };
                let abs = absolute(module, prefix, &path, *is_mod_file || prefix == "self::");
                tree.reexports.insert((module.clone(), name), abs);
            }
        }
    }
    let mut graph = BTreeMap::new();
    for (module, is_mod_file, code) in &sources {
        let mut deps = BTreeSet::new();
        // A re-export says where a name is found; it is not a dependency of the hub.
        let code: String = code
            .split_inclusive(';')
            .filter(|s| !s.trim_start().starts_with("pub use "))
            .collect();
        for prefix in ["crate::", "super::"] {
            for path in paths_after(&code, prefix) {
                let abs = absolute(module, prefix, &path, *is_mod_file);
                deps.extend(tree.resolve(&abs, 0));
            }
        }
        if *is_mod_file {
            for stmt in uses(&code, "use ") {
                let stmt = stmt.strip_prefix("self::").unwrap_or(stmt);
                if !(stmt.starts_with("crate::") || stmt.starts_with("super::")) {
                    for path in expand(stmt) {
                        deps.extend(tree.resolve(&join(module, &path), 0));
                    }
                }
            }
        }
        deps.remove(module);
        graph.insert(module.clone(), deps);
    }
    graph
}

/// Strongly connected components with more than one file (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        found: Vec<BTreeSet<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.graph.contains_key(w) {
                continue;
            }
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("low");
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("low");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = BTreeSet::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.insert(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

#[test]
fn no_file_imports_its_way_back_to_itself() {
    let mut graph = import_graph();
    assert!(graph.len() > 40, "read {} files", graph.len());
    assert!(
        graph["kernel::world"].contains("kernel::protocol"),
        "the graph reader finds imports"
    );
    let (from, to) = INTENDED_EDGE;
    assert!(graph.get_mut(from).expect("protocol.rs").remove(to));
    let circles: Vec<String> = cycles(&graph)
        .into_iter()
        .map(|c| {
            let edges: Vec<String> = c
                .iter()
                .map(|m| {
                    let inside: Vec<&str> = graph[m]
                        .iter()
                        .filter(|d| c.contains(*d))
                        .map(String::as_str)
                        .collect();
                    format!("{m} -> {}", inside.join(", "))
                })
                .collect();
            edges.join("\n  ")
        })
        .collect();
    assert!(
        circles.is_empty(),
        "import circles:\n  {}",
        circles.join("\n\n  ")
    );
}

#[test]
fn the_kernel_names_no_model() {
    let graph = import_graph();
    for (module, deps) in &graph {
        if module.starts_with("kernel") || module.starts_with("clients") {
            let models: Vec<&String> = deps.iter().filter(|d| d.starts_with("protocols")).collect();
            assert!(models.is_empty(), "{module} uses {models:?}");
        }
    }
}

#[test]
fn the_readme_table_names_every_folder_and_only_what_exists() {
    let readme = fs::read_to_string("README.md").expect("README");
    let named: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .flat_map(|l| l.split(" |").next())
        .flat_map(|cell| cell.split('`').step_by(2))
        .map(|p| p.trim_matches(|c| c == ',' || c == ' '))
        .filter(|p| !p.is_empty())
        .collect();
    for path in &named {
        assert!(
            Path::new(path).exists(),
            "README names {path}, which does not exist"
        );
    }
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    for f in &files {
        let mut dir = f.parent();
        while let Some(d) = dir.filter(|d| *d != Path::new("src")) {
            dirs.push(format!("{}/", d.display()));
            dir = d.parent();
        }
    }
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        let covered = named
            .iter()
            .any(|p| dir.starts_with(p.trim_end_matches('/')));
        assert!(covered, "README's layout table does not name {dir}");
    }
}
