//! Secrets in XML (job confs): the text, CDATA included, and `value` of an element whose `id` or
//! `name` names a secret (`<param id="db_password">`), any attribute named like one, and the
//! same inside comments, where a commented-out `<param>` keeps a real password. The scan is
//! tolerant: a file that does not parse (the one an error quotes) is read as far as it goes.

use super::{Found, is_secret_key};
use crate::source::Span;

pub(super) fn find(text: &str, found: &mut Found) {
    let broken = crate::xml::parse(text).is_err();
    scan(text, 0..text.len(), broken, found);
    loose_ids(text, broken, found);
}

/// `id="db_password">value` (and `value="..."` after it) wherever it is, the tag around it
/// read or not: in a file that does not parse (a tag broken by a stray line), the scan above
/// may take it for text.
fn loose_ids(text: &str, broken: bool, found: &mut Found) {
    for attribute in ["id", "name"] {
        for (at, _) in text.match_indices(attribute) {
            if !text[..at].ends_with(|c: char| c.is_ascii_whitespace()) {
                continue;
            }
            let rest = text[at + attribute.len()..].trim_start();
            let Some(rest) = rest.strip_prefix('=').map(str::trim_start) else {
                continue;
            };
            let Some(quote) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) else {
                continue;
            };
            let Some(len) = rest[1..].find(quote) else {
                continue;
            };
            let name = &rest[1..=len];
            let after = text.len() - rest.len() + len + 2;
            let tag_end = text[after..].find(['>', '<']).map_or(text.len(), |i| after + i);
            if is_secret_key(name, "x") {
                value_attributes(text, after..tag_end, found);
            }
            if !text[tag_end..].starts_with('>') || text[after..tag_end].ends_with('/') {
                continue;
            }
            let open = text[..at].rfind('<').map_or("", |i| element_name(&text[i + 1..]));
            let parts = content(text, open, tag_end + 1, text.len(), broken);
            let value: String = parts.iter().map(|(span, _)| &text[span.clone()]).collect();
            if !value.trim().is_empty() && is_secret_key(name, value.trim()) {
                found.spans.extend(parts.into_iter().map(|(span, _)| span));
            }
        }
    }
}

/// `value="..."` attributes in `range`, the rest of a tag whose `id` names a secret.
fn value_attributes(text: &str, range: Span, found: &mut Found) {
    let tag = &text[range.clone()];
    for (at, _) in tag.match_indices("value") {
        let rest = tag[at + 5..].trim_start();
        let Some(rest) = rest.strip_prefix('=').map(str::trim_start) else {
            continue;
        };
        let Some(quote) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) else {
            continue;
        };
        let start = range.start + tag.len() - rest.len() + 1;
        let end = text[start..].find(quote).map_or(text.len(), |i| start + i);
        found.spans.push(start..end);
    }
}

