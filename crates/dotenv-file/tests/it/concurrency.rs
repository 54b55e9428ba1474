//! `write` while other processes change the same `.env`: other runs of this tool (which take the `flock` of
//! its directory) and a process that appends lines without any lock. No line another process wrote is lost: an
//! append that lands between an edit's last check and its rename is carried into the new file.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use dotenv_file::write;

fn append(path: &Path, line: &str) {
    let mut file = OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(line.as_bytes()).unwrap();
}

/// Waits until `done`, polling the file system: what is waited for is another thread's state on disk.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn a_line_appended_while_the_edit_waits_for_the_lock_is_kept() {
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join(".env");
    std::fs::write(&path, "A=1\n").unwrap();
    // Another run of the tool holds the lock: its directory's, as the file itself is replaced by each edit.
    let holder = File::open(root.path()).unwrap();
    holder.lock().unwrap();
    let writer = std::thread::spawn({
        let path = path.clone();
        move || write(&path, &[("COGNITO_POOL_ID", "us-east-1_New")])
    });
    // The edit is made (its temporary file is beside the .env) and waits for the lock to replace the file.
    wait_until("the edit is made or finished", || {
        testkit::file_names(root.path()).len() == 2 || writer.is_finished()
    });
    assert!(
        !writer.is_finished(),
        "the edit replaced the file while another run held its lock"
    );
    // A process that takes no lock appends a line: the edit was made from the text before it.
    append(&path, "APPENDED=yes\n");
    holder.unlock().unwrap();
    writer.join().unwrap().unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "A=1\nAPPENDED=yes\nCOGNITO_POOL_ID=us-east-1_New\n"
    );
    assert_eq!(testkit::file_names(root.path()), [".env"]);
}

#[test]
fn ten_concurrent_writers_and_an_appender_lose_no_line() {
    const WRITERS: usize = 10;
    const APPENDED: usize = 200;
    let root = tempfile::tempdir().unwrap();
    let path: PathBuf = root.path().join(".env");
    std::fs::write(&path, "# credere-backend\n").unwrap();
    let writes = Arc::new(AtomicUsize::new(0));
    let appending = Arc::new(AtomicBool::new(true));
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (path, writes, appending) = (path.clone(), Arc::clone(&writes), Arc::clone(&appending));
            std::thread::spawn(move || {
                let key = format!("WRITER_{writer}");
                let mut round = 0;
                while appending.load(Ordering::SeqCst) {
                    round += 1;
                    write(&path, &[(&key, &round.to_string())]).unwrap();
                    writes.fetch_add(1, Ordering::SeqCst);
                }
                round
            })
        })
        .collect();
    for line in 0..APPENDED {
        append(&path, &format!("APPENDED_{line}={line}\n"));
        // The next line after at least one more replacement of the file, so that appends and edits interleave.
        let seen = writes.load(Ordering::SeqCst);
        while writes.load(Ordering::SeqCst) == seen {
            std::thread::yield_now();
        }
    }
    appending.store(false, Ordering::SeqCst);
    let rounds: Vec<usize> = writers.into_iter().map(|writer| writer.join().unwrap()).collect();

    let file = dotenv_file::read(&path).unwrap();
    let values = file.values(|_| None);
    let value = |key: &str| {
        values
            .iter()
            .find(|(name, _)| name == key)
            .and_then(|(_, setting)| setting.value.clone())
    };
    let lost: Vec<usize> = (0..APPENDED)
        .filter(|line| value(&format!("APPENDED_{line}")) != Some(line.to_string()))
        .collect();
    assert_eq!(lost, Vec::<usize>::new(), "appended lines lost");
    for (writer, round) in rounds.iter().enumerate() {
        assert_eq!(
            value(&format!("WRITER_{writer}")),
            Some(round.to_string()),
            "writer {writer}'s last value"
        );
    }
    assert_eq!(testkit::file_names(root.path()), [".env"]);
}
