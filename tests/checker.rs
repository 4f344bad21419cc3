//! The history format and the linearizability checker against histories whose verdicts are
//! known: the classic register anomalies, `info` and `fail` outcomes, keys checked
//! independently, the pruning rule's edge, budgets, explanations, every parser error, and
//! property tests over generated histories.

#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use replica_lab::checks::gen::{linearizable_history, GenOptions};
use replica_lab::checks::history::{Event, History, Value};
use replica_lab::checks::linearizable::{
    check_linearizable, CheckOptions, Explanation, Report, Verdict,
};

fn check(history: &History) -> Report {
    check_linearizable(history, &CheckOptions::default()).expect("a well-formed history")
}

fn verdict(events: Vec<Event>) -> Verdict {
    check(&History { events }).verdict
}

/// Why `events` are not linearizable (they must not be).
fn explanation(events: Vec<Event>) -> Explanation {
    check(&History { events })
        .explanation
        .expect("a violation, explained")
}

fn check_text(text: &str) -> Report {
    check(&History::from_json(text).expect("parses"))
}

fn errors(text: &str) -> Vec<String> {
    History::from_json(text)
        .expect_err("a bad history")
        .iter()
        .map(ToString::to_string)
        .collect()
}

const BRIEF_EXAMPLE: &str = r#"
[{"process": 0, "type": "invoke", "f": "write", "key": "x", "value": 3},
 {"process": 1, "type": "invoke", "f": "cas",   "key": "x", "value": [3, 4]},
 {"process": 0, "type": "ok",     "f": "write", "key": "x", "value": 3},
 {"process": 1, "type": "ok",     "f": "cas",   "key": "x", "value": [3, 4], "result": false},
 {"process": 2, "type": "invoke", "f": "read",  "key": "x", "value": null},
 {"process": 2, "type": "ok",     "f": "read",  "key": "x", "value": 3},
 {"process": 3, "type": "invoke", "f": "write", "key": "x", "value": 5},
 {"process": 3, "type": "info",   "f": "write", "key": "x", "value": 5}]"#;

#[test]
fn the_format_example_is_linearizable() {
    let report = check_text(BRIEF_EXAMPLE);
    assert_eq!(report.verdict, Verdict::Linearizable);
    assert_eq!((report.keys, report.operations), (1, 4));
    assert!(report.explanation.is_none() && report.key_results.is_empty());
}

// ---- classic violations ----

#[test]
fn a_stale_read_after_a_completed_write_is_not_linearizable() {
    let w1 = Event::invoke_write(0, "x", 1);
    let w2 = Event::invoke_write(0, "x", 2);
    let r = Event::invoke_read(1, "x");
    assert_eq!(
        verdict(vec![
            w1.clone(),
            w1.ok(),
            w2.clone(),
            w2.ok(),
            r.clone(),
            r.ok_read(1)
        ]),
        Verdict::NotLinearizable
    );
    // The same read overlapping the second write may see the first.
    assert_eq!(
        verdict(vec![
            w1.clone(),
            w1.ok(),
            w2.clone(),
            r.clone(),
            r.ok_read(1),
            w2.ok()
        ]),
        Verdict::Linearizable
    );
}

#[test]
fn two_reads_seeing_concurrent_writes_in_opposite_orders_is_not_linearizable() {
    let (w1, w2) = (
        Event::invoke_write(0, "x", 1),
        Event::invoke_write(1, "x", 2),
    );
    let (ra, rb) = (Event::invoke_read(2, "x"), Event::invoke_read(3, "x"));
    let writes = vec![w1.clone(), w2.clone(), w2.ok(), w1.ok()];
    let mut events = writes.clone();
    events.extend([ra.clone(), ra.ok_read(2), rb.clone(), rb.ok_read(1)]);
    assert_eq!(verdict(events), Verdict::NotLinearizable);
    // Either order alone is fine.
    let mut events = writes;
    events.extend([ra.clone(), ra.ok_read(2), rb.clone(), rb.ok_read(2)]);
    assert_eq!(verdict(events), Verdict::Linearizable);
}

#[test]
fn a_cas_that_succeeded_against_a_value_the_register_could_not_hold() {
    let w = Event::invoke_write(0, "x", 1);
    let cas = Event::invoke_cas(1, "x", 2, 3);
    assert_eq!(
        verdict(vec![w.clone(), w.ok(), cas.clone(), cas.ok()]),
        Verdict::NotLinearizable
    );
    let cas = Event::invoke_cas(1, "x", 1, 3);
    let r = Event::invoke_read(2, "x");
    assert_eq!(
        verdict(vec![
            w.clone(),
            w.ok(),
            cas.clone(),
            cas.ok(),
            r.clone(),
            r.ok_read(3)
        ]),
        Verdict::Linearizable
    );
}

