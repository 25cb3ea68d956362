//! Every `tests/cmd/*/*.toml` and `*.trycmd` case: command lines, their exit codes, their exact
//! stdout and stderr, and, where a `.out` directory exists, the exact files they leave behind.

#[test]
fn transcripts() {
    trycmd::TestCases::new()
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .case("tests/cmd/*/*.toml")
        .case("tests/cmd/*/*.trycmd");
}
