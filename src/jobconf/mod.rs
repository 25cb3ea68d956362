//! Galaxy's job configuration (`job_conf.xml`, as Galaxy 21.09 reads it): the parsed document
//! plus typed views of the parts zergcfg reasons about (runner plugins, job handlers and their
//! tags, destinations, per-tool mappings), each with the byte span it came from.
//!
//! Handler semantics follow Galaxy: every `<handler>` is a pool of its own, named by its `id`;
//! a handler without `tags` also joins the pool [`DEFAULT_HANDLER_TAG`], and a handler with
//! `tags` joins exactly the pools named there (and not the default one). A job goes to the pool
//! its tool is mapped to, else to the `default` of `<handlers>`, else to the default pool.

pub mod restarter;

use std::collections::HashSet;

use crate::source::{Source, Span};
use crate::xml::{self, Attribute, Document, Element};

pub use restarter::{HandlerName, render_restarter};

/// The pool Galaxy puts every handler without `tags` in, and sends unmapped jobs to when
/// `<handlers>` has no `default`.
pub const DEFAULT_HANDLER_TAG: &str = "_default_";

/// A value read from an attribute, with the bytes of the value (without quotes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value, entities resolved.
    pub value: T,
    /// Where it is written.
    pub span: Span,
}

/// A comma-separated attribute such as `tags="a, b"`, split and trimmed as Galaxy does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpannedList {
    /// The items in order; an item's span is exact unless the value holds entity references,
    /// in which case it is the whole value.
    pub items: Vec<Spanned<String>>,
    /// Bytes of the whole value, without quotes.
    pub span: Span,
}

impl SpannedList {
    /// The item values.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|i| i.value.as_str())
    }
}

/// A `<plugin>` under `<plugins>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plugin {
    /// `id`, which destinations name as `runner`.
    pub id: Spanned<String>,
    /// `type` (`runner` for job runners).
    pub kind: Option<Spanned<String>>,
    /// `load`, the Python class to load.
    pub load: Option<Spanned<String>>,
    /// The whole element.
    pub span: Span,
}

/// The `<plugins>` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plugins {
    /// The plugins in file order.
    pub plugins: Vec<Plugin>,
    /// The whole element.
    pub span: Span,
}

/// A `<handler>` under `<handlers>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handler {
    /// `id`: the server name of the process that handles the jobs.
    pub id: Spanned<String>,
    /// `tags`, when given (an empty value makes the one pool `""`, as in Galaxy).
    pub tags: Option<SpannedList>,
    /// `id`s of the `<plugin>` children: the runners this handler loads (all when empty).
    pub plugins: Vec<Spanned<String>>,
    /// The whole element.
    pub span: Span,
}

impl Handler {
    /// The tag pools this handler is in: its tags, or the default pool when it has none.
    #[must_use]
    pub fn pools(&self) -> Vec<&str> {
        match &self.tags {
            Some(tags) => tags.values().collect(),
            None => vec![DEFAULT_HANDLER_TAG],
        }
    }
}

/// The `<handlers>` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handlers {
    /// The whole element, `<handlers` to the end of `</handlers>` (or of `/>`).
    pub span: Span,
    /// The start tag alone.
    pub start_tag: Span,
    /// `assign_with`, split on commas (for example `db-preassign`).
    pub assign_with: Option<SpannedList>,
    /// `default`: the handler id or tag that unmapped jobs go to.
    pub default: Option<Spanned<String>>,
    /// The handlers in file order.
    pub handlers: Vec<Handler>,
}

impl Handlers {
    /// The pool a job goes to when its tool names no handler.
    #[must_use]
    pub fn default_pool(&self) -> &str {
        self.default.as_ref().map_or(DEFAULT_HANDLER_TAG, |d| d.value.as_str())
    }

    /// The handler ids a job sent to `name` (a handler id or a tag) may land on, in file order;
    /// empty when Galaxy knows no such pool. A repeated id counts once, as Galaxy ignores the
    /// later definition.
    #[must_use]
    pub fn resolve(&self, name: &str) -> Vec<&str> {
        let mut seen = HashSet::new();
        let mut ids = Vec::new();
        for handler in &self.handlers {
            let id = handler.id.value.as_str();
            if !seen.insert(id) {
                continue;
            }
            if id == name || handler.pools().contains(&name) {
                ids.push(id);
            }
        }
        ids
    }
}