#[test]
fn a_read_of_a_value_never_written() {
    let w = Event::invoke_write(0, "x", 1);
    let r = Event::invoke_read(1, "x");
    let report = check(&History {
        events: vec![w.clone(), r.clone(), w.ok(), r.ok_read(7)],
    });
    assert_eq!(report.verdict, Verdict::NotLinearizable);
    let explanation = report.explanation.unwrap();
    assert_eq!(explanation.blocked.len(), 1);
    assert_eq!(
        explanation.blocked[0].reason,
        "read returned 7, but no operation on this key (that did not fail) wrote 7"
    );
}

#[test]
fn a_read_of_null_after_a_write_completed() {
    let w = Event::invoke_write(0, "x", 1);
    let r = Event::invoke_read(1, "x");
    let events = vec![w.clone(), w.ok(), r.clone(), r.ok_read(Value::Nil)];
    assert_eq!(verdict(events), Verdict::NotLinearizable);
}

// ---- info and fail ----

#[test]
fn an_info_write_that_must_have_taken_effect() {
    let w = Event::invoke_write(0, "x", 1);
    let r = Event::invoke_read(1, "x");
    // Recorded as unknown, yet a later read sees it: it happened.
    let events = vec![w.clone(), w.info(), r.clone(), r.ok_read(1)];
    assert_eq!(verdict(events), Verdict::Linearizable);
    // It may even take effect after a later write.
    let w2 = Event::invoke_write(2, "x", 2);
    let events = vec![
        w.clone(),
        w.info(),
        w2.clone(),
        w2.ok(),
        r.clone(),
        r.ok_read(1),
    ];
    assert_eq!(verdict(events), Verdict::Linearizable);
    // Never completed at all counts the same.
    let events = vec![w.clone(), r.clone(), r.ok_read(1)];
    assert_eq!(verdict(events), Verdict::Linearizable);
}

#[test]
fn a_read_of_an_info_writes_value_before_the_write_was_invoked() {
    let w = Event::invoke_write(0, "x", 1);
    let r = Event::invoke_read(1, "x");
    let report = check(&History {
        events: vec![r.clone(), r.ok_read(1), w.clone(), w.info()],
    });
    assert_eq!(report.verdict, Verdict::NotLinearizable);
    let reason = &report.explanation.unwrap().blocked[0].reason;
    assert!(
        reason.contains("invoked at event 2, after this one returned"),
        "{reason}"
    );
}

#[test]
fn a_failed_write_whose_value_is_read() {
    let w = Event::invoke_write(0, "x", 1);
    let r = Event::invoke_read(1, "x");
    let events = vec![w.clone(), w.fail(), r.clone(), r.ok_read(1)];
    assert_eq!(verdict(events), Verdict::NotLinearizable);
    // An info read says nothing and a failed cas did nothing.
    let cas = Event::invoke_cas(2, "x", Value::Nil, 5);
    let events = vec![
        r.clone(),
        r.info(),
        cas.clone(),
        cas.fail(),
        r.clone(),
        r.ok_read(Value::Nil),
    ];
    assert_eq!(verdict(events), Verdict::Linearizable);
}

#[test]
fn an_info_cas_takes_effect_only_where_it_compares_equal() {
    let w = Event::invoke_write(0, "x", 1);
    let cas = Event::invoke_cas(1, "x", 1, 2);
    let r = Event::invoke_read(2, "x");
    let events = vec![
        cas.clone(),
        cas.info(),
        w.clone(),
        w.ok(),
        r.clone(),
        r.ok_read(2),
    ];
    assert_eq!(verdict(events), Verdict::Linearizable);
    let cas = Event::invoke_cas(1, "x", 9, 2);
    let events = vec![
        cas.clone(),
        cas.info(),
        w.clone(),
        w.ok(),
        r.clone(),
        r.ok_read(2),
    ];
    assert_eq!(verdict(events), Verdict::NotLinearizable);
}

// ---- keys ----

#[test]
fn keys_are_checked_independently() {
    let wx = Event::invoke_write(0, "x", 1);
    let ry = Event::invoke_read(1, "y");
    let rx = Event::invoke_read(1, "x");
    // Reading y never sees x's write.
    let report = check(&History {
        events: vec![
            wx.clone(),
            wx.ok(),
            ry.clone(),
            ry.ok_read(1),
            rx.clone(),
            rx.ok_read(1),
        ],
    });
    assert_eq!(report.verdict, Verdict::NotLinearizable);
    assert_eq!(report.keys, 2);
    assert_eq!(report.key_results.len(), 1);
    assert_eq!(report.key_results[0].key, Some(Value::from("y")));
    assert_eq!(report.explanation.unwrap().key, Some(Value::from("y")));
    // A key of one register and keyless events are different registers too.
    let w = Event::invoke_write(0, "x", 1).without_key();
    let events = vec![w.clone(), w.ok(), rx.clone(), rx.ok_read(Value::Nil)];
    assert_eq!(verdict(events), Verdict::Linearizable);
}

// ---- pruning of info writes ----

