//! The restarter's job configuration (`job_conf-restarter.xml`): the main job configuration with
//! its `<handlers>` replaced by one that preassigns every job to zergling A's mules by name.
//!
//! The restarter (zergling B) runs no mules. With `assign_with="db-preassign"` and handler ids
//! that are exactly A's mule names, each in the pools A gives it, B is no handler itself: it
//! writes one of those names into each new job, and the mule of that name picks the job up once
//! A is back. Everything else in
//! the main file (plugins, destinations, tools, limits, comments, formatting) is kept byte for
//! byte, so that B maps tools to destinations exactly as A does.

use std::collections::HashSet;

use super::{DEFAULT_HANDLER_TAG, JobConf, JobConfError, read};
use crate::source::{Source, Span};
use crate::xml::Element;

/// Indentation used when the file shows none to copy.
const DEFAULT_INDENT: &str = "    ";

/// One job handler of zergling A: the server name of a mule of its `job-handlers` farm.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HandlerName {
    /// The mule's server name, such as `main.job-handlers.1`.
    pub id: String,
    /// The pools it serves, in Galaxy's order: the tags A's job conf gives it, then
    /// `_default_`, Galaxy's default pool, which its farm puts it in.
    pub tags: Vec<String>,
}

impl HandlerName {
    /// Whether the mule serves the pool (tag) `pool`.
    pub fn serves(&self, pool: &str) -> bool {
        self.tags.iter().any(|t| t == pool)
    }

    /// The `tags` attribute Galaxy reads as exactly these pools: none for the default pool
    /// alone, which is what a `<handler>` without `tags` is in.
    pub fn tags_attribute(&self) -> Option<String> {
        let default_only = self.tags.len() == 1 && self.tags[0] == DEFAULT_HANDLER_TAG;
        (!default_only).then(|| self.tags.join(","))
    }
}

/// A `<handler>` as the template writes it.
#[derive(serde::Serialize)]
struct HandlerEntry<'h> {
    id: &'h str,
    tags: Option<String>,
}

/// Renders the restarter's job configuration from the main one.
///
/// `handlers` lists A's mule handler names in the order they should be written; `header` is a
/// complete comment (`<!-- ... -->`, no trailing newline) placed after the XML declaration, or
/// at the top when there is none.
///
/// # Errors
///
/// No or repeated handler names, a header that is not one well-formed comment, a `<tool>`
/// whose `handler` is neither one of the handler ids nor one of their tags (its jobs would wait
/// for a handler nobody runs), or, as a safeguard, output that does not read back.
pub fn render_restarter(
    main: &JobConf,
    handlers: &[HandlerName],
    header: &str,
) -> Result<String, JobConfError> {
    check_names(handlers)?;
    check_header(header)?;
    check_tools(main, handlers)?;

    let text: &str = &main.source.text;
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let unit = indent_unit(main);
    let default = default_pool(main, handlers);

    // The block replaces the old `<handlers>`, or takes the line of `<destinations`, which moves
    // down one line with its indentation.
    let (at, replaced_end, block) = if let Some(existing) = &main.handlers {
        let indent = line_indent(text, existing.span.start);
        let block = handlers_block(handlers, default, indent, &unit, newline)?;
        (existing.span.start, existing.span.end, block)
    } else {
        let at = main.destinations.span.start;
        let indent = line_indent(text, at);
        let generated = handlers_block(handlers, default, indent, &unit, newline)?;
        let block = if starts_line(text, at) {
            format!("{generated}{newline}{indent}")
        } else {
            format!("{newline}{indent}{generated}{newline}{indent}")
        };
        (at, at, block)
    };

    let (header_at, header_text) = header_insertion(text, header, newline);
    let mut out = String::with_capacity(text.len() + block.len() + header_text.len());
    out.push_str(&text[..header_at]);
    out.push_str(&header_text);
    out.push_str(&text[header_at..at]);
    out.push_str(&block);
    out.push_str(&text[replaced_end..]);

    // A safeguard: what is written must be a job configuration zergcfg itself accepts.
    read(&Source::new(main.source.path.clone(), out.as_str())).map_err(|e| {
        JobConfError::new(
            format!("internal error: the restarter job configuration does not read back: {e}"),
            0..0,
            "please report this with the main job configuration",
        )
    })?;
    Ok(out)
}