/// A `<destination>` under `<destinations>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// `id`.
    pub id: Spanned<String>,
    /// `runner`: the id of a plugin.
    pub runner: Option<Spanned<String>>,
    /// The whole element.
    pub span: Span,
}

/// The `<destinations>` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destinations {
    /// `default`: the destination (or destination tag) of unmapped jobs.
    pub default: Option<Spanned<String>>,
    /// The destinations in file order.
    pub destinations: Vec<Destination>,
    /// The whole element.
    pub span: Span,
}

/// A `<tool>` under `<tools>`: where one tool's jobs are handled and run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    /// What the mapping applies to: one tool by `id`, or a `class` of tools.
    pub applies_to: ToolSelector,
    /// `handler`: a handler id or tag.
    pub handler: Option<Spanned<String>>,
    /// `destination`: a destination id or tag.
    pub destination: Option<Spanned<String>>,
    /// The whole element.
    pub span: Span,
}

/// What a `<tool>` mapping applies to: Galaxy 21.09 takes either an `id` or a `class`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolSelector {
    /// `id`: the tool with that id.
    Id(Spanned<String>),
    /// `class`: every tool of that class (`local` or `requires_galaxy`).
    Class(Spanned<String>),
}

impl Tool {
    /// The tools the mapping is for, in words: ``tool `bwa` `` or ``tools of class `local` ``.
    pub fn describe(&self) -> String {
        match &self.applies_to {
            ToolSelector::Id(id) => format!("tool `{}`", id.value),
            ToolSelector::Class(class) => format!("tools of class `{}`", class.value),
        }
    }

    /// [`Tool::describe`] with the verb "is" or "are" after it.
    pub fn describe_is(&self) -> String {
        match &self.applies_to {
            ToolSelector::Id(_) => format!("{} is", self.describe()),
            ToolSelector::Class(_) => format!("{} are", self.describe()),
        }
    }
}

/// The tool classes Galaxy 21.09 maps by `class` (`VALID_TOOL_CLASSES`).
const TOOL_CLASSES: [&str; 2] = ["local", "requires_galaxy"];

/// A job configuration file, parsed and checked.
#[derive(Debug, Clone)]
pub struct JobConf {
    /// The file it was read from, kept whole so that output can preserve its bytes.
    pub source: Source,
    /// The XML tree.
    pub document: Document,
    /// `<plugins>`.
    pub plugins: Plugins,
    /// `<handlers>`, when the file has one.
    pub handlers: Option<Handlers>,
    /// `<destinations>`.
    pub destinations: Destinations,
    /// The `<tool>` mappings under `<tools>`, in file order.
    pub tools: Vec<Tool>,
    /// The `<limits>` element, when the file has one.
    pub limits: Option<Span>,
}

/// A job configuration Galaxy would refuse, or that zergcfg cannot work with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(zergcfg::job_conf))]
pub struct JobConfError {
    /// What is wrong.
    pub message: String,
    /// Where, in the job configuration file (possibly empty).
    #[label("here")]
    pub span: Span,
    /// What to do about it.
    #[help]
    pub help: String,
}

impl JobConfError {
    /// An error at `span`.
    pub fn new(message: impl Into<String>, span: Span, help: impl Into<String>) -> Self {
        Self { message: message.into(), span, help: help.into() }
    }

    /// The error as a report that shows the offending lines of `source`.
    #[must_use]
    pub fn report(self, source: &Source) -> miette::Report {
        miette::Report::new(self).with_source_code(source.named())
    }
}

