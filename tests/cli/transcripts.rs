//! Every `tests/cmd/**/*.toml` case: a command line, its exit code, its exact stdout and stderr,
//! and, where a `.out` directory exists, the exact files it leaves behind.

#[test]
fn transcripts() {
    trycmd::TestCases::new().env("NO_COLOR", "1").env("COLUMNS", "100").case("tests/cmd/**/*.toml");
}
