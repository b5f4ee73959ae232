//! The house's shape: the file-level import graph of src/ has no loop, and every import runs from a
//! higher layer to a lower one (docs/architecture.md). Read from the source itself with a small
//! tokenizer, so no dependency and no compiler internals: `use` trees (groups, `self`, renames,
//! `pub use` re-exports followed to the defining file) and every other `crate::`/`super::`/`self::`
//! or child-module path.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Lowest first: a module may import only from its own layer or the ones before it.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundation",
        &[
            "assets",
            "bytes",
            "clock",
            "colour",
            "config",
            "db",
            "deflated",
            "email",
            "encoded",
            "error",
            "freshness",
            "hostname",
            "i18n",
            "ids",
            "input",
            "keyset",
            "markdown",
            "metrics",
            "outbound",
            "random",
            "redirect",
            "regions",
            "role",
            "sealing",
            "slug",
            "tags",
            "turns",
            "views",
        ],
    ),
    (
        "domain",
        &[
            "accounts",
            "api_tokens",
            "assessment",
            "audit",
            "authoring",
            "backup",
            "catalog",
            "courier",
            "feeds",
            "gradebook",
            "learning",
            "lti",
            "mail",
            "media",
            "scorm",
            "sso",
            "tenancy",
            "webhooks",
            "xapi",
        ],
    ),
    ("actors", &["actors"]),
    ("state", &["state"]),
    ("web", &["web"]),
    ("wiring", &["cli", "routes", "seed", "startup", "telemetry"]),
];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Sep,
    Punct(char),
}

/// Identifiers, `::` and punctuation, with comments, strings and char literals left out.
fn tokens(src: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = src.chars().collect();
    let (mut out, mut i, mut line) = (Vec::new(), 0, 1);
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if ch == 'r' && matches!(c.get(i + 1), Some('#') | Some('"')) && {
            let mut j = i + 1;
            while c.get(j) == Some(&'#') {
                j += 1;
            }
            c.get(j) == Some(&'"')
        } {
            let mut hashes = 0;
            i += 1;
            while c[i] == '#' {
                hashes += 1;
                i += 1;
            }
            i += 1;
            loop {
                if i >= c.len() {
                    break;
                }
                if c[i] == '"' && (1..=hashes).all(|k| c.get(i + k) == Some(&'#')) {
                    i += 1 + hashes;
                    break;
                }
                if c[i] == '\n' {
                    line += 1;
                }
                i += 1;
            }
        } else if ch == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    i += 1;
                }
                if c.get(i) == Some(&'\n') {
                    line += 1;
                }
                i += 1;
            }
            i += 1;
        } else if ch == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if c.get(i + 1) == Some(&'\\') {
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if ch.is_alphanumeric() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push((Tok::Ident(c[start..i].iter().collect()), line));
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push((Tok::Sep, line));
            i += 2;
        } else if ch == '$' && c[i + 1..].starts_with(&['c', 'r', 'a', 't', 'e']) {
            i += 1; // `$crate` is `crate`
        } else {
            out.push((Tok::Punct(ch), line));
            i += 1;
        }
    }
    out
}

type Segs = Vec<String>;

/// Who imports whom: `(from, to)` → the names taken and the lines they are taken on.
type Edges = BTreeMap<(PathBuf, PathBuf), BTreeSet<(String, usize)>>;

struct Source {
    module: Segs,
    toks: Vec<(Tok, usize)>,
}

/// One import found in a file: the absolute path it names.
struct Import {
    path: Segs,
    line: usize,
}

struct House {
    files: BTreeMap<PathBuf, Source>,
    modules: HashMap<Segs, PathBuf>,
}

fn collect(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path.strip_prefix(root).unwrap().to_path_buf());
        }
    }
}

impl House {
    fn read(src: &Path) -> House {
        let mut paths = Vec::new();
        collect(src, src, &mut paths);
        let mut files = BTreeMap::new();
        let mut modules = HashMap::new();
        for rel in paths {
            if rel == Path::new("main.rs") {
                continue; // the binary: it names the library as `eduflow::`
            }
            let mut module: Segs = rel
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            if matches!(module.last().map(String::as_str), Some("mod") | Some("lib")) {
                module.pop();
            }
            let text = std::fs::read_to_string(src.join(&rel)).unwrap();
            modules.insert(module.clone(), rel.clone());
            files.insert(
                rel,
                Source {
                    module,
                    toks: tokens(&text),
                },
            );
        }
        House { files, modules }
    }

