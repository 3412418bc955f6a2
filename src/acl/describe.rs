//! Users and selectors written back as rules (ACL LIST, ACL GETUSER, ACL SAVE, CONFIG
//! REWRITE), the way Redis 7.0 writes them: `+@all` or `-@all` first, then the
//! categories that best fit the command bitmap, then single commands for the rest.
//! Setting the description on a fresh user gives back the same bitmap.

use super::rules::{Catalog, Selector, User, ACL_CATEGORIES};
use crate::commands::CommandId;

/// How many rows of category `bit` the selector allows and denies.
fn count_category(cat: &Catalog, s: &Selector, bit: u32) -> (usize, usize) {
    let (mut on, mut off) = (0, 0);
    for top in cat.table.top_level() {
        for id in std::iter::once(top).chain(cat.table.subcommands_of(top)) {
            if cat.categories[id] & bit != 0 {
                if s.allows(id) {
                    on += 1;
                } else {
                    off += 1;
                }
            }
        }
    }
    (on, off)
}

/// The command part of a selector's rules (Redis's ACLDescribeSelectorCommandRules).
pub fn command_rules(cat: &Catalog, s: &Selector) -> String {
    let additive = !s.all_base;
    // `fake` replays the rules as they are emitted; `temp` has the categories already
    // emitted undone, so the next best fit is judged on what is left.
    let mut fake = Selector::new(cat);
    let mut rules = String::new();
    if additive {
        rules.push_str("-@all ");
        fake.apply(cat, b"-@all").expect("valid rule");
    } else {
        rules.push_str("+@all ");
        fake.apply(cat, b"+@all").expect("valid rule");
    }
    let mut temp = s.clone();
    temp.first_args.clear();
    let mut applied = [false; ACL_CATEGORIES.len()];
    loop {
        let mut best = None;
        let (mut min_diff, mut max_same) = (usize::MAX, 0);
        for (j, _) in ACL_CATEGORIES.iter().enumerate() {
            if applied[j] {
                continue;
            }
            let (on, off) = count_category(cat, &temp, 1 << j);
            let (diff, same) = if additive { (off, on) } else { (on, off) };
            if same > diff && (diff < min_diff || (diff == min_diff && same > max_same)) {
                best = Some(j);
                min_diff = diff;
                max_same = same;
            }
        }
        let Some(j) = best else { break };
        fake.change_category(cat, 1 << j, additive);
        temp.change_category(cat, 1 << j, !additive);
        rules.push_str(if additive { "+@" } else { "-@" });
        rules.push_str(ACL_CATEGORIES[j]);
        rules.push(' ');
        applied[j] = true;
    }
    for top in cat.table.top_level() {
        single_command_rules(cat, s, &mut fake, top, &mut rules);
        for sub in cat.table.subcommands_of(top) {
            single_command_rules(cat, s, &mut fake, sub, &mut rules);
        }
    }
    rules.pop();
    debug_assert!(
        fake.commands == s.commands,
        "description {rules:?} does not give back the bitmap"
    );
    rules
}

/// Emits `+cmd`/`-cmd` where row `id` still differs, then its first-argument rules.
fn single_command_rules(
    cat: &Catalog,
    s: &Selector,
    fake: &mut Selector,
    id: CommandId,
    rules: &mut String,
) {
    let name = &cat.table.full_names[id];
    let allowed = s.allows(id);
    if allowed != fake.allows(id) {
        rules.push(if allowed { '+' } else { '-' });
        rules.push_str(name);
        rules.push(' ');
        fake.change(cat.table, id, allowed);
    }
    if !allowed {
        for arg in s.first_args_of(id).unwrap_or_default() {
            rules.push('+');
            rules.push_str(name);
            rules.push('|');
            rules.push_str(&String::from_utf8_lossy(arg));
            rules.push(' ');
        }
    }
}

/// A selector's keys, channels and commands, as one rule string.
pub fn selector_rules(cat: &Catalog, s: &Selector) -> String {
    let mut out = String::new();
    if s.allkeys {
        out.push_str("~* ");
    } else {
        for k in &s.keys {
            out.push_str(&String::from_utf8_lossy(&k.rule()));
            out.push(' ');
        }
    }
    if s.allchannels {
        out.push_str("&* ");
    } else {
        out.push_str("resetchannels ");
        for c in &s.channels {
            out.push('&');
            out.push_str(&String::from_utf8_lossy(c));
            out.push(' ');
        }
    }
    out.push_str(&command_rules(cat, s));
    out
}

/// The whole user as rules, without its name (ACL LIST after `user <name> `).
pub fn user_rules(cat: &Catalog, u: &User) -> String {
    let mut out = String::new();
    out.push_str(if u.enabled { "on " } else { "off " });
    if u.nopass {
        out.push_str("nopass ");
    }
    match u.sanitize_payload {
        Some(false) => out.push_str("skip-sanitize-payload "),
        Some(true) => out.push_str("sanitize-payload "),
        None => {}
    }
    for p in &u.passwords {
        out.push('#');
        out.push_str(p);
        out.push(' ');
    }
    for (i, s) in u.selectors.iter().enumerate() {
        if i == 0 {
            out.push_str(&selector_rules(cat, s));
        } else {
            out.push_str(" (");
            out.push_str(&selector_rules(cat, s));
            out.push(')');
        }
    }
    out
}

/// The flags ACL GETUSER lists, in Redis's order.
pub fn user_flags(u: &User) -> Vec<&'static str> {
    let mut flags = vec![if u.enabled { "on" } else { "off" }];
    if u.nopass {
        flags.push("nopass");
    }
    match u.sanitize_payload {
        Some(false) => flags.push("skip-sanitize-payload"),
        Some(true) => flags.push("sanitize-payload"),
        None => {}
    }
    flags
}

/// ACL GETUSER's `keys` field: `~*`, or the patterns joined by spaces.
pub fn keys_field(s: &Selector) -> String {
    if s.allkeys {
        return "~*".to_string();
    }
    let rules: Vec<String> = s
        .keys
        .iter()
        .map(|k| String::from_utf8_lossy(&k.rule()).into_owned())
        .collect();
    rules.join(" ")
}

/// ACL GETUSER's `channels` field: `&*`, or `&pattern`s joined by spaces.
pub fn channels_field(s: &Selector) -> String {
    if s.allchannels {
        return "&*".to_string();
    }
    let rules: Vec<String> = s
        .channels
        .iter()
        .map(|c| format!("&{}", String::from_utf8_lossy(c)))
        .collect();
    rules.join(" ")
}