fn scan(text: &str, range: Span, broken: bool, found: &mut Found) {
    let to = range.end;
    let mut at = range.start;
    while let Some(open) = text[at..to].find('<').map(|i| at + i) {
        let rest = &text[open..to];
        let skip_to = |end: &str| rest.find(end).map_or(to, |i| open + i + end.len());
        if let Some(inner) = rest.strip_prefix("<!--") {
            // A comment never closed is read on as the rest of the file, which it hides.
            let Some(end) = inner.find("-->").map(|i| open + 4 + i) else {
                at = open + 4;
                continue;
            };
            scan(text, open + 4..end, broken, found);
            comment_lines(text, open + 4..end, found);
            at = (end + 3).min(to);
            continue;
        }
        if rest.starts_with("<![CDATA[") {
            at = if rest.contains("]]>") { skip_to("]]>") } else { open + 9 };
            continue;
        }
        if rest.starts_with("<?") {
            at = skip_to("?>");
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("</") {
            at = skip_to(">");
            continue;
        }

        let (attributes, tag_end) = attributes(text, open + 1, to);
        let names_secret = |content: &str| {
            attributes.iter().any(|(name, value)| {
                matches!(name.as_str(), "id" | "name")
                    && is_secret_key(&text[value.clone()], content)
            })
        };

        for (name, value) in &attributes {
            let shown = &text[value.clone()];
            if (name == "value" && names_secret(shown)) || is_secret_key(name, shown) {
                found.spans.push(value.clone());
                found.values.push(unescape(shown));
            }
        }

        if !text[..tag_end].ends_with("/>") {
            let parts = content(text, element_name(&text[open + 1..to]), tag_end, to, broken);
            let value: String = parts
                .iter()
                .map(|(span, cdata)| {
                    if *cdata {
                        text[span.clone()].to_string()
                    } else {
                        unescape(&text[span.clone()])
                    }
                })
                .collect();
            if !value.trim().is_empty() && names_secret(value.trim()) {
                found.spans.extend(parts.into_iter().map(|(span, _)| span));
                found.values.push(value.trim().to_string());
            }
        }
        at = tag_end.max(open + 1);
    }
}

/// The text of element `name` whose start tag ends at `from`, up to its first child or its end
/// tag: text runs and the insides of CDATA sections (`true`), comments and stray end tags
/// (`</nope>` in a file that does not parse) left out. In a file that does not parse
/// (`broken`), it runs on to the end tag whatever comes first: a stray `<` or an unclosed
/// comment may be what stops the parser, not where the value ends.
fn content(text: &str, name: &str, from: usize, to: usize, broken: bool) -> Vec<(Span, bool)> {
    let end_tag = format!("</{name}");
    let limit = if broken { text[from..to].find(&end_tag).map_or(to, |i| from + i) } else { to };
    let mut parts = Vec::new();
    let mut at = from;
    while at < limit {
        let rest = &text[at..limit];
        if let Some(inner) = rest.strip_prefix("<![CDATA[") {
            let len = inner.find("]]>").unwrap_or(inner.len());
            parts.push((at + 9..at + 9 + len, true));
            at = (at + 9 + len + 3).min(limit);
        } else if rest.starts_with("<!--") {
            at = match rest.find("-->") {
                Some(i) => at + i + 3,
                None if broken => at + 4,
                None => limit,
            };
        } else if let Some(end) = rest.strip_prefix("</") {
            if element_name(end) == name {
                break;
            }
            at = rest.find('>').map_or(limit, |i| at + i + 1);
        } else if let Some(tag) = rest.strip_prefix('<') {
            if !broken {
                break;
            }
            // A stray tag in a broken file: its name is markup, what follows may be the value.
            at += 1 + element_name(tag).len();
        } else {
            let len = rest.find('<').unwrap_or(rest.len());
            parts.push((at..at + len, false));
            at += len;
        }
    }
    parts
}

/// The name at the start of a tag's text (after `<` or `</`).
fn element_name(tag: &str) -> &str {
    let end =
        tag.find(|c: char| c.is_ascii_whitespace() || matches!(c, '>' | '/')).unwrap_or(tag.len());
    &tag[..end]
}

/// `key: value` lines in a comment (`<!-- password: ... -->`).
fn comment_lines(text: &str, range: Span, found: &mut Found) {
    let mut start = range.start;
    for line in text[range.clone()].split('\n') {
        if let Some((key, value)) =
            super::yaml::key_value(line).filter(|_| super::yaml::commented_setting(line))
        {
            let raw = line[value.clone()].trim_end().trim_end_matches("-->").trim_end();
            if !raw.is_empty() && is_secret_key(key, raw) {
                found.spans.push(start + value.start..start + value.start + raw.len());
            }
        }
        start += line.len() + 1;
    }
}

/// The attributes of the tag whose name starts at `from` (names, value spans) and the offset
/// just after its `>`. Tolerant: malformed tags yield what could be read.
fn attributes(text: &str, from: usize, to: usize) -> (Vec<(String, Span)>, usize) {
    let bytes = &text.as_bytes()[..to];
    let mut attributes = Vec::new();
    let mut i = from;
    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'>' | b'/') {
        i += 1;
    }

    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return (attributes, bytes.len());
        }
        if bytes[i] == b'>' {
            return (attributes, i + 1);
        }
        let name_start = i;
        while i < bytes.len() && !matches!(bytes[i], b'=' | b'>' | b'/') {
            if bytes[i].is_ascii_whitespace() {
                break;
            }
            i += 1;
        }
        let name = text[name_start..i].to_string();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'=' {
            if i == name_start {
                i += 1;
            }
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let Some(&quote) = bytes.get(i).filter(|b| matches!(b, b'"' | b'\'')) else {
            continue;
        };
        let value_start = i + 1;
        let value_end =
            text[value_start..to].find(quote as char).map_or(bytes.len(), |j| value_start + j);
        attributes.push((name, value_start..value_end));
        i = (value_end + 1).min(bytes.len());
    }
}