/// Reads and checks a job configuration.
///
/// # Errors
///
/// Malformed XML, a root other than `<job_conf>`, a missing or repeated `<plugins>` or
/// `<destinations>`, a repeated `<handlers>`, `<tools>` or `<limits>`, or a `<plugin>`,
/// `<handler>`, `<destination>` or `<tool>` without `id` (Galaxy skips those silently).
pub fn read(source: &Source) -> Result<JobConf, JobConfError> {
    let text: &str = &source.text;
    let document = xml::parse(text).map_err(|e| {
        JobConfError::new(e.message, e.span, "Galaxy cannot start with a malformed job_conf.xml")
    })?;
    let root = &document.root;
    if root.name != "job_conf" {
        return Err(JobConfError::new(
            format!("the root element is `<{}>`, not `<job_conf>`", root.name),
            root.start_tag.clone(),
            "a Galaxy job configuration starts with `<job_conf>`",
        ));
    }

    let plugins = required_section(root, "plugins")?;
    let destinations = required_section(root, "destinations")?;
    let handlers = optional_section(root, "handlers")?;
    let tools = optional_section(root, "tools")?;
    let limits = optional_section(root, "limits")?;

    let reader = Reader { text };
    let plugins = Reader::plugins(plugins)?;
    let handlers = handlers.map(|h| reader.handlers(h)).transpose()?;
    let destinations = Reader::destinations(destinations)?;
    let tools = tools.map_or(Ok(Vec::new()), Reader::tools)?;
    let limits = limits.map(|l| l.span.clone());

    Ok(JobConf { source: source.clone(), document, plugins, handlers, destinations, tools, limits })
}

/// A child of `<job_conf>` that must appear exactly once.
fn required_section<'e>(root: &'e Element, name: &str) -> Result<&'e Element, JobConfError> {
    optional_section(root, name)?.ok_or_else(|| {
        JobConfError::new(
            format!("`<job_conf>` has no `<{name}>`"),
            root.start_tag.clone(),
            format!("Galaxy needs a `<{name}>` section in the job configuration"),
        )
    })
}

/// A child of `<job_conf>` that may appear at most once (Galaxy reads only the first).
fn optional_section<'e>(
    root: &'e Element,
    name: &str,
) -> Result<Option<&'e Element>, JobConfError> {
    let mut found = root.children.iter().filter(|c| c.name == name);
    let first = found.next();
    match found.next() {
        Some(second) => Err(JobConfError::new(
            format!("a second `<{name}>` in `<job_conf>`"),
            second.start_tag.clone(),
            format!("Galaxy reads only the first `<{name}>`; merge them into one"),
        )),
        None => Ok(first),
    }
}

/// Builds the typed views; holds the text to compute the spans of list items.
struct Reader<'t> {
    text: &'t str,
}