/// The `default` of the generated `<handlers>`, if one is needed.
///
/// With `db-preassign`, Galaxy gives a job of an unmapped tool to the pool named by `default`,
/// or to the pool `_default_` when there is no `default`; it looks the pool up by name, and a
/// missing pool fails the assignment, so the job is failed with a handler assignment error. The
/// `_default_` pool holds exactly the handlers without tags: when all of A's mules are in tag
/// farms there is none, and `default` must name a tag that exists. A valid `default` of the main
/// file is kept so that B routes unmapped jobs exactly as A does.
fn default_pool<'h>(main: &'h JobConf, handlers: &'h [HandlerName]) -> Option<&'h str> {
    let known = |name: &str| handlers.iter().any(|h| h.id == name || h.serves(name));
    let main_default = main.handlers.as_ref().and_then(|h| h.default.as_ref());
    if let Some(default) = main_default.filter(|d| known(&d.value)) {
        return Some(&default.value);
    }

    if handlers.iter().any(|h| h.serves(DEFAULT_HANDLER_TAG)) {
        None
    } else {
        handlers.iter().find_map(|h| h.tags.first().map(String::as_str))
    }
}

/// The generated `<handlers>` element (`templates/job_conf-restarter-handlers.xml.j2`), its
/// first line unindented (it takes the place of the old element, or the indentation of
/// `<destinations`), without a final newline.
fn handlers_block(
    handlers: &[HandlerName],
    default: Option<&str>,
    indent: &str,
    unit: &str,
    newline: &str,
) -> Result<String, JobConfError> {
    let entries: Vec<HandlerEntry<'_>> =
        handlers.iter().map(|h| HandlerEntry { id: &h.id, tags: h.tags_attribute() }).collect();
    let context = minijinja::context! {
        handlers => minijinja::Value::from(minijinja::value::Serde(entries)),
        default => default,
        indent => indent,
        unit => unit,
        newline => newline,
    };
    crate::render::render("job_conf-restarter-handlers.xml.j2", &context).map_err(|e| {
        JobConfError::new(
            format!("internal error: {}", e.message()),
            0..0,
            "please report this with the main job configuration",
        )
    })
}

/// Where the header goes and the text to insert there: on the line after the XML declaration,
/// else at the top (after a byte order mark).
fn header_insertion(text: &str, header: &str, newline: &str) -> (usize, String) {
    let bom = if text.starts_with('\u{FEFF}') { '\u{FEFF}'.len_utf8() } else { 0 };
    let rest = &text[bom..];
    let declaration = rest.starts_with("<?xml")
        && rest[5..].starts_with(|c: char| c.is_ascii_whitespace() || c == '?');
    let end = declaration.then(|| rest.find("?>")).flatten();

    let Some(end) = end else {
        return (bom, format!("{header}{newline}"));
    };
    let after = bom + end + 2;
    let line_break = ["\r\n", "\n"].into_iter().find(|nl| text[after..].starts_with(nl));
    match line_break {
        Some(nl) => (after + nl.len(), format!("{header}{newline}")),
        None => (after, format!("{newline}{header}{newline}")),
    }
}

/// The whitespace at the start of the line holding `offset`.
fn line_indent(text: &str, offset: usize) -> &str {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    let len = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..len.min(offset - start)]
}

/// Whether only spaces and tabs come before `offset` on its line.
fn starts_line(text: &str, offset: usize) -> bool {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text[start..offset].chars().all(|c| c == ' ' || c == '\t')
}

