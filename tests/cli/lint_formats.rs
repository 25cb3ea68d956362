//! The machine-readable reports of a real run agree with each other: SARIF's regions and rules
//! are JSON's positions and codes, and both parse.

use serde_json::Value;

use crate::support::{fixture, zergcfg};

fn run(format: &str) -> Value {
    let dir = fixture("lint/framework");
    let files = ["files/pool.yml", "files/galaxy.yml", "files/job_conf.xml"];
    // Relative paths after accents and emoji (ZC401), where bytes and characters differ.
    let columns = "columns/vassal-zergling.yml";
    let mut args = vec!["lint", "--format", format];
    args.extend(files);
    args.push(columns);
    let out = zergcfg(&dir, &args);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn sarif_and_json_report_the_same_findings() {
    let json = run("json");
    let sarif = run("sarif");
    let findings = json.as_array().unwrap();
    assert!(!findings.is_empty());

    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let codes: Vec<&str> = zergcfg::lint::rule_infos().iter().map(|i| i.code).collect();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, codes);

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    for (result, finding) in results.iter().zip(findings) {
        assert_eq!(result["ruleId"], finding["code"]);
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], finding["code"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], finding["file"]);
        let region = &location["region"];
        assert_eq!(region["startLine"], finding["start"]["line"]);
        assert_eq!(region["startColumn"], finding["start"]["column"]);
        assert_eq!(region["endLine"], finding["end"]["line"]);
        assert_eq!(region["endColumn"], finding["end"]["column"]);
        assert_eq!(region["byteOffset"], finding["span"]["start"]);
        let level = match finding["severity"].as_str().unwrap() {
            "info" => "note",
            other => other,
        };
        assert_eq!(result["level"], level);
    }
}