/// The pruning rule must not drop an `info` write whose only role is to explain a cas
/// whose compare failed: the register held 1 when the cas ran, unless the unread `info`
/// write of 2 had taken effect first.
#[test]
fn info_write_explaining_a_failed_cas() {
    let w = Event::invoke_write(0, "x", 1);
    let info = Event::invoke_write(1, "x", 2);
    let cas = Event::invoke_cas(2, "x", 1, 3);
    let events = vec![
        w.clone(),
        w.ok(),
        info.clone(),
        info.info(),
        cas.clone(),
        cas.cas_failed(),
    ];
    assert_eq!(verdict(events), Verdict::Linearizable);
    // Without the info write (or with it invoked too late), the failed compare is a violation.
    let events = vec![
        w.clone(),
        w.ok(),
        cas.clone(),
        cas.cas_failed(),
        info.clone(),
        info.info(),
    ];
    assert_eq!(verdict(events), Verdict::NotLinearizable);
    let events = vec![w.clone(), w.ok(), cas.clone(), cas.cas_failed()];
    assert_eq!(verdict(events), Verdict::NotLinearizable);
}

#[test]
fn unread_info_writes_are_pruned_without_changing_verdicts() {
    // Fifty info writes nobody reads, then a stale read: still a violation, found fast.
    let mut events = Vec::new();
    for p in 0..50 {
        events.push(Event::invoke_write(100 + p, "x", 1000 + p as i64));
    }
    let (w1, w2, r) = (
        Event::invoke_write(0, "x", 1),
        Event::invoke_write(0, "x", 2),
        Event::invoke_read(1, "x"),
    );
    events.extend([
        w1.clone(),
        w1.ok(),
        w2.clone(),
        w2.ok(),
        r.clone(),
        r.ok_read(1),
    ]);
    let report = check(&History { events });
    assert_eq!(report.verdict, Verdict::NotLinearizable);
    assert!(report.steps < 100, "{} steps", report.steps);
}

// ---- budgets ----

/// Twelve concurrent writes of distinct values, then reads that see 1, then 2, then 1
/// again: impossible, but only an exhaustive search over the writes' orders can tell.
fn hard_history() -> History {
    let mut events = Vec::new();
    let writes: Vec<Event> = (0..12)
        .map(|p| Event::invoke_write(p, "x", p as i64 + 1))
        .collect();
    events.extend(writes.iter().cloned());
    events.extend(writes.iter().map(Event::ok));
    for (p, v) in [(20, 1), (21, 2), (22, 1)] {
        let r = Event::invoke_read(p, "x");
        events.extend([r.clone(), r.ok_read(v)]);
    }
    History { events }
}

#[test]
fn a_small_step_budget_gives_unknown_and_no_budget_decides() {
    let history = hard_history();
    let options = CheckOptions {
        max_steps: 50,
        out_of_time: None,
    };
    let report = check_linearizable(&history, &options).unwrap();
    assert_eq!(report.verdict, Verdict::Unknown);
    assert_eq!(report.key_results[0].verdict, Verdict::Unknown);
    assert!(report.key_results[0].message.contains("step budget"));
    assert!(report.explanation.is_none());
    assert_eq!(check(&history).verdict, Verdict::NotLinearizable);
}

#[test]
fn a_clock_that_has_run_out_gives_unknown() {
    let always = || true;
    let options = CheckOptions {
        max_steps: 0,
        out_of_time: Some(&always),
    };
    let report = check_linearizable(&hard_history(), &options).unwrap();
    assert_eq!(report.verdict, Verdict::Unknown);
    assert!(report.key_results[0].message.contains("time allowed"));
}

// ---- explanations ----

#[test]
fn the_explanation_names_the_prefix_and_the_blocked_operations() {
    let w1 = Event::invoke_write(0, "x", 1).with_op(11);
    let w2 = Event::invoke_write(0, "x", 2).with_op(12);
    let r = Event::invoke_read(1, "x").with_op(13);
    let report = check(&History {
        events: vec![
            w1.clone(),
            w1.ok(),
            w2.clone(),
            w2.ok(),
            r.clone(),
            r.ok_read(1),
        ],
    });
    let e = report.explanation.expect("an explanation");
    assert_eq!(e.key, Some(Value::from("x")));
    assert_eq!(e.prefix_length, 2);
    let prefix: Vec<_> = e
        .prefix
        .iter()
        .map(|p| {
            (
                p.op.description.as_str(),
                p.op.invoke,
                p.op.completion,
                p.op.op,
                p.register.clone(),
            )
        })
        .collect();
    assert_eq!(
        prefix,
        vec![
            ("write 1", 0, Some(1), Some(11), Value::Int(1)),
            ("write 2", 2, Some(3), Some(12), Value::Int(2)),
        ]
    );
    assert_eq!(e.register, Value::Int(2));
    assert_eq!(e.blocked.len(), 1);
    assert_eq!((e.blocked[0].op.invoke, e.blocked[0].op.op), (4, Some(13)));
    assert_eq!(
        e.blocked[0].reason,
        "read returned 1 but the register held 2"
    );
    assert_eq!(
        e.message,
        "Key \"x\" is not linearizable. The longest linearizable prefix the search found places \
         2 operations, the last being process 0's write 2 (events 2 to 3), and leaves the \
         register holding 2. The one operation that must come next cannot: process 1's read 1 \
         (events 4 to 5): read returned 1 but the register held 2."
    );
    assert_eq!(report.key_results[0].message, e.message);
}

