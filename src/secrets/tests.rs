use super::*;

#[test]
fn secret_key_names() {
    for key in [
        "id_secret",
        "database_password",
        "smtp_passwd",
        "PASSWORD",
        "oidc_token",
        "aws_credentials",
        "db_pass",
        "amqp-pass",
        "ldap_pw",
        "cred",
        "ssh_passphrase",
    ] {
        assert!(is_secret_key(key, "x"), "{key}");
    }
    for key in ["brand", "bypass_cache", "admin_users", "database_connection", "compass"] {
        assert!(!is_secret_key(key, "abc123"), "{key}");
    }
}

#[test]
fn key_words_need_a_credential_looking_value() {
    assert!(is_secret_key("api_key", "d41d8cd98f00b204"));
    assert!(is_secret_key("master_api_key", "changeme"));
    assert!(is_secret_key("apiKey", "'changeme'"));
    assert!(!is_secret_key("api_key", "/etc/galaxy/api.key"));
    assert!(!is_secret_key("ssl_key", "./key.pem"));
    assert!(!is_secret_key("require_key", "true"));
    assert!(!is_secret_key("monkey", "banana"));
}

#[test]
fn location_keys_and_switches_are_never_secret() {
    for key in [
        "id_secret_file",
        "ssl_key_path",
        "password_dir",
        "token_url",
        "secret_uri",
        "password_expiration_period",
        "token_ttl",
    ] {
        assert!(!is_secret_key(key, "abcdefgh"), "{key}");
    }
    for value in ["true", "Off", "null", "~", "''", ""] {
        assert!(!is_secret_key("password", value), "{value}");
    }
}

#[test]
fn the_kind_comes_from_the_content_when_the_role_is_unknown() {
    assert_eq!(Kind::sniff("\u{feff}  <?xml version=\"1.0\"?>\n<job_conf/>"), Kind::Xml);
    assert_eq!(Kind::sniff("# comment\nuwsgi:\n"), Kind::Yaml);
    assert_eq!(Kind::sniff("#:schema x.json\n\n[layout]\nroot = \"/srv\"\n"), Kind::Ini);
    assert_eq!(Kind::sniff("[a, b]\n"), Kind::Yaml);
}

#[test]
fn masking_keeps_every_offset() {
    let text = "galaxy:\n  id_secret: é-secret-é\n  brand: b\n";
    let out = masked(Kind::Yaml, text);
    assert_eq!(out.len(), text.len());
    assert_eq!(out.find("brand"), text.find("brand"));
}

#[test]
fn lines_are_masked_with_a_fixed_mask() {
    let text = "  id_secret: abcdef\n";
    let spans = find(Kind::Yaml, text);
    let (line, clear) = mask_line(text, &(0..text.len() - 1), &spans);
    assert_eq!(line, "  id_secret: ********");
    assert_eq!(clear, vec!["abcdef"]);
}

#[test]
fn every_value_is_hidden_wherever_it_occurs() {
    let secrets = Secrets::of(
        Kind::Yaml,
        "g:\n  password: PWLEAK4\n  smtp_password: \"Quoted: x\"\n  db_pass: ab\n",
    );
    assert_eq!(
        secrets.hide("brand: PWLEAK4x: y, `Quoted: x`, ab, abc, tab"),
        "brand: ********x: y, `********`, ********, abc, tab"
    );
    let text = "brand: PWLEAK4x\n";
    assert_eq!(mask_same_length(text, &secrets.spans(Kind::Yaml, text)), "brand: *******x\n");
}

#[test]
fn values_as_the_program_reads_them() {
    let secrets = Secrets::of(Kind::Yaml, "uwsgi:\n  secret-key: 'QLEAK2: it''s'\n");
    assert_eq!(secrets.hide("`secret-key: QLEAK2: it's` cannot"), "`secret-key: ********` cannot");
}

#[test]
fn switches_and_masks_are_not_values() {
    let secrets = Secrets::of(Kind::Yaml, "a:\n  password: true\n  token: '********'\n");
    assert!(secrets.is_empty(), "{secrets:?}");
}

#[test]
fn malformed_input_does_not_panic() {
    for text in [
        "<",
        "<a b",
        "<a b=",
        "<a b='x",
        "a: \"x",
        "a:",
        "- - ",
        "x://",
        "é://é:é@",
        "൦=",
        "é: x=",
        "<![CDATA[",
        "<!--",
        "a: {b: [",
        "password=",
        "--pass",
        "Bearer ",
        "a: 'x''",
        "\"k\" :",
        "p=\"é",
    ] {
        let _ = find(Kind::Xml, text);
        let _ = find(Kind::Yaml, text);
        let _ = find(Kind::Ini, text);
        let _ = Secrets::of(Kind::Yaml, text).hide(text);
    }
}

/// Spans must be sorted, apart, on char boundaries and within one line.
fn check(text: &str) {
    for kind in [Kind::Yaml, Kind::Xml, Kind::Ini] {
        let secrets = Secrets::of(kind, text);
        let spans = secrets.spans(kind, text);
        for pair in spans.windows(2) {
            assert!(pair[0].end < pair[1].start, "{spans:?}");
        }
        for span in &spans {
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        }
        assert_eq!(mask_same_length(text, &spans).len(), text.len());
        let _ = secrets.hide(text);
    }
}

proptest::proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in proptest::prelude::any::<String>()) {
        check(&text);
    }

    #[test]
    fn config_like_text_never_panics(
        text in "([ \t\r\na-c0-9:=\\-'\"#{}\\[\\],.<>/!é☃]|password|id_secret|key: |<!--|-->|\
                  <!\\[CDATA\\[|\\]\\]>|://|@|--pass |Bearer |\n  ){0,60}"
    ) {
        check(&text);
    }
}
