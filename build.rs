// Records the git commit for the build-info metric (`unknown` outside a git checkout).
fn main() {
    let sha = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=EDUFLOW_GIT_SHA={sha}");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    locales();
}

// Every folder under `locales/` is a language: its `.ftl` files are compiled in, so adding a
// language is adding a folder.
fn locales() {
    use std::fmt::Write;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut folders: Vec<_> = std::fs::read_dir(&root)
        .expect("locales/ exists")
        .map(|e| e.expect("readable locales/").path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    let mut out = String::from("pub(crate) const FOLDERS: &[(&str, &[(&str, &str)])] = &[\n");
    for folder in folders {
        let tag = folder.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<_> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
            .collect();
        files.sort();
        write!(out, "    ({tag:?}, &[").unwrap();
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            write!(
                out,
                "({name:?}, include_str!({:?})), ",
                file.display().to_string()
            )
            .unwrap();
        }
        out.push_str("]),\n");
    }
    out.push_str("];\n");
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("locales.rs");
    std::fs::write(dest, out).unwrap();
}