#[test]
fn the_explanation_lists_every_candidate_and_keeps_the_prefix_short() {
    // 30 sequential writes, then a cas and a read that both need the value 5.
    let mut events = Vec::new();
    for v in 1..=30 {
        let w = Event::invoke_write(0, "k", v);
        events.extend([w.clone(), w.ok()]);
    }
    let cas = Event::invoke_cas(1, "k", 5, 6);
    let r = Event::invoke_read(2, "k");
    events.extend([cas.clone(), r.clone(), r.ok_read(5), cas.ok()]);
    let e = explanation(events);
    assert_eq!(e.prefix_length, 30);
    assert_eq!(e.prefix.len(), 20);
    assert_eq!(e.prefix[19].op.description, "write 30");
    let reasons: Vec<_> = e.blocked.iter().map(|b| b.reason.as_str()).collect();
    assert_eq!(
        reasons,
        vec![
            "cas expected 5 but the register held 30",
            "read returned 5 but the register held 30"
        ]
    );
    assert!(e
        .message
        .contains("None of the 2 operations that could come next can"));
}

#[test]
fn a_failed_compare_is_explained() {
    let w = Event::invoke_write(0, "x", 1);
    let cas = Event::invoke_cas(1, "x", 1, 2);
    let e = explanation(vec![w.clone(), w.ok(), cas.clone(), cas.cas_failed()]);
    assert_eq!(e.blocked[0].op.description, "cas [1, 2], compare failed");
    assert_eq!(
        e.blocked[0].reason,
        "cas reported that the register did not hold 1, but it did"
    );
}

#[test]
fn reports_serialise_in_camel_case_with_kebab_verdicts() {
    let w = Event::invoke_write(0, "x", 1);
    let r = Event::invoke_read(1, "x");
    let report = check(&History {
        events: vec![w.clone(), w.ok(), r.clone(), r.ok_read(2)],
    });
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["verdict"], "not-linearizable");
    assert_eq!(json["explanation"]["prefixLength"], 1);
    assert_eq!(json["explanation"]["blocked"][0]["op"]["f"], "read");
    assert_eq!(json["explanation"]["blocked"][0]["op"]["outcome"], "ok");
    assert_eq!(json["keyResults"][0]["key"], "x");
}

// ---- the parser ----

