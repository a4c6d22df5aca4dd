#![cfg(not(target_arch = "wasm32"))]
//! Data-parallel training (src/train/parallel.rs): one run on two workers. The leader's `Trainer`
//! splits every batch with a `GradientWorker` the way the page's two workers do, with the messages
//! replaced by calls. Checked against one worker training the same run: the same gradient within
//! float tolerance, the same validation figures, the same accuracy band after an epoch on real MNIST;
//! and two-worker runs repeat bit for bit.

mod common;

use losslab::config::Config;
use losslab::data::synthetic::synthetic_digits;
use losslab::data::Dataset;
use losslab::train::{Event, GradientWorker, Status, StepReport, Trainer};

fn cfg(pairs: &[(&str, &str)]) -> Config {
    Config::from_pairs(pairs.iter().copied()).unwrap()
}

fn data() -> (Dataset, Dataset) {
    (synthetic_digits(640, 31), synthetic_digits(200, 32))
}

/// One data-parallel step, as www/worker.js and www/helper.js run it.
fn dp_step(t: &mut Trainer, w: &mut GradientWorker, r: &mut StepReport) -> bool {
    let Some(share) = t.split_step() else {
        return false;
    };
    let answer = if share.rows > 0 {
        w.gradient(&share).unwrap()
    } else {
        Vec::new()
    };
    t.local_step().unwrap();
    t.join_step(&answer, r).unwrap();
    true
}

/// A whole data-parallel validation pass in chunks of `chunk` samples.
fn dp_eval(t: &mut Trainer, w: &mut GradientWorker, chunk: usize) {
    loop {
        let share = t.split_eval(chunk);
        let answer = if share.rows > 0 {
            w.logits(&share).unwrap()
        } else {
            Vec::new()
        };
        t.local_eval().unwrap();
        if t.join_eval(&answer).unwrap() {
            break;
        }
    }
}

/// Trains one epoch on two workers, validating at its end.
fn dp_epoch(t: &mut Trainer, w: &mut GradientWorker) -> StepReport {
    let mut r = StepReport::default();
    while dp_step(t, w, &mut r) && !r.epoch_done {}
    if r.epoch_done {
        dp_eval(t, w, 256);
    }
    r
}

fn grads(t: &Trainer) -> Vec<f32> {
    t.model().grads_flat()
}

fn weight_bits(t: &Trainer) -> Vec<u32> {
    t.model()
        .weights_flat()
        .iter()
        .map(|v| v.to_bits())
        .collect()
}

/// Largest |a − b| over the largest |a|: the gradient of one batch computed in two orders.
fn rel_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    let scale = a.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let diff = a
        .iter()
        .zip(b)
        .fold(0.0f32, |m, (x, y)| m.max((x - y).abs()));
    diff / scale
}

#[test]
fn two_workers_compute_the_one_worker_gradient_on_a_batch() {
    let (train, test) = data();
    for pairs in [
        vec![("seed", "3"), ("batch", "32")],
        // odd batch: the leader keeps 16 rows, the helper 17
        vec![("seed", "4"), ("batch", "33")],
        vec![
            ("seed", "5"),
            ("batch", "32"),
            ("class_weight", "balanced"),
            ("imb", "longtail"),
        ],
        vec![
            ("seed", "6"),
            ("batch", "16"),
            ("act", "sigmoid"),
            ("depth", "4"),
            ("ch", "8"),
            ("k", "3"),
            ("pad", "1"),
            ("pool", "last"),
        ],
    ] {
        let c = cfg(&pairs);
        let mut one = Trainer::new(c.clone(), &train, &test).unwrap();
        let mut two = Trainer::new(c.clone(), &train, &test).unwrap();
        let mut w = GradientWorker::new(&c).unwrap();
        // a few steps first, so the weights are no longer the initial ones
        for _ in 0..3 {
            let r1 = one.step(1);
            let mut r2 = StepReport::default();
            assert!(dp_step(&mut two, &mut w, &mut r2));
            let g1 = grads(&one);
            let g2 = grads(&two);
            let d = rel_diff(&g1, &g2);
            assert!(
                d < 1e-5,
                "{pairs:?}: the gradients differ by {d:e} of their largest entry"
            );
            assert!(
                (r1.loss[0] - r2.loss[0]).abs() <= 1e-5 * r1.loss[0].abs(),
                "{pairs:?}: batch loss {} (one worker) against {} (two)",
                r1.loss[0],
                r2.loss[0]
            );
            assert_eq!(r1.acc, r2.acc, "{pairs:?}: the batch accuracy");
            assert_eq!(r1.clipped, r2.clipped);
        }
    }
}

#[test]
fn two_worker_runs_repeat_bit_for_bit() {
    let (train, test) = data();
    let c = cfg(&[
        ("seed", "7"),
        ("train_n", "300"),
        ("batch", "32"),
        ("aug_shift", "2"),
    ]);
    let run = || {
        let mut t = Trainer::new(c.clone(), &train, &test).unwrap();
        let mut w = GradientWorker::new(&c).unwrap();
        let r = dp_epoch(&mut t, &mut w);
        let eval = t.last_eval().unwrap().clone();
        (
            weight_bits(&t),
            r.loss,
            eval.loss.to_bits(),
            eval.acc.to_bits(),
        )
    };
    assert_eq!(run(), run());
}

