use super::*;

fn plan() -> (Plan, Vec<TenantUser>) {
    (fixtures::plan(), fixtures::tenant())
}

#[test]
fn accept_all_exact_maps_only_exact_evidence() {
    let (mut p, _) = plan();
    assert_eq!(p.summary().left, 5);
    assert_eq!(p.accept_all_exact(), 1);
    assert_eq!(
        p.rows[0].decision,
        Decision::Map {
            target_id: "id-ann".into(),
            target_upn: "ann@fabrikam.com".into()
        }
    );
    // Carl matches only through otherMails: High, never auto-accepted.
    assert_eq!(p.rows[1].decision, Decision::Undecided);
    assert_eq!(p.rows[1].best().unwrap().tenant_user_id, "id-carl");
    let s = p.summary();
    assert_eq!((s.mapped, s.to_invite, s.skipped, s.left), (1, 0, 0, 4));
}

#[test]
fn one_account_stands_for_one_user() {
    let (mut p, _) = plan();
    p.accept(0, 0).unwrap();
    let err = p.map_to(2, "id-ann", "ann@fabrikam.com").unwrap_err();
    assert!(matches!(err, DecisionError::TargetTaken { .. }), "{err}");
    assert!(err.to_string().contains("Ann Berg"));
    // Accept-all skips a target already chosen by hand.
    p.clear(0).unwrap();
    p.map_to(2, "id-ann", "ann@fabrikam.com").unwrap();
    assert_eq!(p.accept_all_exact(), 0);
}

#[test]
fn reject_hides_the_suggestion_and_accept_all_respects_it() {
    let (mut p, _) = plan();
    p.reject(0).unwrap();
    assert!(p.rows[0].best().is_none());
    assert_eq!(p.accept_all_exact(), 0);
    assert_eq!(p.accept(0, 0), Err(DecisionError::NoSuggestion(0)));
}

#[test]
fn invite_needs_an_address_and_jobs_follow_decisions() {
    let (mut p, _) = plan();
    p.invite(3).unwrap();
    assert!(matches!(p.invite(4), Err(DecisionError::BadEmail { .. })));
    p.skip(4).unwrap();
    p.accept(1, 0).unwrap();
    let jobs = p.jobs();
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0].descriptor, "msa.carl");
    assert_eq!(
        jobs[1].kind,
        JobKind::Invite {
            email: "frank@gmail.com".into()
        }
    );
    assert_eq!(jobs[1].map_step(), "map:msa.frank");
}

#[test]
fn filter_finds_names_addresses_and_actions() {
    let (mut p, _) = plan();
    p.skip(3).unwrap();
    assert!(p.rows[1].matches_filter("outlook"));
    assert!(p.rows[1].matches_filter("carl@fab"));
    assert!(p.rows[3].matches_filter("skip"));
    assert!(!p.rows[0].matches_filter("zzz"));
}

#[test]
fn csv_round_trips_and_defuses_formulas() {
    let (mut p, t) = plan();
    p.accept_all_exact();
    p.invite(3).unwrap();
    p.skip(4).unwrap();
    let text = to_csv(&p);
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), CSV_COLUMNS.join(","));
    assert!(text.contains("'=HYPERLINK"), "{text}");
    // Carl's undecided row carries its best suggestion for the reviewer.
    let carl = text.lines().find(|l| l.starts_with("msa.carl")).unwrap();
    assert!(
        carl.contains(",review,carl@fabrikam.com,id-carl,high,"),
        "{carl}"
    );
    let dir = Directory::new(&t);
    let decisions = parse_csv("plan.csv", text.as_bytes(), &p, &dir, &HashSet::new()).unwrap();
    let mut q = p.clone();
    for r in &mut q.rows {
        r.decision = Decision::Undecided;
    }
    q.apply_decisions(decisions);
    assert_eq!(
        q.rows.iter().map(|r| &r.decision).collect::<Vec<_>>(),
        p.rows.iter().map(|r| &r.decision).collect::<Vec<_>>()
    );
}

#[test]
fn edited_review_row_becomes_a_mapping() {
    let (p, t) = plan();
    let text = to_csv(&p).replace(",review,carl@fabrikam.com", ",map,carl@fabrikam.com");
    let d = parse_csv(
        "p.csv",
        text.as_bytes(),
        &p,
        &Directory::new(&t),
        &HashSet::new(),
    )
    .unwrap();
    assert!(d.contains(&(
        1,
        Decision::Map {
            target_id: "id-carl".into(),
            target_upn: "carl@fabrikam.com".into()
        }
    )));
}

#[test]
fn every_bad_row_is_reported_with_its_line_and_nothing_is_returned() {
    let (p, t) = plan();
    let text = "\u{feff}descriptor,msa_email,display_name,action,target_upn,target_object_id,confidence,reason\n\
msa.ann,ann@fabrikam.com,Ann,map,ann@fabrikam.com,,,\n\
msa.ghost,g@x.com,Ghost,skip,,,,\n\
msa.carl,c@x.com,Carl,map,ann@fabrikam.com,,,\n\
msa.erik,erik.l@gmail.com,Erik,map,nobody@fabrikam.com,,,\n\
msa.frank,not-an-email,Frank,invite,,,,\n\
msa.noone,,X,promote,,,,\n\
msa.ann,,Ann again,skip,,,,\n\
\n\
msa.gina,,\"multi\nline\",map,,id-missing,,\n";
    let err = parse_csv(
        "plan.csv",
        text.as_bytes(),
        &p,
        &Directory::new(&t),
        &HashSet::new(),
    )
    .unwrap_err();
    let lines: Vec<(u64, Option<&str>)> = err.problems.iter().map(|p| (p.line, p.column)).collect();
    assert_eq!(
        lines,
        vec![
            (3, Some("descriptor")),
            (4, Some("target_object_id")),
            (5, Some("target_upn")),
            (6, Some("msa_email")),
            (7, Some("action")),
            (8, Some("descriptor")),
            (10, Some("descriptor")),
        ],
        "{err}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("plan.csv:line 4, column target_object_id: duplicate target"),
        "{msg}"
    );
    assert!(msg.contains("nothing was applied"));
    assert!(msg.contains("unknown user \"msa.ghost\""));
}