/// The file's own indentation step: the extra indentation of a child element over its parent,
/// from `<handlers>` if it has children, else from the first such pair in the file.
fn indent_unit(main: &JobConf) -> String {
    let text: &str = &main.source.text;
    let root = &main.document.root;
    let handlers = main.handlers.as_ref().and_then(|h| find_element(root, &h.span));
    handlers
        .and_then(|h| step(text, h))
        .or_else(|| first_step(text, root))
        .unwrap_or_else(|| DEFAULT_INDENT.to_owned())
}

/// The element whose span is `span`.
fn find_element<'e>(element: &'e Element, span: &Span) -> Option<&'e Element> {
    if element.span == *span {
        return Some(element);
    }
    element.children.iter().find_map(|c| find_element(c, span))
}

/// The first indentation step found in document order.
fn first_step(text: &str, element: &Element) -> Option<String> {
    step(text, element).or_else(|| element.children.iter().find_map(|c| first_step(text, c)))
}

/// The extra indentation of `parent`'s first child that starts a line, when it extends the
/// parent's.
fn step(text: &str, parent: &Element) -> Option<String> {
    let start = parent.span.start;
    if !starts_line(text, start) {
        return None;
    }
    let outer = line_indent(text, start);
    parent
        .children
        .iter()
        .filter(|c| starts_line(text, c.span.start))
        .map(|c| line_indent(text, c.span.start))
        .find(|inner| inner.len() > outer.len() && inner.starts_with(outer))
        .map(|inner| inner[outer.len()..].to_owned())
}

/// Handler names must exist, be unique, and tags must be usable in a `tags` list.
fn check_names(handlers: &[HandlerName]) -> Result<(), JobConfError> {
    let help =
        "the restarter must preassign jobs to the mules of zergling A: give A a handler farm";
    if handlers.is_empty() {
        return Err(JobConfError::new("zergling A has no job handler mules", 0..0, help));
    }

    let mut seen = HashSet::new();
    for handler in handlers {
        if handler.id.is_empty() || !seen.insert(handler.id.as_str()) {
            return Err(JobConfError::new(
                format!("handler name `{}` is empty or repeated", handler.id),
                0..0,
                "each mule needs its own server name",
            ));
        }
        if handler.tags.is_empty() {
            return Err(JobConfError::new(
                format!("handler `{}` is in no pool", handler.id),
                0..0,
                "each mule of the `job-handlers` farm is in Galaxy's default pool `_default_`",
            ));
        }
        let bad_tag =
            handler.tags.iter().find(|t| t.is_empty() || t.contains(',') || *t != t.trim());
        if let Some(tag) = bad_tag {
            return Err(JobConfError::new(
                format!("handler tag `{tag}` cannot be written in a `tags` list"),
                0..0,
                "a tag is a non-empty name without commas or surrounding spaces",
            ));
        }
    }
    Ok(())
}

/// The header must be exactly one comment, or the output would not be XML.
fn check_header(header: &str) -> Result<(), JobConfError> {
    let inner = header.strip_prefix("<!--").and_then(|h| h.strip_suffix("-->"));
    let plain = |c: char| !c.is_control() || matches!(c, '\t' | '\n' | '\r');
    let valid =
        inner.is_some_and(|i| !i.contains("--") && !i.ends_with('-') && i.chars().all(plain));
    if valid {
        Ok(())
    } else {
        Err(JobConfError::new(
            "the header is not a single XML comment",
            0..0,
            "write it as `<!-- ... -->` with no `--` and no control characters inside",
        ))
    }
}

