//! The templates in `templates/`, compiled into the binary and rendered with minijinja in strict
//! mode: a value the code forgot to pass is an error, never an empty string in a config file.

use std::sync::LazyLock;

use minijinja::{Environment, UndefinedBehavior, Value};

use crate::error::{Error, Result};

const TEMPLATES: &[(&str, &str)] = &[
    ("section.yml.j2", include_str!("../templates/section.yml.j2")),
    ("vassal-zergpool.yml.j2", include_str!("../templates/vassal-zergpool.yml.j2")),
    ("vassal-zergling.yml.j2", include_str!("../templates/vassal-zergling.yml.j2")),
    ("galaxy-restarter.yml.j2", include_str!("../templates/galaxy-restarter.yml.j2")),
    (
        "job_conf-restarter-header.xml.j2",
        include_str!("../templates/job_conf-restarter-header.xml.j2"),
    ),
    (
        "job_conf-restarter-handlers.xml.j2",
        include_str!("../templates/job_conf-restarter-handlers.xml.j2"),
    ),
];

static ENVIRONMENT: LazyLock<Result<Environment<'static>, String>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| e.to_string())?;
    env.set_syntax(syntax);
    // Config files are not HTML: nothing is escaped by the template engine. Values are checked
    // (portable YAML) or escaped (XML) by the code that passes them.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.add_filter("xml", |value: String| xml_escape(&value));
    for (name, text) in TEMPLATES {
        env.add_template(name, text).map_err(|e| e.to_string())?;
    }
    Ok(env)
});

/// Escapes the five characters XML gives meaning to (the `xml` filter of the templates).
pub fn xml_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// Renders the named template with `context`.
///
/// # Errors
/// A template error (a bug in zergcfg, reported rather than written out).
pub fn render(name: &str, context: &Value) -> Result<String> {
    let env = ENVIRONMENT.as_ref().map_err(|e| {
        Error::new("zergcfg::template", format!("a built-in template is broken: {e}"))
    })?;
    let template = env
        .get_template(name)
        .map_err(|e| Error::new("zergcfg::template", format!("template {name}: {e}")))?;
    template
        .render(context)
        .map_err(|e| Error::new("zergcfg::template", format!("template {name}: {e:#}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undefined_values_are_errors() {
        let err = render("section.yml.j2", &minijinja::context! {}).unwrap_err();
        assert!(err.message().contains("section.yml.j2"), "{}", err.message());
    }

    #[test]
    fn sections_render_in_order() {
        let options = vec![
            minijinja::context! { key => "mule", value => "a.py" },
            minijinja::context! { key => "mule", value => "a.py" },
        ];
        let text = render("section.yml.j2", &minijinja::context! { options }).unwrap();
        assert_eq!(text, "uwsgi:\n  mule: a.py\n  mule: a.py\n");
    }
}