/// `Trainer::advance_on` with an in-process peer drives the same split steps and split validation as
/// the hand-written loop above (the page's worker's order), bit for bit, in chunks of any size.
#[test]
fn advance_on_a_peer_is_the_two_worker_loop() {
    let (train, test) = data();
    let c = cfg(&[("seed", "8"), ("train_n", "300"), ("batch", "32")]);
    let mut by_hand = Trainer::new(c.clone(), &train, &test).unwrap();
    let mut w = GradientWorker::new(&c).unwrap();
    let r = dp_epoch(&mut by_hand, &mut w);
    let mut t = Trainer::new(c.clone(), &train, &test).unwrap();
    let mut peer = GradientWorker::new(&c).unwrap();
    let mut loss = Vec::new();
    let mut validated = None;
    while validated.is_none() {
        for e in t.advance_on(7, Some(&mut peer)).unwrap() {
            match e {
                Event::Steps(s) => loss.extend(s.loss),
                Event::Validated(v) => validated = Some(v),
                _ => {}
            }
        }
    }
    let v = validated.unwrap();
    let want = by_hand.last_eval().unwrap();
    assert_eq!(weight_bits(&t), weight_bits(&by_hand));
    assert_eq!(loss, r.loss);
    assert_eq!(
        (v.loss.to_bits(), v.acc.to_bits()),
        (want.loss.to_bits(), want.acc.to_bits())
    );
}

#[test]
fn a_one_sample_last_batch_is_trained_by_the_leader_alone() {
    let (train, test) = data();
    // 129 samples in batches of 32: the epoch ends with a batch of one, which has no helper share.
    let c = cfg(&[("seed", "8"), ("train_n", "129"), ("batch", "32")]);
    let mut one = Trainer::new(c.clone(), &train, &test).unwrap();
    let mut two = Trainer::new(c.clone(), &train, &test).unwrap();
    let mut w = GradientWorker::new(&c).unwrap();
    let r1 = one.step(10);
    let mut r2 = StepReport::default();
    while dp_step(&mut two, &mut w, &mut r2) && !r2.epoch_done {}
    assert!(r1.epoch_done && r2.epoch_done);
    assert_eq!(r1.loss.len(), 5);
    assert_eq!(r2.loss.len(), 5);
    assert!(rel_diff(&grads(&one), &grads(&two)) < 1e-5);
}

#[test]
fn split_validation_counts_what_one_worker_counts() {
    // With BatchNorm too: the helper evaluates with the leader's running statistics, which travel with
    // the weights (after four steps they are far from their start, 0 and 1).
    for bn in ["0", "1"] {
        split_validation_counts_with(bn);
    }
}

fn split_validation_counts_with(bn: &str) {
    let (train, test) = data();
    let c = cfg(&[
        ("seed", "9"),
        ("train_n", "320"),
        ("val_n", "199"),
        ("bn", bn),
    ]);
    let mut t = Trainer::new(c.clone(), &train, &test).unwrap();
    let mut w = GradientWorker::new(&c).unwrap();
    let mut r = StepReport::default();
    for _ in 0..4 {
        dp_step(&mut t, &mut w, &mut r);
    }
    // Both passes on the same weights: one worker's, then two workers'.
    while !t.eval_chunk(64) {}
    let a = t.last_eval().unwrap().clone();
    // chunks of odd size, and one of a single sample at the end (199 = 3·66 + 1)
    dp_eval(&mut t, &mut w, 66);
    let b = t.last_eval().unwrap();
    assert_eq!(a.count, 199);
    assert_eq!(b.count, 199);
    assert_eq!(a.confusion, b.confusion);
    assert!(
        (a.loss - b.loss).abs() <= 1e-6 * a.loss,
        "{} against {}",
        a.loss,
        b.loss
    );
    assert_eq!(a.acc, b.acc);
}

#[test]
fn divergence_is_caught_on_two_workers() {
    let (train, test) = data();
    let c = cfg(&[("seed", "10"), ("lr", "10"), ("opt", "sgd")]);
    let mut t = Trainer::new(c.clone(), &train, &test).unwrap();
    let mut w = GradientWorker::new(&c).unwrap();
    let mut r = StepReport::default();
    let mut steps = 0;
    while dp_step(&mut t, &mut w, &mut r) && !r.epoch_done {
        steps += 1;
        assert!(steps < 200, "an SGD run at lr 50 never diverged");
    }
    assert!(
        matches!(t.status(), Status::Diverged { .. }),
        "{:?}",
        t.status()
    );
    assert!(
        t.split_step().is_none(),
        "a diverged run hands out no more batches"
    );
}

