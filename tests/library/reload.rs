//! Hot reload: a `Reloader` follows its rule files, swaps in
//! rules that compile and keeps the old policy when they don't. Waits are
//! bounded (polls every 50 ms, up to 10 s); nothing asserts a timing.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use authgate::project::reload::Trigger;
use authgate::project::watch::Reloader;
use authgate::{Options, Principal};

use crate::support::{eventually, write};

/// `orders` activates `method`; instance `i` authenticates with `basic`.
fn rules(method: &str) -> String {
    format!(
        "connector shop {{\n\
         \x20   auth basic: basic\n\
         \x20   auth oauth: oauth2_authorization_code\n\
         \x20   endpoint orders < auth: [{method}] >\n\
         }}\n\
         instance \"i\" of shop < auth: basic >\n"
    )
}

const BROKEN: &str =
    "connector shop {\n    auth basic: basic\n    endpoint orders < auth: [basic] \n";

fn allowed(reloader: &Reloader) -> bool {
    reloader
        .policy()
        .decide(Principal::Instance("i"), "orders")
        .available()
}

fn start(paths: Vec<PathBuf>, interval: Duration) -> Reloader {
    Reloader::start(paths, Options::default(), interval).expect("the first rules compile")
}

#[test]
fn a_change_is_picked_up_a_broken_rule_set_keeps_the_old_policy_and_a_fix_reloads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("rules/shop.gate");
    write(&file, &rules("basic"));
    let reloads = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&reloads);
    let reloader = Reloader::start_with(
        vec![dir.path().join("rules")],
        Options::default(),
        Duration::from_millis(200),
        move |_| {
            counted.fetch_add(1, Ordering::SeqCst);
        },
    )
    .expect("the first rules compile");
    assert!(allowed(&reloader));
    assert_eq!(reloader.generation(), 1);
    assert!(reloader.last_outcome().is_none(), "no reload yet");
    let before = reloader.policy();

    write(&file, &rules("oauth"));
    // The outcome is recorded last (after the policy and the generation):
    // once it is there, so are they.
    reloaded(&reloader, 2);
    assert!(!allowed(&reloader));
    assert_eq!(reloader.generation(), 2);
    let outcome = reloader.last_outcome().expect("a reload");
    assert!(outcome.ok(), "{outcome:?}");
    assert_eq!(outcome.generation, 2);
    assert!(reloads.load(Ordering::SeqCst) >= 1);
    // A snapshot taken before keeps answering with the old rules.
    assert!(
        before
            .decide(Principal::Instance("i"), "orders")
            .available()
    );

    write(&file, BROKEN);
    eventually("the failed reload reported", || {
        reloader.last_outcome().is_some_and(|outcome| !outcome.ok())
    });
    let failed = reloader.last_outcome().expect("a reload");
    assert_eq!(failed.generation, 2, "the old policy stays");
    assert!(
        failed
            .error
            .as_deref()
            .is_some_and(|message| message.starts_with("the rules have")),
        "{failed:?}"
    );
    assert!(
        failed
            .diagnostics
            .iter()
            .any(|d| d.severity() == authgate::Severity::Error),
        "{failed:?}"
    );
    assert!(failed.sources.is_some());
    assert!(!allowed(&reloader), "still the last good policy");
    assert_eq!(reloader.generation(), 2);

    write(&file, &rules("basic"));
    reloaded(&reloader, 3);
    assert!(allowed(&reloader));
    assert_eq!(reloader.generation(), 3);
    assert!(reloader.last_outcome().is_some_and(|outcome| outcome.ok()));
}

/// Waits for a successful reload to generation `generation`.
fn reloaded(reloader: &Reloader, generation: u64) {
    eventually("the reload recorded", || {
        reloader
            .last_outcome()
            .is_some_and(|outcome| outcome.ok() && outcome.generation == generation)
    });
}

#[test]
fn an_unchanged_rule_set_is_not_reloaded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("shop.gate");
    write(&file, &rules("basic"));
    let reloader = start(vec![file.clone()], Duration::from_millis(20));
    // Rewriting the same bytes is an event, and several polls pass.
    write(&file, &rules("basic"));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(reloader.generation(), 1);
    assert!(reloader.last_outcome().is_none());
}

