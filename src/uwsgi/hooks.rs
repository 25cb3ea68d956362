//! `hook-*` options that write into a master FIFO, the way the zerg dance hands over: uWSGI
//! splits a hook's value at its first `:` into the action and its arguments, and `writefifo`
//! (and `spinningfifo`) split the arguments at their first space into the FIFO and the string
//! to write (`core/hooks.c`).

use std::ops::Range;

use super::UwsgiOption;

/// The hook actions that write into a FIFO: `writefifo`, and `spinningfifo`, which waits until
/// the FIFO exists and has a reader (uWSGI 2.0.15 and later).
pub const FIFO_ACTIONS: &[&str] = &["writefifo", "spinningfifo"];

/// A `hook-*: writefifo:<fifo> <command>` (or `spinningfifo:`) line, split as uWSGI splits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FifoHook {
    /// `writefifo` or `spinningfifo`.
    pub action: &'static str,
    /// Where the FIFO path is in the option's value.
    pub fifo: Range<usize>,
    /// Where the string written is in the value: after the first space, empty at the end of
    /// the value when there is none.
    pub command: Range<usize>,
}

/// The FIFO hook an option is, if it is one: a `hook-*` option whose action is one of
/// [`FIFO_ACTIONS`].
pub fn fifo_hook(option: &UwsgiOption) -> Option<FifoHook> {
    if !option.key.starts_with("hook-") {
        return None;
    }
    let value = option.value.as_str();
    let (action, args) = FIFO_ACTIONS.iter().find_map(|action| {
        let args = value.strip_prefix(action)?.strip_prefix(':')?;
        Some((*action, args))
    })?;

    let start = action.len() + 1;
    let (fifo, command) = match args.find(' ') {
        Some(space) => (start..start + space, start + space + 1..value.len()),
        None => (start..value.len(), value.len()..value.len()),
    };
    Some(FifoHook { action, fifo, command })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(key: &str, value: &str) -> Option<(&'static str, String, String)> {
        let option = UwsgiOption {
            key: key.to_string(),
            value: value.to_string(),
            key_span: 0..0,
            value_span: 0..0,
            included: None,
        };
        fifo_hook(&option)
            .map(|h| (h.action, value[h.fifo].to_string(), value[h.command].to_string()))
    }

    #[test]
    fn fifo_hooks_split_at_the_first_colon_and_space() {
        let found = hook("hook-accepting1-once", "writefifo:/run/b.fifo q");
        assert_eq!(found, Some(("writefifo", "/run/b.fifo".into(), "q".into())));
        let found = hook("hook-accepting1-once", "spinningfifo:/run/a.fifo q");
        assert_eq!(found, Some(("spinningfifo", "/run/a.fifo".into(), "q".into())));
        let found = hook("hook-asap", "writefifo:/run/c.fifo");
        assert_eq!(found, Some(("writefifo", "/run/c.fifo".into(), String::new())));
        assert_eq!(hook("hook-asap", "exec:writefifo:/x q"), None);
        assert_eq!(hook("hook-asap", "writefifox:/x q"), None);
        assert_eq!(hook("exec-asap", "writefifo:/x q"), None);
    }
}