#[test]
fn header_problems_and_taken_targets() {
    let (p, t) = plan();
    let err = parse_csv(
        "p.csv",
        b"name,email\nx,y\n",
        &p,
        &Directory::new(&t),
        &HashSet::new(),
    )
    .unwrap_err();
    assert!(err.problems.iter().all(|p| p.line == 1));
    assert!(err.to_string().contains("no 'descriptor' column"));
    let text = format!("{}\nmsa.erik,,,map,,id-gina,,\n", CSV_COLUMNS.join(","));
    let taken: HashSet<String> = ["id-gina".to_string()].into();
    let err = parse_csv("p.csv", text.as_bytes(), &p, &Directory::new(&t), &taken).unwrap_err();
    assert!(
        err.to_string()
            .contains("already has access as another user"),
        "{err}"
    );
    // Not UTF-8.
    let bytes = [
        CSV_COLUMNS.join(",").as_bytes(),
        b"\nmsa.erik,\xff\xfe,,skip,,,,\n",
    ]
    .concat();
    let err = parse_csv("p.csv", &bytes, &p, &Directory::new(&t), &HashSet::new()).unwrap_err();
    assert_eq!(err.problems[0].line, 2);
    assert!(err.to_string().contains("UTF-8"));
}

#[test]
fn problem_lists_are_capped() {
    let (p, t) = plan();
    let mut text = CSV_COLUMNS.join(",");
    for i in 0..250 {
        text.push_str(&format!("\nmsa.x{i},,,skip,,,,"));
    }
    let err = parse_csv(
        "p.csv",
        text.as_bytes(),
        &p,
        &Directory::new(&t),
        &HashSet::new(),
    )
    .unwrap_err();
    assert_eq!(err.problems.len(), MAX_PROBLEMS);
    assert_eq!(err.more, 150);
    assert!(err.to_string().contains("and 150 more"));
}

/// A row as the reviewer sees it: descriptor, first suggestion, its
/// confidence, flags.
type Seen<'a> = (&'a str, Option<&'a str>, Option<Confidence>, Vec<MatchFlag>);

fn rows_of(p: &Plan) -> Vec<Seen<'_>> {
    p.rows
        .iter()
        .map(|r| {
            (
                r.descriptor.as_str(),
                r.best().map(|b| b.tenant_user_id.as_str()),
                r.best().map(|b| b.confidence),
                r.flags.clone(),
            )
        })
        .collect()
}

#[test]
fn accept_all_exact_takes_only_what_the_rules_call_exact_among_traps() {
    use Confidence::*;
    use MatchFlag::*;
    let mut p = fixtures::trap_plan();
    assert_eq!(
        rows_of(&p),
        vec![
            ("msa.ann", Some("id-ann"), Some(Exact), vec![]),
            // The member account, not the guest copy holding the address.
            ("msa.anna", Some("id-anna"), Some(Medium), vec![]),
            // His own (disabled) account first; Bradley's alias competes.
            (
                "msa.bob",
                Some("id-brown"),
                Some(Low),
                vec![Ambiguous, BestCandidateDisabled]
            ),
            (
                "msa.dana",
                Some("id-dana"),
                Some(Low),
                vec![BestCandidateDisabled]
            ),
            // The person, not his admin account holding his address.
            ("msa.erik", Some("id-erik"), Some(Medium), vec![]),
            ("msa.kim", Some("id-kim"), Some(Medium), vec![NameDisagrees]),
        ]
    );
    assert_eq!(p.accept_all_exact(), 1);
    let mapped: Vec<&str> = p
        .rows
        .iter()
        .filter(|r| matches!(r.decision, Decision::Map { .. }))
        .map(|r| r.descriptor.as_str())
        .collect();
    assert_eq!(mapped, ["msa.ann"]);
    // Every row A skipped says why in its confidence word or flags.
    for r in &p.rows[1..] {
        assert!(!r.is_exact());
        assert!(r.best().is_some_and(|b| b.confidence != Exact), "{r:?}");
    }
}

#[test]
fn the_csv_says_the_flags_and_the_account_kind_in_words() {
    let p = fixtures::trap_plan();
    let text = to_csv(&p);
    let line = |who: &str| {
        text.lines()
            .find(|l| l.starts_with(who))
            .unwrap_or_else(|| panic!("{who}: {text}"))
            .to_string()
    };
    for (who, words) in [
        ("msa.kim", "address matches but the name does not"),
        ("msa.dana", "the account is disabled"),
        ("msa.dana", "person, member, disabled"),
        ("msa.anna", "same name (person, member, enabled)"),
        ("msa.bob", "more than one account fits"),
    ] {
        assert!(line(who).contains(words), "{who}: {words}\n{text}");
    }
}
