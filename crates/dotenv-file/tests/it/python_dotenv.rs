//! Differential tests: python-dotenv itself (the pinned release in the harness's virtualenv, what
//! credere-backend reads its `.env` with through pydantic-settings) is the specification of the reader and
//! the judge of the writer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use dotenv_file::EnvFile;

/// `dotenv_values(path)` as pydantic-settings calls it (interpolating, with the process environment), for
/// each path; and the lines python-dotenv warns about, moved from where its statement's leading blank lines
/// begin (what python-dotenv names) to the statement's first non-blank line (what this crate names).
const READ_WITH_PYTHON_DOTENV: &str = r#"
import json, logging, sys, dotenv

class Warnings(logging.Handler):
    lines = []
    def emit(self, record):
        self.lines.append(record.args[0])

handler = Warnings()
logging.getLogger("dotenv.main").addHandler(handler)
answers = []
for path in sys.argv[1:]:
    handler.lines = []
    values = dotenv.dotenv_values(path, encoding="utf-8")
    with open(path, encoding="utf-8") as stream:
        text_lines = stream.read().removeprefix("\ufeff").split("\n")
    first_non_blank = []
    for line in handler.lines:
        while not text_lines[line - 1].strip():
            line += 1
        first_non_blank.append(line)
    answers.append({"values": values, "bad_lines": first_non_blank})
print(json.dumps(answers))
"#;

#[derive(Debug, PartialEq)]
struct Reading {
    values: BTreeMap<String, Option<String>>,
    bad_lines: Vec<usize>,
}

