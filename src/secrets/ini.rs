//! Secrets in `key = value` files: zerg.toml and uWSGI ini vassals. The value of a key naming
//! a secret, quoted or not, commented out or not.

use super::{Found, is_secret_key, lines};

pub(super) fn find(text: &str, found: &mut Found) {
    for line in lines(text) {
        let content = &text[line.clone()];
        let body = content.trim_start().trim_start_matches(['#', ';']).trim_start();
        let offset = line.start + content.len() - body.len();
        let Some(eq) = body.find('=') else {
            continue;
        };
        let key = body[..eq].trim().trim_matches(['"', '\'']);
        let after = &body[eq + 1..];
        let value = after.trim();
        if key.is_empty() || key.contains(char::is_whitespace) || !is_secret_key(key, value) {
            continue;
        }
        let start = offset + eq + 1 + (after.len() - after.trim_start().len());
        found.spans.push(start..start + value.len());
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Kind, masked};

    #[test]
    fn keys_and_commented_keys() {
        let text = "[uwsgi]\nsocket = :8080\nsecret-key = s3cr3t\n; password=\"old pw\"\nx = a\n";
        assert_eq!(Kind::sniff(text), Kind::Ini);
        assert_eq!(
            masked(Kind::Ini, text),
            "[uwsgi]\nsocket = :8080\nsecret-key = ******\n; password=********\nx = a\n"
        );
    }
}
