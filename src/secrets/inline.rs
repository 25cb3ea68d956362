//! Secrets written inside other text, in any kind of file: URL passwords
//! (`scheme://user:PASSWORD@host`), assignments and options whose name names a secret
//! (`AWS_SECRET_ACCESS_KEY=...`, `export API_TOKEN=...`, `--password ...`), and HTTP
//! authorization credentials (`Bearer ...`, `Basic ...`).

use super::{Found, is_secret_key};

pub(super) fn find(text: &str, found: &mut Found) {
    url_passwords(text, found);
    assignments(text, found);
    options(text, found);
    authorizations(text, found);
}

/// Characters that end a value written inside other text.
fn ends_value(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`')
}

/// The end of the value starting at `from`: at the next blank, quote or tag.
fn value_end(text: &str, from: usize) -> usize {
    text[from..].find(ends_value).map_or(text.len(), |i| from + i)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// `NAME=value` where NAME names a secret: the value, quoted or up to the next blank.
fn assignments(text: &str, found: &mut Found) {
    for (eq, _) in text.match_indices('=') {
        let before = &text[..eq];
        let name_start = before
            .char_indices()
            .rev()
            .find(|&(_, c)| !is_name_char(c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let name = before[name_start..].trim_start_matches(['-', '.']);
        if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            continue;
        }
        let from = eq + 1;
        let (start, end) = match text[from..].chars().next() {
            Some(quote @ ('"' | '\'')) => {
                let start = from + 1;
                (start, text[start..].find(quote).map_or(text.len(), |i| start + i))
            }
            _ => (from, value_end(text, from)),
        };
        if start < end && is_secret_key(name, &text[start..end]) {
            found.spans.push(start..end);
        }
    }
}

/// `--NAME value` where NAME names a secret (the `=` form is an assignment).
fn options(text: &str, found: &mut Found) {
    for (dashes, _) in text.match_indices("--") {
        if !text[..dashes].chars().next_back().is_none_or(|c| c.is_whitespace() || ends_value(c)) {
            continue;
        }
        let name_start = dashes + 2;
        let name_end = text[name_start..]
            .find(|c: char| !is_name_char(c))
            .map_or(text.len(), |i| name_start + i);
        let rest = &text[name_end..];
        let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if name_end == name_start || blanks == 0 {
            continue;
        }
        let start = name_end + blanks;
        let end = value_end(text, start);
        let value = &text[start..end];
        if !value.is_empty()
            && !value.starts_with('-')
            && is_secret_key(&text[name_start..name_end], value)
        {
            found.spans.push(start..end);
        }
    }
}

/// The credentials after `Bearer` (any case) and after `Basic` when they look like base64.
fn authorizations(text: &str, found: &mut Found) {
    let lower = text.to_ascii_lowercase();
    for (scheme, base64_only) in [("bearer", false), ("basic", true)] {
        for (at, _) in lower.match_indices(scheme) {
            if text[..at].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric()) {
                continue;
            }
            let after = at + scheme.len();
            let rest = &text[after..];
            let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            if blanks == 0 {
                continue;
            }
            let start = after + blanks;
            let end = value_end(text, start);
            let token = &text[start..end];
            // Basic credentials are padded base64 of `user:password`; a word after "basic" in
            // prose rarely is.
            let base64 = token.len() >= 8
                && token.len() % 4 == 0
                && token.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
                && !token.chars().all(|c| c.is_ascii_lowercase());
            if !token.is_empty() && (base64 || !base64_only) {
                found.spans.push(start..end);
            }
        }
    }
}

/// Passwords of URLs with user information.
fn url_passwords(text: &str, found: &mut Found) {
    let mut from = 0;
    while let Some(at) = text[from..].find("://") {
        let sep = from + at;
        from = sep + 3;

        let scheme_start = text[..sep]
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
            .map_or(0, |(i, c)| i + c.len_utf8());
        if !text[scheme_start..sep].starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }

        let rest = &text[from..];
        let token_len = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
            .unwrap_or(rest.len());
        let token = &rest[..token_len];
        let authority_len = token.find(['/', '?', '#']).unwrap_or(token.len());
        // A password holding a `/` that should have been percent-encoded still ends at the
        // first `@`: masking too much is better than showing the rest of it.
        let userinfo_len = match token[..authority_len].rfind('@') {
            Some(at) => at,
            None => match token.find('@') {
                Some(at) if !token[..at].split(':').next().unwrap_or("").contains('/') => at,
                _ => continue,
            },
        };
        if let Some(colon) = token[..userinfo_len].find(':') {
            if colon + 1 < userinfo_len {
                found.spans.push(from + colon + 1..from + userinfo_len);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Kind, masked};

    #[test]
    fn url_passwords_keep_user_and_host() {
        assert_eq!(
            masked(
                Kind::Yaml,
                "database_connection: postgresql://galaxy:Zq8-db@localhost/galaxy\n"
            ),
            "database_connection: postgresql://galaxy:******@localhost/galaxy\n"
        );
        assert_eq!(
            masked(Kind::Yaml, "x: amqp://guest:gu@st@mq:5672//\n"),
            "x: amqp://guest:*****@mq:5672//\n"
        );
        assert_eq!(masked(Kind::Yaml, "x: mysql://u:a/b@h/db\n"), "x: mysql://u:***@h/db\n");
    }

    #[test]
    fn urls_without_passwords_are_left_alone() {
        for text in [
            "a: http://localhost:8080/api\n",
            "a: postgresql://galaxy@localhost/galaxy\n",
            "a: postgresql:///galaxy?host=/var/run/postgresql\n",
            "a: ://nothing\n",
        ] {
            assert_eq!(masked(Kind::Yaml, text), text);
        }
    }

    #[test]
    fn assignments_options_and_authorizations() {
        assert_eq!(
            masked(
                Kind::Yaml,
                "x: -e PASSWORD=pw1 -e HOME=/h --pass pw2 --password=pw3 --user u\n"
            ),
            "x: -e PASSWORD=*** -e HOME=/h --pass *** --password=*** --user u\n"
        );
        assert_eq!(
            masked(Kind::Yaml, "x: export API_TOKEN='a b'; run\n"),
            "x: export API_TOKEN='***'; run\n"
        );
        assert_eq!(
            masked(Kind::Yaml, "r: equal:${HTTP_AUTHORIZATION};Bearer tok-1 break:403\n"),
            "r: equal:${HTTP_AUTHORIZATION};Bearer ***** break:403\n"
        );
        assert_eq!(
            masked(Kind::Yaml, "h: Authorization: Basic dXNlcjpwYXNz\n# basic settings\n"),
            "h: Authorization: Basic ************\n# basic settings\n"
        );
        let plain = "static-map: /static=static\nset: galaxy_config_file=/g.yml\nx: a==b --\n";
        assert_eq!(masked(Kind::Yaml, plain), plain);
    }
}