/// Every tool mapped to a handler must be mapped to one of A's handler ids or tags.
fn check_tools(main: &JobConf, handlers: &[HandlerName]) -> Result<(), JobConfError> {
    let ids: Vec<&str> = handlers.iter().map(|h| h.id.as_str()).collect();
    let mut tags: Vec<&str> = Vec::new();
    for tag in handlers.iter().flat_map(|h| &h.tags) {
        if tag != DEFAULT_HANDLER_TAG && !tags.contains(&tag.as_str()) {
            tags.push(tag);
        }
    }
    let has_default = handlers.iter().any(|h| h.serves(DEFAULT_HANDLER_TAG));

    for tool in &main.tools {
        let Some(handler) = &tool.handler else {
            continue;
        };
        let name = handler.value.as_str();
        let known = ids.contains(&name)
            || tags.contains(&name)
            || (name == DEFAULT_HANDLER_TAG && has_default);
        if known {
            continue;
        }

        let tag_list = if tags.is_empty() { "none".to_owned() } else { tags.join(", ") };
        return Err(JobConfError::new(
            format!(
                "{} mapped to handler `{name}`, which no mule of zergling A runs",
                tool.describe_is()
            ),
            handler.span.clone(),
            format!(
                "the restarter would assign its jobs to a handler nobody runs; map it to a \
                 mule ({}) or a tag the main job conf gives A's mules ({tag_list}), or tag a \
                 mule with it in the main job conf's `<handlers>`: `<handler id=\"{}\" \
                 tags=\"{name}\"/>`",
                ids.join(", "),
                ids.last().unwrap_or(&"main.job-handlers.1"),
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "<!-- Generated by zergcfg: the restarter's job configuration. -->";

    fn conf(text: &str) -> JobConf {
        read(&Source::new("job_conf.xml", text)).unwrap()
    }

    fn handler(id: &str, tags: &[&str]) -> HandlerName {
        HandlerName { id: id.to_owned(), tags: tags.iter().map(|t| (*t).to_owned()).collect() }
    }

    fn untagged(n: usize) -> Vec<HandlerName> {
        (1..=n)
            .map(|i| handler(&format!("main.job-handlers.{i}"), &[DEFAULT_HANDLER_TAG]))
            .collect()
    }

    fn tagged(tag: &str, n: usize) -> Vec<HandlerName> {
        (1..=n).map(|i| handler(&format!("main.{tag}.{i}"), &[tag])).collect()
    }

    fn render(text: &str, handlers: &[HandlerName]) -> String {
        render_restarter(&conf(text), handlers, HEADER).unwrap()
    }

    fn render_error(text: &str, handlers: &[HandlerName]) -> JobConfError {
        match render_restarter(&conf(text), handlers, HEADER) {
            Ok(out) => panic!("rendered:\n{out}"),
            Err(e) => e,
        }
    }

    #[test]
    fn training_conf_without_handlers_gets_a_block_before_destinations() {
        let main = r#"<job_conf>
    <plugins workers="4">
        <plugin id="local_plugin" type="runner" load="galaxy.jobs.runners.local:LocalJobRunner"/>
    </plugins>
    <destinations default="local_destination">
        <destination id="local_destination" runner="local_plugin">
            <param id="tmp_dir">True</param>
        </destination>
    </destinations>
    <tools>
        <tool id="upload1" destination="local_destination"/>
    </tools>
</job_conf>
"#;
        let expected = r#"<!-- Generated by zergcfg: the restarter's job configuration. -->
<job_conf>
    <plugins workers="4">
        <plugin id="local_plugin" type="runner" load="galaxy.jobs.runners.local:LocalJobRunner"/>
    </plugins>
    <handlers assign_with="db-preassign">
        <handler id="main.job-handlers.1"/>
        <handler id="main.job-handlers.2"/>
    </handlers>
    <destinations default="local_destination">
        <destination id="local_destination" runner="local_plugin">
            <param id="tmp_dir">True</param>
        </destination>
    </destinations>
    <tools>
        <tool id="upload1" destination="local_destination"/>
    </tools>
</job_conf>
"#;
        assert_eq!(render(main, &untagged(2)), expected);
    }

    #[test]
    fn existing_multi_line_handlers_are_replaced_with_the_file_indentation() {
        let main = r#"<?xml version="1.0"?>
<job_conf>
  <plugins>
    <plugin id="local" type="runner" load="galaxy.jobs.runners.local:LocalJobRunner" workers="4"/>
  </plugins>
  <handlers default="handlers" assign_with="db-skip-locked">
    <!-- the old handlers -->
    <handler id="handler0" tags="handlers"/>
    <handler id="handler1" tags="handlers"/>
  </handlers>
  <destinations>
    <destination id="local" runner="local"/>
  </destinations>
  <tools>
    <tool id="bwa" handler="main.job-handlers.2"/>
  </tools>
  <limits>
    <limit type="registered_user_concurrent_jobs">2</limit>
  </limits>
</job_conf>
"#;
        let expected = r#"<?xml version="1.0"?>
<!-- Generated by zergcfg: the restarter's job configuration. -->
<job_conf>
  <plugins>
    <plugin id="local" type="runner" load="galaxy.jobs.runners.local:LocalJobRunner" workers="4"/>
  </plugins>
  <handlers assign_with="db-preassign">
    <handler id="main.job-handlers.1"/>
    <handler id="main.job-handlers.2"/>
  </handlers>
  <destinations>
    <destination id="local" runner="local"/>
  </destinations>
  <tools>
    <tool id="bwa" handler="main.job-handlers.2"/>
  </tools>
  <limits>
    <limit type="registered_user_concurrent_jobs">2</limit>
  </limits>
</job_conf>
"#;
        assert_eq!(render(main, &untagged(2)), expected);
    }

    #[test]
    fn self_closing_handlers_are_replaced_with_tab_indentation() {
        let main = "<job_conf>\n\t<plugins>\n\t\t<plugin id=\"local\" type=\"runner\" \
                    load=\"x\"/>\n\t</plugins>\n\t<handlers/>\n\t<destinations default=\"local\">\
                    \n\t\t<destination id=\"local\" runner=\"local\"/>\n\t</destinations>\n\
                    </job_conf>\n";
        let expected = format!(
            "{HEADER}\n<job_conf>\n\t<plugins>\n\t\t<plugin id=\"local\" type=\"runner\" \
             load=\"x\"/>\n\t</plugins>\n\t<handlers assign_with=\"db-preassign\">\n\t\t\
             <handler id=\"main.job-handlers.1\"/>\n\t</handlers>\n\t<destinations \
             default=\"local\">\n\t\t<destination id=\"local\" runner=\"local\"/>\n\t\
             </destinations>\n</job_conf>\n"
        );
        assert_eq!(render(main, &untagged(1)), expected);
    }

    #[test]
    fn declaration_comments_and_crlf_are_kept() {
        let main = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<!-- site job conf -->\r\n\
                    <job_conf>\r\n    <!-- runners -->\r\n    <plugins>\r\n        <plugin \
                    id=\"local\" type=\"runner\" load=\"x\"/>\r\n    </plugins>\r\n    \
                    <!-- where jobs run -->\r\n    <destinations>\r\n        <destination \
                    id=\"local\" runner=\"local\"/>\r\n    </destinations>\r\n</job_conf>\r\n";
        let expected = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n{HEADER}\r\n<!-- site job conf -->\r\n\
             <job_conf>\r\n    <!-- runners -->\r\n    <plugins>\r\n        <plugin \
             id=\"local\" type=\"runner\" load=\"x\"/>\r\n    </plugins>\r\n    \
             <!-- where jobs run -->\r\n    <handlers assign_with=\"db-preassign\">\r\n        \
             <handler id=\"main.job-handlers.1\"/>\r\n    </handlers>\r\n    <destinations>\r\n\
             \x20       <destination id=\"local\" runner=\"local\"/>\r\n    </destinations>\r\n\
             </job_conf>\r\n"
        );
        assert_eq!(render(main, &untagged(1)), expected);
    }

    #[test]
    fn declaration_on_the_root_line_and_destinations_mid_line() {
        let main = "<?xml version='1.0'?><job_conf><plugins/><destinations/></job_conf>";
        let expected = format!(
            "<?xml version='1.0'?>\n{HEADER}\n<job_conf><plugins/>\n<handlers \
             assign_with=\"db-preassign\">\n    <handler id=\"main.job-handlers.1\"/>\n\
             </handlers>\n<destinations/></job_conf>"
        );
        assert_eq!(render(main, &untagged(1)), expected);
    }

    #[test]
    fn a_tagged_mule_gets_its_tags_and_the_default_pool() {
        let main = "<job_conf>\n    <plugins/>\n    <destinations/>\n    <tools>\n        \
                    <tool id=\"bwa\" handler=\"special\"/>\n    </tools>\n</job_conf>\n";
        let mut handlers = untagged(2);
        handlers.push(handler("main.job-handlers.3", &["special", DEFAULT_HANDLER_TAG]));
        let expected = format!(
            "{HEADER}\n<job_conf>\n    <plugins/>\n    <handlers assign_with=\"db-preassign\">\n\
             \x20       <handler id=\"main.job-handlers.1\"/>\n        \
             <handler id=\"main.job-handlers.2\"/>\n        \
             <handler id=\"main.job-handlers.3\" tags=\"special,_default_\"/>\n    </handlers>\n\
             \x20   <destinations/>\n    <tools>\n        <tool id=\"bwa\" handler=\"special\"/>\n\
             \x20   </tools>\n</job_conf>\n"
        );
        let out = render(main, &handlers);
        assert_eq!(out, expected);

        // Galaxy's view of the result: the tag and the default pool as A has them.
        let generated = conf(&out).handlers.unwrap();
        assert_eq!(generated.resolve("special"), ["main.job-handlers.3"]);
        assert_eq!(
            generated.resolve(DEFAULT_HANDLER_TAG),
            ["main.job-handlers.1", "main.job-handlers.2", "main.job-handlers.3"]
        );
    }

    #[test]
    fn handlers_without_the_default_pool_make_the_first_tag_the_default() {
        let main = "<job_conf>\n    <plugins/>\n    <destinations/>\n</job_conf>\n";
        let mut handlers = tagged("special", 2);
        handlers.extend(tagged("gpu", 1));
        let expected = format!(
            "{HEADER}\n<job_conf>\n    <plugins/>\n    <handlers assign_with=\"db-preassign\" \
             default=\"special\">\n        <handler id=\"main.special.1\" \
             tags=\"special\"/>\n        <handler id=\"main.special.2\" \
             tags=\"special\"/>\n        <handler id=\"main.gpu.1\" tags=\"gpu\"/>\n\
             \x20   </handlers>\n    <destinations/>\n</job_conf>\n"
        );
        let out = render(main, &handlers);
        assert_eq!(out, expected);

        // Galaxy's view of the result: unmapped jobs go to a pool that exists.
        let restarter = conf(&out);
        let generated = restarter.handlers.unwrap();
        assert_eq!(
            generated.resolve(generated.default_pool()),
            ["main.special.1", "main.special.2"]
        );
    }

    #[test]
    fn a_valid_default_of_the_main_file_is_kept() {
        let main = "<job_conf><plugins/><handlers default=\"gpu\"><handler id=\"x\"/></handlers>\
                    <destinations/></job_conf>";
        let mut handlers = untagged(1);
        handlers.extend(tagged("gpu", 1));
        let out = render(main, &handlers);
        assert!(out.contains("<handlers assign_with=\"db-preassign\" default=\"gpu\">"), "{out}");
    }

    #[test]
    fn values_are_escaped() {
        let main = "<job_conf><plugins/><handlers></handlers><destinations/></job_conf>";
        let handlers =
            [HandlerName { id: "m.a&b<\"'>.1".to_owned(), tags: vec!["t&'\"<>".to_owned()] }];
        let out = render(main, &handlers);
        let expected = format!(
            "{HEADER}\n<job_conf><plugins/><handlers assign_with=\"db-preassign\" \
             default=\"t&amp;&apos;&quot;&lt;&gt;\">\n    <handler \
             id=\"m.a&amp;b&lt;&quot;&apos;&gt;.1\" tags=\"t&amp;&apos;&quot;&lt;&gt;\"/>\n\
             </handlers><destinations/></job_conf>"
        );
        assert_eq!(out, expected);

        let generated = conf(&out).handlers.unwrap();
        assert_eq!(generated.handlers[0].id.value, handlers[0].id);
        assert_eq!(generated.handlers[0].pools(), ["t&'\"<>"]);
    }

    #[test]
    fn a_byte_order_mark_stays_first() {
        let main = "\u{FEFF}<job_conf><plugins/><destinations/></job_conf>";
        let out = render(main, &untagged(1));
        assert!(out.starts_with(&format!("\u{FEFF}{HEADER}\n<job_conf>")), "{out:?}");
    }

    #[test]
    fn a_tool_on_a_handler_nobody_runs_is_an_error() {
        let main = "<job_conf><plugins/><destinations/><tools>\
                    <tool id=\"bwa\" handler=\"handler0\"/></tools></job_conf>";
        let e = render_error(main, &untagged(2));
        assert!(e.message.contains("tool `bwa` is mapped to handler `handler0`"), "{e:?}");
        assert_eq!(&main[e.span.clone()], "handler0");
        assert!(e.help.contains("main.job-handlers.1, main.job-handlers.2"), "{}", e.help);
    }

    #[test]
    fn a_tool_on_a_tag_no_mule_serves_is_an_error() {
        let main = "<job_conf><plugins/><destinations/><tools>\
                    <tool id=\"ok\" handler=\"special\"/><tool id=\"gpu_tool\" handler=\"gpu\"/>\
                    </tools></job_conf>";
        let mut handlers = untagged(1);
        handlers.extend(tagged("special", 1));
        let e = render_error(main, &handlers);
        assert!(e.message.contains("`gpu_tool`"), "{e:?}");
        assert_eq!(&main[e.span.clone()], "gpu");
        assert!(e.help.contains("tags=\"gpu\""), "{}", e.help);
    }

    #[test]
    fn the_default_pool_needs_untagged_mules() {
        let main = "<job_conf><plugins/><destinations/><tools>\
                    <tool id=\"t\" handler=\"_default_\"/></tools></job_conf>";
        assert!(render(main, &untagged(1)).contains("main.job-handlers.1"));
        let e = render_error(main, &tagged("special", 1));
        assert_eq!(&main[e.span], "_default_");
    }

    #[test]
    fn bad_inputs_are_errors() {
        let main = "<job_conf><plugins/><destinations/></job_conf>";
        assert!(render_error(main, &[]).message.contains("no job handler mules"));

        let mut twice = untagged(1);
        twice.extend(untagged(1));
        assert!(render_error(main, &twice).message.contains("repeated"));

        let comma = [HandlerName { id: "h".to_owned(), tags: vec!["a,b".to_owned()] }];
        assert!(render_error(main, &comma).message.contains("`a,b`"));
        let nowhere = [HandlerName { id: "h".to_owned(), tags: Vec::new() }];
        assert!(render_error(main, &nowhere).message.contains("in no pool"));

        for header in ["plain text", "<!-- a -- b -->", "<!-- a --->", "<!-- a", "<!-- \u{1} -->"] {
            let e = render_restarter(&conf(main), &untagged(1), header).unwrap_err();
            assert!(e.message.contains("header"), "{header}: {e:?}");
        }
    }
}