#[test]
fn each_problem_is_named_by_its_path() {
    let cases = [
        (
            r#"[{"process": 0, "type": "invoke", "f": "read"}, {"process": 0, "type": "okay", "f": "read"}]"#,
            r#"[1].type: expected invoke, ok, fail or info (got "okay")"#,
        ),
        (
            r#"[{"process": 0, "type": "invoke", "f": "cas", "value": 3}]"#,
            "[0].value: a cas value is [expected, new]",
        ),
        (
            r#"[{"process": 0, "type": "invoke", "f": "cas"}]"#,
            "[0].value: a cas value is [expected, new]",
        ),
        (
            r#"[{"process": 2, "type": "ok", "f": "read", "value": 1}]"#,
            "[0]: process 2 completes an operation it never invoked",
        ),
        (
            r#"[{"process": 1, "type": "invoke", "f": "read"}, {"process": 1, "type": "invoke", "f": "read"}]"#,
            "[1]: process 1 invokes while its operation at [0] is still open",
        ),
        (
            r#"[{"process": 1, "type": "invoke", "f": "read"}, {"process": 1, "type": "ok", "f": "write", "value": 1}]"#,
            "[1].f: completes a write but [0] invoked a read",
        ),
        (
            r#"[{"process": 1, "type": "invoke", "f": "read", "key": "x"}, {"process": 1, "type": "ok", "f": "read", "key": "y"}]"#,
            r#"[1].key: completes an operation on "y" but [0] invoked it on "x""#,
        ),
        (
            r#"[{"process": 1, "type": "invoke", "f": "write", "value": 1}, {"process": 1, "type": "ok", "f": "write", "value": 2}]"#,
            "[1].value: completes with 2 but [0] invoked write 1",
        ),
        (
            r#"[{"process": 1, "type": "invoke", "f": "read", "colour": "red"}]"#,
            "[0].colour: unknown field (known: process, type, f, key, value, result, time, node, op, index, error)",
        ),
        (
            r#"[{"type": "invoke", "f": "read"}]"#,
            r#"[0]: missing field "process""#,
        ),
        (
            r#"[{"process": "nemesis", "type": "info", "f": "read"}]"#,
            r#"[0].process: expected a process number (got "nemesis")"#,
        ),
        (
            r#"[{"process": 0, "type": "invoke", "f": "incr"}]"#,
            r#"[0].f: expected read, write or cas (got "incr")"#,
        ),
        (
            r#"[{"process": 0, "type": "invoke", "f": "write", "value": 1.5}]"#,
            "[0].value: a value is an integer from -2^63 to 2^63-1, a string or null (got 1.5)",
        ),
        (
            r#"[{"process": 0, "type": "invoke", "f": "write", "value": [1, 2]}]"#,
            "[0].value: a value is an integer, a string or null (only a cas value is a pair)",
        ),
        (
            r#"[{"process": 0, "type": "invoke", "f": "read", "key": null}]"#,
            "[0].key: a key is an integer or a string",
        ),
        (
            r#"[{"process": 0, "type": "invoke", "f": "read", "result": true}]"#,
            "[0].result: only a cas completion has a result",
        ),
        (
            r#"[{"process": 0, "type": "invoke", "f": "read", "time": "noon"}]"#,
            r#"[0].time: expected an integer number of nanoseconds (got "noon")"#,
        ),
        (r#"[3]"#, "[0]: expected an event object (got 3)"),
        (r#"{"a": 1"#, "line 1: EOF while parsing an object at column 7"),
        ("", "no events"),
    ];
    for (text, expected) in cases {
        let errors = errors(text);
        assert!(
            errors.iter().any(|e| e.starts_with(expected)),
            "{text}\n  expected: {expected}\n  got: {errors:?}"
        );
    }
}

#[test]
fn every_problem_is_collected() {
    let text = r#"[
        {"process": 0, "type": "invoke", "f": "write", "value": 1},
        {"process": 1, "type": "okay", "f": "read"},
        {"process": 2, "type": "ok", "f": "read"},
        {"process": 0, "type": "invoke", "f": "cas", "value": 7},
        {"process": 3, "type": "invoke", "f": "read", "extra": 1}
    ]"#;
    assert_eq!(
        errors(text),
        vec![
            r#"[1].type: expected invoke, ok, fail or info (got "okay")"#,
            "[3].value: a cas value is [expected, new]",
            "[4].extra: unknown field (known: process, type, f, key, value, result, time, node, op, index, error)",
            "[2]: process 2 completes an operation it never invoked",
        ]
    );
}

#[test]
fn a_broken_event_does_not_cascade_into_pairing_errors() {
    let text = r#"[{"process": 1, "type": "invoke", "f": "reed"},
                   {"process": 1, "type": "ok", "f": "read", "value": 1},
                   {"process": 1, "type": "invoke", "f": "read"},
                   {"process": 1, "type": "ok", "f": "read", "value": 1}]"#;
    assert_eq!(
        errors(text),
        vec![r#"[0].f: expected read, write or cas (got "reed")"#]
    );
}

#[test]
fn json_lines_name_lines_and_skip_blank_ones() {
    let text = "{\"process\": 0, \"type\": \"invoke\", \"f\": \"write\", \"value\": 1}\n\n\
                {\"process\": 0, \"type\": \"ok\", \"f\": \"write\", \"value\": 1, \"index\": 1, \"error\": \"none\"}\n\
                {\"process\": 1, \"type\": \"invoke\", \"f\": \"read\", \"time\": 5}\n\
                {\"process\": 1, \"type\": \"ok\", \"f\": \"read\", \"value\": 1, \"node\": 2, \"op\": 9}\n";
    let history = History::from_json(text).unwrap();
    assert_eq!(history.events.len(), 4);
    assert_eq!(history.events[2].time, Some(5));
    assert_eq!(
        (history.events[3].node, history.events[3].op),
        (Some(2), Some(9))
    );
    assert_eq!(check(&history).verdict, Verdict::Linearizable);

    let bad = "{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\"}\n\n\
               {\"process\": 0, \"type\": \"ok\", \"f\": \"read\", \"value\": {}}\n\
               {\"process\": 1, \"type\": \"ok\", \"f\": \"read\"}\n\
               {\"process\": 5,,}\n";
    assert_eq!(
        errors(bad),
        vec!["line 5: key must be a string at column 15"]
    );
    let bad = bad.replace("{\"process\": 5,,}\n", "");
    assert_eq!(
        errors(&bad),
        vec![
            "line 3.value: a value is an integer, a string or null (got {})",
            "line 4: process 1 completes an operation it never invoked",
        ]
    );
    let open = "{\"process\": 1, \"type\": \"invoke\", \"f\": \"read\"}\n\
                {\"process\": 1, \"type\": \"invoke\", \"f\": \"read\"}";
    assert_eq!(
        errors(open),
        vec!["line 2: process 1 invokes while its operation at line 1 is still open"]
    );
}

#[test]
fn to_json_round_trips() {
    let history = History::from_json(BRIEF_EXAMPLE).unwrap();
    let text = history.to_json();
    assert_eq!(History::from_json(&text).unwrap(), history);
    assert!(text
        .contains(r#"{"process":1,"type":"ok","f":"cas","key":"x","value":[3,4],"result":false}"#));
    let generated = linearizable_history(&GenOptions {
        keys: 3,
        ..GenOptions::etcd_like(9)
    });
    assert_eq!(History::from_json(&generated.to_json()).unwrap(), generated);
}

// ---- generated histories ----

#[test]
fn the_benchmark_histories_are_linearizable() {
    for o in [GenOptions::etcd_like(1), GenOptions::big(1)] {
        let report = check(&linearizable_history(&o));
        assert_eq!(report.verdict, Verdict::Linearizable, "{o:?}: {report:?}");
    }
}

/// Makes one `ok` read return a value that no operation ever wrote: certainly a violation.
fn corrupt_a_read(history: &mut History, pick: usize) -> bool {
    let reads: Vec<usize> = (0..history.events.len())
        .filter(|&i| {
            let e = &history.events[i];
            e.kind == replica_lab::checks::history::EventType::Ok
                && e.f == replica_lab::checks::history::Function::Read
        })
        .collect();
    if reads.is_empty() {
        return false;
    }
    history.events[reads[pick % reads.len()]].value = Value::Int(-1);
    true
}

/// Makes one `ok` read return the value of a write invoked only after the read returned
/// (values are fresh, so that write is the value's only writer): certainly a violation.
fn read_from_the_future(history: &mut History, pick: usize) -> bool {
    use replica_lab::checks::history::{Action, Outcome};
    let ops = history.operations().unwrap();
    let reads: Vec<_> = ops
        .iter()
        .filter(|op| op.outcome == Outcome::Ok && matches!(op.action, Action::Read { .. }))
        .collect();
    let Some(read) = reads.get(pick % reads.len().max(1)) else {
        return false;
    };
    let done = read.completion.unwrap();
    let later_write = ops.iter().find_map(|op| match &op.action {
        Action::Write(v) if op.call > done => Some(v.clone()),
        _ => None,
    });
    let Some(value) = later_write else {
        return false;
    };
    history.events[done].value = value;
    true
}

/// Makes one `ok` read return the value of a write W that was overwritten before the read
/// began: W returned before another write W2 was invoked, and W2 returned before the read
/// was invoked. Values are fresh, so nothing else writes W's value: certainly a violation,
/// and one only the search can find (W's value was written before the read).
fn stale_read(history: &mut History, pick: usize) -> bool {
    use replica_lab::checks::history::{Action, Outcome};
    let ops = history.operations().unwrap();
    let ok_write = |op: &&replica_lab::checks::history::Operation| {
        op.outcome == Outcome::Ok && matches!(op.action, Action::Write(_))
    };
    let reads: Vec<_> = ops
        .iter()
        .filter(|op| op.outcome == Outcome::Ok && matches!(op.action, Action::Read { .. }))
        .collect();
    let Some(read) = reads.get(pick % reads.len().max(1)) else {
        return false;
    };
    let Some(w2) = ops
        .iter()
        .filter(ok_write)
        .rfind(|w| w.completion < Some(read.call))
    else {
        return false;
    };
    let Some(w) = ops
        .iter()
        .filter(ok_write)
        .find(|w| w.completion < Some(w2.call))
    else {
        return false;
    };
    let Action::Write(value) = &w.action else {
        return false;
    };
    history.events[read.completion.unwrap()].value = value.clone();
    true
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sequential_histories_are_linearizable(seed in any::<u64>(), ops in 1u32..200, values in 0u32..4) {
        let o = GenOptions { clients: 1, operations: ops, values, info: 0, ..GenOptions::etcd_like(seed) };
        let report = check(&linearizable_history(&o));
        prop_assert_eq!(report.verdict, Verdict::Linearizable);
    }

    #[test]
    fn concurrent_histories_with_info_are_linearizable(
        seed in any::<u64>(), clients in 1u32..8, ops in 1u32..300, values in 0u32..6, keys in 1u32..3,
    ) {
        let o = GenOptions { clients, operations: ops, values, keys, ..GenOptions::etcd_like(seed) };
        let report = check(&linearizable_history(&o));
        prop_assert_eq!(report.verdict, Verdict::Linearizable, "{:?}", report);
    }

    #[test]
    fn a_read_of_an_unwritten_value_is_caught(seed in any::<u64>(), clients in 1u32..8, pick in any::<usize>()) {
        let o = GenOptions { clients, operations: 150, ..GenOptions::etcd_like(seed) };
        let mut history = linearizable_history(&o);
        prop_assume!(corrupt_a_read(&mut history, pick));
        prop_assert_eq!(check(&history).verdict, Verdict::NotLinearizable);
    }

    #[test]
    fn a_read_from_the_future_is_caught(seed in any::<u64>(), clients in 1u32..8, pick in any::<usize>()) {
        let o = GenOptions { clients, operations: 150, values: 0, fail: 50_000, ..GenOptions::etcd_like(seed) };
        let mut history = linearizable_history(&o);
        prop_assume!(read_from_the_future(&mut history, pick));
        prop_assert_eq!(check(&history).verdict, Verdict::NotLinearizable);
    }

    #[test]
    fn a_stale_read_is_caught(seed in any::<u64>(), clients in 1u32..8, pick in any::<usize>()) {
        let o = GenOptions { clients, operations: 150, values: 0, ..GenOptions::etcd_like(seed) };
        let mut history = linearizable_history(&o);
        prop_assume!(stale_read(&mut history, pick));
        let report = check(&history);
        prop_assert_eq!(report.verdict, Verdict::NotLinearizable);
        prop_assert!(!report.explanation.unwrap().blocked.is_empty());
    }

    #[test]
    fn arbitrary_json_gives_a_history_or_errors(json in arbitrary_json()) {
        let text = json.to_string();
        let _ = History::from_json(&text);
        let _ = History::from_json(&format!("[{text}]"));
        let _ = History::from_json(&text.replace(',', "\n"));
    }

    #[test]
    fn arbitrary_events_never_panic(events in prop::collection::vec(arbitrary_event(), 0..40)) {
        let history = History { events };
        if let Ok(report) = check_linearizable(&history, &CheckOptions { max_steps: 10_000, out_of_time: None }) {
            prop_assert!(report.keys <= 3);
        }
        let text = history.to_json();
        prop_assert_eq!(History::from_json(&text).ok().map(|h| h == history).unwrap_or(true), true);
    }
}

fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{json, Value as J};
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::from),
        any::<i64>().prop_map(J::from),
        (-1e6f64..1e6).prop_map(J::from),
        prop_oneof![
            Just("invoke"),
            Just("ok"),
            Just("fail"),
            Just("info"),
            Just("read"),
            Just("write"),
            Just("cas"),
            Just("x"),
            Just("")
        ]
        .prop_map(J::from),
    ];
    let field = prop_oneof![
        Just("process"),
        Just("type"),
        Just("f"),
        Just("key"),
        Just("value"),
        Just("result"),
        Just("time"),
        Just("node"),
        Just("op"),
        Just("index"),
        Just("zz")
    ];
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(J::Array),
            prop::collection::vec((field.clone(), inner), 0..8).prop_map(|fields| {
                let mut map = serde_json::Map::new();
                for (k, v) in fields {
                    map.insert(k.to_string(), v);
                }
                J::Object(map)
            }),
        ]
    })
    .prop_map(|v| if v.is_array() { v } else { json!([v]) })
}