/// What python-dotenv reads in each of `paths`, with nothing in its environment but `environment`.
fn python_dotenv(paths: &[PathBuf], environment: &BTreeMap<&str, &str>) -> Vec<Reading> {
    let bin = testkit::venv_bin().expect("the test virtualenv with python-dotenv (crates/testkit/requirements.txt)");
    let output = Command::new(bin.join("python"))
        .arg("-c")
        .arg(READ_WITH_PYTHON_DOTENV)
        .args(paths)
        .env_clear()
        .envs(environment)
        .output()
        .expect("running python");
    assert!(
        output.status.success(),
        "python-dotenv failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answers: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).expect("python's JSON");
    answers
        .into_iter()
        .map(|answer| Reading {
            values: serde_json::from_value(answer["values"].clone()).unwrap(),
            bad_lines: serde_json::from_value(answer["bad_lines"].clone()).unwrap(),
        })
        .collect()
}

/// What this crate reads in `path`, with `environment` standing for the process environment.
fn ours(path: &Path, environment: &BTreeMap<&str, &str>) -> Reading {
    let file = dotenv_file::read(path).unwrap();
    Reading {
        values: file
            .values(|name| environment.get(name).map(|value| (*value).to_owned()))
            .into_iter()
            .map(|(key, setting)| (key, setting.value))
            .collect(),
        bad_lines: file.bad_lines(),
    }
}

/// Files of our own making, each aimed at one rule of python-dotenv's syntax.
const HAND_MADE: &[(&str, &str)] = &[
    ("plain", "A=1\nB=two\n"),
    ("spaces in unquoted", "A=1 2 3\nB=  padded value  \n"),
    (
        "inline comment needs white space",
        "A=x#y\nB=x #y\nC=x\t# y\nD=#start\n",
    ),
    ("empty values", "A=\nB=''\nC=\"\"\nD= # only a comment\nE=\t\n"),
    ("key without equals", "A\nB # comment\nexport C\n"),
    (
        "export prefix",
        "export A=1\nexport\tB=2\nexport  C = 3\nexporter=4\nexport=5\n",
    ),
    ("export alone or trailing", "export\nexport \nA=1\n"),
    (
        "single quotes",
        "A='literal $x \\n #not comment'\nB='it\\'s'\nC='back\\\\slash'\n",
    ),
    (
        "double quote escapes",
        "A=\"tab\\tnl\\nq\\\"bs\\\\ a\\a b\\b f\\f r\\r v\\v\"\nB=\"keep \\x \\$ \\u00e9\"\n",
    ),
    ("quoted then comment", "A='x' # c\nB=\"y\"# c\nC='z'   \n"),
    ("quoted then junk", "A='x' junk\nB=\"y\"z\nC=ok\n"),
    (
        "multi-line double",
        "A=\"first\nCOGNITO_CLIENT_ID=inner\nlast\"\nB=after\n",
    ),
    ("multi-line single", "A='one\ntwo'\nB=2\n"),
    ("unterminated quotes", "A=\"open\nB=1\nC='open\nD=2\n"),
    ("interpolation braces", "A=a\nB=${A}\nC=pre${A}post\nD=$A\nE=${A}${A}\n"),
    (
        "interpolation defaults",
        "A=\nB=${A:-d}\nC=${MISSING:-d}\nD=${MISSING:-}\nE=${MISSING}\nF=${MISSING:-a:-b}\n",
    ),
    (
        "interpolation odd forms",
        "A=1\nB=${A:B}\nC=${\nD=${A\nE=${}\nF=$${A}\nG=${A}}\n",
    ),
    ("interpolation order", "B=${A}\nA=1\nC=${A}\nA=2\nD=${A}\n"),
    ("interpolation in quotes", "A=v\nB='${A}'\nC=\"${A}\"\nD=\"\\${A}\"\n"),
    ("interpolation of a bare key", "A\nB=${A:-default}\n"),
    (
        "environment",
        "B=${FROM_ENV}\nFROM_ENV=file\nC=${FROM_ENV}\nD=${EMPTY_ENV:-d}\n",
    ),
    ("duplicates", "A=1\nB=2\nA=3\n"),
    ("crlf", "A=1\r\nB=\"two\r\nlines\"\r\nC='x'\r\n\r\nbad line\r\nD=4\r\n"),
    ("lone cr", "A=1\rB=2\r\rC=\"x\ry\"\r"),
    ("no final newline", "A=1\nB=last"),
    ("blank lines before a bad one", "A=1\n\n\n   \nbad line\n\nB=2\n"),
    ("bad lines", "=value\nA B\n'A\nA='x\nok=1\n"),
    ("comments", "# comment\n  # indented\n#A=1\nA=1 # trailing\n"),
    ("indentation", "  A=1\n\tB=2\n   export C=3\n"),
    ("unicode", "ключ=значение\nA=é ü ñ 日本\nB=\"emoji 😀\"\n"),
    ("unicode white space", "A=x\u{a0}#c\nB=\u{2003}y\u{2003}\nC=z\u{1f}#c\n"),
    ("byte order mark", "\u{feff}A=1\nB=2\n"),
    ("quoted keys", "'A B'=1\n'C'=2\n''=3\n"),
    ("equals in values", "A=a=b=c\nB===\nC= = \n"),
    (
        "credere-backend",
        "DATABASE_URL=postgresql://user:p%40ss@db:5432/credere\nCOGNITO_POOL_ID=us-east-1_Ab\nAWS_REGION=eu-west-1\nCOGNITO_CLIENT_SECRET=a+b/c==\n",
    ),
    ("secret-like", "S1=abc+/=\nS2='abc+/=#x'\nS3=\"a\\\\b\"\nS4=p$w${x\n"),
    ("only comments and blanks", "\n\n# a\n   \n"),
    ("empty", ""),
];

/// The environment python-dotenv interpolates from in the cases that use one.
fn outside() -> BTreeMap<&'static str, &'static str> {
    BTreeMap::from([("FROM_ENV", "env"), ("EMPTY_ENV", ""), ("MISSING_NOT", "x")])
}

/// Pieces that, combined at random, make files no person would write.
mod generated {
    pub const WHOLE_LINES: &[&str] = &["", "   ", "# comment", "garbage line", "export ", "export", "\t", "'"];
    pub const KEYS: &[&str] = &[
        "A",
        "B",
        "export A",
        "  B",
        "'Q K'",
        "COGNITO_CLIENT_ID",
        "é",
        "exporter",
        "1X",
        "#",
    ];
    pub const SEPARATORS: &[&str] = &["=", " = ", "= ", "=\t", " ", ""];
    pub const VALUES: &[&str] = &[
        "",
        "plain",
        "two words",
        "a#b",
        "a #b",
        "a\t#b",
        "'single'",
        "'it\\'s'",
        "'open",
        "\"double\"",
        "\"esc \\n \\t \\\" \\\\ \\$ \\x\"",
        "\"multi\nline\"",
        "\"multi\r\nCOGNITO_CLIENT_ID=x\"",
        "\"open",
        "${A}",
        "${A:-def}",
        "$A",
        "${MISSING:-d}",
        "${A:B}",
        "x${B}y",
        "${",
        "'${A}'",
        "é ü",
        "\u{a0}nbsp\u{a0}",
        "'a' trailing",
        "\"a\"# c",
        "\\",
        "a\\",
        "'multi\r\nline'",
    ];
    pub const TRAILERS: &[&str] = &["", " ", " # comment", "# c", "\t"];
    pub const LINE_ENDINGS: &[&str] = &["\n", "\n", "\r\n", "\r"];

    /// A deterministic pseudo-random sequence (xorshift), so a failure is reproducible.
    pub struct Dice(pub u64);

    impl Dice {
        pub fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            choices[usize::try_from(self.0 % choices.len() as u64).unwrap()]
        }
    }

    pub fn file(dice: &mut Dice) -> String {
        let mut text = String::new();
        let lines = dice.pick(&["1", "2", "3", "4", "5", "6"]).parse::<usize>().unwrap();
        for _ in 0..lines {
            if dice.pick(&["whole", "statement", "statement", "statement"]) == "whole" {
                text.push_str(dice.pick(WHOLE_LINES));
            } else {
                for part in [KEYS, SEPARATORS, VALUES, TRAILERS] {
                    text.push_str(dice.pick(part));
                }
            }
            text.push_str(dice.pick(LINE_ENDINGS));
        }
        if dice.pick(&["keep", "drop"]) == "drop" {
            text.truncate(text.trim_end_matches(['\n', '\r']).len());
        }
        text
    }
}

