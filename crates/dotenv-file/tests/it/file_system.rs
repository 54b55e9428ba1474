//! `write` and `check_writable` on the real file system: symlinks, owners, modes and what is not a file.
//! The tests run as root in CI (as the harness's PostgreSQL does); giving a file to `nobody` needs it.

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt, symlink};
use std::path::Path;
use std::process::Command;

use dotenv_file::{EnvFile, WriteError, check_writable, write};

const VALUES: &[(&str, &str)] = &[("COGNITO_POOL_ID", "us-east-1_New"), ("AWS_REGION", "us-east-1")];

/// `nobody:nogroup` on Debian and most Linux systems.
const NOBODY: u32 = 65534;

fn value(path: &Path, key: &str) -> Option<String> {
    let file = dotenv_file::read(path).unwrap();
    let values = file.values(|_| None);
    values.into_iter().find(|(name, _)| name == key)?.1.value
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().mode() & 0o7777
}

#[test]
fn a_symlink_is_followed_and_stays_a_symlink() {
    let root = tempfile::tempdir().unwrap();
    let backend = root.path().join("backend");
    let deploy = root.path().join("deploy");
    std::fs::create_dir_all(&backend).unwrap();
    std::fs::create_dir_all(&deploy).unwrap();
    let real = deploy.join("env.production");
    std::fs::write(&real, "A=1\nCOGNITO_POOL_ID=old\n").unwrap();
    let link = backend.join(".env");
    symlink("../deploy/env.production", &link).unwrap();

    check_writable(&link).unwrap();
    write(&link, VALUES).unwrap();

    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("../deploy/env.production")
    );
    assert_eq!(
        std::fs::read_to_string(&real).unwrap(),
        "A=1\nCOGNITO_POOL_ID=us-east-1_New\nAWS_REGION=us-east-1\n"
    );
    assert_eq!(testkit::file_names(&backend), [".env"], "nothing else beside the link");
    assert_eq!(
        testkit::file_names(&deploy),
        ["env.production"],
        "no temporary file left beside the target"
    );
}

#[test]
fn a_dangling_symlink_gets_its_target_created() {
    let root = tempfile::tempdir().unwrap();
    let link = root.path().join(".env");
    symlink("real.env", &link).unwrap();
    write(&link, VALUES).unwrap();
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(
        value(&root.path().join("real.env"), "AWS_REGION").as_deref(),
        Some("us-east-1")
    );
    assert_eq!(mode(&root.path().join("real.env")), 0o600);
}

#[test]
fn owner_and_group_are_kept_and_the_mode_only_tightens() {
    let root = tempfile::tempdir().unwrap();
    for (before, after) in [(0o644, 0o600), (0o640, 0o600), (0o400, 0o400), (0o600, 0o600)] {
        let path = root.path().join(format!("{before:o}.env"));
        std::fs::write(&path, "COGNITO_POOL_ID=old\n").unwrap();
        std::os::unix::fs::chown(&path, Some(NOBODY), Some(NOBODY))
            .expect("giving a file to nobody:nogroup needs root (CI runs as root)");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(before)).unwrap();

        write(&path, VALUES).unwrap();

        let metadata = std::fs::metadata(&path).unwrap();
        assert_eq!((metadata.uid(), metadata.gid()), (NOBODY, NOBODY), "{before:o}");
        assert_eq!(mode(&path), after, "{before:o}");
        assert_eq!(value(&path, "COGNITO_POOL_ID").as_deref(), Some("us-east-1_New"));
    }
}

#[test]
fn a_new_file_is_owner_only() {
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join(".env");
    check_writable(&path).unwrap();
    assert!(!path.exists(), "the check creates nothing");
    assert_eq!(testkit::file_names(root.path()), Vec::<String>::new());
    write(&path, VALUES).unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "COGNITO_POOL_ID=us-east-1_New\nAWS_REGION=us-east-1\n"
    );
}

/// Asserts that both the check and the write refuse `path` as `what`, and that `directory` is unchanged.
fn assert_refused(path: &Path, what: &str, directory: &Path) {
    let before = testkit::file_names(directory);
    for error in [check_writable(path).unwrap_err(), write(path, VALUES).unwrap_err()] {
        assert!(
            matches!(&error, WriteError::NotARegularFile { what: found, .. } if *found == what),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains("not a regular file") && message.contains(what),
            "{message}"
        );
    }
    assert_eq!(testkit::file_names(directory), before);
}

#[test]
fn what_is_not_a_regular_file_is_refused_and_left_alone() {
    let root = tempfile::tempdir().unwrap();
    let directory = root.path().join("a-directory");
    std::fs::create_dir(&directory).unwrap();
    assert_refused(&directory, "a directory", root.path());

    let fifo = root.path().join("fifo.env");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo (coreutils)");
    assert!(made.success());
    assert_refused(&fifo, "a FIFO (named pipe)", root.path());
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());

    let device = root.path().join("null.env");
    let made = Command::new("mknod")
        .arg(&device)
        .args(["c", "1", "3"])
        .status()
        .expect("mknod (coreutils)");
    assert!(made.success(), "mknod needs root (CI runs as root)");
    assert_refused(&device, "a character device", root.path());
    assert!(std::fs::symlink_metadata(&device).unwrap().file_type().is_char_device());

    // A symlink counts as its target.
    let link = root.path().join("link.env");
    symlink("/dev/null", &link).unwrap();
    assert_refused(&link, "a character device", root.path());
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
}