#[test]
fn reload_now_reloads_without_waiting_and_returns_the_error_of_bad_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("shop.gate");
    write(&file, &rules("basic"));
    // An interval no test waits for: only `reload_now` can reload in time.
    let reloader = start(vec![file.clone()], Duration::from_secs(3600));

    write(&file, &rules("oauth"));
    reloader.reload_now().expect("the new rules compile");
    assert!(!allowed(&reloader));
    let outcome = reloader.last_outcome().expect("a reload");
    assert!(outcome.ok());
    assert_eq!(outcome.trigger, Trigger::Explicit);

    write(&file, BROKEN);
    let error = reloader.reload_now().expect_err("the rules are broken");
    let authgate::Error::Rules(rules_error) = &error else {
        panic!("a rules error: {error:?}");
    };
    assert!(rules_error.errors().count() >= 1);
    assert!(!allowed(&reloader), "the old policy stays");
    let outcome = reloader.last_outcome().expect("a reload");
    assert!(!outcome.ok());
    let codes = |diagnostics: &[authgate::Diagnostic]| -> Vec<authgate::Code> {
        diagnostics.iter().map(authgate::Diagnostic::code).collect()
    };
    assert_eq!(
        codes(&outcome.diagnostics),
        codes(rules_error.diagnostics())
    );

    std::fs::remove_file(&file).expect("remove");
    let error = reloader.reload_now().expect_err("no file");
    assert!(matches!(error, authgate::Error::Load(_)), "{error:?}");
    assert!(!allowed(&reloader), "the old policy stays");
}

#[test]
fn the_first_load_must_succeed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("shop.gate");
    write(&file, BROKEN);
    let error = Reloader::start(vec![file], Options::default(), Duration::from_secs(1))
        .expect_err("broken rules");
    assert!(matches!(error, authgate::Error::Rules(_)), "{error:?}");
    let missing = Reloader::start(
        vec![dir.path().join("nope")],
        Options::default(),
        Duration::from_secs(1),
    )
    .expect_err("no such path");
    assert!(matches!(missing, authgate::Error::Load(_)), "{missing:?}");
}

/// A Kubernetes ConfigMap volume: `shop.gate -> ..data/shop.gate`, and
/// `..data -> ..2026_1`, replaced by renaming a new link over it.
#[cfg(unix)]
#[test]
fn a_configmap_style_symlink_swap_is_picked_up() {
    use std::os::unix::fs::symlink;

    let dir = tempfile::tempdir().expect("temp dir");
    let mount = dir.path().join("rules");
    write(&mount.join("..2026_1/shop.gate"), &rules("basic"));
    symlink("..2026_1", mount.join("..data")).expect("link");
    symlink("..data/shop.gate", mount.join("shop.gate")).expect("link");
    let reloader = start(vec![mount.clone()], Duration::from_millis(200));
    assert!(allowed(&reloader));

    write(&mount.join("..2026_2/shop.gate"), &rules("oauth"));
    symlink("..2026_2", mount.join("..data_tmp")).expect("link");
    std::fs::rename(mount.join("..data_tmp"), mount.join("..data")).expect("swap");
    std::fs::remove_dir_all(mount.join("..2026_1")).expect("old copy gone");
    reloaded(&reloader, 2);
    assert!(!allowed(&reloader));
    assert_eq!(reloader.generation(), 2);
}

/// The path given is itself a link to a folder, re-pointed atomically.
#[cfg(unix)]
#[test]
fn a_swapped_folder_link_is_picked_up() {
    use std::os::unix::fs::symlink;

    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir.path().join("v1/shop.gate"), &rules("basic"));
    write(&dir.path().join("v2/shop.gate"), &rules("oauth"));
    let current = dir.path().join("current");
    symlink("v1", &current).expect("link");
    let reloader = start(vec![current.clone()], Duration::from_millis(200));
    assert!(allowed(&reloader));

    symlink("v2", dir.path().join("next")).expect("link");
    std::fs::rename(dir.path().join("next"), &current).expect("swap");
    eventually("the other folder's rules in place", || !allowed(&reloader));
}

/// A change no watch sees: the file given is a link into a folder that is
/// not watched, edited in place. Only polling finds it.
#[cfg(unix)]
#[test]
fn polling_finds_what_file_events_miss() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("elsewhere/shop.gate");
    write(&target, &rules("basic"));
    let link = dir.path().join("watched/shop.gate");
    std::fs::create_dir_all(dir.path().join("watched")).expect("mkdir");
    std::os::unix::fs::symlink(&target, &link).expect("link");
    let reloader = start(vec![link], Duration::from_millis(200));

    write(&target, &rules("oauth"));
    eventually("the edited rules in place", || !allowed(&reloader));
    // The policy is swapped in before the outcome is recorded: wait for
    // both (under load, the assertion below could run between the two).
    eventually("the outcome recorded", || reloader.last_outcome().is_some());
    #[cfg(target_os = "linux")]
    assert_eq!(
        reloader.last_outcome().map(|outcome| outcome.trigger),
        Some(Trigger::Poll),
        "inotify does not see the target's folder"
    );
}

#[test]
fn dropping_the_reloader_ends_its_thread_promptly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("shop.gate");
    write(&file, &rules("basic"));
    // With an hour between polls, only a stop signal ends the wait.
    let reloader = start(vec![file], Duration::from_secs(3600));
    let policy = reloader.policy();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        drop(reloader);
        let _ = done.send(());
    });
    finished
        .recv_timeout(Duration::from_secs(10))
        .expect("the drop returns");
    // A policy handed out outlives its reloader.
    assert!(
        policy
            .decide(Principal::Instance("i"), "orders")
            .available()
    );
}

#[test]
fn a_reloader_is_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<Reloader>();
}
