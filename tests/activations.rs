#![cfg(not(target_arch = "wasm32"))]
//! `Trainer::activations`, the call behind "What every layer sees": one validation digit through every
//! layer, ending in the very logits the validation pass computes, without touching training.

use losslab::config::Config;
use losslab::data::synthetic::synthetic_digits;
use losslab::data::{Dataset, CLASSES};
use losslab::model::{plan, LayerKind};
use losslab::train::Trainer;

fn cfg(pairs: &[(&str, &str)]) -> Config {
    Config::from_pairs(pairs.iter().copied()).unwrap()
}

fn data() -> (Dataset, Dataset) {
    (synthetic_digits(640, 31), synthetic_digits(128, 32))
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn weights(t: &Trainer) -> Vec<u32> {
    let m = t.model();
    (0..m.param_layer_names().len())
        .flat_map(|i| m.layer_params(i).into_iter().flat_map(|p| bits(&p.value)))
        .collect()
}

/// Every layer of the plan but the flatten, with its output shape, in order.
fn planned(c: &Config) -> Vec<(String, [usize; 3])> {
    plan(c)
        .unwrap()
        .into_iter()
        .filter(|l| l.kind != LayerKind::Flatten)
        .map(|l| (l.name, [l.output.c, l.output.h, l.output.w]))
        .collect()
}

#[test]
fn every_planned_layer_is_there_and_the_last_is_the_validation_logits() {
    let (train, val) = data();
    for (seed, bn) in [("1", "0"), ("2", "0"), ("1", "1"), ("2", "1")] {
        let c = cfg(&[("seed", seed), ("bn", bn)]);
        let want = planned(&c);
        let mut t = Trainer::new(c, &train, &val).unwrap();
        for steps in [0, 12] {
            t.step(steps);
            for i in [0, 7, 127] {
                let a = t.activations(i).unwrap();
                assert_eq!(a.index, i);
                assert_eq!(a.label, t.val_set().labels[i]);
                let got: Vec<(String, [usize; 3])> = a
                    .layers
                    .iter()
                    .map(|l| (l.name.clone(), [l.shape.c, l.shape.h, l.shape.w]))
                    .collect();
                assert_eq!(
                    got, want,
                    "seed {seed} bn {bn}: the plan's layers and shapes"
                );
                assert!(a.layers.iter().any(|l| l.kind == "relu"));
                if bn == "1" {
                    assert!(a
                        .layers
                        .iter()
                        .any(|l| l.name == "bn1" && l.kind == "batchnorm"));
                }
                for l in &a.layers {
                    assert_eq!(
                        l.values.len(),
                        l.shape.c * l.shape.h * l.shape.w,
                        "{}",
                        l.name
                    );
                }
                let last = a.layers.last().unwrap();
                assert_eq!(bits(&last.values), bits(&a.logits));
                let z = t.val_logits(&[i]);
                assert_eq!(
                    bits(&a.logits),
                    bits(&z),
                    "seed {seed} bn {bn} step {steps} image {i}: the validation pass's logits"
                );
                assert_eq!(a.probs.len(), CLASSES);
                let sum: f32 = a.probs.iter().sum();
                assert!((sum - 1.0).abs() < 1e-5, "softmax sums to {sum}");
                let p = a.predicted().unwrap() as usize;
                assert!(a.probs.iter().all(|&q| q <= a.probs[p]));
            }
        }
    }
}

#[test]
fn looking_changes_no_training_state() {
    let (train, val) = data();
    for seed in ["1", "2"] {
        let c = cfg(&[("seed", seed)]);
        let mut looked = Trainer::new(c.clone(), &train, &val).unwrap();
        let mut plain = Trainer::new(c, &train, &val).unwrap();
        for _ in 0..3 {
            looked.step(5);
            plain.step(5);
            let stats = format!("{:?}", looked.layer_stats());
            looked.activations(3).unwrap();
            assert_eq!(
                format!("{:?}", looked.layer_stats()),
                stats,
                "the last step's statistics stay"
            );
        }
        let (a, b) = (looked.step(7), plain.step(7));
        assert_eq!(
            bits(&a.loss),
            bits(&b.loss),
            "seed {seed}: the same losses after looking"
        );
        assert_eq!(weights(&looked), weights(&plain));
    }
}

#[test]
fn all_zero_weights_give_all_black_conv_maps() {
    let (train, val) = data();
    for seed in ["1", "2"] {
        let mut t = Trainer::new(cfg(&[("seed", seed), ("init", "zeros")]), &train, &val).unwrap();
        let a = t.activations(5).unwrap();
        let mut convs = 0;
        for l in a
            .layers
            .iter()
            .filter(|l| l.name.starts_with("conv") || l.name.starts_with("relu"))
        {
            assert_eq!(
                l.dead(),
                l.shape.c,
                "seed {seed}: every channel of {} is dead",
                l.name
            );
            assert!(l.values.iter().all(|&v| v == 0.0));
            convs += 1;
        }
        assert!(convs >= 4, "the default net has two conv blocks");
        // Ten equal logits: 1/10 each.
        assert!(a.probs.iter().all(|&p| (p - 0.1).abs() < 1e-6));
    }
    // The default initialiser leaves no conv channel all zero on a digit.
    let mut t = Trainer::new(cfg(&[("seed", "1")]), &train, &val).unwrap();
    let a = t.activations(5).unwrap();
    let conv1 = a.layers.iter().find(|l| l.name == "conv1").unwrap();
    assert_eq!(conv1.dead(), 0);
}

#[test]
fn an_index_outside_the_split_is_refused_in_words() {
    let (train, val) = data();
    let mut t = Trainer::new(cfg(&[]), &train, &val).unwrap();
    let e = t.activations(128).unwrap_err();
    assert!(e.contains("128") && e.contains("0 … 127"), "{e}");
}

/// Activations over training (src/train/acthist.rs): the columns count every value the activation layers gave
/// the sampled steps' batches, row by row as `Binning::row` sorts them, with the saturated share the diagnosis's
/// own test counts; an all-zero net's hidden layers sit wholly in the ≈ 0 row.
#[test]
fn the_activation_history_counts_every_value_of_the_sampled_steps() {
    use losslab::train::{Binning, ACT_HIST_EVERY};
    let (train, val) = data();
    for pairs in [
        &[("seed", "1")][..],
        &[("seed", "2"), ("act", "sigmoid")],
        &[("seed", "1"), ("act", "tanh"), ("bn", "1")],
        &[("seed", "2"), ("act", "leaky_relu")],
        &[("seed", "1"), ("init", "zeros")],
    ] {
        let mut t = Trainer::new(cfg(pairs), &train, &val).unwrap();
        let mut want_steps = Vec::new();
        for steps in [1, ACT_HIST_EVERY] {
            t.step(steps as usize);
            want_steps.push(t.steps());
            let h = t.act_history();
            assert_eq!(h.steps, want_steps, "{pairs:?}: a column at steps 1, 11, …");
            let m = t.model();
            let acts: Vec<_> = (0..m.param_layer_names().len())
                .filter_map(|i| m.activation_after(i))
                .collect();
            assert_eq!(
                h.layers.len(),
                acts.len(),
                "{pairs:?}: one history per activation"
            );
            for (l, layer) in h.layers.iter().zip(&acts) {
                assert_eq!(l.name, layer.name());
                let act = layer.activation().unwrap();
                assert_eq!(l.binning, Binning::of(act));
                let mut want = vec![0u32; l.binning.rows()];
                let mut sat = 0;
                for &v in layer.last_output().unwrap() {
                    want[l.binning.row(v)] += 1;
                    sat += act.saturated(v) as u32;
                }
                let c = h.steps.len() - 1;
                assert_eq!(
                    l.column(c),
                    &want[..],
                    "{pairs:?} {}: the last column",
                    l.name
                );
                assert_eq!(l.saturated[c], sat, "{pairs:?} {}: saturated", l.name);
                assert!(
                    want.iter().sum::<u32>() as usize == layer.last_output().unwrap().len(),
                    "every value is finite and counted"
                );
                if pairs.contains(&("init", "zeros")) {
                    let zero = l.binning.row(0.0);
                    assert!(
                        (0..=c).all(|k| l.column(k)[zero] == l.column(k).iter().sum::<u32>()),
                        "{} of an all-zero net: every value in the ≈ 0 row",
                        l.name
                    );
                }
            }
        }
    }
}