impl Reader<'_> {
    fn plugins(element: &Element) -> Result<Plugins, JobConfError> {
        let mut plugins = Vec::new();
        for plugin in element.children_named("plugin") {
            plugins.push(Plugin {
                id: required_attr(plugin, "id")?,
                kind: attr(plugin, "type"),
                load: attr(plugin, "load"),
                span: plugin.span.clone(),
            });
        }
        Ok(Plugins { plugins, span: element.span.clone() })
    }

    fn handlers(&self, element: &Element) -> Result<Handlers, JobConfError> {
        let mut handlers = Vec::new();
        for handler in element.children_named("handler") {
            let mut plugins = Vec::new();
            for plugin in handler.children_named("plugin") {
                plugins.push(required_attr(plugin, "id")?);
            }
            let tags = handler.attribute("tags").map(|a| self.list(a, true));
            handlers.push(Handler {
                id: required_attr(handler, "id")?,
                tags,
                plugins,
                span: handler.span.clone(),
            });
        }

        Ok(Handlers {
            span: element.span.clone(),
            start_tag: element.start_tag.clone(),
            assign_with: element.attribute("assign_with").map(|a| self.list(a, false)),
            default: attr(element, "default"),
            handlers,
        })
    }

    fn destinations(element: &Element) -> Result<Destinations, JobConfError> {
        let mut destinations = Vec::new();
        for destination in element.children_named("destination") {
            destinations.push(Destination {
                id: required_attr(destination, "id")?,
                runner: attr(destination, "runner"),
                span: destination.span.clone(),
            });
        }
        Ok(Destinations {
            default: attr(element, "default"),
            destinations,
            span: element.span.clone(),
        })
    }

    fn tools(element: &Element) -> Result<Vec<Tool>, JobConfError> {
        let mut tools = Vec::new();
        for tool in element.children_named("tool") {
            tools.push(Tool {
                applies_to: Self::tool_selector(tool)?,
                handler: attr(tool, "handler"),
                destination: attr(tool, "destination"),
                span: tool.span.clone(),
            });
        }
        Ok(tools)
    }

    /// A `<tool>`'s `id` or `class`: Galaxy 21.09 refuses to start on one with both, neither,
    /// or a class it does not know (assertions in `JobConfiguration`).
    fn tool_selector(tool: &Element) -> Result<ToolSelector, JobConfError> {
        // Galaxy ignores empty values, as if the attribute were not there.
        let given = |name| attr(tool, name).filter(|a| !a.value.is_empty());
        match (given("id"), given("class")) {
            (Some(id), None) => Ok(ToolSelector::Id(id)),
            (None, Some(class)) if TOOL_CLASSES.contains(&class.value.as_str()) => {
                Ok(ToolSelector::Class(class))
            }
            (None, Some(class)) => Err(JobConfError::new(
                format!("`<tool>` has the unknown class `{}`", class.value),
                class.span,
                "Galaxy refuses to start with it; the classes are `local` and `requires_galaxy`",
            )),
            (Some(_), Some(class)) => Err(JobConfError::new(
                "`<tool>` has both an `id` and a `class`",
                class.span,
                "Galaxy refuses to start with it; map one tool by `id` or a class of tools by \
                 `class`, in two `<tool>` elements if both are wanted",
            )),
            (None, None) => Err(JobConfError::new(
                "`<tool>` has neither an `id` nor a `class`",
                tool.start_tag.clone(),
                "Galaxy refuses to start with it; add `id=\"<tool id>\"` or \
                 `class=\"local\"`/`class=\"requires_galaxy\"`",
            )),
        }
    }

    /// Splits a comma-separated value and trims each item. Galaxy keeps empty items of `tags`
    /// (so `tags=""` is the pool `""`) but reads an empty `assign_with` as no method at all.
    fn list(&self, attribute: &Attribute, keep_empty_value: bool) -> SpannedList {
        let span = attribute.value_span.clone();
        if attribute.value.is_empty() && !keep_empty_value {
            return SpannedList { items: Vec::new(), span };
        }

        // Exact item spans only when the written bytes are the value (no entity references).
        let exact = self.text.get(span.clone()) == Some(attribute.value.as_str());
        let mut items = Vec::new();
        let mut offset = 0;
        for part in attribute.value.split(',') {
            let trimmed = part.trim();
            let item_span = if exact {
                let lead = part.len() - part.trim_start().len();
                let start = span.start + offset + lead;
                start..start + trimmed.len()
            } else {
                span.clone()
            };
            items.push(Spanned { value: trimmed.to_owned(), span: item_span });
            offset += part.len() + 1;
        }
        SpannedList { items, span }
    }
}

/// An optional attribute as a spanned value.
fn attr(element: &Element, name: &str) -> Option<Spanned<String>> {
    element.attribute(name).map(|a| Spanned { value: a.value.clone(), span: a.value_span.clone() })
}