/// Writes each text to a file of its own in `directory`.
fn files(directory: &Path, texts: &[String]) -> Vec<PathBuf> {
    texts
        .iter()
        .enumerate()
        .map(|(index, text)| {
            let path = directory.join(format!("{index}.env"));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

/// Reads every text with both readers and lists each difference.
fn differences(texts: &[String], environment: &BTreeMap<&str, &str>) -> Vec<String> {
    let directory = tempfile::tempdir().unwrap();
    let paths = files(directory.path(), texts);
    let theirs = python_dotenv(&paths, environment);
    paths
        .iter()
        .zip(theirs)
        .zip(texts)
        .filter_map(|((path, theirs), text)| {
            let ours = ours(path, environment);
            (ours != theirs).then(|| format!("{text:?}\n  python-dotenv: {theirs:?}\n  ours:          {ours:?}"))
        })
        .collect()
}

#[test]
fn hand_made_files_read_as_python_dotenv_reads_them() {
    let texts: Vec<String> = HAND_MADE.iter().map(|(_, text)| (*text).to_owned()).collect();
    assert!(texts.len() >= 30);
    for environment in [BTreeMap::new(), outside()] {
        let differences = differences(&texts, &environment);
        assert!(differences.is_empty(), "{}", differences.join("\n"));
    }
    // The comparison has teeth: the cases really contain bad lines, interpolation and multi-line values.
    let crlf = EnvFile::parse(HAND_MADE.iter().find(|(name, _)| *name == "crlf").unwrap().1);
    assert_eq!(crlf.bad_lines(), [6]);
    assert_eq!(crlf.values(|_| None)[1].1.value.as_deref(), Some("two\nlines"));
}

#[test]
fn generated_files_read_as_python_dotenv_reads_them() {
    let mut dice = generated::Dice(0x2545_f491_4f6c_dd1d);
    let texts: Vec<String> = (0..600).map(|_| generated::file(&mut dice)).collect();
    let bad = texts
        .iter()
        .filter(|text| !EnvFile::parse(text).bad_lines().is_empty())
        .count();
    assert!(
        bad > 50 && bad < 550,
        "the mix exercises both good and bad lines: {bad} of 600 have bad ones"
    );
    let differences = differences(&texts, &BTreeMap::new());
    assert!(
        differences.is_empty(),
        "{} of 600 differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

/// The four keys `provision --write-env` sets.
const KEYS: [&str; 4] = [
    "COGNITO_POOL_ID",
    "COGNITO_CLIENT_ID",
    "COGNITO_CLIENT_SECRET",
    "AWS_REGION",
];

/// An existing `.env` and where its assignments of [`KEYS`] are: (first line, last line, key), 1-based.
struct Existing {
    name: &'static str,
    /// `None`: no file at all.
    text: Option<&'static str>,
    assignments: &'static [(usize, usize, &'static str)],
}

const EXISTING: &[Existing] = &[
    Existing {
        name: "missing file",
        text: None,
        assignments: &[],
    },
    Existing {
        name: "empty file",
        text: Some(""),
        assignments: &[],
    },
    Existing {
        name: "crlf with every key",
        text: Some(
            "# credere-backend\r\nDATABASE_URL=postgresql:///credere\r\nCOGNITO_POOL_ID=old\r\nCOGNITO_CLIENT_ID=old\r\n\
             COGNITO_CLIENT_SECRET=old\r\nAWS_REGION=us-west-2\r\nFRONTEND_URL=http://localhost:3000\r\n",
        ),
        assignments: &[
            (3, 3, "COGNITO_POOL_ID"),
            (4, 4, "COGNITO_CLIENT_ID"),
            (5, 5, "COGNITO_CLIENT_SECRET"),
            (6, 6, "AWS_REGION"),
        ],
    },
    Existing {
        name: "export and comments",
        text: Some(
            "export DATABASE_URL=postgresql:///credere\n# the pool\nexport COGNITO_POOL_ID=old # made by hand\n\
             export\tAWS_REGION = 'eu-west-1'# region\n  # indented comment\n",
        ),
        assignments: &[(3, 3, "COGNITO_POOL_ID"), (4, 4, "AWS_REGION")],
    },
    Existing {
        name: "keys inside quoted multi-line values",
        text: Some(
            "NOTES=\"copy these:\nCOGNITO_CLIENT_ID=inside\nCOGNITO_POOL_ID=inside\"\nOTHER='also\nAWS_REGION=inside\n'\n\
             COGNITO_POOL_ID=old\n",
        ),
        assignments: &[(7, 7, "COGNITO_POOL_ID")],
    },
    Existing {
        name: "duplicates",
        text: Some("COGNITO_POOL_ID=first\nX=1\nCOGNITO_POOL_ID=second\nAWS_REGION=a\nAWS_REGION=b\n"),
        assignments: &[
            (1, 1, "COGNITO_POOL_ID"),
            (3, 3, "COGNITO_POOL_ID"),
            (4, 4, "AWS_REGION"),
            (5, 5, "AWS_REGION"),
        ],
    },
    Existing {
        name: "no final newline",
        text: Some("DATABASE_URL=postgresql:///credere\nAWS_REGION=eu-west-1"),
        assignments: &[(2, 2, "AWS_REGION")],
    },
    Existing {
        name: "an old multi-line secret, a bare key, an empty value",
        text: Some(
            "COGNITO_CLIENT_SECRET=\"line one\nline two\"\nAWS_REGION\nCOGNITO_CLIENT_ID=\nZ=${DATABASE_URL:-none} $x\n",
        ),
        assignments: &[
            (1, 2, "COGNITO_CLIENT_SECRET"),
            (3, 3, "AWS_REGION"),
            (4, 4, "COGNITO_CLIENT_ID"),
        ],
    },
    Existing {
        name: "byte order mark and lone carriage returns",
        text: Some("\u{feff}COGNITO_POOL_ID=old\rA=1\r"),
        assignments: &[(1, 1, "COGNITO_POOL_ID")],
    },
    Existing {
        name: "value with a comment and no space",
        text: Some("COGNITO_CLIENT_ID=\"old\"#c\nCOGNITO_CLIENT_SECRET= # none yet\n"),
        assignments: &[(1, 1, "COGNITO_CLIENT_ID"), (2, 2, "COGNITO_CLIENT_SECRET")],
    },
];

/// Values for [`KEYS`]: a realistic set, then awkward ones.
const NEW_VALUES: &[[&str; 4]] = &[
    [
        "us-east-1_AbCdEf123",
        "4abcdefghij1234567890klmno",
        "1q2w3e4r5t6y7u8i9o0pA+/=zZ",
        "us-east-1",
    ],
    [
        "a b #c",
        "$HOME and ${unclosed",
        "it's \"quoted\" \\ back\\slash + / = é",
        "",
    ],
    ["'leading", "#hash", "trailing space ", "two\nlines\r"],
];

/// Lines with their line endings, a line ending being `\r\n`, `\r` or `\n`.
fn lines_of(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for index in 0..bytes.len() {
        let ends = bytes[index] == b'\n' || (bytes[index] == b'\r' && bytes.get(index + 1) != Some(&b'\n'));
        if ends {
            lines.push(&text[start..=index]);
            start = index + 1;
        }
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Checks the written text against the old one, byte by byte: every line outside the annotated assignments
/// is unchanged (a last line may gain the line ending it lacked), each assignment became one line that keeps
/// its start up to the key and its last line's ending, and the keys not assigned before were appended.
fn assert_only_assignments_changed(existing: &Existing, before: &str, after: &str) {
    let old = lines_of(before);
    let new = lines_of(after);
    let mut new_lines = new.iter();
    let mut line = 1;
    while line <= old.len() {
        let written = new_lines
            .next()
            .unwrap_or_else(|| panic!("{}: lines missing:\n{after}", existing.name));
        match existing.assignments.iter().find(|(first, _, _)| *first == line) {
            Some((first, last, key)) => {
                let original = old[first - 1];
                let start = &original[..original.find(key).unwrap() + key.len()];
                assert!(
                    written.starts_with(start),
                    "{}: {written:?} lost {start:?}",
                    existing.name
                );
                let ending = &old[last - 1][old[last - 1].trim_end_matches(['\r', '\n']).len()..];
                assert!(
                    written.ends_with(ending),
                    "{}: {written:?} lost {ending:?}",
                    existing.name
                );
                line = last + 1;
            }
            None => {
                let original = old[line - 1];
                let unchanged =
                    *written == original || (line == old.len() && written.trim_end_matches(['\r', '\n']) == original);
                assert!(
                    unchanged,
                    "{}: line {line} {original:?} became {written:?}",
                    existing.name
                );
                line += 1;
            }
        }
    }
    let appended: Vec<&str> = new_lines
        .map(|line| line.split('=').next().unwrap())
        .filter(|key| KEYS.contains(key))
        .collect();
    let expected: Vec<&str> = KEYS
        .into_iter()
        .filter(|key| !existing.assignments.iter().any(|(_, _, assigned)| assigned == key))
        .collect();
    assert_eq!(appended, expected, "{}: appended keys\n{after}", existing.name);
}

#[test]
fn written_files_read_back_through_python_dotenv_with_only_the_written_keys_changed() {
    let directory = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for (index, existing) in EXISTING.iter().enumerate() {
        for (set, values) in NEW_VALUES.iter().enumerate() {
            let before = directory.path().join(format!("{index}-{set}.before"));
            let after = directory.path().join(format!("{index}-{set}.env"));
            std::fs::write(&before, existing.text.unwrap_or_default()).unwrap();
            if let Some(text) = existing.text {
                std::fs::write(&after, text).unwrap();
            }
            let pairs: Vec<(&str, &str)> = KEYS.into_iter().zip(values.iter().copied()).collect();
            dotenv_file::write(&after, &pairs).unwrap_or_else(|error| panic!("{}: {error}", existing.name));
            cases.push((existing, values, before, after));
        }
    }
    let paths: Vec<PathBuf> = cases
        .iter()
        .flat_map(|(_, _, before, after)| [before.clone(), after.clone()])
        .collect();
    let readings = python_dotenv(&paths, &BTreeMap::new());
    for ((existing, values, before, after), readings) in cases.iter().zip(readings.chunks(2)) {
        let [old, new] = readings else { unreachable!() };
        assert!(new.bad_lines.is_empty(), "{}: {:?}", existing.name, new.bad_lines);
        for (key, value) in KEYS.iter().zip(values.iter()) {
            assert_eq!(new.values[*key].as_deref(), Some(*value), "{}: {key}", existing.name);
        }
        let others = |reading: &Reading| -> BTreeMap<String, Option<String>> {
            reading
                .values
                .iter()
                .filter(|(key, _)| !KEYS.contains(&key.as_str()))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect()
        };
        assert_eq!(others(new), others(old), "{}: the other keys", existing.name);
        let before = std::fs::read_to_string(before).unwrap();
        assert_only_assignments_changed(existing, &before, &std::fs::read_to_string(after).unwrap());
    }
}