/// XML text with its five named entities and character references resolved, as Galaxy reads
/// it (and as a message may quote it).
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|&i| i <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let resolved = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .map(|hex| u32::from_str_radix(hex, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        if let Some(c) = resolved {
            out.push(c);
            rest = &rest[semi + 1..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Kind, Secrets, masked};
    use super::unescape;

    #[test]
    fn params_attributes_and_urls() {
        let text = concat!(
            "<job_conf>\n",
            "  <plugin id=\"pbs\" load=\"x\">\n",
            "    <param id=\"db_password\"> s3cret </param>\n",
            "    <param id=\"amqp_url\">amqp://u:pw12@mq//</param>\n",
            "    <param id=\"api_key\">/path/to/key</param>\n",
            "    <env id=\"AWS_SECRET_ACCESS_KEY\" value=\"abcd\"/>\n",
            "    <auth user='u' password='hunter2'/>\n",
            "    <resubmit password = \"spaced\"/>\n",
            "  </plugin>\n</job_conf>\n",
        );
        let out = masked(Kind::Xml, text);
        assert!(out.contains("<param id=\"db_password\"> ****** </param>"), "{out}");
        assert!(out.contains("amqp://u:****@mq//"), "{out}");
        assert!(out.contains("<param id=\"api_key\">/path/to/key</param>"), "{out}");
        assert!(out.contains("value=\"****\""), "{out}");
        assert!(out.contains("password='*******'"), "{out}");
        assert!(out.contains("password = \"******\""), "{out}");
        assert_eq!(out.len(), text.len());
    }

    #[test]
    fn comments_cdata_and_tags_over_several_lines() {
        let text = concat!(
            "<job_conf><!-- <param id=\"password\">OLDPW</param>\n     password: OLD2 -->\n",
            "<param id=\"password\"><![CDATA[CDATAPW]]></param>\n",
            "<param\n   id=\"private_token\">MULTI</param>\n",
            "<param id=\"secret\">\n  LINE1\n  LINE2\n</param>\n",
            "<env exec=\"export API_TOKEN=EXECTOK\"/>\n",
            "</job_conf>\n",
        );
        let out = masked(Kind::Xml, text);
        for secret in ["OLDPW", "OLD2", "CDATAPW", "MULTI", "LINE1", "LINE2", "EXECTOK"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.contains("<![CDATA[*******]]>"), "{out}");
        assert!(out.contains("\n  *****\n  *****\n</param>"), "{out}");

        // A tag broken by a stray line still has its secret masked.
        let out = masked(Kind::Xml, "<param\n</nope>\n   id=\"private_token\">BROKEN</param>\n");
        assert!(!out.contains("BROKEN"), "{out}");
        for stray in ["</nope>", "<", "<a b=\"", "<!--", "<![CDATA["] {
            let out =
                masked(Kind::Xml, &format!("<param id=\"secret\">\n{stray}\n  AFTER\n</param>\n"));
            assert!(!out.contains("AFTER"), "{out}");
        }
        let out = masked(Kind::Xml, "<a b=\"\n<env id=\"X_TOKEN\" value=\"VALUE\"/>\n");
        assert!(!out.contains("VALUE"), "{out}");
    }

    #[test]
    fn masking_keeps_line_ends() {
        let text = "<param id=\"password\">a\nb</param>\n";
        assert_eq!(masked(Kind::Xml, text), "<param id=\"password\">*\n*</param>\n");
    }

    #[test]
    fn entities_give_the_value_as_galaxy_reads_it() {
        assert_eq!(unescape("a&amp;b&lt;&#x41;&#66;&bogus;&"), "a&b<AB&bogus;&");
        let secrets = Secrets::of(Kind::Xml, "<param id=\"password\">XML&amp;AMP</param>");
        assert_eq!(secrets.hide("value XML&AMP here"), "value ******** here");
    }
}
