use super::*;

// ---- healthy, purity, structure ----

#[test]
fn healthy_run_raises_nothing_at_warn_or_alarm() {
    let f = Run::healthy().run();
    assert_eq!(warnings(&f), Vec::<&str>::new(), "{f:#?}");
    assert!(get(&f, SymptomId::Healthy).is_some());
    // Also early on, before any epoch ended.
    let early = Run::blank(ActKind::ReluLike)
        .steps(60, |i| {
            let l = healthy_loss(i);
            (l, acc_of(l))
        })
        .snaps(0, 60, |_| OK)
        .input(-0.42, 2.82, 0.0, 1.0)
        .run();
    assert_eq!(warnings(&early), Vec::<&str>::new(), "{early:#?}");
    // And with nothing measured at all.
    let none = Run::blank(ActKind::ReluLike).run();
    assert_eq!(none.len(), 1);
    assert_eq!(none[0].symptom, SymptomId::Healthy);
}

#[test]
fn output_depends_only_on_the_observations() {
    let a = Run::healthy().initial(9.0).o;
    let b = Run::healthy().initial(9.0).o;
    assert_eq!(a, b);
    // Compared as text: context evidence carries NaN thresholds, and NaN != NaN.
    let text = |o: &Observations| format!("{:?}", diagnose(o));
    assert_eq!(text(&a), text(&b));
    assert_eq!(text(&a), text(&a.clone()));
    assert_eq!(text(&a), text(&a), "no hidden state between calls");
    // That it cannot read the settings is the compiler's job: this crate depends on nothing of
    // the engine (Cargo.toml).
}