#[test]
fn a_missing_directory_and_a_symlink_loop_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let missing = root.path().join("no-such-directory").join(".env");
    let error = check_writable(&missing).unwrap_err();
    assert!(matches!(error, WriteError::MissingDirectory { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("no-such-directory does not exist"), "{message}");
    assert!(matches!(
        write(&missing, VALUES),
        Err(WriteError::MissingDirectory { .. })
    ));
    assert!(!root.path().join("no-such-directory").exists());

    let looped = root.path().join("loop.env");
    symlink("loop.env", &looped).unwrap();
    assert!(matches!(check_writable(&looped), Err(WriteError::SymlinkLoop { .. })));
}

#[test]
fn a_file_python_dotenv_only_partly_reads_is_left_alone() {
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join(".env");
    let text = "A=1\nSECRET=\"s3cret never closed\nB=2\n";
    std::fs::write(&path, text).unwrap();
    let message = testkit::error_chain(&check_writable(&path).unwrap_err());
    assert!(message.contains("line(s) 2 cannot be parsed"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
    assert!(write(&path, VALUES).is_err());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    assert_eq!(EnvFile::parse(text).bad_lines(), [2]);
    assert_eq!(testkit::file_names(root.path()), [".env"]);
}

#[test]
fn a_file_that_is_not_utf8_is_refused_with_its_line() {
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join(".env");
    std::fs::write(&path, b"A=1\r\nB=caf\xe9\n").unwrap();
    let message = check_writable(&path).unwrap_err().to_string();
    assert!(message.contains("line 2 is not UTF-8"), "{message}");
}

#[test]
fn reading_what_is_not_a_regular_file_is_refused_at_once() {
    let root = tempfile::tempdir().unwrap();
    let fifo = root.path().join("fifo.env");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let to_zero = root.path().join("zero.env");
    symlink("/dev/zero", &to_zero).unwrap();
    // Reading a FIFO nobody writes waits forever and /dev/zero never ends: the read runs on a thread, and a refusal
    // must come back (a hang fails the test after the bound below instead of stopping the suite).
    for (path, what) in [
        (fifo, "a FIFO (named pipe)"),
        (to_zero, "a character device"),
        (root.path().to_owned(), "a directory"),
    ] {
        let (sender, receiver) = std::sync::mpsc::channel();
        let reading = path.clone();
        std::thread::spawn(move || sender.send(dotenv_file::read(&reading).map(|_| ()).map_err(|e| e.to_string())));
        let refused = receiver
            .recv_timeout(std::time::Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("reading {} did not come back", path.display()))
            .unwrap_err();
        assert!(refused.contains(&format!("is {what}, not a regular file")), "{refused}");
    }
}

#[test]
fn a_trailing_slash_a_hard_link_and_an_immutable_file_are_refused_before_anything() {
    let root = tempfile::tempdir().unwrap();
    let env = root.path().join(".env");
    std::fs::write(&env, "A=1\n").unwrap();

    let slashed = root.path().join("new.env/");
    let refused = check_writable(&slashed).unwrap_err();
    assert!(matches!(refused, WriteError::TrailingSlash { .. }), "{refused}");
    assert!(refused.to_string().contains("without the trailing slash"), "{refused}");

    let other_name = root.path().join("backup.env");
    std::fs::hard_link(&env, &other_name).unwrap();
    let refused = check_writable(&env).unwrap_err();
    assert!(matches!(refused, WriteError::HardLinked { links: 2, .. }), "{refused}");
    assert!(matches!(write(&env, VALUES), Err(WriteError::HardLinked { .. })));
    std::fs::remove_file(&other_name).unwrap();
    check_writable(&env).unwrap();

    // chattr needs root and a file system with attributes (ext4 here, as in CI): without them the test fails.
    let chattr = |flag: &str| Command::new("chattr").arg(flag).arg(&env).status().unwrap().success();
    assert!(chattr("+i"), "chattr +i needs root on a file system with attributes");
    let refused = check_writable(&env).unwrap_err();
    let written = write(&env, VALUES);
    assert!(chattr("-i"));
    assert!(matches!(refused, WriteError::Immutable { .. }), "{refused}");
    assert!(refused.to_string().contains("chattr -i"), "{refused}");
    assert!(matches!(written, Err(WriteError::Immutable { .. })));
    assert_eq!(std::fs::read_to_string(&env).unwrap(), "A=1\n");
    assert_eq!(testkit::file_names(root.path()), [".env"], "no temporary file is left");
    // A file that is only read-only is replaced as before (the rename needs the directory, not the file).
    std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o400)).unwrap();
    write(&env, VALUES).unwrap();
    assert_eq!(value(&env, "AWS_REGION").as_deref(), Some("us-east-1"));
}
