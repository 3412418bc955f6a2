use super::rules::{merge_selector_args, RuleError, User};
use super::*;
use crate::commands::{all_families, CommandTable};

fn table() -> CommandTable {
    CommandTable::build(&all_families())
}

fn args(ops: &[&str]) -> Vec<Vec<u8>> {
    ops.iter().map(|o| o.as_bytes().to_vec()).collect()
}

fn describe(acl: &Acl, table: &CommandTable, name: &str) -> String {
    let u = acl.user(acl.find(name.as_bytes()).unwrap()).unwrap();
    describe::user_rules(&acl.catalog(table), u)
}

#[test]
fn default_user_is_described_as_redis_does() {
    let t = table();
    let acl = Acl::new(&t, false);
    assert_eq!(describe(&acl, &t, "default"), "on nopass ~* &* +@all");
    assert!(!acl.auth_required());
}

#[test]
fn description_prefers_categories_then_single_commands() {
    let t = table();
    let mut acl = Acl::new(&t, false);
    acl.set_user(&t, b"a", &args(&["on", "+@all", "-@dangerous", "~*"]))
        .unwrap();
    assert_eq!(
        describe(&acl, &t, "a"),
        "on ~* resetchannels +@all -@dangerous"
    );
    acl.set_user(
        &t,
        b"b",
        &args(&["-@all", "+get", "%R~r:*", "%W~w:*", "&ch"]),
    )
    .unwrap();
    assert_eq!(
        describe(&acl, &t, "b"),
        "off %R~r:* %W~w:* resetchannels &ch -@all +get"
    );
    acl.set_user(&t, b"c", &args(&["+config|get", "+select|0", "(~x +set)"]))
        .unwrap();
    assert_eq!(
        describe(&acl, &t, "c"),
        "off resetchannels -@all +select|0 +config|get (~x resetchannels -@all +set)"
    );
}

#[test]
fn a_description_gives_back_the_same_rules() {
    let t = table();
    let mut acl = Acl::new(&t, false);
    let sets: &[&[&str]] = &[
        &["+@all", "-@dangerous", "+flushall", "-get"],
        &["-@all", "+@read", "-@hash", "+hset", "+config"],
        &["+@all", "-config", "+config|get", "-@slow"],
        &[
            "-@all",
            "+@string",
            "+@list",
            "+@set",
            "-lpush",
            "+client|id",
        ],
    ];
    for (i, ops) in sets.iter().enumerate() {
        let name = format!("u{i}");
        acl.set_user(&t, name.as_bytes(), &args(ops)).unwrap();
        let text = describe(&acl, &t, &name);
        let again: Vec<Vec<u8>> = text.split(' ').map(|s| s.as_bytes().to_vec()).collect();
        acl.set_user(&t, b"copy", &args(&["reset"])).unwrap();
        acl.set_user(&t, b"copy", &again).unwrap();
        let a = acl.user(acl.find(name.as_bytes()).unwrap()).unwrap();
        let b = acl.user(acl.find(b"copy").unwrap()).unwrap();
        assert_eq!(a.selectors[0].commands, b.selectors[0].commands, "{text}");
    }
}

#[test]
fn setuser_errors_leave_the_user_unchanged() {
    let t = table();
    let mut acl = Acl::new(&t, false);
    acl.set_user(&t, b"u", &args(&["on", ">p"])).unwrap();
    let before = describe(&acl, &t, "u");
    let err = acl
        .set_user(&t, b"u", &args(&["+get", "+nosuchcmd"]))
        .unwrap_err();
    assert_eq!(
        err,
        SetUserError::Rule(b"+nosuchcmd".to_vec(), RuleError::UnknownCommand)
    );
    assert_eq!(describe(&acl, &t, "u"), before);
    for (op, e) in [
        ("<nope", RuleError::NoSuchPassword),
        ("#abc", RuleError::BadHash),
        ("+select|", RuleError::Syntax),
        ("+config|get|x", RuleError::SubcommandFirstArg),
        ("bogus", RuleError::Syntax),
    ] {
        assert_eq!(
            acl.set_user(&t, b"u", &args(&[op])).unwrap_err(),
            SetUserError::Rule(op.as_bytes().to_vec(), e),
            "{op}"
        );
    }
    acl.set_user(&t, b"u", &args(&["~*"])).unwrap();
    assert_eq!(
        acl.set_user(&t, b"u", &args(&["~k"])).unwrap_err(),
        SetUserError::Rule(b"~k".to_vec(), RuleError::KeyPatternAfterAll)
    );
}