#[test]
fn a_share_of_the_wrong_size_is_refused() {
    let (train, test) = data();
    let c = cfg(&[("seed", "11")]);
    let mut t = Trainer::new(c.clone(), &train, &test).unwrap();
    t.split_step().unwrap();
    t.local_step().unwrap();
    let mut r = StepReport::default();
    let err = t.join_step(&[0.0; 5], &mut r).unwrap_err();
    assert!(err.contains("second worker"), "{err}");
    let mut w = GradientWorker::new(&cfg(&[("seed", "11"), ("ch", "16,16")])).unwrap();
    let share = Trainer::new(c, &train, &test)
        .unwrap()
        .split_step()
        .unwrap();
    let err = w.gradient(&share).unwrap_err();
    assert!(err.contains("parameters"), "{err}");
}

// One epoch on real MNIST, one worker against two, on two seeds: the same accuracy band.
#[test]
#[ignore = "needs MNIST in www/data: npm run prepare-data"]
fn a_two_worker_epoch_reaches_the_one_worker_accuracy_on_mnist() {
    let common::mnist::Mnist {
        train, val: test, ..
    } = common::mnist::load(4000);
    for seed in ["1", "2"] {
        let c = cfg(&[("seed", seed), ("train_n", "4000"), ("val_n", "2000")]);
        let mut one = Trainer::new(c.clone(), &train, &test).unwrap();
        while !one.step(1000).epoch_done {}
        while !one.eval_chunk(256) {}
        let mut two = Trainer::new(c.clone(), &train, &test).unwrap();
        let mut w = GradientWorker::new(&c).unwrap();
        dp_epoch(&mut two, &mut w);
        let (a, b) = (one.last_eval().unwrap().acc, two.last_eval().unwrap().acc);
        eprintln!("seed {seed}: validation accuracy {a:.4} (one worker), {b:.4} (two)");
        assert!(a > 0.85 && b > 0.85, "seed {seed}: {a} / {b}");
        assert!(
            (a - b).abs() < 0.01,
            "seed {seed}: {a} (one worker) against {b} (two)"
        );
    }
}

/// Trains with early stopping (patience 2) on a small set that overfits, on one worker or with a
/// peer, keeping the weights and the validation loss after every epoch; at the stop checks that the
/// network holds the best epoch's weights bit for bit (not the last epoch's), says so, and that a new
/// validation pass on them repeats that epoch's validation loss exactly.
fn early_stop_restores_the_best_weights(mut peer: Option<&mut GradientWorker>) {
    let (train, test) = (synthetic_digits(200, 7), synthetic_digits(100, 8));
    let c = cfg(&[
        ("data", "synthetic"),
        ("train_n", "200"),
        ("val_n", "100"),
        ("lr", "0.05"),
        ("early_stop", "2"),
    ]);
    let mut t = Trainer::new(c, &train, &test).unwrap();
    // after epoch e: (weight bits, validation loss bits)
    let mut after: Vec<(Vec<u32>, u32)> = vec![(Vec::new(), 0)];
    let mut stopped = None;
    for _ in 0..10_000 {
        let events = match peer.as_deref_mut() {
            None => t.advance(16),
            Some(p) => t.advance_on(16, Some(p)).unwrap(),
        };
        for e in events {
            match e {
                // the validation loss of each epoch; its weights are read after the call (below)
                Event::Validated(v) if after.len() == t.epoch() => {
                    after.push((Vec::new(), v.loss.to_bits()));
                }
                Event::Stopped {
                    epoch,
                    best_epoch,
                    message,
                } => stopped = Some((epoch, best_epoch, message)),
                Event::Diverged { message, .. } => panic!("diverged: {message}"),
                _ => {}
            }
        }
        if stopped.is_some() {
            break;
        }
        // between calls the weights are those after the last finished epoch once its pass is done
        if !t.validating() && t.weights_epoch() == Some(t.epoch()) && after.len() == t.epoch() + 1 {
            let w = weight_bits(&t);
            after[t.epoch()].0 = w;
        }
    }
    let (epoch, best, message) = stopped.expect("no early stop");
    assert_eq!(epoch - best, 2, "{message}");
    assert!(best >= 1 && !after[best].0.is_empty(), "{message}");
    assert_eq!(
        weight_bits(&t),
        after[best].0,
        "the best epoch's weights, bit for bit"
    );
    assert_ne!(weight_bits(&t), after[epoch - 1].0, "not the later weights");
    assert_eq!(t.weights_epoch(), Some(best));
    assert!(
        message.contains(&format!("holds the weights of epoch {best}")),
        "{message}"
    );
    let again = t.evaluate();
    assert_eq!(again.loss.to_bits(), after[best].1, "{message}");
}

#[test]
fn early_stopping_restores_the_best_epochs_weights_on_one_worker() {
    early_stop_restores_the_best_weights(None);
}

#[test]
fn early_stopping_restores_the_best_epochs_weights_on_two_workers() {
    let c = cfg(&[("data", "synthetic"), ("train_n", "200"), ("val_n", "100")]);
    let mut peer = GradientWorker::new(&c).unwrap();
    early_stop_restores_the_best_weights(Some(&mut peer));
}