fn arbitrary_event() -> impl Strategy<Value = Event> {
    use replica_lab::checks::history::EventType;
    (0u64..4, 0u8..6, 0u8..3, 0i64..3, 0i64..3, 0u8..3).prop_map(|(p, kind, f, key, v, extra)| {
        let key = Value::Int(key);
        let invoke = match f {
            0 => Event::invoke_read(p, key),
            1 => Event::invoke_write(p, key, v),
            _ => Event::invoke_cas(p, key, v, (v + 1) % 3),
        };
        let event = match kind {
            0 | 1 => invoke,
            2 => invoke.ok_read(v),
            3 => invoke.fail(),
            4 => invoke.info(),
            _ => invoke.cas_failed(),
        };
        match extra {
            0 => event,
            1 => Event {
                kind: EventType::Ok,
                ..event
            }
            .without_key(),
            _ => Event {
                cas_new: None,
                ..event
            },
        }
    })
}

// ---- agreement with a brute-force checker ----

/// Linearizability by exhaustive search, with none of the checker's machinery: try every
/// order of operations that respects real time; an `info` operation may be left out (it
/// never took effect) or placed anywhere after its invoke.
fn brute_force_linearizable(history: &History) -> bool {
    use replica_lab::checks::history::{Action, Operation, Outcome};
    use std::collections::BTreeMap;
    let ops = history.operations().unwrap();
    let mut keys: BTreeMap<Option<Value>, Vec<Operation>> = BTreeMap::new();
    for op in ops {
        let useless = op.outcome == Outcome::Fail
            || (op.outcome == Outcome::Info && matches!(op.action, Action::Read { .. }));
        if !useless {
            keys.entry(op.key.clone()).or_default().push(op);
        }
    }
    fn ret(op: &Operation) -> usize {
        op.returned_at().unwrap_or(usize::MAX)
    }
    fn search(ops: &[Operation], placed: &mut Vec<bool>, state: &Value) -> bool {
        let pending = |placed: &[bool], i: usize| !placed[i] && ops[i].outcome == Outcome::Ok;
        if !(0..ops.len()).any(|i| pending(placed, i)) {
            return true;
        }
        for i in 0..ops.len() {
            let blocked =
                (0..ops.len()).any(|j| pending(placed, j) && j != i && ret(&ops[j]) < ops[i].call);
            if placed[i] || blocked {
                continue;
            }
            let info = ops[i].outcome == Outcome::Info;
            let next = match &ops[i].action {
                Action::Read { returned } => {
                    (returned.as_ref() == Some(state)).then(|| state.clone())
                }
                Action::Write(v) => Some(v.clone()),
                Action::Cas {
                    expected,
                    new,
                    result,
                } => match (info, *result) {
                    (true, _) => Some(if expected == state {
                        new.clone()
                    } else {
                        state.clone()
                    }),
                    (false, Some(false)) => (expected != state).then(|| state.clone()),
                    (false, _) => (expected == state).then(|| new.clone()),
                },
            };
            if let Some(next) = next {
                placed[i] = true;
                if search(ops, placed, &next) {
                    return true;
                }
                placed[i] = false;
            }
        }
        false
    }
    keys.values()
        .all(|ops| search(ops, &mut vec![false; ops.len()], &Value::Nil))
}