#[test]
fn passwords_and_authentication() {
    let t = table();
    let mut acl = Acl::new(&t, false);
    acl.set_user(&t, b"u", &args(&[">secret"])).unwrap();
    assert_eq!(acl.authenticate(b"u", b"secret"), None, "still off");
    acl.set_user(&t, b"u", &args(&["on"])).unwrap();
    let id = acl.authenticate(b"u", b"secret").unwrap();
    assert_eq!(acl.authenticate(b"u", b"other"), None);
    assert_eq!(acl.authenticate(b"nobody", b"secret"), None);
    let u = acl.user(id).unwrap();
    assert_eq!(
        u.passwords,
        ["2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"]
    );
    acl.update_default(&t, &[b"resetpass", b">pw"]);
    assert!(acl.auth_required());
    assert_eq!(acl.authenticate(b"default", b"pw"), Some(DEFAULT_USER));
}

#[test]
fn checks_commands_keys_and_channels() {
    let t = table();
    let mut acl = Acl::new(&t, false);
    let id = acl
        .set_user(
            &t,
            b"u",
            &args(&[
                "on", "nopass", "+get", "+set", "+publish", "%R~r*", "~rw*", "&news",
            ]),
        )
        .unwrap();
    let get = t.lookup(b"get").unwrap();
    let set = t.lookup(b"set").unwrap();
    let del = t.lookup(b"del").unwrap();
    let publish = t.lookup(b"publish").unwrap();
    let check = |cmd, a: &[&str]| acl.check(&t, id, cmd, &args(a));
    assert_eq!(check(get, &["get", "r1"]), Ok(()));
    assert_eq!(check(set, &["set", "r1", "v"]), Err(Denied::Key(1)));
    assert_eq!(check(set, &["set", "rw1", "v"]), Ok(()));
    assert_eq!(check(del, &["del", "rw1"]), Err(Denied::Command));
    assert_eq!(check(publish, &["publish", "news", "m"]), Ok(()));
    assert_eq!(
        check(publish, &["publish", "sport", "m"]),
        Err(Denied::Channel(1))
    );
}

#[test]
fn selector_arguments_merge() {
    assert_eq!(
        merge_selector_args(&args(&["on", "(~a", "+get", "+set)", "(+del)"])).unwrap(),
        args(&["on", "(~a +get +set)", "(+del)"])
    );
    assert_eq!(merge_selector_args(&args(&["x", "(~a"])), Err(1));
}

#[test]
fn acl_file_round_trip_and_errors() {
    let t = table();
    let mut acl = Acl::new(&t, false);
    acl.set_user(&t, b"alice", &args(&["on", ">pw", "~cache:*", "+get"]))
        .unwrap();
    let text = acl.file_text(&t);
    let users = parse_file(text.as_bytes(), "users.acl", &t, &acl).unwrap();
    assert_eq!(users.len(), 2);
    let alice = users.iter().find(|u| u.name == b"alice").unwrap();
    assert_eq!(alice, acl.user(acl.find(b"alice").unwrap()).unwrap());
    let err = parse_file(b"user bob on +nosuch\nfoo\n", "f.acl", &t, &acl).unwrap_err();
    assert_eq!(
        err.0,
        "f.acl:1: Error in applying operation '+nosuch': Unknown command or category name in ACL. f.acl:2 should start with user keyword followed by the username. WARNING: ACL errors detected, no change to the previously active ACL rules was performed"
    );
    let _ = User::new_default(&acl.catalog(&t));
}
