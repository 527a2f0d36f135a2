//! `authgate digest`: the same digest however the path is spelled and
//! wherever the files are, its JSON, and a Kubernetes ConfigMap mount read
//! through its links.

use std::path::Path;

use crate::support::{authgate_in, code, folder, json, stderr, stdout};

fn digest_of(dir: &Path, args: &[&str]) -> String {
    let output = authgate_in(dir, args);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let digest = stdout(&output).trim().to_owned();
    assert!(
        digest.starts_with("sha256:") && digest.len() == 7 + 64,
        "{digest}"
    );
    digest
}

#[test]
fn digest_is_the_same_however_the_path_is_spelled_and_wherever_the_files_are() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let digest = digest_of(here, &["digest", "rules"]);
    assert_eq!(digest_of(here, &["digest", "rules/"]), digest);
    assert_eq!(digest_of(&here.join("rules"), &["digest", "."]), digest);
    let absolute = here.join("rules").display().to_string();
    assert_eq!(digest_of(Path::new("/"), &["digest", &absolute]), digest);
    // A copy elsewhere, with a configuration file beside the rules (not
    // part of the bundle).
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for entry in std::fs::read_dir(here.join("rules")).expect("rules/") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        files.push((format!("copy/{name}"), std::fs::read(&path).expect("read")));
    }
    files.push(("copy/authgate.toml".to_owned(), b"[lints]\n".to_vec()));
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    let copy = folder(&borrowed);
    assert_eq!(digest_of(copy.path(), &["digest", "copy"]), digest);
    // One byte more in one file: another digest.
    let crm = copy.path().join("copy/crm.gate");
    let mut text = std::fs::read(&crm).expect("read");
    text.push(b'\n');
    std::fs::write(&crm, text).expect("write");
    assert_ne!(digest_of(copy.path(), &["digest", "copy"]), digest);
}

#[test]
fn digest_json_lists_each_file_by_its_path_below_the_folder() {
    let dir = folder(&[
        ("rules/a.gate", b"connector a {}\n"),
        ("rules/sub/b.gate", b"connector b {}\n"),
        ("rules/.hidden/c.gate", b"connector c {}\n"),
    ]);
    let output = authgate_in(dir.path(), &["digest", "rules", "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let document = json(&output);
    let paths: Vec<&str> = document["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|file| file["path"].as_str().expect("path"))
        .collect();
    assert_eq!(paths, ["a.gate", "sub/b.gate"]);
    // A file given alone is named by its file name.
    let alone = digest_of(dir.path(), &["digest", "rules/sub/b.gate"]);
    let moved = folder(&[("b.gate", b"connector b {}\n")]);
    assert_eq!(digest_of(moved.path(), &["digest", "b.gate"]), alone);
}

/// A Kubernetes ConfigMap mount: `shop.gate -> ..data/shop.gate`,
/// `..data -> ..TIMESTAMP/`, swapped by replacing the `..data` link.
#[cfg(unix)]
#[test]
fn a_configmap_mount_is_read_through_its_links_and_keeps_its_digest_across_updates() {
    use std::os::unix::fs::symlink;
    let text: &[u8] = b"connector shop {\n  auth basic: basic\n  endpoint orders { auth: [basic] }\n  endpoint broken { auth: [nope] }\n}\n";
    let dir = folder(&[("mount/..2026_11_30_05_00_00.123/shop.gate", text)]);
    let mount = dir.path().join("mount");
    symlink("..2026_11_30_05_00_00.123", mount.join("..data")).expect("link");
    symlink("..data/shop.gate", mount.join("shop.gate")).expect("link");
    let plain = folder(&[("shop.gate", text)]);
    let before = digest_of(dir.path(), &["digest", "mount"]);
    assert_eq!(before, digest_of(plain.path(), &["digest", "."]));

    // Diagnostics name the file by its link, not by the timestamped copy.
    let output = authgate_in(dir.path(), &["check", "mount", "--format", "json"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let document = json(&output);
    let file = document["diagnostics"][0]["file"].as_str().expect("file");
    assert_eq!(file, "mount/shop.gate");

    // An update with the same content, swapped the way the kubelet does.
    std::fs::create_dir(mount.join("..2026_11_30_06_00_00.456")).expect("mkdir");
    std::fs::write(mount.join("..2026_11_30_06_00_00.456/shop.gate"), text).expect("write");
    symlink("..2026_11_30_06_00_00.456", mount.join("..data_tmp")).expect("link");
    std::fs::rename(mount.join("..data_tmp"), mount.join("..data")).expect("swap");
    std::fs::remove_dir_all(mount.join("..2026_11_30_05_00_00.123")).expect("rm old");
    assert_eq!(digest_of(dir.path(), &["digest", "mount"]), before);
}
