//! Finding input files: walk folders recursively in a sorted, deterministic order and pick the
//! format of each file from its name and its first bytes.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::{sniff, InputFile, Reject};

/// Expands the command-line inputs into a sorted list of files to read, plus rejects for inputs
/// that do not exist or cannot be read as any known format. Hidden files and folders (names
/// starting with `.`) are skipped, as are symlinked folders already visited (loops). The files
/// are sorted by path whatever the order the inputs were given in, so that the reports (and
/// which record of a duplicated call is kept) do not depend on it.
pub fn discover(inputs: &[PathBuf]) -> (Vec<InputFile>, Vec<Reject>) {
    let mut files = Vec::new();
    let mut rejects = Vec::new();
    let mut seen_dirs = BTreeSet::new();
    let mut seen_files = BTreeSet::new();
    let mut found = Vec::new();
    for input in inputs {
        let shown = input.display().to_string();
        match fs::metadata(input) {
            Err(e) => {
                rejects.push(Reject { file: shown, record: String::new(), reason: format!("cannot read input: {e}") })
            }
            Ok(m) if m.is_dir() => walk(input, &mut seen_dirs, &mut found, &mut rejects),
            Ok(_) => found.push(input.clone()),
        }
    }
    // Sorted before a file reached by two paths (a symlink) is taken once: the first path in
    // order names it, whatever the order the inputs came in.
    found.sort();
    for path in &found {
        add_file(path, &mut seen_files, &mut files, &mut rejects);
    }
    rejects.sort_by(|a, b| a.file.cmp(&b.file));
    (files, rejects)
}

/// Adds the files under `dir` to `found`.
fn walk(dir: &Path, seen_dirs: &mut BTreeSet<PathBuf>, found: &mut Vec<PathBuf>, rejects: &mut Vec<Reject>) {
    let shown = dir.display().to_string();
    let canonical = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if !seen_dirs.insert(canonical) {
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            rejects.push(Reject { file: shown, record: String::new(), reason: format!("cannot list folder: {e}") });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let hidden = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, seen_dirs, found, rejects);
        } else {
            found.push(path);
        }
    }
}

/// Adds one file. A file that is no known format is rejected rather than skipped, so that
/// nothing in an input folder is silently ignored.
fn add_file(path: &Path, seen_files: &mut BTreeSet<PathBuf>, files: &mut Vec<InputFile>, rejects: &mut Vec<Reject>) {
    let canonical = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if !seen_files.insert(canonical) {
        return;
    }
    let shown = path.display().to_string();
    let reject = |reason: String| Reject { file: shown.clone(), record: String::new(), reason };
    let bytes = match fs::metadata(path) {
        // A named pipe, socket or device would block the run, or never end: not read.
        Ok(m) if !m.is_file() => return rejects.push(reject("not a regular file (a pipe, socket or device)".into())),
        Ok(m) => m.len(),
        Err(e) => return rejects.push(reject(format!("cannot read: {e}"))),
    };
    let compression = sniff::compression(path);
    let ext = sniff::extension(path);
    // CSV needs no look inside; everything else may be decided by its content.
    let head = if ext == "csv" { Vec::new() } else { sniff::head(path, compression, bytes) };
    match sniff::framing(&ext, &head) {
        Ok((format, documents)) => {
            files.push(InputFile { path: path.to_path_buf(), shown, format, documents, compression, bytes })
        }
        Err(reason) => rejects.push(reject(reason)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sorted_and_rejects_unknown_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir(root.join("sub")).unwrap();
        fs::write(root.join("b.jsonl"), "{}\n").unwrap();
        fs::write(root.join("sub/a.csv"), "text\nhi\n").unwrap();
        fs::write(root.join("notes.docx"), "x").unwrap();
        fs::write(root.join(".hidden.jsonl"), "x").unwrap();
        let (files, rejects) = discover(&[root.to_path_buf()]);
        let names: Vec<_> = files.iter().map(|f| f.path.file_name().unwrap().to_str().unwrap()).collect();
        assert_eq!(names, ["b.jsonl", "a.csv"]);
        assert_eq!(rejects.len(), 1);
        assert!(rejects[0].file.ends_with("notes.docx"), "{rejects:?}");
        assert!(rejects[0].reason.contains("unrecognised format"));
    }

    #[test]
    fn files_are_read_in_path_order_whatever_the_order_given() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir(root.join("b")).unwrap();
        fs::write(root.join("b/x.jsonl"), "{}\n").unwrap();
        fs::write(root.join("a.jsonl"), "{}\n").unwrap();
        fs::write(root.join("c.jsonl"), "{}\n").unwrap();
        let given =
            [root.join("c.jsonl"), root.join("b"), root.join("nowhere"), root.join("a.jsonl"), root.join("gone")];
        let (files, rejects) = discover(&given);
        let names: Vec<_> = files.iter().map(|f| f.path.strip_prefix(root).unwrap().to_str().unwrap()).collect();
        assert_eq!(names, ["a.jsonl", "b/x.jsonl", "c.jsonl"]);
        let missing: Vec<_> = rejects.iter().map(|r| r.file.rsplit('/').next().unwrap()).collect();
        assert_eq!(missing, ["gone", "nowhere"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_reached_by_two_paths_is_named_by_the_first_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir(root.join("data")).unwrap();
        fs::create_dir(root.join("other")).unwrap();
        fs::write(root.join("data/z.jsonl"), "{}\n").unwrap();
        std::os::unix::fs::symlink(root.join("data/z.jsonl"), root.join("other/a.jsonl")).unwrap();
        for given in [[root.join("data"), root.join("other")], [root.join("other"), root.join("data")]] {
            let (files, _) = discover(&given);
            assert_eq!(files.len(), 1);
            assert!(files[0].path.ends_with("data/z.jsonl"), "{:?}", files[0].path);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_rejected_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("pipe.txt");
        let made = std::process::Command::new("mkfifo").arg(&pipe).status().unwrap();
        assert!(made.success());
        fs::write(dir.path().join("a.jsonl"), "{}\n").unwrap();
        // Reading the pipe's first bytes to sniff its format would wait for a writer forever.
        let (files, rejects) = discover(&[dir.path().to_path_buf()]);
        assert_eq!(files.len(), 1);
        assert_eq!(rejects.len(), 1);
        assert!(
            rejects[0].file.ends_with("pipe.txt") && rejects[0].reason.contains("not a regular file"),
            "{rejects:?}"
        );
    }

    #[test]
    fn missing_input_is_a_reject_not_a_crash() {
        let (files, rejects) = discover(&[PathBuf::from("/no/such/place.jsonl")]);
        assert!(files.is_empty());
        assert_eq!(rejects.len(), 1);
        assert!(rejects[0].reason.contains("cannot read input"));
    }

    #[test]
    fn gzip_is_detected_from_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("calls.jsonl.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut enc, b"{}\n").unwrap();
        fs::write(&p, enc.finish().unwrap()).unwrap();
        let (files, _) = discover(&[p]);
        assert_eq!(files[0].compression, super::super::Compression::Gzip);
        assert_eq!(files[0].format, super::super::Format::Jsonl);
    }
}