/// A small random history: processes invoke and complete operations in a random
/// interleaving with random outcomes and values, so many are not linearizable.
fn random_history() -> impl Strategy<Value = History> {
    prop::collection::vec((0u64..3, 0u8..12, 0i64..3, 0u8..2), 2..18).prop_map(|steps| {
        use replica_lab::checks::history::{Event, EventType};
        let mut open: [Option<Event>; 3] = [None, None, None];
        let mut history = History::new();
        for (p, choice, v, key) in steps {
            let key = Value::Int(i64::from(key));
            let value = if v == 0 { Value::Nil } else { Value::Int(v) };
            let event = match open[p as usize].take() {
                None => {
                    let invoke = match choice % 3 {
                        0 => Event::invoke_read(p, key),
                        1 => Event::invoke_write(p, key, value),
                        _ => Event::invoke_cas(p, key, value, (v + 1) % 3),
                    };
                    open[p as usize] = Some(invoke.clone());
                    invoke
                }
                Some(invoke) => match (choice, invoke.f) {
                    (0..=1, _) => invoke.info(),
                    (2, _) => invoke.fail(),
                    (3..=4, replica_lab::checks::history::Function::Cas) => invoke.cas_failed(),
                    (_, replica_lab::checks::history::Function::Read) => invoke.ok_read(value),
                    _ => invoke.ok(),
                },
            };
            debug_assert!(event.kind == EventType::Invoke || open[p as usize].is_none());
            history.push(event);
        }
        history
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn agrees_with_brute_force(history in random_history()) {
        let expected = brute_force_linearizable(&history);
        let report = check(&history);
        let linearizable = report.verdict == Verdict::Linearizable;
        prop_assert_eq!(linearizable, expected, "{}\n{:?}", history.to_json(), report);
    }
}

/// Harder shapes than the benchmark's, for the notes in BENCHMARKS.md (timings, so not a
/// pass/fail test): `cargo test --profile bench --test checker -- --ignored --nocapture`.
/// It also writes the benchmark's two histories to the temporary directory, for the CLI.
#[test]
#[ignore]
fn harder_histories_report() {
    for (name, options) in [
        ("big", GenOptions::big(1)),
        ("etcd", GenOptions::etcd_like(1)),
    ] {
        let path = std::env::temp_dir().join(format!("replica-lab-checker-{name}.json"));
        std::fs::write(&path, linearizable_history(&options).to_json()).unwrap();
        println!("wrote {}", path.display());
    }
    let big = GenOptions::big(0);
    let shapes = [
        ("10k ops, 5% info (the benchmark)", big),
        (
            "10k ops, 10% info",
            GenOptions {
                info: 100_000,
                ..big
            },
        ),
        (
            "10k ops, 20% info",
            GenOptions {
                info: 200_000,
                ..big
            },
        ),
        ("10k ops, values 1 to 5", GenOptions { values: 5, ..big }),
        ("10k ops, no cas", GenOptions { cas: 0, ..big }),
        (
            "1k ops, 20% info",
            GenOptions {
                info: 200_000,
                operations: 1000,
                ..big
            },
        ),
    ];
    for (name, shape) in shapes {
        let (mut decided, mut worst_ms, mut worst_steps) = (0, 0.0f64, 0);
        for seed in 1..=5 {
            let history = linearizable_history(&GenOptions { seed, ..shape });
            let started = std::time::Instant::now();
            let options = CheckOptions {
                max_steps: 5_000_000,
                out_of_time: None,
            };
            let report = check_linearizable(&history, &options).unwrap();
            worst_ms = worst_ms.max(started.elapsed().as_secs_f64() * 1e3);
            worst_steps = worst_steps.max(report.steps);
            assert_ne!(
                report.verdict,
                Verdict::NotLinearizable,
                "{name}, seed {seed}"
            );
            decided += usize::from(report.verdict == Verdict::Linearizable);
        }
        println!("{name}: {decided}/5 decided within 5M steps; worst {worst_ms:.1} ms, {worst_steps} steps");
    }
}
