use super::*;

fn fmt(src: &str) -> String {
    match format_source(src) {
        Ok(out) => out,
        Err(e) => panic!("cannot format: {e:?}\n{src}"),
    }
}

#[test]
fn every_grammar_rule_is_known_to_the_printer() {
    let unknown: Vec<String> = Rule::all_rules()
        .iter()
        .filter(|r| !printer::known(**r))
        .map(|r| format!("{r:?}"))
        .collect();
    assert!(
        unknown.is_empty(),
        "teach format/printer.rs these grammar rules: {unknown:?}"
    );
}

#[test]
fn lays_out_blocks_one_statement_per_line() {
    let src = "scene a   when x==1{visual \"a.png\" duration 3s\n  text   \"Ciao {nome}\"   when not(x>2)and y is present}\n";
    insta::assert_snapshot!(fmt(src), @r#"
    scene a when x == 1 {
        visual "a.png"
        duration 3s
        text "Ciao {nome}" when not (x > 2) and y is present
    }
    "#);
}

#[test]
fn keeps_comments_where_they_were() {
    let src = "// head\n\n\n// second\nscene a { // opens\n  // inside\n\n  text \"x\" // trailing\n  // last\n} // after\n// end\n";
    insta::assert_snapshot!(fmt(src), @r#"
    // head

    // second
    scene a { // opens
        // inside

        text "x" // trailing
        // last
    } // after
    // end
    "#);
}

#[test]
fn if_else_and_match() {
    let src = "if a==1 {include x} else if b {include y when c} else {scene s {say \"ok\"}}\nmatch k {case a,\"b\" {include x}\nelse {include y}}\n";
    insta::assert_snapshot!(fmt(src), @r#"
    if a == 1 {
        include x
    } else if b {
        include y when c
    } else {
        scene s {
            say "ok"
        }
    }
    match k {
        case a, "b" {
            include x
        }
        else {
            include y
        }
    }
    "#);
}

#[test]
fn expressions_get_canonical_spacing() {
    let src = "campaign c {requires -(a+b)*2>=€ 3 and any p in xs:p.k ?? 0 not in y and f( z )<2024-01-01\navailable for 3  months from d}\n";
    insta::assert_snapshot!(fmt(src), @r#"
    campaign c {
        requires -(a + b) * 2 >= € 3 and any p in xs: p.k ?? 0 not in y and f(z) < 2024-01-01
        available for 3  months from d
    }
    "#);
}

#[test]
fn a_comment_inside_an_expression_breaks_the_line() {
    let src = "if a and // why\n b {\n include x\n}\n";
    let out = fmt(src);
    insta::assert_snapshot!(out, @r#"
    if a and // why
        b {
        include x
    }
    "#);
    assert_eq!(fmt(&out), out);
}

#[test]
fn refuses_a_file_with_syntax_errors() {
    assert!(matches!(
        format_source("scene a {\n  txet \"x\"\n}\n"),
        Err(FormatError::Syntax(_))
    ));
}

#[test]
fn formatting_is_idempotent_on_odd_layouts() {
    for src in [
        "",
        "\n\n",
        "// only a comment",
        "scene a {}",
        "scene a {\n\n\n   text \"x\"\n\n\n}\n\n\n\nscene b { say \"y\" }",
        "service s { label \"L\" url \"https://x\" }\r\nending { button s \"Vai\" when a }\r\n",
        "scene a { popup p when x { button \"b\" title \"t\" body \"c\" } rating \"r\" from 1 to 5 }",
        "campaign c { title \"t\" locale \"it\" schema \"s.ron\" length 1m to 2m speaking rate 150 wpm available until 2025-01-01 }",
    ] {
        let once = fmt(src);
        assert_eq!(fmt(&once), once, "not idempotent on {src:?}");
    }
}

#[test]
fn trailing_comments_of_consecutive_lines_are_aligned() {
    let src = "campaign c {\n    title \"Un titolo\" // required\n    schema \"s.ron\"   // relative\n\n    length 1m to 2m // alone\n}\n";
    let out = fmt(src);
    insta::assert_snapshot!(out, @r#"
    campaign c {
        title "Un titolo" // required
        schema "s.ron"    // relative

        length 1m to 2m // alone
    }
    "#);
    assert_eq!(fmt(&out), out);
}

#[test]
fn the_self_check_sees_dropped_parentheses() {
    // Same leaves, different tree: `(a + b) * c` printed as `a + b * c` must be refused.
    let src = "campaign c {\n    requires (a + b) * c > 1\n}\n";
    let root = parse_root(src).expect("parses");
    let mut leaves = Vec::new();
    tokens::leaves(root.clone(), &mut leaves);
    let mut shape = Vec::new();
    tokens::shape(root, 0, &mut shape);
    let wrong = "campaign c {\n    requires a + b * c > 1\n}\n";
    assert!(matches!(
        verify(src, &leaves, &shape, &[], wrong),
        Err(FormatError::NotPreserved { .. })
    ));
    assert_eq!(verify(src, &leaves, &shape, &[], src), Ok(()));
}

#[test]
fn notify_blocks_are_laid_out_like_scenes() {
    let src = "notify email   when a>1{to contatti.email segments 2 subject \"Ciao {nome}\"\n  body \"b\" when x text \"t\" html \"<b>h</b>\" when y button vai \"Vai\" button \"Apri\" button vai}\n";
    let out = fmt(src);
    insta::assert_snapshot!(out, @r#"
    notify email when a > 1 {
        to contatti.email
        segments 2
        subject "Ciao {nome}"
        body "b" when x
        text "t"
        html "<b>h</b>" when y
        button vai "Vai"
        button "Apri"
        button vai
    }
    "#);
    assert_eq!(fmt(&out), out);
}

#[test]
fn visuals_keep_their_alt_text_on_one_line() {
    let src = "scene a {visual   \"a.png\"   alt   \"Un grafico\" visual \"b.png\"\n decorative}\n";
    let out = fmt(src);
    insta::assert_snapshot!(out, @r#"
    scene a {
        visual "a.png" alt "Un grafico"
        visual "b.png" decorative
    }
    "#);
    assert_eq!(fmt(&out), out);
}

#[test]
fn call_arguments_are_separated_by_comma_space() {
    let src =
        "campaign c {requires years_between( nascita ,today )>=18 and days_between(a,b)<30}\n";
    let out = fmt(src);
    insta::assert_snapshot!(out, @r#"
    campaign c {
        requires years_between(nascita, today) >= 18 and days_between(a, b) < 30
    }
    "#);
    assert_eq!(fmt(&out), out);
}