/// An attribute without which Galaxy ignores the element.
fn required_attr(element: &Element, name: &str) -> Result<Spanned<String>, JobConfError> {
    attr(element, name).ok_or_else(|| {
        JobConfError::new(
            format!("`<{}>` has no `{name}`", element.name),
            element.start_tag.clone(),
            format!("Galaxy silently ignores a `<{}>` without `{name}`; add one", element.name),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = r#"<?xml version="1.0"?>
<job_conf>
    <plugins workers="2">
        <plugin id="local" type="runner" load="galaxy.jobs.runners.local:LocalJobRunner"/>
        <plugin id="slurm" type="runner" load="galaxy.jobs.runners.slurm:SlurmJobRunner"/>
    </plugins>
    <handlers assign_with="db-preassign, db-self" default="special">
        <handler id="main.job-handlers.1"/>
        <handler id="main.job-handlers.2" tags="special , gpu">
            <plugin id="slurm"/>
        </handler>
        <handler id="main.job-handlers.3" tags="a&amp;b"/>
    </handlers>
    <destinations default="local">
        <destination id="local" runner="local"/>
        <destination id="cluster" runner="slurm"/>
    </destinations>
    <tools>
        <tool id="bwa" handler="special" destination="cluster"/>
        <tool id="upload1"/>
    </tools>
    <limits>
        <limit type="registered_user_concurrent_jobs">2</limit>
    </limits>
</job_conf>
"#;

    fn conf(text: &str) -> Result<JobConf, JobConfError> {
        read(&Source::new("job_conf.xml", text))
    }

    fn error(text: &str) -> JobConfError {
        match conf(text) {
            Ok(c) => panic!("accepted: {c:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn reads_plugins_destinations_tools_and_limits() {
        let conf = conf(CONF).unwrap();
        let ids: Vec<_> = conf.plugins.plugins.iter().map(|p| p.id.value.as_str()).collect();
        assert_eq!(ids, ["local", "slurm"]);
        let slurm = &conf.plugins.plugins[1];
        assert_eq!(slurm.kind.as_ref().unwrap().value, "runner");
        assert_eq!(
            &CONF[slurm.load.as_ref().unwrap().span.clone()],
            "galaxy.jobs.runners.slurm:SlurmJobRunner"
        );

        assert_eq!(conf.destinations.default.as_ref().unwrap().value, "local");
        let ids: Vec<_> =
            conf.destinations.destinations.iter().map(|d| d.id.value.as_str()).collect();
        assert_eq!(ids, ["local", "cluster"]);

        assert_eq!(conf.tools.len(), 2);
        let bwa = &conf.tools[0];
        assert_eq!(bwa.describe(), "tool `bwa`");
        assert_eq!(&CONF[bwa.handler.as_ref().unwrap().span.clone()], "special");
        assert_eq!(bwa.destination.as_ref().unwrap().value, "cluster");
        assert!(conf.tools[1].handler.is_none());

        let limits = conf.limits.clone().unwrap();
        assert!(CONF[limits].starts_with("<limits>"));
    }

    #[test]
    fn a_tool_is_mapped_by_id_or_by_class_as_galaxy_takes_it() {
        let with = |tools: &str| {
            format!("<job_conf><plugins/><destinations/><tools>{tools}</tools></job_conf>")
        };
        let text = with("<tool class='local' handler='special'/><tool id='x' class=''/>");
        let parsed = conf(&text).unwrap();
        assert_eq!(parsed.tools[0].describe_is(), "tools of class `local` are");
        assert_eq!(parsed.tools[1].describe_is(), "tool `x` is");

        for (tools, message, at) in [
            ("<tool class='remote'/>", "unknown class `remote`", "remote"),
            ("<tool id='x' class='local'/>", "both an `id` and a `class`", "local"),
            ("<tool handler='h'/>", "neither an `id` nor a `class`", "<tool handler='h'/>"),
        ] {
            let text = with(tools);
            let e = error(&text);
            assert!(e.message.contains(message), "{e:?}");
            assert_eq!(&text[e.span], at);
        }
    }

    #[test]
    fn reads_handlers_with_galaxy_semantics() {
        let conf = conf(CONF).unwrap();
        let handlers = conf.handlers.as_ref().unwrap();
        assert!(CONF[handlers.span.clone()].starts_with("<handlers assign_with"));
        assert!(CONF[handlers.span.clone()].ends_with("</handlers>"));

        let assign = handlers.assign_with.as_ref().unwrap();
        assert_eq!(assign.values().collect::<Vec<_>>(), ["db-preassign", "db-self"]);
        assert_eq!(&CONF[assign.items[1].span.clone()], "db-self");
        assert_eq!(handlers.default_pool(), "special");

        let [first, second, third] = &handlers.handlers[..] else { panic!("three handlers") };
        assert_eq!(&CONF[first.id.span.clone()], "main.job-handlers.1");
        assert!(first.tags.is_none());
        assert_eq!(first.pools(), [DEFAULT_HANDLER_TAG]);

        let tags = second.tags.as_ref().unwrap();
        assert_eq!(second.pools(), ["special", "gpu"]);
        assert_eq!(&CONF[tags.items[0].span.clone()], "special");
        assert_eq!(&CONF[tags.items[1].span.clone()], "gpu");
        assert_eq!(&CONF[tags.span.clone()], "special , gpu");
        assert_eq!(second.plugins.iter().map(|p| p.value.as_str()).collect::<Vec<_>>(), ["slurm"]);

        // With an entity in the value, items point at the whole value.
        let tags = third.tags.as_ref().unwrap();
        assert_eq!(third.pools(), ["a&b"]);
        assert_eq!(&CONF[tags.items[0].span.clone()], "a&amp;b");

        assert_eq!(handlers.resolve(DEFAULT_HANDLER_TAG), ["main.job-handlers.1"]);
        assert_eq!(handlers.resolve("special"), ["main.job-handlers.2"]);
        assert_eq!(handlers.resolve("main.job-handlers.3"), ["main.job-handlers.3"]);
        assert!(handlers.resolve("nothing").is_empty());
    }

    #[test]
    fn tagged_handlers_leave_the_default_pool_and_empty_tags_make_a_pool() {
        let conf = conf(
            "<job_conf><plugins/><handlers><handler id=\"h1\" tags=\"t\"/><handler id=\"h2\" \
             tags=\"\"/><handler id=\"h1\"/></handlers><destinations/></job_conf>",
        )
        .unwrap();
        let handlers = conf.handlers.unwrap();
        assert!(handlers.resolve(DEFAULT_HANDLER_TAG).is_empty());
        assert_eq!(handlers.resolve(""), ["h2"]);
        assert_eq!(handlers.resolve("h1"), ["h1"]);
        assert_eq!(handlers.default_pool(), DEFAULT_HANDLER_TAG);
        assert!(handlers.assign_with.is_none());
    }

    #[test]
    fn a_conf_without_optional_sections() {
        let conf = conf("<job_conf><plugins/><destinations/></job_conf>").unwrap();
        assert!(conf.handlers.is_none());
        assert!(conf.tools.is_empty());
        assert!(conf.limits.is_none());
        assert!(conf.plugins.plugins.is_empty());
    }

    #[test]
    fn structural_errors_point_at_the_problem() {
        let text = "<job_config><plugins/><destinations/></job_config>";
        let e = error(text);
        assert!(e.message.contains("not `<job_conf>`"), "{e:?}");
        assert_eq!(&text[e.span], "<job_config>");

        let text = "<job_conf>\n  <destinations/>\n</job_conf>";
        let e = error(text);
        assert!(e.message.contains("no `<plugins>`"), "{e:?}");
        assert_eq!(&text[e.span], "<job_conf>");
        assert!(e.help.contains("<plugins>"));

        let e = error("<job_conf><plugins/></job_conf>");
        assert!(e.message.contains("no `<destinations>`"), "{e:?}");

        let text = "<job_conf><plugins/><handlers/><handlers x='1'/><destinations/></job_conf>";
        let e = error(text);
        assert!(e.message.contains("second `<handlers>`"), "{e:?}");
        assert_eq!(&text[e.span], "<handlers x='1'/>");

        let text = "<job_conf><plugins/><destinations><destination runner='x'/></destinations>\
                    </job_conf>";
        let e = error(text);
        assert!(e.message.contains("`<destination>` has no `id`"), "{e:?}");
        assert_eq!(&text[e.span], "<destination runner='x'/>");

        let text = "<job_conf><plugins><plugin/></plugins><destinations/></job_conf>";
        assert!(error(text).message.contains("`<plugin>` has no `id`"));
    }

    #[test]
    fn malformed_xml_keeps_its_span_and_gets_help() {
        let text = "<job_conf><plugins/><destinations></job_conf>";
        let e = error(text);
        assert_eq!(&text[e.span.clone()], "</job_conf>");
        assert!(e.help.contains("malformed"));
    }

    #[test]
    fn errors_render_with_the_source() {
        let source = Source::new("job_conf.xml", "<jobs/>");
        let Err(e) = read(&source) else { panic!("accepted") };
        let report = e.report(&source);
        let mut out = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut out, report.as_ref())
            .unwrap();
        assert!(out.contains("job_conf.xml"), "{out}");
        assert!(out.contains("<jobs/>"), "{out}");
        assert!(out.contains("zergcfg::job_conf"), "{out}");
    }
}
