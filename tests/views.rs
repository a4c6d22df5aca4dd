#![cfg(not(target_arch = "wasm32"))]
//! The engine calls behind the page's two data views, on real MNIST: the current batch as the network
//! sees it (`batch_view`) and the highest-loss training images (`loss_scan_chunk`/`loss_scan_report`).

mod common;

use losslab::config::Config;
use losslab::data::augment::rot180;
use losslab::train::Trainer;

fn cfg(pairs: &[(&str, &str)]) -> Config {
    Config::from_pairs(pairs.iter().copied()).unwrap()
}

/// Trains until the first epoch ends; returns every step's loss.
fn one_epoch(t: &mut Trainer) -> Vec<f32> {
    let mut losses = Vec::new();
    loop {
        let r = t.step(64);
        losses.extend(r.loss);
        if r.epoch_done {
            return losses;
        }
    }
}

fn scan(t: &mut Trainer) {
    while !t.loss_scan_chunk(500) {}
}

#[test]
#[ignore = "needs MNIST in www/data: npm run prepare-data"]
fn corrupted_labels_pile_up_among_the_highest_loss_images() {
    let data = common::mnist::load(5000);
    for seed in ["1", "2"] {
        let c = cfg(&[("train_n", "5000"), ("noise", "40"), ("seed", seed)]);
        let mut t = Trainer::new(c, &data.train, &data.val).unwrap();
        assert!(t.loss_scan_report(32).is_none(), "no report before a scan");
        one_epoch(&mut t);
        scan(&mut t);
        let r = t
            .loss_scan_report(32)
            .expect("a complete scan leaves a report");
        assert_eq!(r.items.len(), 32);
        let mask = t.corrupted_mask();
        let corrupted = r.items.iter().filter(|s| s.corrupted).count();
        println!(
            "seed {seed}: {corrupted} of the 32 highest-loss images corrupted ({:.0}%), {:.1}% of all",
            100.0 * r.corrupted_share_top,
            100.0 * r.corrupted_share_all
        );
        for (i, s) in r.items.iter().enumerate() {
            assert_eq!(
                s.corrupted, mask[s.index],
                "the report's flag is the mask's"
            );
            assert_eq!(s.label, t.train_set().labels[s.index]);
            assert_eq!(s.true_label, t.true_labels()[s.index]);
            assert_eq!(s.corrupted, s.label != s.true_label);
            assert!(s.prob > 0.0 && s.prob <= 1.0);
            if i > 0 {
                assert!(r.items[i - 1].loss >= s.loss, "highest loss first");
            }
        }
        assert_eq!(r.corrupted_share_top, corrupted as f32 / 32.0);
        let all = mask.iter().filter(|&&m| m).count() as f32 / mask.len() as f32;
        assert_eq!(r.corrupted_share_all, all);
        assert!((0.39..0.41).contains(&all), "40% noise: {all}");
        assert!(
            r.corrupted_share_top >= 0.6,
            "seed {seed}: only {corrupted} of 32 highest-loss images are corrupted"
        );
    }
}

#[test]
#[ignore = "needs MNIST in www/data: npm run prepare-data"]
fn the_batch_view_shows_the_network_input() {
    let data = common::mnist::load(2000);
    // No augmentation: the view is the raw image within rounding.
    let mut t = Trainer::new(
        cfg(&[("train_n", "2000"), ("noise", "30")]),
        &data.train,
        &data.val,
    )
    .unwrap();
    assert_eq!(
        t.batch_view(16).labels.len(),
        0,
        "empty before the first step"
    );
    t.step(3);
    let v = t.batch_view(16);
    assert_eq!(v.labels.len(), 16);
    assert_eq!(v.images.len(), 16 * 784);
    for (j, &i) in v.index.iter().enumerate() {
        let raw = t.train_set().image(i);
        let shown = &v.images[j * 784..(j + 1) * 784];
        let worst = raw
            .iter()
            .zip(shown)
            .map(|(&a, &b)| (a as i32 - b as i32).abs())
            .max()
            .unwrap();
        assert!(worst <= 1, "sample {i}: {worst} grey levels off");
        assert_eq!(v.labels[j], t.train_set().labels[i]);
        assert_eq!(v.true_labels[j], t.true_labels()[i]);
        assert_eq!(v.corrupted[j], t.corrupted_mask()[i]);
        assert_eq!(v.corrupted[j], v.labels[j] != v.true_labels[j]);
        assert_eq!(v.applied[j], Default::default());
    }
    assert!(
        v.corrupted.iter().any(|&c| c),
        "30% noise corrupts some of 16"
    );

    // Always a half turn: every sample is marked rotated and is the rotated dataset image.
    let mut t = Trainer::new(
        cfg(&[("train_n", "2000"), ("batch", "64"), ("aug_rot180", "1")]),
        &data.train,
        &data.val,
    )
    .unwrap();
    t.step(2);
    let v = t.batch_view(64);
    assert_eq!(v.labels.len(), 64);
    for (j, &i) in v.index.iter().enumerate() {
        assert!(v.applied[j].rot180 && !v.applied[j].hflip && !v.applied[j].warp);
        let turned = rot180(t.train_set().image(i));
        let shown = &v.images[j * 784..(j + 1) * 784];
        assert!(turned
            .iter()
            .zip(shown)
            .all(|(&a, &b)| (a as i32 - b as i32).abs() <= 1));
    }

    // Half the samples flipped: the flags follow the draws (about half of a batch of 64).
    let mut t = Trainer::new(
        cfg(&[
            ("train_n", "2000"),
            ("batch", "64"),
            ("aug_hflip", "0.5"),
            ("aug_shift", "2"),
        ]),
        &data.train,
        &data.val,
    )
    .unwrap();
    t.step(1);
    let v = t.batch_view(64);
    let flipped = v.applied.iter().filter(|a| a.hflip).count();
    assert!((16..=48).contains(&flipped), "{flipped} of 64 flipped");
    assert!(v.applied.iter().all(|a| a.warp && !a.rot180));
}

#[test]
#[ignore = "needs MNIST in www/data: npm run prepare-data"]
fn looking_at_the_data_does_not_change_the_run() {
    let data = common::mnist::load(2000);
    let c = cfg(&[
        ("train_n", "2000"),
        ("noise", "40"),
        ("aug_hflip", "0.3"),
        ("aug_rot", "10"),
        ("aug_noise", "0.1"),
    ]);
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let mut plain = Trainer::new(c.clone(), &data.train, &data.val).unwrap();
    let mut a = one_epoch(&mut plain);
    a.extend(plain.step(10).loss);
    let stats_plain = plain.layer_stats();

    let mut looked = Trainer::new(c, &data.train, &data.val).unwrap();
    let mut b = Vec::new();
    loop {
        let r = looked.step(7);
        b.extend(r.loss);
        looked.batch_view(16);
        // A scan mid-epoch, in pieces, between steps.
        looked.loss_scan_chunk(300);
        if r.epoch_done {
            break;
        }
    }
    scan(&mut looked);
    looked.batch_view(64);
    b.extend(looked.step(10).loss);
    scan(&mut looked);
    assert_eq!(bits(&a), bits(&b), "same seed, same curve");
    assert_eq!(
        format!("{stats_plain:?}"),
        format!("{:?}", looked.layer_stats()),
        "layer statistics are the last training step's"
    );
}