    /// The file that defines the module `segs` names, and how many segments that took.
    fn file_of(&self, segs: &[String]) -> Option<(&PathBuf, usize)> {
        (0..=segs.len())
            .rev()
            .find_map(|k| self.modules.get(&segs[..k]).map(|f| (f, k)))
    }

    /// A path as written in `module` (the file's module plus any inline `mod` it sits in) made
    /// absolute, or `None` for another crate's path.
    fn absolute(&self, module: &[String], path: &[String]) -> Option<Segs> {
        let first = path.first()?;
        let mut base: Segs = match first.as_str() {
            "crate" => return Some(path[1..].to_vec()),
            "self" => module.to_vec(),
            "super" => {
                let mut base = module.to_vec();
                let mut rest = path;
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                return Some(base);
            }
            _ => {
                // A child module of this one, or (in a file) a sibling declared by its parent.
                let mut child = module.to_vec();
                child.push(first.clone());
                if self.modules.contains_key(&child) {
                    child.extend(path[1..].iter().cloned());
                    return Some(child);
                }
                return None;
            }
        };
        base.extend(path[1..].iter().cloned());
        Some(base)
    }

    /// `pub use` re-exports of a file: the name it hands on → the path it came from.
    fn reexports(&self, file: &Path) -> HashMap<String, Segs> {
        let source = &self.files[file];
        let mut out = HashMap::new();
        for (import, public, alias) in uses(source) {
            if public {
                if let Some(abs) = self.absolute(&import.module_at, &import.path) {
                    out.insert(alias, abs);
                }
            }
        }
        out
    }

    /// The file a path finally lands in, following re-exports, and the name it takes there.
    fn resolve(&self, mut path: Segs) -> Option<(PathBuf, String)> {
        for _ in 0..8 {
            let (file, k) = self.file_of(&path)?;
            let file = file.clone();
            if k == path.len() {
                return Some((file, path.last().cloned().unwrap_or_default()));
            }
            let item = path[k].clone();
            match self.reexports(&file).remove(&item) {
                Some(origin) if origin != path => path = origin,
                _ => return Some((file, item)),
            }
        }
        None
    }

    /// Every import of every file, as `(from, to) → names`.
    fn edges(&self) -> Edges {
        let mut edges = Edges::new();
        for (file, source) in &self.files {
            let mut imports = Vec::new();
            for (import, _, _) in uses(source) {
                if let Some(abs) = self.absolute(&import.module_at, &import.path) {
                    imports.push(Import {
                        path: abs,
                        line: import.line,
                    });
                }
            }
            for (module, path, line) in paths(source) {
                if let Some(abs) = self.absolute(&module, &path) {
                    imports.push(Import { path: abs, line });
                }
            }
            for import in imports {
                if let Some((to, name)) = self.resolve(import.path) {
                    if &to != file {
                        edges
                            .entry((file.clone(), to))
                            .or_default()
                            .insert((name, import.line));
                    }
                }
            }
        }
        edges
    }
}

struct UseLeaf {
    module_at: Segs,
    path: Segs,
    line: usize,
}

/// The inline `mod name {` blocks around each token, as the module path there.
fn module_at(source: &Source) -> Vec<Segs> {
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut out = Vec::with_capacity(source.toks.len());
    let t = &source.toks;
    for i in 0..t.len() {
        match &t[i].0 {
            Tok::Punct('{') => {
                depth += 1;
                if i >= 2 && t[i - 2].0 == Tok::Ident("mod".into()) {
                    if let Tok::Ident(name) = &t[i - 1].0 {
                        stack.push((name.clone(), depth));
                    }
                }
            }
            Tok::Punct('}') => {
                if stack.last().is_some_and(|(_, d)| *d == depth) {
                    stack.pop();
                }
                depth -= 1;
            }
            _ => {}
        }
        let mut m = source.module.clone();
        m.extend(stack.iter().map(|(n, _)| n.clone()));
        out.push(m);
    }
    out
}

/// Every leaf of every `use` tree: (import, is `pub`, the name it binds).
fn uses(source: &Source) -> Vec<(UseLeaf, bool, String)> {
    let t = &source.toks;
    let at = module_at(source);
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if t[i].0 == Tok::Ident("use".into()) {
            let public = (i >= 1 && t[i - 1].0 == Tok::Ident("pub".into()))
                || (i >= 4
                    && t[i - 1].0 == Tok::Punct(')')
                    && t[i - 4].0 == Tok::Ident("pub".into()));
            let line = t[i].1;
            let mut j = i + 1;
            let mut leaves = Vec::new();
            tree(t, &mut j, Vec::new(), &mut leaves);
            for (path, alias) in leaves {
                out.push((
                    UseLeaf {
                        module_at: at[i].clone(),
                        path,
                        line,
                    },
                    public,
                    alias,
                ));
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Parses one use tree at `t[*j]`, adding `(path, bound name)` leaves.
fn tree(t: &[(Tok, usize)], j: &mut usize, mut prefix: Segs, out: &mut Vec<(Segs, String)>) {
    loop {
        match t.get(*j).map(|x| &x.0) {
            Some(Tok::Ident(s)) if s != "as" => {
                prefix.push(s.clone());
                *j += 1;
            }
            Some(Tok::Sep) => *j += 1,
            Some(Tok::Punct('{')) => {
                *j += 1;
                loop {
                    match t.get(*j).map(|x| &x.0) {
                        Some(Tok::Punct('}')) => {
                            *j += 1;
                            break;
                        }
                        Some(Tok::Punct(',')) => *j += 1,
                        None => return,
                        _ => tree(t, j, prefix.clone(), out),
                    }
                }
                return;
            }
            Some(Tok::Punct('*')) => {
                *j += 1;
                out.push((prefix, "*".into()));
                return;
            }
            _ => break,
        }
    }
    let mut alias = prefix.last().cloned().unwrap_or_default();
    if let Some(Tok::Ident(s)) = t.get(*j).map(|x| &x.0) {
        if s == "as" {
            if let Some(Tok::Ident(a)) = t.get(*j + 1).map(|x| &x.0) {
                alias = a.clone();
            }
            *j += 2;
        }
    }
    if prefix.last().map(String::as_str) == Some("self") {
        prefix.pop();
    }
    if !prefix.is_empty() {
        out.push((prefix, alias));
    }
}

/// Paths outside `use` declarations (`crate::x::f()`, `super::Y`, `child::g()`).
fn paths(source: &Source) -> Vec<(Segs, Segs, usize)> {
    let t = &source.toks;
    let at = module_at(source);
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if t[i].0 == Tok::Ident("use".into()) {
            while i < t.len() && t[i].0 != Tok::Punct(';') {
                i += 1;
            }
            continue;
        }
        let after_sep = i > 0 && t[i - 1].0 == Tok::Sep;
        if let (Tok::Ident(first), false) = (&t[i].0, after_sep) {
            if t.get(i + 1).map(|x| &x.0) == Some(&Tok::Sep) {
                let mut path = vec![first.clone()];
                let mut j = i + 1;
                while t.get(j).map(|x| &x.0) == Some(&Tok::Sep) {
                    match t.get(j + 1).map(|x| &x.0) {
                        Some(Tok::Ident(s)) => path.push(s.clone()),
                        _ => break,
                    }
                    j += 2;
                }
                out.push((at[i].clone(), path, t[i].1));
                i = j;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Strongly connected components of more than one file (Tarjan).
fn loops(nodes: &[PathBuf], next: &HashMap<&PathBuf, Vec<&PathBuf>>) -> Vec<Vec<PathBuf>> {
    struct T<'a> {
        index: HashMap<&'a PathBuf, usize>,
        low: HashMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on: BTreeSet<&'a PathBuf>,
        out: Vec<Vec<PathBuf>>,
    }
    fn visit<'a>(v: &'a PathBuf, next: &HashMap<&'a PathBuf, Vec<&'a PathBuf>>, t: &mut T<'a>) {
        let n = t.index.len();
        t.index.insert(v, n);
        t.low.insert(v, n);
        t.stack.push(v);
        t.on.insert(v);
        for w in next.get(v).into_iter().flatten() {
            if !t.index.contains_key(w) {
                visit(w, next, t);
                let low = t.low[v].min(t.low[w]);
                t.low.insert(v, low);
            } else if t.on.contains(w) {
                let low = t.low[v].min(t.index[w]);
                t.low.insert(v, low);
            }
        }
        if t.low[v] == t.index[v] {
            let mut scc = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                scc.push(w.clone());
                if w == v {
                    break;
                }
            }
            if scc.len() > 1 {
                scc.sort();
                t.out.push(scc);
            }
        }
    }
    let mut t = T {
        index: HashMap::new(),
        low: HashMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in nodes {
        if !t.index.contains_key(v) {
            visit(v, next, &mut t);
        }
    }
    t.out
}

fn layer_of(file: &Path) -> Option<usize> {
    let top = file.iter().next()?.to_string_lossy();
    let top = top.trim_end_matches(".rs");
    LAYERS.iter().position(|(_, mods)| mods.contains(&top))
}

fn house() -> (House, Edges) {
    let house = House::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let edges = house.edges();
    (house, edges)
}

fn names(set: &BTreeSet<(String, usize)>) -> String {
    set.iter()
        .map(|(n, l)| format!("{n} (line {l})"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn src_has_no_import_loop() {
    let (house, edges) = house();
    let nodes: Vec<PathBuf> = house.files.keys().cloned().collect();
    let mut next: HashMap<&PathBuf, Vec<&PathBuf>> = HashMap::new();
    for (from, to) in edges.keys() {
        next.entry(from).or_default().push(to);
    }
    let found = loops(&nodes, &next);
    let mut report = String::new();
    for scc in &found {
        report += &format!("\nA loop of {} files:\n", scc.len());
        for ((from, to), used) in &edges {
            if scc.contains(from) && scc.contains(to) {
                report += &format!(
                    "  src/{} -> src/{}: {}\n",
                    from.display(),
                    to.display(),
                    names(used)
                );
            }
        }
    }
    assert!(found.is_empty(), "import loops in src/:{report}");
}

#[test]
fn every_import_runs_down_the_layers() {
    let (house, edges) = house();
    let mut report = String::new();
    for file in house.files.keys() {
        assert!(
            file == Path::new("lib.rs") || layer_of(file).is_some(),
            "src/{} belongs to no layer: add it to LAYERS in tests/it/house.rs and docs/architecture.md",
            file.display()
        );
    }
    for ((from, to), used) in &edges {
        if let (Some(a), Some(b)) = (layer_of(from), layer_of(to)) {
            if b > a {
                report += &format!(
                    "  src/{} ({}) -> src/{} ({}): {}\n",
                    from.display(),
                    LAYERS[a].0,
                    to.display(),
                    LAYERS[b].0,
                    names(used)
                );
            }
        }
    }
    assert!(report.is_empty(), "imports that run up a layer:\n{report}");
}

/// The reader itself: a loop written here is found, with the names that tie it.
#[test]
fn the_reader_finds_a_loop_and_its_names() {
    let dir = std::env::temp_dir().join(format!("house-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(dir.join("lib.rs"), "pub mod a; pub mod b;").unwrap();
    std::fs::write(dir.join("a/mod.rs"), "pub mod x;\npub use x::Thing;").unwrap();
    std::fs::write(
        dir.join("a/x.rs"),
        "// use crate::b::Nope;\nconst S: &str = \"crate::b::Nope\";\npub fn f() -> char { let _ = '\"'; crate::b::g() }\npub struct Thing;",
    )
    .unwrap();
    std::fs::write(
        dir.join("b.rs"),
        "use crate::{a::{self, Thing as T}};\npub fn g() -> char { 'x' }",
    )
    .unwrap();
    let house = House::read(&dir);
    let edges = house.edges();
    std::fs::remove_dir_all(&dir).unwrap();
    let pairs: BTreeSet<(String, String)> = edges
        .keys()
        .map(|(a, b)| (a.display().to_string(), b.display().to_string()))
        .collect();
    let expect = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert!(pairs.contains(&expect("a/x.rs", "b.rs")), "{pairs:?}");
    // `Thing` is re-exported by a/mod.rs and so lands in a/x.rs; `self` lands in a/mod.rs.
    assert!(pairs.contains(&expect("b.rs", "a/x.rs")), "{pairs:?}");
    assert!(pairs.contains(&expect("b.rs", "a/mod.rs")), "{pairs:?}");
    assert!(pairs.contains(&expect("a/mod.rs", "a/x.rs")), "{pairs:?}");
    let names = &edges[&(PathBuf::from("a/x.rs"), PathBuf::from("b.rs"))];
    assert_eq!(
        names.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["g"]
    );
    let nodes: Vec<PathBuf> = house.files.keys().cloned().collect();
    let mut next: HashMap<&PathBuf, Vec<&PathBuf>> = HashMap::new();
    for (from, to) in edges.keys() {
        next.entry(from).or_default().push(to);
    }
    // b.rs names the module `a` itself, which re-exports from a/x.rs: all three tie.
    let found = loops(&nodes, &next);
    let all = ["a/mod.rs", "a/x.rs", "b.rs"].map(PathBuf::from).to_vec();
    assert_eq!(found, vec![all]);
}
