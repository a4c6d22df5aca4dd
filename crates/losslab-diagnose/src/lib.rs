//! Diagnosis: from what was measured on a run to the likely causes of what went wrong.
//!
//! `diagnose(&Observations) -> Vec<Finding>` is a pure function of figures a practitioner could
//! measure on their own run: losses and accuracies, per-layer statistics, label counts, the validation
//! confusion matrix, input statistics and per-sample losses. It cannot see the fault settings (learning
//! rate, momentum, Adam's β and ε, initializer, label noise, imbalance, augmentation): `Observations` is
//! plain data with no configuration reachable from it, and this crate depends on nothing of the engine,
//! so a rule cannot name a cause by peeking at the knob that was turned: the compiler guarantees it.
//!
//! Every threshold is a named constant with its source. The sources are cited by short name:
//! - AUTOTRAINER: Zhang, Zhai, Chen, "AUTOTRAINER: An Automatic DNN Training Problem Detection and
//!   Repair System", ICSE 2021 (and the defaults of its released monitor).
//! - DeepDiagnosis: Wardat, Cruz, Le, Rajan, "DeepDiagnosis: Automatically Diagnosing Faults and
//!   Recommending Actionable Fixes in Deep Learning Programs", ICSE 2022 (and its released callback).
//! - CS231n: Stanford CS231n notes, "Neural Networks Part 3: Babysitting the learning process".
//! - Karpathy: A. Karpathy, "A Recipe for Training Neural Networks", 2019.
//! - Goodfellow: Goodfellow, Bengio, Courville, "Deep Learning", 2016, ch. 8 (optimisation).
//! - Playbook: Google Research, "Deep Learning Tuning Playbook", 2023.
//! - Glorot & Bengio 2010: "Understanding the difficulty of training deep feedforward neural networks".
//! - He et al. 2015: "Delving Deep into Rectifiers" (He/Kaiming initialisation).
//! - LeCun et al. 1998: "Efficient BackProp" (input normalisation).
//! - KEEL: Fernández et al., "Learning from Imbalanced Data Sets", Springer 2018 (imbalance ratio > 9).
//! - Kingma & Ba 2015: "Adam: A Method for Stochastic Optimization" (its step bound and moments).
//! - Northcutt et al. 2021: "Pervasive Label Errors in Test Sets Destabilize ML Benchmarks".
//! - Tukey 1977: "Exploratory Data Analysis" (running medians).
//!
//! Findings are ranked: each carries its causes from the lab's taxonomy, most likely first, and the one
//! experiment that separates them. Where two causes produce the same symptom, the ranking uses a second
//! signature that tells them apart (e.g. a layer whose weights keep moving with a zero gradient is
//! coasting on momentum; sharp one-batch spikes point at Adam's β2 < β1; broad bumps and a zig-zag at
//! momentum).
//!
//! `diagnose` only looks at bounded windows (at most the last 1000 steps, the last few layer snapshots,
//! the epoch list), so it costs well under a millisecond natively whatever the run's length;
//! `Observations` keeps bounded buffers so the trainer can fill it every step.

// ---------------------------------------------------------------------------------------------------
// Cause ids: the lab's taxonomy. The page keys its explanations on these exact strings.

pub const LR_TOO_HIGH: &str = "lr_too_high";
pub const LR_TOO_LOW: &str = "lr_too_low";
pub const MOMENTUM_TOO_HIGH: &str = "momentum_too_high";
pub const ADAM_BETAS: &str = "adam_betas";
pub const ADAM_EPS: &str = "adam_eps";
pub const BAD_INIT: &str = "bad_init";
pub const VANISHING_GRADIENTS: &str = "vanishing_gradients";
pub const EXPLODING_GRADIENTS: &str = "exploding_gradients";
pub const BAD_LAYER_DESIGN: &str = "bad_layer_design";
pub const LABEL_NOISE: &str = "label_noise";
pub const CLASS_IMBALANCE: &str = "class_imbalance";
pub const HARMFUL_AUGMENTATION: &str = "harmful_augmentation";
pub const TOO_LITTLE_DATA: &str = "too_little_data";
pub const INPUT_SCALE: &str = "input_scale";

/// Every cause id, in taxonomy order.
pub const CAUSES: [&str; 14] = [
    LR_TOO_HIGH,
    LR_TOO_LOW,
    MOMENTUM_TOO_HIGH,
    ADAM_BETAS,
    ADAM_EPS,
    BAD_INIT,
    VANISHING_GRADIENTS,
    EXPLODING_GRADIENTS,
    BAD_LAYER_DESIGN,
    LABEL_NOISE,
    CLASS_IMBALANCE,
    HARMFUL_AUGMENTATION,
    TOO_LITTLE_DATA,
    INPUT_SCALE,
];

// Symptom ids (one finding per symptom).

pub const DIVERGED: &str = "diverged";
pub const LOSS_EXPLODED: &str = "loss_exploded";
pub const INIT_LOSS: &str = "init_loss";
pub const STUCK_AT_CHANCE: &str = "stuck_at_chance";
pub const GRADIENTS_VANISH: &str = "gradients_vanish";
pub const GRADIENTS_EXPLODE: &str = "gradients_explode";
pub const DEAD_RELU: &str = "dead_relu";
pub const SATURATED_UNITS: &str = "saturated_units";
pub const UPDATE_RATIO_HIGH: &str = "update_ratio_high";
pub const UPDATE_RATIO_LOW: &str = "update_ratio_low";
pub const WEIGHTS_GROWING: &str = "weights_growing";
pub const LOSS_SPIKES: &str = "loss_spikes";
pub const LOSS_OSCILLATION: &str = "loss_oscillation";
pub const LOSS_RISING: &str = "loss_rising";
pub const SLOW_PROGRESS: &str = "slow_progress";
pub const OVERFITTING: &str = "overfitting";
pub const NOISY_LABELS: &str = "noisy_labels";
pub const TRAIN_HARDER_THAN_VAL: &str = "train_harder_than_val";
pub const TRAINING_FLOOR: &str = "training_floor";
pub const IMBALANCED_RECALL: &str = "imbalanced_recall";
pub const CONFUSED_PAIRS: &str = "confused_pairs";
pub const INPUT_OUT_OF_SCALE: &str = "input_scale";
pub const HEALTHY: &str = "healthy";

// ---------------------------------------------------------------------------------------------------
// Thresholds. Each cites where it comes from; none is fitted to one of the lab's presets.

/// Loss at initialisation, Info tier: above 1.5 × the label-prior entropy H. Karpathy ("verify loss @
/// init": −ln(1/K) for a softmax, and with imbalanced labels set the output biases so the net predicts
/// the label frequencies, i.e. H) and CS231n ("look for correct loss at chance performance"). With
/// i.i.d. N(0, σ²) logits over 10 classes the expected loss is ln 10 + ≈σ²/2 for small σ; 1.5 × ln 10
/// is reached at σ ≈ 1.8, where the untrained net already gives its random answer ~50% probability.
pub const INIT_LOSS_NOTE_FACTOR: f64 = 1.5;
/// Loss at initialisation, Warn tier: above 3 × ln K (6.9 nats for 10 classes), i.e. logits with a
/// spread σ ≈ 4.3 — the untrained net is ~75% sure of random answers (same derivation). Measured
/// against ln K, not H: a random net's expected loss does not depend on the label frequencies, so the
/// excess over ln K is what the initial output scale adds.
pub const INIT_LOSS_WARN_FACTOR: f64 = 3.0;
/// Loss at initialisation, Alarm tier: above 10 × ln K (23 nats; σ ≈ 15, > 90% sure of random answers).
pub const INIT_LOSS_ALARM_FACTOR: f64 = 10.0;

/// A training loss at or above this many nats means the outputs have left any range softmax can use
/// (e^-1000 underflows every float format; ln(f32::MAX) ≈ 88.7). AUTOTRAINER treats a loss ≥ 1e5 as a
/// numerical failure; the lab's trainer stops at 1000 × the starting loss. 1000 nats is below both
/// and already a failure in practice.
pub const LOSS_EXPLODED_NATS: f64 = 1000.0;

/// Stuck at chance: judged only after this many updates. CS231n and Karpathy expect the loss to leave
/// chance within the first few dozen steps of a working setup; a 50-step mean is also immune to one
/// unlucky batch.
pub const STUCK_MIN_STEPS: usize = 50;
/// Stuck at chance: the window (steps) whose mean loss and accuracy are compared with chance.
pub const STUCK_WINDOW: usize = 50;
/// Stuck at chance: mean loss ≥ (1 − 0.1) × H — the net has removed less than a tenth of the
/// uncertainty of a guess from the label frequencies (information-theoretic reading of CS231n's
/// "loss at chance").
pub const CHANCE_LOSS_BAND: f64 = 0.1;
/// Stuck at chance: mean accuracy ≤ largest-class share + 0.1 (always answering the commonest class
/// scores exactly that share).
pub const CHANCE_ACC_MARGIN: f64 = 0.1;
/// An untrained loss within this many nats of ln K: logits of spread σ < 0.15 (loss ≈ ln K + σ²/2).
pub const FLAT_START_NATS: f64 = 0.01;

/// AUTOTRAINER vanishing-gradient rule: ‖∇first‖ / ‖∇last‖ < β1 = 1e-3 …
pub const VANISH_RATIO: f64 = 1e-3;
/// … and ‖∇first‖ < β2 = 1e-4. Also used for "no gradient reaches this layer".
pub const VANISH_FIRST_NORM: f64 = 1e-4;
/// AUTOTRAINER exploding-gradient rule: ‖∇first‖ / ‖∇last‖ > β3 = 70.
pub const EXPLODE_RATIO: f64 = 70.0;

/// Dying ReLU: half of a layer's units off for every sample of the batch. AUTOTRAINER's monitor flags
/// ≥ 0.7 of zero gradients and DeepDiagnosis ≥ 0.7 of ReLU outputs ≤ 0; both count individual values.
/// The lab counts whole units (off for all B samples), a much stricter notion: a healthy He-initialised
/// unit is off for one sample with probability ~1/2, for all 32 with ~2^-32. A layer with half its
/// units dead has lost half its capacity.
pub const DEAD_FRAC: f64 = 0.5;
/// A layer this dead passes no gradient at all: Alarm.
///
/// In a convolution a "unit" is one channel at one position. Positions whose receptive field holds only
/// background or padding get the same input for every sample, so they are off for the whole batch
/// whenever w·background + b < 0 — without any channel dying. A conv layer between `DEAD_FRAC` and
/// `DEAD_ALL` is therefore a note (Info); a hidden dense layer, whose units all see the whole input,
/// is a warning.
pub const DEAD_ALL: f64 = 0.9;
/// The dead fraction is only meaningful over enough samples: a unit active on 1 sample in 4 looks dead
/// over 8 samples 10% of the time, over 16 samples 1%.
pub const DEAD_MIN_SAMPLES: usize = 16;
/// DeepDiagnosis: a sigmoid/tanh layer is saturated when more than half its values sit in the flat
/// ends (the lab counts sigmoid outputs outside [0.01, 0.99] and |tanh| > 0.99).
pub const SAT_FRAC: f64 = 0.5;

/// CS231n: the update/weight norm ratio should be about 1e-3.
pub const UPDATE_RATIO_HEALTHY: f64 = 1e-3;
/// DeepDiagnosis flags a learning rate whose update ratio is more than 100× off the 1e-3 target.
pub const UPDATE_RATIO_HIGH_LIMIT: f64 = UPDATE_RATIO_HEALTHY * 100.0;
pub const UPDATE_RATIO_LOW_LIMIT: f64 = UPDATE_RATIO_HEALTHY / 100.0;
/// A decade off CS231n's 1e-3 is worth a note (Info), not a warning.
pub const UPDATE_RATIO_NOTE_HIGH: f64 = UPDATE_RATIO_HEALTHY * 10.0;
pub const UPDATE_RATIO_NOTE_LOW: f64 = UPDATE_RATIO_HEALTHY / 10.0;

/// Heavy-ball momentum μ: with no gradient the update obeys Δ_t = μ·Δ_{t−1}, so the per-step decay
/// of a gradient-free layer's update norm *is* μ. Goodfellow (ch. 8.3.2) lists 0.5, 0.9 and 0.99 as
/// the usual values; at 0.99 or more a step keeps acting for ≥ 100 steps (effective step ≥ 100× the
/// learning rate), which ranks momentum first. A decay factor above 1 (steps growing with no gradient)
/// is what Adam does when β1 > √β2: m̂ shrinks by β1 per step, √v̂ by √β2 (Kingma & Ba 2015).
pub const MOMENTUM_HIGH: f64 = 0.99;

/// A layer whose weight norm is below this was initialised (or shrunk) far below any fan-in-scaled
/// scheme: Glorot & Bengio 2010 and He et al. 2015 give ‖W‖² ≈ gain² × fan_out (≥ 1 for one unit),
/// so 1e-2 is ≥ 100× too small. Update ratios of such a layer are dominated by its tiny norm.
pub const WEIGHT_TINY: f64 = 1e-2;
/// A layer whose update was as large as the weights it produced (‖ΔW‖/‖W‖ within 1% of 1) was exactly
/// zero before that step: W₁ = 0 − ΔW. A zero-initialised output layer (the calibrated start of
/// Karpathy 2019, "init well": every logit 0, first loss ln K) shows it at the first step, when no
/// gradient can pass it back to the layers below: that step's gradient ratio says nothing about
/// depth, and the layer's later growth has no starting size to be measured against.
pub const FROM_ZERO_TOL: f64 = 0.01;
/// Weight norm grown this many times since the first snapshot. With healthy steps (update ratio
/// ~1e-3, CS231n) in mostly uncorrelated directions a norm grows like √(1 + t·1e-6): a tenfold growth
/// needs consistently oversized steps.
pub const WEIGHT_GROWTH: f64 = 10.0;

/// Loss spikes (AUTOTRAINER's "unstable training", at batch level): a batch loss above
/// max(3 × median, median + 1 nat) of the previous 50 batch losses. The batch loss is a mean over B
/// samples, so its healthy spread is a fraction of its median; at small losses a single confidently
/// wrong sample adds ~0.1–0.3 nats to a batch of 32, so the 1-nat floor (the batch's likelihood of its
/// labels fell by a factor e) keeps late, low-loss training from flagging ordinary mistakes.
pub const SPIKE_WINDOW: usize = 50;
pub const SPIKE_FACTOR: f64 = 3.0;
pub const SPIKE_MIN_NATS: f64 = 1.0;
/// The 1-nat floor is for batches of 32 (an excess of 32 nats over the batch: at least six samples
/// at ~5 nats, i.e. given < 1% probability, at once). Smaller batches need proportionally more per
/// sample, so the floor is 32 nats ÷ the batch size when that is larger than 1 nat.
pub const SPIKE_BATCH_NATS: f64 = 32.0;
/// One or two spikes are a note; three or more in the scanned window are a pattern (Warn).
pub const SPIKES_WARN: usize = 3;
/// A spike is *sharp* when it also stands `SPIKE_FACTOR` times above both neighbouring batches: one
/// oversized step that the next step undoes. Adam makes such steps when its squared-gradient average
/// forgets faster than its gradient average (β2 < β1): a dip in v̂ blows up m̂/√v̂ for a step or two
/// (Kingma & Ba 2015 §2.1; the step is bounded only while β1 < √β2). Heavy-ball momentum cannot: its
/// velocity changes by one gradient per step out of ~1/(1 − μ) accumulated, so the weights move
/// smoothly and its overshoots are bumps spanning several batches.
/// How many of the most recent steps the step-level rules scan (bounds the cost of `diagnose`).
pub const SCAN_STEPS: usize = 1000;

/// Oscillation: the batch losses are first smoothed with a running median of 9 (a one-batch spike
/// cannot move a median of 9, so spikes and zig-zags are told apart; Tukey 1977), then direction
/// reversals are counted with hysteresis: a move counts only when it changes the smoothed loss by at
/// least 50% of the lower end and at least 0.5 nats. Why 0.5: per-sample losses spread about as much
/// as their mean, so a batch of 32 varies by ~0.2 × the loss level and a median of 9 batches by
/// ~0.1 × — at most ~0.25 nats below the chance level ln 10; a 0.5-nat swing is twice that.
pub const OSC_FILTER: usize = 9;
pub const OSC_REL: f64 = 0.5;
pub const OSC_ABS_NATS: f64 = 0.5;
/// Noisier runs (small batches, noisy labels) need larger swings: a swing must also exceed 3 × the
/// batch-to-batch noise σ of the raw losses: the standard deviation of successive differences / √2
/// (differencing removes trends; the differences are clipped to their 2nd–98th percentiles so a few
/// spikes do not count). A median of 9 Gaussian batches spreads ≈ 0.42 σ, so 3 σ is about five spreads
/// of the difference between two smoothed points. A robust MAD estimate was tried first and rejected:
/// with small batches the losses are bimodal (no error / one error in the batch) and the MAD sees only
/// the first mode, while a median of 9 flips between the modes.
/// In simulations of 1000 steps of pure noise (normal, uniform and lognormal batch losses; batches of
/// 32 with 10% of samples at 7 nats; batches of 8 with 10% at 3 nats), 200 runs each, a 3σ floor
/// alone never gave four reversals (2.5σ did in up to 57% of the batch-of-8 runs).
pub const OSC_NOISE_SIGMAS: f64 = 3.0;
/// Two full up-and-down cycles (AUTOTRAINER's oscillating-loss rule counts repeated max/min swings).
pub const OSC_REVERSALS: usize = 4;

/// Loss rising over several epochs: three epochs in a row, each above the previous (Goodfellow ch. 8:
/// a training loss that rises under gradient descent means the steps overshoot).
pub const RISING_EPOCHS: usize = 3;
/// Loss rising within the scanned steps: the last 100-step block's median at least 1.5 × and 0.2 nats
/// above the best earlier block's median. A median over 100 batches moves by only ~3% of the loss
/// level between blocks, so a 50% rise is not noise; the 0.2-nat floor keeps a late, tiny loss
/// (0.02 → 0.04) from counting.
pub const RISING_BLOCK: usize = 100;
pub const RISING_REL: f64 = 0.5;
pub const RISING_ABS_NATS: f64 = 0.2;

/// AUTOTRAINER's train/test gap ("test_not_well"): 0.10 when the training accuracy is ≤ 0.9, 0.07 above.
pub const GAP: f64 = 0.10;
pub const GAP_HIGH_ACC: f64 = 0.07;
pub const HIGH_ACC: f64 = 0.9;
/// AUTOTRAINER's "test_turn_bad": consecutive epochs with the training loss falling and the validation
/// loss rising, each by more than ε = 0.01 (its `epsilon=10e-3`); two such epochs in a row count here.
pub const TREND_EPS: f64 = 0.01;
pub const TREND_EPOCHS: usize = 2;
/// Prechelt 1998, "Early Stopping — But When?": the generalisation loss GL(t) = E_va(t)/E_opt(t) − 1,
/// the validation loss's rise above its best so far; his GL5 stops training once it passes 5%. A rise
/// of at least `GL_MIN_NATS` is also required, so that the noise of a small validation loss (0.08
/// against 0.085) is not read as one.
pub const GL_LIMIT: f64 = 0.05;
pub const GL_MIN_NATS: f64 = 0.05;
/// Training figures compared with a validation pass are the mean of the last 100 steps (or of the
/// epoch's second half if that is shorter) before that epoch ended: an epoch mean would include its
/// early, worse batches and make a healthy first epoch look like a train/validation gap (a first epoch
/// of 94 steps climbs from 10% to 90% accuracy within it).
pub const TRAIN_TAIL_STEPS: usize = 100;

/// Training batches harder than validation without the clean-image probe disagreeing with the labels
/// must hold at two consecutive evaluations: right after a fast first epoch the training figures of the
/// last steps lag behind the weights that were evaluated, which can open the same gap for one epoch.
pub const HARDER_EPOCHS: usize = 2;

/// Per-sample probe: at least this many samples before it is used (the standard error of a 10% rate
/// over 100 samples is 3 points).
pub const PROBE_MIN: usize = 100;
/// A sample is "confidently" assigned to another class when that class gets at least half the
/// probability: more than all other classes together, its given label included.
pub const CONFIDENT: f64 = 0.5;
/// More than one training label in ten confidently contradicted by the net. MNIST's own label error
/// rate is well below 1% (Northcutt et al. 2021), so this many contradictions point at the labels (or
/// at a net that is wrong everywhere, which the other rules see in its validation figures).
pub const CONFIDENT_WRONG: f64 = 0.10;
/// When training accuracy falls short of validation accuracy, the share of that shortfall that the
/// clean-image probe shows too: ≥ 0.5 means the training *labels* disagree with what the net learned
/// (label noise); < 0.5 means the training *inputs* were harder than the clean ones (augmentation).
pub const NOISE_SHARE: f64 = 0.5;

/// Look-alike pairs (evidence for augmentation in the floor and train-harder rules): two classes each
/// lose at least 5% of their validation samples to the other, and one of them at least 10% — a
/// systematic two-way confusion, far above a healthy net's 1–3% (a flip or rotation that turns one
/// digit into the other while keeping its label teaches exactly this: 6↔9, 2↔5).
pub const LOOKALIKE_BOTH: f64 = 0.05;
pub const LOOKALIKE_ONE: f64 = 0.10;
/// For the confused-pairs finding the pair must also be *systematic*: each direction takes at least a
/// quarter of its class's errors. Errors spread evenly give each of the nine other classes a ninth; a
/// quarter is more than twice that, so a network that is simply poor everywhere does not count as
/// confusing a particular pair. And the network must otherwise work (validation accuracy at least
/// AUTOTRAINER's Θ = `SATISFIED_ACC`): a net near chance answers with a few classes for everything,
/// which makes any two of them look "confused".
pub const LOOKALIKE_SHARE: f64 = 0.25;

/// Training-loss floor (Karpathy: a reasonable net should be able to overfit its training set; if it
/// cannot, something limits it): after ≥ 2 epochs the end-of-epoch training loss fell by less than 10%
/// over the last epoch while training accuracy is still ≤ 0.9 (AUTOTRAINER's split between "trained
/// well" and not).
pub const FLOOR_MIN_EPOCHS: usize = 2;
pub const FLOOR_REL_DROP: f64 = 0.10;

/// KEEL (Fernández et al. 2018): an imbalance ratio (largest / smallest class) above 9 is "highly
/// imbalanced". Used to rank imbalance among the causes of a generalisation gap, and for a note when
/// the labels are that skewed but recall holds up.
pub const IMBALANCE_RATIO: f64 = 9.0;
/// A rare class has less than half its fair share (the mean class count): under-represented by more
/// than 2×, which also means an imbalance ratio of at least 2, above KEEL's 1.5 lower bound.
pub const RARE_SHARE: f64 = 0.5;
/// Rare classes' mean recall at least 0.10 below the common classes' (the same 10-point gap AUTOTRAINER
/// uses between training and test accuracy); with ~1000 validation samples per class the sampling error
/// of a recall is ≤ 1.6 points.
pub const RECALL_GAP: f64 = 0.10;

/// DeepDiagnosis: inputs outside [−1, 1] ("normalize the data") …
pub const INPUT_RANGE: f64 = 1.0;
/// … unless they are standardised (LeCun et al. 1998, §4.3: zero mean, unit variance — which puts a
/// skewed image like MNIST's at [−0.42, 2.82]): |mean| ≤ 1 and std within a factor 2 of 1.
pub const STANDARD_MEAN: f64 = 1.0;
pub const STANDARD_STD_LOW: f64 = 0.5;
pub const STANDARD_STD_HIGH: f64 = 2.0;
/// Inputs whose root mean square is below 0.01 (100× below unit scale) starve the first layer: its
/// weight gradient is proportional to its input.
pub const INPUT_RMS_TINY: f64 = 0.01;

/// AUTOTRAINER's "not converging": best accuracy below the satisfied accuracy Θ = 0.6 (its demos)
/// after part of the training; here after one evaluated epoch …
pub const SATISFIED_ACC: f64 = 0.6;
pub const SLOW_MIN_EPOCHS: usize = 1;
/// … and, for the lab's task, below what a linear classifier reaches on handwritten digits: LeCun et
/// al. 1998 (Fig. 9) report 12% test error for a linear classifier on MNIST and 7.6% for a pairwise
/// linear one, so a convolutional network still under 92% has not yet learned more than a linear map
/// would. A healthy small CNN passes it within its first few hundred updates (the baseline lesson: 95%
/// after one epoch of 10 000 samples).
pub const LINEAR_ACC: f64 = 0.92;
/// The linear-classifier bar applies from the second evaluated epoch and 600 updates: healthy runs of
/// the baseline end their first epoch at 91–96% depending on the seed, their second at 94–97%.
pub const LINEAR_MIN_EPOCHS: usize = 2;
pub const LINEAR_MIN_STEPS: u64 = 600;
/// … and at least 300 updates: progress is made per update, not per epoch, and an epoch of a small
/// training set is only a few steps long (300 updates are one epoch of 10 000 samples at batch 32).
pub const SLOW_MIN_STEPS: u64 = 300;

/// A per-layer condition must hold in the majority of the last 3 layer snapshots, so one odd batch
/// does not raise a finding.
pub const PERSIST: usize = 3;
/// A snapshot at a step ≤ 1 (0-based) shows the network as initialised: the first update has not yet
/// changed what it measures (step 0) or has changed it by one step only.
pub const EARLY_STEP: u64 = 1;

/// Bounded buffers: enough for every window above (≥ two epochs of the default 10k-sample run).
pub const STEPS_KEPT: usize = 4096;
pub const SNAPSHOTS_KEPT: usize = 64;
pub const SAMPLES_KEPT: usize = 512;

// ---------------------------------------------------------------------------------------------------
// What was measured.

/// Statistics of one parameterised layer at the last training step.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerStats {
    pub name: String,
    /// ‖∂L/∂θ‖₂ over the layer's weight and bias.
    pub grad_norm: f32,
    /// ‖θ‖₂.
    pub weight_norm: f32,
    /// ‖Δθ‖₂ / ‖θ‖₂ of the last update (about 1e-3 is healthy; Karpathy, CS231n notes).
    pub update_ratio: f32,
    /// Mean and standard deviation of the activation that follows the layer (NaN for the output layer).
    pub act_mean: f32,
    pub act_std: f32,
    /// Fraction of units that were ≤ 0 for every sample of the batch (ReLU only; 0 otherwise).
    pub dead_frac: f32,
    /// Fraction of sigmoid/tanh outputs in the flat ends of the curve (0 for other activations).
    pub sat_frac: f32,
}

/// The role of a parameterised layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerRole {
    Conv,
    Dense,
    /// The last layer, producing the logits.
    Output,
}

/// The family of the activation after a layer: part of the architecture the practitioner chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActKind {
    /// ReLU and leaky ReLU (only ReLU can die; the trainer reports dead_frac 0 for leaky ReLU).
    ReluLike,
    /// Sigmoid and tanh.
    Saturating,
    Identity,
}

/// A parameterised layer, in forward order.
#[derive(Clone, Debug, PartialEq)]
pub struct ObservedLayer {
    pub name: String,
    pub role: LayerRole,
    /// The activation that follows it; None for the output layer.
    pub act: Option<ActKind>,
}

/// Per-layer statistics of one training step (`metrics::layer_stats`, in `layers` order).
#[derive(Clone, Debug, PartialEq)]
pub struct LayerSnapshot {
    /// 0-based index of the step whose gradient, update and activations these are.
    pub step: u64,
    /// How many samples the activation statistics (dead and saturated fractions) cover: the batch size.
    pub samples: usize,
    pub stats: Vec<LayerStats>,
}

/// Figures of one finished epoch. Validation figures are NaN when that epoch was not evaluated.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochFigures {
    /// Mean over the epoch's training batches (loss before each update; accuracy on the given labels).
    pub train_loss: f32,
    pub train_acc: f32,
    pub val_loss: f32,
    pub val_acc: f32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    Forward,
    Backward,
}

/// Where the first NaN or infinity appeared.
#[derive(Clone, Debug, PartialEq)]
pub struct NonFinite {
    /// 0-based step index.
    pub step: u64,
    /// The first layer (forward order for the forward pass, backward order for the backward pass) whose
    /// output or gradient was not finite; "loss" for the loss itself; None if unknown.
    pub layer: Option<String>,
    pub pass: Option<Pass>,
}

/// Statistics of one input batch as it enters the network (after normalisation and augmentation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InputStats {
    pub min: f32,
    pub max: f32,
    pub mean: f32,
    pub std: f32,
}

impl InputStats {
    /// One pass over a batch (x: N·C·H·W values).
    pub fn of(x: &[f32]) -> InputStats {
        if x.is_empty() {
            return InputStats {
                min: f32::NAN,
                max: f32::NAN,
                mean: f32::NAN,
                std: f32::NAN,
            };
        }
        let (mut lo, mut hi, mut s, mut s2) = (f32::INFINITY, f32::NEG_INFINITY, 0.0f64, 0.0f64);
        for &v in x {
            lo = lo.min(v);
            hi = hi.max(v);
            s += v as f64;
            s2 += (v as f64) * (v as f64);
        }
        let n = x.len() as f64;
        let mean = s / n;
        InputStats {
            min: lo,
            max: hi,
            mean: mean as f32,
            std: (s2 / n - mean * mean).max(0.0).sqrt() as f32,
        }
    }
}

/// One training sample of the probe: its given (possibly corrupted) label, its loss, and what the net
/// predicts for it with which probability.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleLoss {
    pub label: u8,
    pub loss: f32,
    pub predicted: u8,
    /// Softmax probability of `predicted`.
    pub confidence: f32,
}

impl SampleLoss {
    /// From one row of logits (numerically stable softmax; ties go to the lowest class like argmax_rows).
    pub fn from_logits(logits: &[f32], label: u8) -> SampleLoss {
        let (mut best, mut m) = (0usize, f32::NEG_INFINITY);
        for (i, &z) in logits.iter().enumerate() {
            if z > m {
                m = z;
                best = i;
            }
        }
        let se: f64 = logits.iter().map(|&z| ((z - m) as f64).exp()).sum();
        let lse = m as f64 + se.ln();
        let zl = logits.get(label as usize).copied().unwrap_or(f32::NAN) as f64;
        SampleLoss {
            label,
            loss: (lse - zl) as f32,
            predicted: best as u8,
            confidence: (1.0 / se) as f32,
        }
    }
}

/// Everything `diagnose` may look at. Plain data: no configuration is reachable from it.
///
/// How the trainer fills it (a few floats per step; the rest per epoch):
/// - `new(layers, class_counts, steps_per_epoch, batch_size)` when a trainer is built: the model's
///   parameterised layers with their kind and activation family, the training-label counts after the
///   data faults (what the practitioner's own label histogram shows), ⌈n / batch⌉ and the batch size.
/// - `record_step(loss, acc)` after every step (loss before the update, batch accuracy), including the
///   step that stopped training with an exploded loss. O(1) amortised; keeps the last `STEPS_KEPT`.
/// - `record_layers(step, batch, metrics::layer_stats(..))` every few dozen steps and at step 0. One
///   pass over the parameters and the cached activations; keeps the first and the last `SNAPSHOTS_KEPT`.
/// - `record_epoch(..)` at each epoch end, `set_confusion(..)` after each validation pass.
/// - `input = Some(InputStats::of(batch))` once in a while (one pass over one batch).
/// - `record_non_finite(..)` where the trainer detects a NaN/∞ (loss, or the first layer's gradient).
/// - `samples`: per-sample losses of a fixed training subset evaluated on clean (un-augmented) images
///   in evaluation mode with their given labels, e.g. 256 samples at each epoch end
///   (`SampleLoss::from_logits`; ~2.5% of an epoch of 10k). Clean images let the rules tell corrupted
///   labels (still contradicted on clean images) from harmful augmentation (clean images are easy).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observations {
    pub layers: Vec<ObservedLayer>,
    pub steps_per_epoch: usize,
    /// Samples per training batch (0 if unknown: treated as 32).
    pub batch_size: usize,
    /// Loss of step 0, before any update.
    pub initial_loss: Option<f32>,
    /// 0-based index of the step `step_loss[0]` belongs to (older steps were dropped).
    pub first_step: u64,
    pub step_loss: Vec<f32>,
    pub step_acc: Vec<f32>,
    pub epochs: Vec<EpochFigures>,
    pub layer_history: Vec<LayerSnapshot>,
    pub non_finite: Option<NonFinite>,
    /// Training-label counts per class.
    pub class_counts: Vec<u32>,
    /// Confusion counts of the latest validation pass, row = true class, column = predicted.
    /// Per-class recall is derived from it.
    pub confusion: Vec<Vec<u32>>,
    pub input: Option<InputStats>,
    pub samples: Vec<SampleLoss>,
}

impl Observations {
    pub fn new(
        layers: Vec<ObservedLayer>,
        class_counts: Vec<u32>,
        steps_per_epoch: usize,
        batch_size: usize,
    ) -> Self {
        Observations {
            layers,
            class_counts,
            steps_per_epoch,
            batch_size,
            ..Default::default()
        }
    }

    /// Append one step's loss and accuracy.
    pub fn record_step(&mut self, loss: f32, acc: f32) {
        if self.step_loss.is_empty() && self.first_step == 0 {
            self.initial_loss = Some(loss);
        }
        self.step_loss.push(loss);
        self.step_acc.push(acc);
        // Drop the oldest half only when twice the capacity is reached: O(1) amortised.
        if self.step_loss.len() >= 2 * STEPS_KEPT {
            let drop = self.step_loss.len() - STEPS_KEPT;
            self.step_loss.drain(..drop);
            self.step_acc.drain(..drop.min(self.step_acc.len()));
            self.first_step += drop as u64;
        }
    }

    /// Index of the next step to be recorded.
    pub fn next_step(&self) -> u64 {
        self.first_step + self.step_loss.len() as u64
    }

    /// Append the per-layer statistics of step `step`, measured over `samples` samples.
    pub fn record_layers(&mut self, step: u64, samples: usize, stats: Vec<LayerStats>) {
        self.layer_history.push(LayerSnapshot {
            step,
            samples,
            stats,
        });
        if self.layer_history.len() > 2 * SNAPSHOTS_KEPT {
            // Keep the first snapshot (the network as initialised) and the most recent ones.
            let drop = self.layer_history.len() - 1 - SNAPSHOTS_KEPT;
            self.layer_history.drain(1..1 + drop);
        }
    }

    pub fn record_epoch(&mut self, e: EpochFigures) {
        self.epochs.push(e);
    }

    /// The latest validation pass's confusion counts (row = true class).
    pub fn set_confusion<R: AsRef<[u32]>>(&mut self, rows: &[R]) {
        self.confusion = rows.iter().map(|r| r.as_ref().to_vec()).collect();
    }

    /// Keeps the first non-finite record: the earliest one names where the trouble started.
    pub fn record_non_finite(&mut self, nf: NonFinite) {
        if self.non_finite.is_none() {
            self.non_finite = Some(nf);
        }
    }

    /// Append one probe sample, keeping the last `SAMPLES_KEPT`.
    pub fn record_sample(&mut self, s: SampleLoss) {
        self.samples.push(s);
        if self.samples.len() >= 2 * SAMPLES_KEPT {
            let drop = self.samples.len() - SAMPLES_KEPT;
            self.samples.drain(..drop);
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// What is concluded.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warn,
    Alarm,
}

impl Severity {
    pub fn key(&self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Alarm => "alarm",
        }
    }
}

/// One measured figure behind a finding and the threshold it was compared with.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// camelCase name of the figure (the page's own names where it has one: gradNorm, updateRatio,
    /// deadFrac, satFrac, valAcc, …).
    pub metric: &'static str,
    pub layer: Option<String>,
    pub value: f64,
    /// The limit the rule compared `value` with; NaN when the figure is context, not a test.
    pub threshold: f64,
}

/// A likely cause, with the reason it is ranked where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Cause {
    /// One of `CAUSES`.
    pub id: &'static str,
    pub why: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub symptom: &'static str,
    pub severity: Severity,
    /// One plain sentence for a student.
    pub title: String,
    pub evidence: Vec<Evidence>,
    /// Most likely first; no id twice.
    pub causes: Vec<Cause>,
    /// The experiment that separates the causes.
    pub experiment: String,
}

// ---------------------------------------------------------------------------------------------------
// Derived facts shared by the rules, computed once per call.

struct Ctx<'a> {
    o: &'a Observations,
    /// Number of classes.
    k: usize,
    /// Entropy of the training-label frequencies (ln K when unknown or balanced).
    prior_entropy: f64,
    /// Largest class share of the training labels.
    max_share: f64,
    /// The first snapshot, if it shows the network as initialised.
    early: Option<&'a LayerSnapshot>,
    /// The last `PERSIST` snapshots.
    latest: &'a [LayerSnapshot],
    /// Steps scanned by the step-level rules (the most recent `SCAN_STEPS`).
    scan: &'a [f32],
    input_flag: Option<InputProblem>,
    spikes: Spikes,
    /// Batch-to-batch noise σ of the scanned losses (see `OSC_NOISE_SIGMAS`).
    noise_sigma: f64,
    reversals: usize,
    /// A layer whose weights keep moving while no gradient reaches it, and the per-step decay factor
    /// of its update norm (the momentum coefficient, see `MOMENTUM_HIGH`).
    coasting: Option<(usize, f64)>,
    /// Layer with the largest weight-norm growth since the first snapshot, and the factor.
    growth: Option<(usize, f64)>,
    probe: Option<Probe>,
    /// Severity of the initial-loss finding, if any.
    init: Option<Severity>,
    /// The labels are heavily skewed (imbalance ratio above `IMBALANCE_RATIO`).
    skewed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum InputProblem {
    OutOfScale,
    Tiny,
}

#[derive(Default)]
struct Spikes {
    count: usize,
    /// Spikes at least `SPIKE_FACTOR` × both neighbouring batch losses.
    sharp: usize,
    /// Largest loss / running median, and at which step.
    worst: f64,
    worst_step: u64,
}

#[derive(Clone, Copy)]
struct Probe {
    acc: f64,
    confident_wrong: f64,
    /// Confidently wrong and with a loss above ln K (the given label gets less than a blind guess).
    high_loss: f64,
}

fn finite(v: f64) -> bool {
    v.is_finite()
}

fn mean(v: impl Iterator<Item = f64>) -> Option<f64> {
    let (mut s, mut n) = (0.0, 0usize);
    for x in v.filter(|x| x.is_finite()) {
        s += x;
        n += 1;
    }
    (n > 0).then(|| s / n as f64)
}

fn median(v: &mut [f64]) -> f64 {
    let mid = v.len() / 2;
    let (_, m, _) = v.select_nth_unstable_by(mid, |a, b| a.total_cmp(b));
    *m
}

impl<'a> Ctx<'a> {
    fn new(o: &'a Observations) -> Ctx<'a> {
        let k = if !o.class_counts.is_empty() {
            o.class_counts.len()
        } else if !o.confusion.is_empty() {
            o.confusion.len()
        } else {
            10
        }
        .max(2);
        let total: f64 = o.class_counts.iter().map(|&c| c as f64).sum();
        let (prior_entropy, max_share) = if total > 0.0 {
            let h = o
                .class_counts
                .iter()
                .filter(|&&c| c > 0)
                .map(|&c| {
                    let p = c as f64 / total;
                    -p * p.ln()
                })
                .sum::<f64>();
            let m = o.class_counts.iter().copied().max().unwrap_or(0) as f64 / total;
            (h, m)
        } else {
            ((k as f64).ln(), 1.0 / k as f64)
        };
        let max_c = o.class_counts.iter().copied().max().unwrap_or(0) as f64;
        let min_c = o.class_counts.iter().copied().min().unwrap_or(0) as f64;
        let skewed = max_c > 0.0 && (min_c == 0.0 || max_c / min_c > IMBALANCE_RATIO);

        let early = o.layer_history.first().filter(|s| s.step <= EARLY_STEP);
        // The network as initialised is not "recent" once later snapshots exist.
        let h = &o.layer_history;
        let from = h
            .len()
            .saturating_sub(PERSIST)
            .max(usize::from(h.len() > 1));
        let latest = &h[from..];
        let scan = &o.step_loss[o.step_loss.len().saturating_sub(SCAN_STEPS)..];
        let mut c = Ctx {
            o,
            k,
            prior_entropy,
            max_share,
            early,
            latest,
            scan,
            input_flag: input_problem(o.input),
            spikes: Spikes::default(),
            noise_sigma: 0.0,
            reversals: 0,
            coasting: None,
            growth: None,
            probe: None,
            init: None,
            skewed,
        };
        c.spikes = c.find_spikes();
        c.noise_sigma = noise_sigma(c.scan);
        let floor = OSC_ABS_NATS.max(OSC_NOISE_SIGMAS * c.noise_sigma);
        c.reversals = reversals(&median_filter(c.scan, OSC_FILTER), floor);
        c.coasting = c.find_coasting();
        c.growth = c.find_growth();
        c.probe = c.find_probe();
        c.init = c.init_severity();
        c
    }

    fn find_spikes(&self) -> Spikes {
        let mut s = Spikes::default();
        let all = &self.o.step_loss;
        let start = all.len() - self.scan.len();
        let mut window = Vec::with_capacity(SPIKE_WINDOW);
        for i in start.max(SPIKE_WINDOW)..all.len() {
            let v = all[i] as f64;
            if !finite(v) {
                continue;
            }
            window.clear();
            window.extend(
                all[i - SPIKE_WINDOW..i]
                    .iter()
                    .map(|&x| x as f64)
                    .filter(|x| x.is_finite()),
            );
            if window.len() < SPIKE_WINDOW / 2 {
                continue;
            }
            let med = median(&mut window);
            let limit = (SPIKE_FACTOR * med).max(med + self.spike_margin());
            if v > limit {
                s.count += 1;
                let neighbour = |j: Option<usize>| {
                    j.and_then(|j| all.get(j))
                        .map(|&x| x as f64)
                        .filter(|x| x.is_finite())
                };
                let around = [neighbour(i.checked_sub(1)), neighbour(Some(i + 1))];
                // The last step has no successor yet: judge it by its predecessor alone.
                if around
                    .iter()
                    .flatten()
                    .all(|&x| v >= SPIKE_FACTOR * x.max(1e-12))
                {
                    s.sharp += 1;
                }
                let r = v / med.max(1e-12);
                if r > s.worst {
                    s.worst = r;
                    s.worst_step = self.o.first_step + i as u64;
                }
            }
        }
        s
    }

    /// The absolute part of the spike threshold, scaled to the batch size.
    fn spike_margin(&self) -> f64 {
        let b = if self.o.batch_size == 0 {
            32.0
        } else {
            self.o.batch_size as f64
        };
        SPIKE_MIN_NATS.max(SPIKE_BATCH_NATS / b)
    }

    /// Does `f` hold for the majority of the last snapshots?
    fn persists(&self, f: impl Fn(&LayerSnapshot) -> bool) -> bool {
        let n = self.latest.len();
        n > 0 && self.latest.iter().filter(|s| f(s)).count() * 2 > n
    }

    fn last(&self) -> Option<&'a LayerSnapshot> {
        self.latest.last()
    }

    fn stat(s: &LayerSnapshot, i: usize) -> Option<&LayerStats> {
        s.stats.get(i)
    }

    fn act(&self, i: usize) -> Option<ActKind> {
        self.o.layers.get(i).and_then(|l| l.act)
    }

    fn name(&self, i: usize) -> String {
        self.o
            .layers
            .get(i)
            .map(|l| l.name.clone())
            .or_else(|| {
                self.last()
                    .and_then(|s| s.stats.get(i))
                    .map(|s| s.name.clone())
            })
            .unwrap_or_else(|| format!("layer {}", i + 1))
    }

    fn has_saturating(&self) -> bool {
        self.o
            .layers
            .iter()
            .any(|l| l.act == Some(ActKind::Saturating))
    }

    /// First-layer / last-layer gradient norm ratio of a snapshot (None when undefined).
    fn grad_ratio(s: &LayerSnapshot) -> Option<(f64, f64)> {
        let first = s.stats.first()?.grad_norm as f64;
        let last = s.stats.last()?.grad_norm as f64;
        if s.stats.len() < 2 || !finite(first) || !finite(last) || last <= 0.0 {
            return None;
        }
        Some((first / last, first))
    }

    fn vanishing(s: &LayerSnapshot) -> bool {
        Self::grad_ratio(s).is_some_and(|(r, first)| r < VANISH_RATIO && first < VANISH_FIRST_NORM)
            && !s.stats.last().is_some_and(started_from_zero)
    }

    fn exploding(s: &LayerSnapshot) -> bool {
        Self::grad_ratio(s).is_some_and(|(r, _)| r > EXPLODE_RATIO)
    }

    /// ReLU layers whose dead fraction is measurable in this snapshot.
    fn dead_frac(&self, s: &LayerSnapshot, i: usize) -> Option<f64> {
        if self.act(i) != Some(ActKind::ReluLike) || s.samples < DEAD_MIN_SAMPLES {
            return None;
        }
        Self::stat(s, i)
            .map(|x| x.dead_frac as f64)
            .filter(|v| v.is_finite())
    }

    /// Every non-output layer gets (practically) no gradient.
    fn no_hidden_gradient(s: &LayerSnapshot) -> bool {
        let n = s.stats.len();
        n >= 2
            && s.stats[..n - 1]
                .iter()
                .all(|x| (x.grad_norm as f64) < VANISH_FIRST_NORM)
    }

    fn tiny_weights(s: &LayerSnapshot, i: usize) -> bool {
        Self::stat(s, i).is_some_and(|x| (x.weight_norm as f64) < WEIGHT_TINY)
    }

    /// Median update ratio over the layers that receive a gradient and have weights of normal size
    /// (a layer without gradient is not moved by the step size; a tiny layer's ratio is meaningless).
    fn median_update_ratio(s: &LayerSnapshot) -> Option<f64> {
        let mut v: Vec<f64> = s
            .stats
            .iter()
            .filter(|x| {
                (x.grad_norm as f64) >= VANISH_FIRST_NORM && (x.weight_norm as f64) >= WEIGHT_TINY
            })
            .map(|x| x.update_ratio as f64)
            .filter(|r| r.is_finite())
            .collect();
        (!v.is_empty()).then(|| median(&mut v))
    }

    fn find_coasting(&self) -> Option<(usize, f64)> {
        let n = self.latest.len();
        if n < 2 {
            return None;
        }
        let (a, b) = (&self.latest[n - 2], &self.latest[n - 1]);
        let dt = b.step.checked_sub(a.step).filter(|&d| d > 0)? as f64;
        let norm = |x: &LayerStats| x.update_ratio as f64 * x.weight_norm as f64;
        (0..b.stats.len())
            .filter_map(|i| {
                let (x, y) = (a.stats.get(i)?, b.stats.get(i)?);
                let free = |z: &LayerStats| {
                    (z.grad_norm as f64) < VANISH_FIRST_NORM
                        && (z.weight_norm as f64) >= WEIGHT_TINY
                };
                let (u0, u1) = (norm(x), norm(y));
                (free(x)
                    && free(y)
                    && (y.update_ratio as f64) >= UPDATE_RATIO_LOW_LIMIT
                    && u0 > 0.0
                    && u1 > 0.0
                    && u0.is_finite()
                    && u1.is_finite())
                .then(|| (i, (u1 / u0).powf(1.0 / dt)))
            })
            .max_by(|p, q| p.1.total_cmp(&q.1))
    }

    fn find_growth(&self) -> Option<(usize, f64)> {
        let first = self.o.layer_history.first()?;
        let last = self.last()?;
        if last.step <= first.step {
            return None;
        }
        let mut best: Option<(usize, f64)> = None;
        for (i, (a, b)) in first.stats.iter().zip(&last.stats).enumerate() {
            let (w0, w1) = (a.weight_norm as f64, b.weight_norm as f64);
            if w0 >= WEIGHT_TINY && finite(w1) && !started_from_zero(a) {
                let g = w1 / w0;
                if best.is_none_or(|(_, bg)| g > bg) {
                    best = Some((i, g));
                }
            }
        }
        best
    }

    fn find_probe(&self) -> Option<Probe> {
        let s = &self.o.samples;
        if s.len() < PROBE_MIN {
            return None;
        }
        let n = s.len() as f64;
        let lnk = (self.k as f64).ln();
        let right = s.iter().filter(|x| x.predicted == x.label).count() as f64;
        let cw: Vec<&SampleLoss> = s
            .iter()
            .filter(|x| x.predicted != x.label && x.confidence as f64 >= CONFIDENT)
            .collect();
        let hl = cw.iter().filter(|x| x.loss as f64 > lnk).count() as f64;
        Some(Probe {
            acc: right / n,
            confident_wrong: cw.len() as f64 / n,
            high_loss: hl / n,
        })
    }

    fn init_severity(&self) -> Option<Severity> {
        let l0 = self.o.initial_loss? as f64;
        if !finite(l0) {
            return Some(Severity::Alarm);
        }
        let lnk = (self.k as f64).ln();
        if l0 > INIT_LOSS_ALARM_FACTOR * lnk {
            Some(Severity::Alarm)
        } else if l0 > INIT_LOSS_WARN_FACTOR * lnk {
            // A warning is for a start that hurts: a net that brings its loss below chance within
            // its first `STUCK_MIN_STEPS` steps by itself got only a note.
            let first = if self.o.first_step == 0 {
                &self.o.step_loss[..self.o.step_loss.len().min(STUCK_MIN_STEPS)]
            } else {
                &[]
            };
            // … and before `STUCK_MIN_STEPS` steps were seen it is too early to say.
            let recovered = first.len() < STUCK_MIN_STEPS
                || first
                    .iter()
                    .any(|&l| (l as f64) < (1.0 - CHANCE_LOSS_BAND) * self.prior_entropy);
            Some(if recovered {
                Severity::Info
            } else {
                Severity::Warn
            })
        } else if l0 > INIT_LOSS_NOTE_FACTOR * self.prior_entropy {
            Some(Severity::Info)
        } else {
            None
        }
    }

    /// Mean training loss and accuracy over the last steps of epoch `e` (1-based), or the epoch mean if
    /// those steps are no longer kept.
    fn train_tail(&self, e: usize) -> (f64, f64) {
        let fig = self.o.epochs[e - 1];
        let spe = self.o.steps_per_epoch;
        if spe > 0 {
            let end = (e * spe) as u64;
            let w = spe.div_ceil(2).min(TRAIN_TAIL_STEPS) as u64;
            let start = end - w;
            let kept_end = self.o.next_step();
            if start >= self.o.first_step && end <= kept_end {
                let a = (start - self.o.first_step) as usize;
                let b = (end - self.o.first_step) as usize;
                let l = mean(self.o.step_loss[a..b].iter().map(|&x| x as f64));
                let c = mean(
                    self.o
                        .step_acc
                        .get(a..b)
                        .unwrap_or(&[])
                        .iter()
                        .map(|&x| x as f64),
                );
                if let (Some(l), Some(c)) = (l, c) {
                    return (l, c);
                }
            }
        }
        (fig.train_loss as f64, fig.train_acc as f64)
    }

    /// The latest epoch with validation figures: (1-based epoch, tail train loss, tail train acc,
    /// val loss, val acc).
    fn latest_eval(&self) -> Option<(usize, f64, f64, f64, f64)> {
        let e = self
            .o
            .epochs
            .iter()
            .rposition(|f| f.val_acc.is_finite() && f.val_loss.is_finite())?
            + 1;
        let (tl, ta) = self.train_tail(e);
        let f = self.o.epochs[e - 1];
        Some((e, tl, ta, f.val_loss as f64, f.val_acc as f64))
    }

    /// Is some class below `RARE_SHARE` of the mean class count?
    fn has_rare_classes(&self) -> bool {
        let counts = &self.o.class_counts;
        let mean_c = counts.iter().map(|&x| x as f64).sum::<f64>() / counts.len().max(1) as f64;
        mean_c > 0.0 && counts.iter().any(|&x| (x as f64) < RARE_SHARE * mean_c)
    }

    /// Per-class validation recall from the confusion matrix (NaN for a class with no samples).
    fn recall(&self) -> Vec<f64> {
        self.o
            .confusion
            .iter()
            .enumerate()
            .map(|(c, row)| {
                let total: u64 = row.iter().map(|&x| x as u64).sum();
                if total == 0 {
                    f64::NAN
                } else {
                    row.get(c).copied().unwrap_or(0) as f64 / total as f64
                }
            })
            .collect()
    }

    /// Pairs of classes confused with each other both ways: (a, b, share of a called b, of b called a).
    fn lookalikes(&self) -> Vec<(usize, usize, f64, f64)> {
        let m = &self.o.confusion;
        let rows: Vec<f64> = m
            .iter()
            .map(|r| r.iter().map(|&x| x as f64).sum())
            .collect();
        let mut out = Vec::new();
        for a in 0..m.len() {
            for b in a + 1..m.len() {
                if rows[a] == 0.0 || rows[b] == 0.0 {
                    continue;
                }
                let ab = m[a].get(b).copied().unwrap_or(0) as f64 / rows[a];
                let ba = m[b].get(a).copied().unwrap_or(0) as f64 / rows[b];
                if ab.min(ba) >= LOOKALIKE_BOTH && ab.max(ba) >= LOOKALIKE_ONE {
                    out.push((a, b, ab, ba));
                }
            }
        }
        out.sort_by(|x, y| (y.2 + y.3).total_cmp(&(x.2 + x.3)));
        out
    }

    /// Did the loss blow up (non-finite or ≥ `LOSS_EXPLODED_NATS`) only after training had gone well:
    /// at least `SPIKE_WINDOW` steps in, with the median of the `SPIKE_WINDOW` batch losses before it
    /// below the chance band (`CHANCE_LOSS_BAND`)? A step size that is simply too large shows from the
    /// first steps; a sudden blow-up after real progress points at an optimizer that occasionally
    /// takes a huge step.
    fn late_blowup(&self) -> bool {
        let v = &self.o.step_loss;
        let Some(i) = v
            .iter()
            .position(|&l| !l.is_finite() || l as f64 >= LOSS_EXPLODED_NATS)
        else {
            return false;
        };
        if (self.o.first_step as usize + i) < SPIKE_WINDOW || i < SPIKE_WINDOW {
            return false;
        }
        let mut before: Vec<f64> = v[i - SPIKE_WINDOW..i].iter().map(|&l| l as f64).collect();
        median(&mut before) < (1.0 - CHANCE_LOSS_BAND) * self.prior_entropy
    }

    /// Does the clean-image probe show a training-accuracy shortfall against validation accuracy
    /// `val_acc` that the augmented training batches (`train_acc`) show too? Some(share) if measurable.
    fn noise_share(&self, train_acc: f64, val_acc: f64) -> Option<f64> {
        let p = self.probe?;
        let gap = val_acc - train_acc;
        (gap > 0.0).then(|| (val_acc - p.acc) / gap)
    }
}

/// See `FROM_ZERO_TOL`.
fn started_from_zero(x: &LayerStats) -> bool {
    ((x.update_ratio as f64) - 1.0).abs() <= FROM_ZERO_TOL
}

fn input_problem(i: Option<InputStats>) -> Option<InputProblem> {
    let i = i?;
    let (lo, hi, m, s) = (i.min as f64, i.max as f64, i.mean as f64, i.std as f64);
    if ![lo, hi, m, s].iter().all(|v| v.is_finite()) {
        return None;
    }
    let in_range = lo >= -INPUT_RANGE && hi <= INPUT_RANGE;
    let standardised =
        m.abs() <= STANDARD_MEAN && (STANDARD_STD_LOW..=STANDARD_STD_HIGH).contains(&s);
    if !in_range && !standardised {
        Some(InputProblem::OutOfScale)
    } else if (m * m + s * s).sqrt() < INPUT_RMS_TINY {
        Some(InputProblem::Tiny)
    } else {
        None
    }
}

/// Running median of odd width `w` (shorter at the ends). O(n·w) with w = 9.
fn median_filter(v: &[f32], w: usize) -> Vec<f64> {
    let h = w / 2;
    let mut buf = Vec::with_capacity(w);
    (0..v.len())
        .filter_map(|i| {
            buf.clear();
            buf.extend(
                v[i.saturating_sub(h)..(i + h + 1).min(v.len())]
                    .iter()
                    .map(|&x| x as f64)
                    .filter(|x| x.is_finite()),
            );
            (!buf.is_empty()).then(|| median(&mut buf))
        })
        .collect()
}

/// Batch-to-batch noise σ of a loss series: standard deviation of successive differences, clipped to
/// their 2nd–98th percentiles, / √2.
fn noise_sigma(v: &[f32]) -> f64 {
    let mut d: Vec<f64> = v
        .windows(2)
        .map(|w| w[1] as f64 - w[0] as f64)
        .filter(|x| x.is_finite())
        .collect();
    if d.len() < 2 {
        return 0.0;
    }
    d.sort_by(|a, b| a.total_cmp(b));
    let n = d.len();
    let (lo, hi) = (d[n * 2 / 100], d[(n * 98 / 100).min(n - 1)]);
    let clipped = d.iter().map(|x| x.clamp(lo, hi));
    let m = clipped.clone().sum::<f64>() / n as f64;
    let var = clipped.map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64;
    var.sqrt() / std::f64::consts::SQRT_2
}

/// Direction reversals of a smoothed series, with hysteresis: a move counts when it spans at least
/// `OSC_REL` of its lower end and at least `floor` nats.
fn reversals(f: &[f64], floor: f64) -> usize {
    let swing = |lo: f64, hi: f64| hi - lo >= (OSC_REL * lo.abs()).max(floor);
    let Some(&first) = f.first() else { return 0 };
    let (mut lo, mut hi, mut trend, mut count) = (first, first, 0i8, 0usize);
    for &v in &f[1..] {
        match trend {
            1 => {
                if v > hi {
                    hi = v;
                } else if swing(v, hi) {
                    count += 1;
                    trend = -1;
                    lo = v;
                }
            }
            -1 => {
                if v < lo {
                    lo = v;
                } else if swing(lo, v) {
                    count += 1;
                    trend = 1;
                    hi = v;
                }
            }
            _ => {
                hi = hi.max(v);
                lo = lo.min(v);
                if v == hi && swing(lo, v) {
                    trend = 1;
                } else if v == lo && swing(v, hi) {
                    trend = -1;
                }
            }
        }
    }
    count
}

// ---------------------------------------------------------------------------------------------------
// Building findings.

fn cause(id: &'static str, why: impl Into<String>) -> Cause {
    Cause {
        id,
        why: why.into(),
    }
}

fn ev(metric: &'static str, layer: Option<String>, value: f64, threshold: f64) -> Evidence {
    Evidence {
        metric,
        layer,
        value,
        threshold,
    }
}

/// Drops repeated cause ids, keeping the first (highest-ranked) one.
fn dedup_causes(mut v: Vec<Cause>) -> Vec<Cause> {
    let mut seen: Vec<&'static str> = Vec::new();
    v.retain(|c| {
        if seen.contains(&c.id) {
            false
        } else {
            seen.push(c.id);
            true
        }
    });
    v
}

fn finding(
    symptom: &'static str,
    severity: Severity,
    title: String,
    evidence: Vec<Evidence>,
    causes: Vec<Cause>,
    experiment: &str,
) -> Finding {
    Finding {
        symptom,
        severity,
        title,
        evidence,
        causes: dedup_causes(causes),
        experiment: experiment.to_string(),
    }
}

const EXP_STEP_DOWN: &str = "Pin this run, then race it from the same seed at learning rate ÷ 10: \
if the symptom goes away, the step size was the cause. If it does not, race once with momentum 0.9 \
(or Adam's β1 = 0.9, β2 = 0.999) at the original learning rate to see whether momentum or the betas \
are to blame.";
const EXP_STEP_UP: &str =
    "Pin this run, then race it from the same seed at learning rate × 10 (and, \
with Adam, ε = 1e-8): if the loss now falls quickly, the steps were too small.";
const EXP_INIT: &str =
    "Restart from the same seed with He initialisation at gain 1 (or the current \
gain ÷ 10) and compare the first loss with ln 10 ≈ 2.30: if it lands near it, the initial output \
scale was the cause.";

/// The experiment that tests `cause` first (for findings whose ranking varies with the run).
fn experiment_for(cause: &str) -> &'static str {
    match cause {
        LR_TOO_HIGH | MOMENTUM_TOO_HIGH | ADAM_BETAS | EXPLODING_GRADIENTS => EXP_STEP_DOWN,
        VANISHING_GRADIENTS => EXP_VANISH,
        BAD_INIT => EXP_INIT,
        LABEL_NOISE => {
            "Look at the training samples with the highest loss: if their labels are visibly wrong, \
             the labels are the cause. To confirm, race a run with clean labels from the same seed."
        }
        CLASS_IMBALANCE => {
            "Race the same run with every class equally represented (same seed): if the rare digits' \
             recall rises to meet the others', the imbalance was the cause."
        }
        BAD_LAYER_DESIGN => {
            "Pin this run and race it with the default layers (5×5 kernels, stride 1, padding 2, \
             pooling after each block): if that learns faster, the layer design was the cause."
        }
        TOO_LITTLE_DATA => {
            "Race the same run with ten times as many training images (same seed): if validation \
             accuracy rises, there were too few examples."
        }
        HARMFUL_AUGMENTATION => {
            "Race the same run without augmentation (same seed): if training and validation improve, \
             the augmentation was the cause."
        }
        INPUT_SCALE => {
            "Race the same run with the pixels scaled to 0–1 and standardised (same seed): if the \
             first loss falls to a few nats and the net learns, the input scale was the cause."
        }
        _ => EXP_STEP_UP,
    }
}

/// Causes for "the steps are too large", ordered by the signature that tells them apart.
fn step_size_causes(c: &Ctx) -> Vec<Cause> {
    let spiky = c.spikes.count >= SPIKES_WARN;
    // Two thirds of the spikes decide their kind.
    let sharp = spiky && c.spikes.sharp * 3 >= c.spikes.count * 2;
    let broad = spiky && !sharp;
    let zigzag = c.reversals >= OSC_REVERSALS;
    let lr = cause(
        LR_TOO_HIGH,
        "each step overshoots: the loss, the weights or the update/weight ratio jumped once steps were taken",
    );
    let mom = |why: String| cause(MOMENTUM_TOO_HIGH, why);
    let betas = |why: String| cause(ADAM_BETAS, why);
    match c.coasting {
        Some((i, rho)) if rho > 1.0 => {
            return vec![
                betas(format!(
                    "{} receives no gradient yet its steps grow by {:.1}% per step: Adam does this when β2 < β1² (the step-size denominator forgets faster than the numerator)",
                    c.name(i),
                    (rho - 1.0) * 100.0
                )),
                mom(format!(
                    "a velocity is still carrying {} without gradient",
                    c.name(i)
                )),
                lr,
            ]
        }
        Some((i, rho)) if rho >= MOMENTUM_HIGH => {
            return vec![
                mom(format!(
                    "{} receives no gradient yet its steps shrink by only {:.2}% per step: a velocity with momentum ≈ {:.3} keeps carrying the weights",
                    c.name(i),
                    (1.0 - rho) * 100.0,
                    rho
                )),
                betas("Adam also keeps stepping for a while without gradient".into()),
                lr,
            ]
        }
        _ => {}
    }
    if sharp || c.late_blowup() {
        vec![
            betas(if sharp {
                "the loss jumps on single batches, far above the batches before and after: one \
                 oversized step at a time, as Adam takes when its squared-gradient average forgets \
                 faster than its gradient average (β2 < β1)"
            } else {
                "the loss had fallen well below chance before one step threw it away: a sudden \
                 oversized step after good progress, as Adam takes when its squared-gradient average \
                 forgets faster than its gradient average (β2 < β1)"
            }
            .into()),
            lr,
            mom("momentum can also carry a step too far now and then".into()),
        ]
    } else if zigzag || broad {
        vec![
            mom(if zigzag {
                "the smoothed loss swings up and down repeatedly: the zig-zag of a heavy ball overshooting the valley"
            } else {
                "the loss rises in bumps that span several batches: the weights overshoot smoothly, as a heavy ball with little friction does"
            }
            .into()),
            lr,
            betas("Adam with unbalanced betas can also overshoot".into()),
        ]
    } else {
        vec![
            lr,
            mom("momentum multiplies the effective step by up to 1/(1 − momentum)".into()),
            betas("Adam with β2 < β1 takes sporadic oversized steps".into()),
        ]
    }
}

fn input_cause(c: &Ctx) -> Option<Cause> {
    c.input_flag.map(|p| match p {
        InputProblem::OutOfScale => cause(
            INPUT_SCALE,
            "the inputs are neither in [−1, 1] nor standardised, so every layer starts off the scale its initialiser assumed",
        ),
        InputProblem::Tiny => cause(
            INPUT_SCALE,
            "the inputs are nearly zero, so the first layer gets almost no signal and no gradient",
        ),
    })
}

/// The probe's share of confidently contradicted training labels, against `CONFIDENT_WRONG`.
fn confident_wrong_ev(c: &Ctx) -> Option<Evidence> {
    c.probe
        .map(|p| ev("confidentWrong", None, p.confident_wrong, CONFIDENT_WRONG))
}

fn fmt_loss(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.1e}")
    } else {
        format!("{v:.2}")
    }
}

// ---------------------------------------------------------------------------------------------------
// The rules.

fn rule_diverged(c: &Ctx) -> Option<Finding> {
    let nf = c.o.non_finite.clone().or_else(|| {
        c.o.step_loss
            .iter()
            .position(|l| !l.is_finite())
            .map(|i| NonFinite {
                step: c.o.first_step + i as u64,
                layer: Some("loss".into()),
                pass: Some(Pass::Forward),
            })
    })?;
    let where_ = match (&nf.layer, nf.pass) {
        (Some(l), Some(Pass::Forward)) => format!(" in the forward pass at {l}"),
        (Some(l), Some(Pass::Backward)) => format!(" in the backward pass (gradient of {l})"),
        (Some(l), None) => format!(" at {l}"),
        (None, Some(Pass::Forward)) => " in the forward pass".into(),
        (None, Some(Pass::Backward)) => " in the backward pass".into(),
        (None, None) => String::new(),
    };
    let title = format!(
        "Training diverged: a NaN or infinite value appeared{where_} at step {}.",
        nf.step + 1
    );
    let evidence = vec![ev(
        "nonFiniteStep",
        nf.layer.clone(),
        // 1-based, as the titles and the page count steps.
        nf.step as f64 + 1.0,
        f64::NAN,
    )];
    let mut causes = Vec::new();
    causes.extend(input_cause(c));
    let explode = cause(
        EXPLODING_GRADIENTS,
        "gradients grew through the layers until a value overflowed",
    );
    if nf.step <= EARLY_STEP || c.init.is_some_and(|s| s >= Severity::Warn) {
        // Nothing (or one update) has acted yet: the starting point itself overflows.
        causes.push(cause(
            BAD_INIT,
            "it broke before the updates could have done it: the initial weights already overflow",
        ));
        causes.push(explode);
        causes.extend(step_size_causes(c));
    } else if nf.pass == Some(Pass::Backward) {
        causes.push(explode);
        causes.extend(step_size_causes(c));
        causes.push(cause(
            BAD_INIT,
            "a large initial scale makes overflow easier",
        ));
    } else {
        causes.extend(step_size_causes(c));
        causes.push(explode);
        causes.push(cause(
            BAD_INIT,
            "a large initial scale makes overflow easier",
        ));
    }
    Some(finding(
        DIVERGED,
        Severity::Alarm,
        title,
        evidence,
        causes,
        EXP_STEP_DOWN,
    ))
}

fn rule_loss_exploded(c: &Ctx) -> Option<Finding> {
    // Step 0 is the initial-loss rule's business.
    let skip = if c.o.first_step == 0 { 1 } else { 0 };
    let (i, &v) =
        c.o.step_loss
            .iter()
            .enumerate()
            .skip(skip)
            .filter(|(_, l)| l.is_finite())
            .max_by(|a, b| a.1.total_cmp(b.1))?;
    let v = v as f64;
    if v < LOSS_EXPLODED_NATS {
        return None;
    }
    let step = c.o.first_step + i as u64;
    let title = format!(
        "The training loss reached {} nats at step {}: the outputs are far outside any useful range.",
        fmt_loss(v),
        step + 1
    );
    let evidence = vec![ev("loss", None, v, LOSS_EXPLODED_NATS)];
    let mut causes = Vec::new();
    causes.extend(input_cause(c));
    if c.init.is_some_and(|s| s >= Severity::Warn) {
        causes.push(cause(
            BAD_INIT,
            "the loss was already far too high before the first update: the initial scale is the origin",
        ));
        causes.push(cause(
            EXPLODING_GRADIENTS,
            "the huge initial outputs give huge gradients and updates",
        ));
        causes.extend(step_size_causes(c));
    } else {
        causes.extend(step_size_causes(c));
        causes.push(cause(
            EXPLODING_GRADIENTS,
            "gradients grew until one update threw the weights far away",
        ));
        causes.push(cause(
            BAD_INIT,
            "a large initial scale makes the blow-up easier",
        ));
    }
    Some(finding(
        LOSS_EXPLODED,
        Severity::Alarm,
        title,
        evidence,
        causes,
        EXP_STEP_DOWN,
    ))
}

fn rule_init_loss(c: &Ctx) -> Option<Finding> {
    let sev = c.init?;
    let l0 = c.o.initial_loss? as f64;
    let lnk = (c.k as f64).ln();
    let h = c.prior_entropy;
    let (threshold, title) = match sev {
        Severity::Info => (
            INIT_LOSS_NOTE_FACTOR * h,
            format!(
                "The untrained network starts at a loss of {} nats, above the {:.2} of a blind guess: it is already fairly sure of random answers.",
                fmt_loss(l0),
                h
            ),
        ),
        Severity::Warn => (
            INIT_LOSS_WARN_FACTOR * lnk,
            format!(
                "The untrained network starts at a loss of {} nats, several times the {:.2} of a blind guess: its initial outputs are far too large.",
                fmt_loss(l0),
                h
            ),
        ),
        Severity::Alarm => (
            INIT_LOSS_ALARM_FACTOR * lnk,
            format!(
                "The untrained network starts at a loss of {} nats where a blind guess gives {:.2}: its initial outputs are enormous.",
                fmt_loss(l0),
                h
            ),
        ),
    };
    let mut evidence = vec![ev("initialLoss", None, l0, threshold)];
    evidence.push(ev("priorEntropy", None, h, f64::NAN));
    let mut causes = Vec::new();
    if let Some(ic) = input_cause(c) {
        causes.push(ic);
    }
    causes.push(cause(
        BAD_INIT,
        "the weights' initial scale sets the logits' spread, and with it the loss before training",
    ));
    causes.push(cause(
        BAD_LAYER_DESIGN,
        "the architecture decides how that scale propagates (fan-in of the last layer, pooling, stride), which the initialiser may not account for",
    ));
    Some(finding(INIT_LOSS, sev, title, evidence, causes, EXP_INIT))
}

fn rule_stuck(c: &Ctx) -> Option<Finding> {
    let n = c.o.step_loss.len();
    if c.o.next_step() < (STUCK_MIN_STEPS + 1) as u64 || n < STUCK_WINDOW {
        return None;
    }
    let loss = mean(c.o.step_loss[n - STUCK_WINDOW..].iter().map(|&x| x as f64))?;
    let acc = mean(
        c.o.step_acc
            .get(c.o.step_acc.len().saturating_sub(STUCK_WINDOW)..)
            .unwrap_or(&[])
            .iter()
            .map(|&x| x as f64),
    )?;
    let h = c.prior_entropy;
    let loss_limit = (1.0 - CHANCE_LOSS_BAND) * h;
    let acc_limit = c.max_share + CHANCE_ACC_MARGIN;
    if loss < loss_limit || acc > acc_limit {
        return None;
    }
    let mut evidence = vec![
        ev("loss", None, loss, loss_limit),
        ev("trainAcc", None, acc, acc_limit),
    ];
    let title;
    let experiment;
    let mut causes = Vec::new();
    let last = c.last();
    let dead = last.and_then(|s| worst_dead(c, s));
    let no_grad = c.persists(Ctx::no_hidden_gradient);
    // For ranking an alarm that already fired, the ratio alone is enough: the first layer gets less
    // than a thousandth of the last layer's gradient (AUTOTRAINER's absolute 1e-4 guards the
    // standalone vanishing rule against false alarms).
    let vanish = c.persists(|s| Ctx::grad_ratio(s).is_some_and(|(r, _)| r < VANISH_RATIO));
    let saturated = last.and_then(|s| worst_saturated(c, s));
    let upd = last.and_then(Ctx::median_update_ratio);
    if let Some(s) = last {
        if let Some(first) = s.stats.first() {
            evidence.push(ev(
                "gradNorm",
                Some(first.name.clone()),
                first.grad_norm as f64,
                VANISH_FIRST_NORM,
            ));
        }
    }
    if no_grad || dead.is_some() {
        title = format!(
            "The loss has stayed at chance (about {:.2}) for {} steps and almost no gradient reaches the hidden layers.",
            loss, STUCK_WINDOW
        );
        if let Some((i, d)) = dead {
            evidence.push(ev("deadFrac", Some(c.name(i)), d, DEAD_FRAC));
        }
        causes.extend(dead_causes(c, dead.map(|(i, _)| i)));
        experiment = EXP_DEAD;
    } else if vanish || saturated.is_some() {
        title = format!(
            "The loss has stayed at chance (about {:.2}) for {} steps while the first layers receive almost no gradient.",
            loss, STUCK_WINDOW
        );
        causes.extend(vanish_causes(c));
        experiment = EXP_VANISH;
    } else if upd.is_some_and(|u| u > UPDATE_RATIO_HIGH_LIMIT) {
        title = format!(
            "The loss has stayed at chance (about {:.2}) for {} steps although every step changes the weights a lot.",
            loss, STUCK_WINDOW
        );
        evidence.push(ev(
            "updateRatio",
            None,
            upd.unwrap_or(f64::NAN),
            UPDATE_RATIO_HIGH_LIMIT,
        ));
        causes.extend(step_size_causes(c));
        experiment = EXP_STEP_DOWN;
    } else {
        title = format!(
            "The loss has stayed at chance (about {:.2}) for {} steps although gradients reach every layer.",
            loss, STUCK_WINDOW
        );
        if let Some(u) = upd {
            evidence.push(ev("updateRatio", None, u, UPDATE_RATIO_NOTE_LOW));
        }
        let lr = cause(
            LR_TOO_LOW,
            "gradients are there but the steps taken along them are too small to leave the starting point",
        );
        let eps = cause(
            ADAM_EPS,
            "with Adam, a large ε shrinks every step the same way a small learning rate does",
        );
        let design = cause(
            BAD_LAYER_DESIGN,
            "the network may throw the information away before it can use it (stride, pooling, too few channels)",
        );
        let noise = cause(
            LABEL_NOISE,
            "if the labels are mostly random there is nothing to learn",
        );
        // An untrained loss of ln K to within 0.01 nats means logits of spread σ < 0.15 (the loss at
        // init is ln K + ≈σ²/2, see `INIT_LOSS_NOTE_FACTOR`): outputs near zero, as tiny or zero
        // weights give (a He-initialised net starts nats higher). Such a net has almost no signal
        // to learn from: the initialisation comes first.
        let flat_start =
            c.o.initial_loss
                .is_some_and(|l0| (l0 as f64 - (c.k as f64).ln()).abs() < FLAT_START_NATS);
        if flat_start {
            evidence.push(ev(
                "initialLoss",
                None,
                c.o.initial_loss.map_or(f64::NAN, |l| l as f64),
                f64::NAN,
            ));
            causes.push(cause(
                BAD_INIT,
                "the untrained network's outputs were all nearly zero (its first loss was exactly a blind guess's): the initial weights are too small to carry a signal",
            ));
        }
        // Steps a tenth of the usual size or less make the step size the suspect; otherwise the
        // network or the labels are as likely.
        if upd.is_some_and(|u| u < UPDATE_RATIO_NOTE_LOW) {
            causes.extend([lr, eps, design, noise]);
        } else {
            causes.extend([lr, design, noise, eps]);
        }
        experiment = EXP_STEP_UP;
    }
    Some(finding(
        STUCK_AT_CHANCE,
        Severity::Alarm,
        title,
        evidence,
        causes,
        experiment,
    ))
}

const EXP_DEAD: &str = "Pin this run and race it from the same seed at learning rate ÷ 10: if the \
units stay alive and the loss leaves chance, the big early steps killed them. If they are dead from \
step 0 either way, restart with He initialisation at gain 1. LeakyReLU keeps a small slope below zero, \
so its units cannot die: racing it shows what the dead units cost.";
const EXP_VANISH: &str = "Race the same network with ReLU instead of sigmoid/tanh, then with fewer \
layers, then with He initialisation: whichever brings the first layers' gradient back names the cause.";

/// The most-dead ReLU layer, if one is dead in the majority of the last snapshots.
fn worst_dead(c: &Ctx, s: &LayerSnapshot) -> Option<(usize, f64)> {
    (0..s.stats.len())
        .filter_map(|i| c.dead_frac(s, i).map(|d| (i, d)))
        .filter(|&(i, _)| c.persists(|t| c.dead_frac(t, i).is_some_and(|d| d >= DEAD_FRAC)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

fn worst_saturated(c: &Ctx, s: &LayerSnapshot) -> Option<(usize, f64)> {
    (0..s.stats.len())
        .filter(|&i| c.act(i) == Some(ActKind::Saturating))
        .filter_map(|i| Ctx::stat(s, i).map(|x| (i, x.sat_frac as f64)))
        .filter(|&(i, _)| {
            c.persists(|t| Ctx::stat(t, i).is_some_and(|x| x.sat_frac as f64 >= SAT_FRAC))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// Why a layer is dead: born that way (initialisation) or killed by the steps.
fn dead_causes(c: &Ctx, layer: Option<usize>) -> Vec<Cause> {
    let born_dead = c.early.is_some_and(|e| {
        Ctx::no_hidden_gradient(e)
            || layer.is_some_and(|i| c.dead_frac(e, i).is_some_and(|d| d >= DEAD_FRAC))
    });
    let tiny = c.last().is_some_and(|s| {
        layer.map_or(
            Ctx::no_hidden_gradient(s) && (0..s.stats.len()).any(|i| Ctx::tiny_weights(s, i)),
            |i| Ctx::tiny_weights(s, i),
        )
    });
    let huge_start = c.init.is_some_and(|s| s >= Severity::Warn);
    let mut causes = Vec::new();
    causes.extend(input_cause(c));
    let init = cause(
        BAD_INIT,
        if tiny {
            "the weights are tiny or zero, so the signal and its gradient shrink to nothing layer after layer"
        } else if huge_start {
            "the initial outputs were far too large, and the first big updates pushed the units off"
        } else {
            "the units were off from the very first step: zero or badly scaled initial weights (or biases)"
        },
    );
    if born_dead || tiny || huge_start {
        causes.push(init);
        causes.extend(step_size_causes(c));
    } else {
        causes.extend(step_size_causes(c));
        causes.push(init);
    }
    causes
}

fn vanish_causes(c: &Ctx) -> Vec<Cause> {
    let tiny = c
        .last()
        .is_some_and(|s| (0..s.stats.len()).any(|i| Ctx::tiny_weights(s, i)));
    let vg = cause(
        VANISHING_GRADIENTS,
        "the gradient shrinks at every layer on its way back to the input",
    );
    let design = cause(
        BAD_LAYER_DESIGN,
        "a deep stack of sigmoid/tanh layers passes back at most 1/4 (sigmoid) of the gradient per layer",
    );
    let init = cause(
        BAD_INIT,
        if tiny {
            "some weights are tiny, which scales the gradient down at every layer"
        } else {
            "an initial scale that is too small shrinks the backward signal at every layer"
        },
    );
    if tiny {
        vec![init, vg, design]
    } else if c.has_saturating() {
        vec![vg, design, init]
    } else {
        vec![vg, init, design]
    }
}

fn rule_vanishing(c: &Ctx) -> Option<Finding> {
    if !c.persists(Ctx::vanishing) {
        return None;
    }
    // A dead layer stops every gradient below it: that finding explains this one.
    if c.last()
        .is_some_and(|s| worst_dead(c, s).is_some_and(|(_, d)| d >= DEAD_ALL))
    {
        return None;
    }
    let s = c.last()?;
    let (ratio, first) = Ctx::grad_ratio(s)?;
    let title = format!(
        "The first layer's gradient is {:.0e}, {:.0e} of the last layer's: the early layers barely learn.",
        first, ratio
    );
    let first_name = s.stats.first().map(|x| x.name.clone());
    let evidence = vec![
        ev("gradRatio", first_name.clone(), ratio, VANISH_RATIO),
        ev("gradNorm", first_name, first, VANISH_FIRST_NORM),
    ];
    Some(finding(
        GRADIENTS_VANISH,
        Severity::Warn,
        title,
        evidence,
        vanish_causes(c),
        EXP_VANISH,
    ))
}

fn rule_exploding(c: &Ctx) -> Option<Finding> {
    if !c.persists(Ctx::exploding) {
        return None;
    }
    let s = c.last()?;
    let (ratio, _) = Ctx::grad_ratio(s)?;
    let title = format!(
        "The first layer's gradient is {ratio:.0}× the last layer's: gradients grow on their way back to the input."
    );
    let evidence = vec![ev(
        "gradRatio",
        s.stats.first().map(|x| x.name.clone()),
        ratio,
        EXPLODE_RATIO,
    )];
    let from_start = c.early.is_some_and(Ctx::exploding);
    let eg = cause(
        EXPLODING_GRADIENTS,
        "each layer multiplies the backward signal by more than 1",
    );
    let init = cause(
        BAD_INIT,
        if from_start {
            "the ratio was already this large at step 0: the initial weights amplify the gradient"
        } else {
            "weights scaled above what fan-in-scaled initialisation gives amplify the gradient"
        },
    );
    let mut causes = vec![eg];
    if from_start {
        causes.push(init);
        causes.extend(step_size_causes(c));
    } else {
        causes.extend(step_size_causes(c));
        causes.push(init);
    }
    Some(finding(
        GRADIENTS_EXPLODE,
        Severity::Warn,
        title,
        evidence,
        causes,
        "Race at learning rate ÷ 10 and, separately, with the initializer's gain ÷ 2: the one that \
         brings the first/last gradient ratio back below 70 names the cause.",
    ))
}

fn rule_dead(c: &Ctx) -> Option<Finding> {
    let s = c.last()?;
    let (i, d) = worst_dead(c, s)?;
    let conv = c.o.layers.get(i).is_some_and(|l| l.role == LayerRole::Conv);
    // Whole-batch-off units of a convolution include positions that only see background; a conv
    // layer that is nearly all off is an alarm only while the network is not learning (its recent
    // loss still in the chance band).
    let learning = c.scan.len() >= STUCK_WINDOW
        && mean(
            c.scan[c.scan.len() - STUCK_WINDOW..]
                .iter()
                .map(|&l| l as f64),
        )
        .is_some_and(|m| m < (1.0 - CHANCE_LOSS_BAND) * c.prior_entropy);
    let sev = if d >= DEAD_ALL && !(conv && learning) {
        Severity::Alarm
    } else if conv {
        Severity::Info
    } else {
        Severity::Warn
    };
    let name = c.name(i);
    let title = if sev == Severity::Info {
        format!(
            "{:.0}% of the units in {name} output zero for every sample of the batch: in a convolution many of them are positions that only see background, but dead filters look the same.",
            d * 100.0
        )
    } else {
        format!(
            "{:.0}% of the units in {name} output zero for every sample: they are dead and pass no gradient back.",
            d * 100.0
        )
    };
    let mut evidence = vec![ev("deadFrac", Some(name.clone()), d, DEAD_FRAC)];
    if let Some(e) = c.early.and_then(|e| c.dead_frac(e, i)) {
        evidence.push(ev("deadFracAtStart", Some(name.clone()), e, DEAD_FRAC));
    }
    if let Some((gi, g)) = c.growth.filter(|&(_, g)| g >= WEIGHT_GROWTH) {
        evidence.push(ev("weightGrowth", Some(c.name(gi)), g, WEIGHT_GROWTH));
    }
    let mut causes = dead_causes(c, Some(i));
    if sev == Severity::Info {
        causes.insert(
            0,
            cause(
                BAD_LAYER_DESIGN,
                "in a convolution many of these units are positions that only ever see background or padding; they are off for every image without any filter dying",
            ),
        );
    }
    Some(finding(DEAD_RELU, sev, title, evidence, causes, EXP_DEAD))
}

fn rule_saturated(c: &Ctx) -> Option<Finding> {
    let s = c.last()?;
    let (i, f) = worst_saturated(c, s)?;
    let name = c.name(i);
    let title = format!(
        "{:.0}% of the sigmoid/tanh outputs in {name} sit in the flat ends of the curve, where almost no gradient passes.",
        f * 100.0
    );
    let evidence = vec![ev("satFrac", Some(name.clone()), f, SAT_FRAC)];
    let born = c
        .early
        .and_then(|e| Ctx::stat(e, i))
        .is_some_and(|x| x.sat_frac as f64 >= SAT_FRAC);
    let grown = c
        .growth
        .is_some_and(|(gi, g)| gi == i && g >= WEIGHT_GROWTH);
    let mut causes = Vec::new();
    causes.extend(input_cause(c));
    let init = cause(
        BAD_INIT,
        "large initial weights push the pre-activations far from zero (Glorot & Bengio 2010)",
    );
    let vg = cause(
        VANISHING_GRADIENTS,
        "saturated units pass back almost nothing, so the layers below stop learning",
    );
    if grown && !born {
        causes.extend(step_size_causes(c));
        causes.push(init);
        causes.push(vg);
    } else {
        causes.push(init);
        causes.push(vg);
        causes.push(cause(
            BAD_LAYER_DESIGN,
            "sigmoid/tanh saturate easily; ReLU-like activations do not",
        ));
    }
    Some(finding(
        SATURATED_UNITS,
        Severity::Warn,
        title,
        evidence,
        causes,
        "Race with Glorot initialisation (or the current gain ÷ 4) and, separately, with ReLU: if the \
         smaller scale brings the outputs back to the steep middle of the curve, the initialisation was \
         the cause.",
    ))
}

fn rule_update_ratio(c: &Ctx) -> Option<Finding> {
    let s = c.last()?;
    // High: any layer of normal size that receives a gradient.
    let high = (0..s.stats.len())
        .filter_map(|i| {
            let x = &s.stats[i];
            ((x.weight_norm as f64) >= WEIGHT_TINY && (x.update_ratio as f64).is_finite())
                .then_some((i, x.update_ratio as f64))
        })
        .filter(|&(i, _)| {
            c.persists(|t| {
                Ctx::stat(t, i).is_some_and(|x| {
                    (x.weight_norm as f64) >= WEIGHT_TINY
                        && x.update_ratio as f64 > UPDATE_RATIO_HIGH_LIMIT
                })
            })
        })
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((i, r)) = high {
        let name = c.name(i);
        // Only the first update measured so far: one step against the untrained weights, which a
        // high initial loss makes large, is a note until a later snapshot shows it again.
        let first_only = s.step <= EARLY_STEP;
        return Some(finding(
            UPDATE_RATIO_HIGH,
            if first_only {
                Severity::Info
            } else {
                Severity::Warn
            },
            if first_only {
                format!(
                    "The first step changed {name}'s weights by {:.0}% of their size (about 0.1% is healthy).",
                    r * 100.0
                )
            } else {
                format!(
                    "Each step changes {name}'s weights by {:.0}% of their size (about 0.1% is healthy): the steps are far too large.",
                    r * 100.0
                )
            },
            vec![ev("updateRatio", Some(name), r, UPDATE_RATIO_HIGH_LIMIT)],
            step_size_causes(c),
            EXP_STEP_DOWN,
        ));
    }
    let med = Ctx::median_update_ratio(s)?;
    // Small ratios in a net whose hidden layers get (almost) no gradient, or whose weights were blown
    // up, say nothing about the step size: the other findings explain them.
    let blocked = c.persists(Ctx::no_hidden_gradient)
        || c.persists(|t| Ctx::grad_ratio(t).is_some_and(|(r, _)| r < VANISH_RATIO))
        || worst_dead(c, s).is_some_and(|(_, d)| d >= DEAD_ALL)
        || c.growth.is_some_and(|(_, g)| g >= WEIGHT_GROWTH);
    let persists =
        |f: &dyn Fn(f64) -> bool| c.persists(|t| Ctx::median_update_ratio(t).is_some_and(f));
    let low_causes = || {
        vec![
            cause(LR_TOO_LOW, "the step along the gradient is a tiny fraction of the weights"),
            cause(
                ADAM_EPS,
                "with Adam, a large ε divides every step by at least ε, shrinking it like a small learning rate",
            ),
        ]
    };
    if !blocked && persists(&|m| m < UPDATE_RATIO_LOW_LIMIT) {
        return Some(finding(
            UPDATE_RATIO_LOW,
            Severity::Warn,
            format!(
                "Each step changes the weights by only {med:.0e} of their size (about 1e-3 is healthy): training crawls."
            ),
            vec![ev("updateRatio", None, med, UPDATE_RATIO_LOW_LIMIT)],
            low_causes(),
            EXP_STEP_UP,
        ));
    }
    if !blocked && persists(&|m| m < UPDATE_RATIO_NOTE_LOW) {
        return Some(finding(
            UPDATE_RATIO_LOW,
            Severity::Info,
            format!(
                "Each step changes the weights by about {:.3}% of their size, ten times less than the healthy 0.1% or smaller: learning will be slow.",
                med * 100.0
            ),
            vec![ev("updateRatio", None, med, UPDATE_RATIO_NOTE_LOW)],
            low_causes(),
            EXP_STEP_UP,
        ));
    }
    if persists(&|m| m > UPDATE_RATIO_NOTE_HIGH) {
        return Some(finding(
            UPDATE_RATIO_HIGH,
            Severity::Info,
            format!(
                "Each step changes the weights by about {:.1}% of their size, ten times the usual 0.1%: fine early on, risky if it stays.",
                med * 100.0
            ),
            vec![ev("updateRatio", None, med, UPDATE_RATIO_NOTE_HIGH)],
            step_size_causes(c),
            EXP_STEP_DOWN,
        ));
    }
    None
}

fn rule_weights_growing(c: &Ctx) -> Option<Finding> {
    let (i, g) = c.growth.filter(|&(_, g)| g >= WEIGHT_GROWTH)?;
    let name = c.name(i);
    Some(finding(
        WEIGHTS_GROWING,
        Severity::Warn,
        format!("The weights of {name} have grown {g:.0}× since the start: the updates keep pushing them outwards."),
        vec![ev("weightGrowth", Some(name), g, WEIGHT_GROWTH)],
        step_size_causes(c),
        EXP_STEP_DOWN,
    ))
}

fn rule_spikes(c: &Ctx) -> Option<Finding> {
    let s = &c.spikes;
    if s.count == 0 {
        return None;
    }
    let sev = if s.count >= SPIKES_WARN {
        Severity::Warn
    } else {
        Severity::Info
    };
    let title = format!(
        "{} batch{} in the last {} steps had a loss far above the running median (the worst {:.0}× at step {}).",
        s.count,
        if s.count == 1 { "" } else { "es" },
        c.scan.len(),
        s.worst,
        s.worst_step + 1
    );
    let evidence = vec![
        ev("spikes", None, s.count as f64, SPIKES_WARN as f64),
        ev("spikeFactor", None, s.worst, SPIKE_FACTOR),
    ];
    Some(finding(
        LOSS_SPIKES,
        sev,
        title,
        evidence,
        step_size_causes(c),
        "Pin this run and race it at learning rate ÷ 10; if you use Adam, race it once more with β2 = \
         0.999 (≥ β1) at the original learning rate: if only the β2 change removes the spikes, the betas \
         were the cause.",
    ))
}

fn rule_oscillation(c: &Ctx) -> Option<Finding> {
    if c.reversals < OSC_REVERSALS {
        return None;
    }
    let title = format!(
        "The smoothed training loss turned up and down {} times in the last {} steps instead of falling steadily.",
        c.reversals,
        c.scan.len()
    );
    Some(finding(
        LOSS_OSCILLATION,
        Severity::Warn,
        title,
        vec![
            ev("reversals", None, c.reversals as f64, OSC_REVERSALS as f64),
            ev("batchNoise", None, c.noise_sigma, f64::NAN),
        ],
        step_size_causes(c),
        "Pin this run and race it with momentum 0.9 (or 0) at the same learning rate, then at learning \
         rate ÷ 10 with the original momentum: the change that smooths the curve names the cause.",
    ))
}

fn rule_rising(c: &Ctx) -> Option<Finding> {
    // Epoch level.
    let ep = &c.o.epochs;
    if ep.len() >= RISING_EPOCHS {
        let tail = &ep[ep.len() - RISING_EPOCHS..];
        let rising = tail
            .windows(2)
            .all(|w| w[1].train_loss.is_finite() && w[1].train_loss > w[0].train_loss);
        if rising {
            let (a, b) = (
                tail[0].train_loss as f64,
                tail[RISING_EPOCHS - 1].train_loss as f64,
            );
            return Some(finding(
                LOSS_RISING,
                Severity::Warn,
                format!(
                    "The training loss has risen for {} epochs in a row, from {:.3} to {:.3}.",
                    RISING_EPOCHS - 1,
                    a,
                    b
                ),
                vec![ev(
                    "epochsRising",
                    None,
                    (RISING_EPOCHS - 1) as f64,
                    (RISING_EPOCHS - 1) as f64,
                )],
                step_size_causes(c),
                EXP_STEP_DOWN,
            ));
        }
    }
    // Step level: last block against the best earlier block.
    let n = c.scan.len();
    if n < 3 * RISING_BLOCK {
        return None;
    }
    let block_median = |b: &[f32]| {
        let mut v: Vec<f64> = b
            .iter()
            .map(|&x| x as f64)
            .filter(|x| x.is_finite())
            .collect();
        (!v.is_empty()).then(|| median(&mut v))
    };
    let last = block_median(&c.scan[n - RISING_BLOCK..])?;
    let best = c.scan[..n - RISING_BLOCK]
        .rchunks(RISING_BLOCK)
        .filter(|b| b.len() == RISING_BLOCK)
        .filter_map(block_median)
        .min_by(|a, b| a.total_cmp(b))?;
    let limit = best + (RISING_REL * best).max(RISING_ABS_NATS);
    if last < limit {
        return None;
    }
    Some(finding(
        LOSS_RISING,
        Severity::Warn,
        format!(
            "The training loss has climbed back from {best:.3} to {last:.3} (medians over {RISING_BLOCK} steps)."
        ),
        vec![ev("loss", None, last, limit)],
        step_size_causes(c),
        EXP_STEP_DOWN,
    ))
}

fn rule_slow(c: &Ctx) -> Option<Finding> {
    let done: Vec<f64> =
        c.o.epochs
            .iter()
            .map(|e| e.val_acc as f64)
            .filter(|v| v.is_finite())
            .collect();
    if done.len() < SLOW_MIN_EPOCHS || c.o.next_step() < SLOW_MIN_STEPS {
        return None;
    }
    let best = done.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let linear_bar = done.len() >= LINEAR_MIN_EPOCHS && c.o.next_step() >= LINEAR_MIN_STEPS;
    if best >= LINEAR_ACC || (best >= SATISFIED_ACC && !linear_bar) {
        return None;
    }
    let upd = c.last().and_then(Ctx::median_update_ratio);
    let limit = if best < SATISFIED_ACC {
        SATISFIED_ACC
    } else {
        LINEAR_ACC
    };
    let mut evidence = vec![ev("valAcc", None, best, limit)];
    let causes = match upd {
        Some(u) if u > UPDATE_RATIO_NOTE_HIGH => {
            evidence.push(ev("updateRatio", None, u, UPDATE_RATIO_NOTE_HIGH));
            step_size_causes(c)
        }
        // Slow progress with steps below the healthy size (CS231n: ~1e-3; "if it is lower than this
        // then the learning rate might be too low").
        Some(u) if u < UPDATE_RATIO_HEALTHY => {
            evidence.push(ev("updateRatio", None, u, UPDATE_RATIO_HEALTHY));
            let saturating =
                c.o.layers
                    .iter()
                    .filter(|l| l.act == Some(ActKind::Saturating))
                    .count();
            let mut v = Vec::new();
            // Each sigmoid passes on at most a quarter of the gradient (σ′ ≤ 1/4; tanh′ ≤ 1, less
            // once saturated): a stack of them shrinks the early layers' steps (Glorot & Bengio 2010).
            if saturating >= 2 {
                v.push(cause(
                    VANISHING_GRADIENTS,
                    format!("{saturating} sigmoid/tanh layers each shrink the gradient on its way back, so the early layers' steps are small"),
                ));
            }
            v.extend([
                cause(
                    LR_TOO_LOW,
                    "each step changes the weights by less than the healthy 0.1%",
                ),
                cause(ADAM_EPS, "with Adam, a large ε shrinks every step"),
                cause(
                    BAD_LAYER_DESIGN,
                    "the network may be too small or discard the input early",
                ),
            ]);
            v
        }
        _ => {
            // Normal steps: look at the data before blaming the network.
            let mut v = Vec::new();
            if c.probe
                .is_some_and(|p| p.confident_wrong >= CONFIDENT_WRONG)
            {
                v.push(cause(
                    LABEL_NOISE,
                    "the network confidently contradicts many training labels",
                ));
            }
            if c.has_rare_classes() {
                v.push(cause(
                    CLASS_IMBALANCE,
                    "some classes have less than half their share of the training labels",
                ));
            }
            v.extend([
                cause(
                    BAD_LAYER_DESIGN,
                    "the steps look normal, so the network itself may be unable to do better",
                ),
                cause(LR_TOO_LOW, "a larger step might still speed it up"),
                cause(TOO_LITTLE_DATA, "too few examples to learn the task from"),
            ]);
            v
        }
    };
    let first_cause = causes.first().map_or(LR_TOO_LOW, |c| c.id);
    let epochs = match done.len() {
        1 => "one epoch".to_string(),
        n => format!("{n} epochs"),
    };
    Some(finding(
        SLOW_PROGRESS,
        Severity::Warn,
        if best < SATISFIED_ACC {
            format!(
                "After {epochs} the best validation accuracy is only {:.0}%.",
                best * 100.0
            )
        } else {
            format!(
                "After {epochs} the best validation accuracy is {:.1}%, below the 92% a linear classifier reaches on handwritten digits: the network learns slowly or too little.",
                best * 100.0
            )
        },
        evidence,
        causes,
        experiment_for(first_cause),
    ))
}

/// Gap a training/validation accuracy difference must reach (AUTOTRAINER).
fn acc_gap_limit(acc: f64) -> f64 {
    if acc > HIGH_ACC {
        GAP_HIGH_ACC
    } else {
        GAP
    }
}

fn rule_overfitting(c: &Ctx) -> Option<Finding> {
    let (e, tl, ta, vl, va) = c.latest_eval()?;
    let gap = ta - va;
    let limit = acc_gap_limit(ta);
    // Consecutive epochs with training loss falling and validation getting worse.
    let mut turn = 0;
    for w in (1..=e).rev().collect::<Vec<_>>().windows(2) {
        let (now, before) = (w[0], w[1]);
        let (fa, fb) = (c.o.epochs[now - 1], c.o.epochs[before - 1]);
        if !(fa.val_loss.is_finite() && fb.val_loss.is_finite()) {
            break;
        }
        let (la, _) = c.train_tail(now);
        let (lb, _) = c.train_tail(before);
        let worse = (fa.val_loss - fb.val_loss) as f64 > TREND_EPS
            || (fb.val_acc - fa.val_acc) as f64 > TREND_EPS;
        if lb - la > TREND_EPS && worse {
            turn += 1;
        } else {
            break;
        }
    }
    // The validation loss's rise above its best epoch while the training loss kept falling: the
    // early-stopping reading, sturdier than epoch-to-epoch steps on a small, noisy validation set.
    let best = (1..=e)
        .filter(|&b| c.o.epochs[b - 1].val_loss.is_finite())
        .min_by(|&a, &b| {
            c.o.epochs[a - 1]
                .val_loss
                .total_cmp(&c.o.epochs[b - 1].val_loss)
        })
        .unwrap_or(e);
    let best_loss = c.o.epochs[best - 1].val_loss as f64;
    let gl = vl / best_loss - 1.0;
    let past_best = e - best >= TREND_EPOCHS
        && gl > GL_LIMIT
        && vl - best_loss >= GL_MIN_NATS
        && c.train_tail(best).0 - tl > TREND_EPS;
    if gap < limit && turn < TREND_EPOCHS && !past_best {
        return None;
    }
    let title = if gap >= limit {
        format!(
            "Training accuracy is {:.0}% but validation accuracy only {:.0}%: the network fits its training set much better than new data.",
            ta * 100.0,
            va * 100.0
        )
    } else if turn >= TREND_EPOCHS {
        format!(
            "For {turn} epochs in a row the training loss fell while validation got worse: the network is learning something that does not carry over."
        )
    } else {
        format!(
            "Validation loss is {:.0}% above its best (epoch {best}) while the training loss kept falling: the network is learning something that does not carry over, and the weights of epoch {best} were better.",
            gl * 100.0
        )
    };
    let mut evidence = vec![
        ev("accGap", None, gap, limit),
        ev("epochsValWorse", None, turn as f64, TREND_EPOCHS as f64),
        ev("valLossAboveBest", None, gl, GL_LIMIT),
        ev("bestValEpoch", None, best as f64, f64::NAN),
        ev("trainLoss", None, tl, f64::NAN),
    ];
    let total: u64 = c.o.class_counts.iter().map(|&x| x as u64).sum();
    if total > 0 {
        evidence.push(ev("trainSamples", None, total as f64, f64::NAN));
    }
    let noisy = c
        .probe
        .is_some_and(|p| p.confident_wrong >= CONFIDENT_WRONG);
    evidence.extend(confident_wrong_ev(c));
    let little = cause(
        TOO_LITTLE_DATA,
        "with few examples the network memorises them instead of learning the digits",
    );
    let noise = cause(
        LABEL_NOISE,
        if noisy {
            "the network confidently contradicts many training labels: it is learning (or memorising) wrong ones"
        } else {
            "memorising mislabelled examples also opens this gap"
        },
    );
    let imb = cause(
        CLASS_IMBALANCE,
        "the training labels are heavily skewed while validation is not, so rare classes fail on new data",
    );
    let causes = match (noisy, c.skewed) {
        (true, true) => vec![noise, imb, little],
        (true, false) => vec![noise, little],
        (false, true) => vec![imb, little, noise],
        (false, false) => vec![little, noise],
    };
    let experiment = match causes.first().map(|c| c.id) {
        Some(TOO_LITTLE_DATA) | None => format!(
            "Race this run against one with 10× more training data (same seed, epoch {e} compared): if the \
             gap closes, the data was too little; if the network still drifts away from validation, look at \
             the labels of the training samples it gets wrong."
        ),
        Some(first) => experiment_for(first).to_string(),
    };
    Some(finding(
        OVERFITTING,
        Severity::Warn,
        title,
        evidence,
        causes,
        &experiment,
    ))
}

/// Validation accuracy well above training accuracy: the training batches are harder than validation.
/// Split by the clean-image probe into label noise and augmentation.
fn rule_train_harder(c: &Ctx) -> Option<Finding> {
    let (_e, tl, ta, vl, va) = c.latest_eval()?;
    let gap = va - ta;
    let limit = acc_gap_limit(va);
    if gap < limit {
        return None;
    }
    let share = c.noise_share(ta, va);
    let mut evidence = vec![
        ev("valMinusTrainAcc", None, gap, limit),
        ev("trainLoss", None, tl, vl),
    ];
    if let Some(sh) = share {
        evidence.push(ev("probeShare", None, sh, NOISE_SHARE));
    }
    if let Some(p) = c.probe {
        evidence.push(ev(
            "confidentWrong",
            None,
            p.confident_wrong,
            CONFIDENT_WRONG,
        ));
        evidence.push(ev("highLossConfidentWrong", None, p.high_loss, f64::NAN));
    }
    let pairs = c.lookalikes();
    if share.is_some_and(|s| s >= NOISE_SHARE) {
        let p = c.probe?;
        let mut causes = vec![cause(
            LABEL_NOISE,
            format!(
                "on clean training images the network still disagrees with {:.0}% of the labels, and confidently contradicts {:.0}% of all of them: the labels, not the images, are wrong",
                (1.0 - p.acc) * 100.0,
                p.confident_wrong * 100.0
            ),
        )];
        if !pairs.is_empty() {
            causes.push(cause(
                HARMFUL_AUGMENTATION,
                "two-way confusions between look-alike classes can also come from transformations that change the class",
            ));
        }
        return Some(finding(
            NOISY_LABELS,
            Severity::Warn,
            format!(
                "Validation accuracy ({:.0}%) is far above training accuracy ({:.0}%), and the network contradicts {:.0}% of its training labels even on clean images.",
                va * 100.0,
                ta * 100.0,
                (1.0 - p.acc) * 100.0
            ),
            evidence,
            causes,
            "Look at the training samples with the highest loss: if their labels are visibly wrong, the \
             labels are the cause. To confirm, race a run with clean labels from the same seed: training \
             accuracy should jump to meet validation.",
        ));
    }
    for &(a, b, ab, ba) in pairs.iter().take(2) {
        evidence.push(ev(
            "lookalike",
            Some(format!("{a}↔{b}")),
            ab.min(ba),
            LOOKALIKE_BOTH,
        ));
    }
    // Without the probe pointing at the labels, ask for the gap at consecutive evaluations too —
    // unless the probe itself shows the same training images, clean and under the evaluated weights,
    // beating the batches by as much: then the gap is not the lag of the training figures.
    let probe_agrees = c.probe.is_some_and(|p| p.acc - ta >= limit);
    if probe_agrees {
        evidence.push(ev(
            "probeMinusTrainAcc",
            None,
            c.probe.map_or(f64::NAN, |p| p.acc - ta),
            limit,
        ));
    }
    let evals: Vec<usize> = (1..=c.o.epochs.len())
        .filter(|&e| c.o.epochs[e - 1].val_acc.is_finite())
        .collect();
    if !probe_agrees
        && (evals.len() < HARDER_EPOCHS
            || !evals[evals.len() - HARDER_EPOCHS..].iter().all(|&e| {
                let (_, ta) = c.train_tail(e);
                let va = c.o.epochs[e - 1].val_acc as f64;
                va - ta >= acc_gap_limit(va)
            }))
    {
        return None;
    }
    let mut causes = vec![cause(
        HARMFUL_AUGMENTATION,
        if share.is_some() {
            "the network does well on clean training images but not on the batches it trains on: the transformed inputs are harder than real digits"
        } else {
            "the training batches are harder than the validation images, as they are when augmentation distorts them"
        },
    )];
    causes.push(cause(
        LABEL_NOISE,
        "wrong training labels also keep training accuracy below validation",
    ));
    Some(finding(
        TRAIN_HARDER_THAN_VAL,
        Severity::Warn,
        format!(
            "Validation accuracy ({:.0}%) is far above training accuracy ({:.0}%): the training batches are harder than the validation images.",
            va * 100.0,
            ta * 100.0
        ),
        evidence,
        causes,
        "Race the same run without augmentation (same seed): if training accuracy rises to meet \
         validation, the augmentation was the cause.",
    ))
}

fn rule_floor(c: &Ctx) -> Option<Finding> {
    let (e, tl, ta, vl, va) = c.latest_eval()?;
    if e < FLOOR_MIN_EPOCHS || ta > HIGH_ACC {
        return None;
    }
    let (prev, _) = c.train_tail(e - 1);
    if !(prev.is_finite() && tl.is_finite()) || prev - tl >= FLOOR_REL_DROP * prev {
        return None;
    }
    // At chance the stuck rule says it better.
    if tl >= (1.0 - CHANCE_LOSS_BAND) * c.prior_entropy {
        return None;
    }
    let pairs = c.lookalikes();
    let mut evidence = vec![
        ev("trainLoss", None, tl, prev * (1.0 - FLOOR_REL_DROP)),
        ev("trainAcc", None, ta, HIGH_ACC),
        ev("valAcc", None, va, f64::NAN),
        ev("valLoss", None, vl, f64::NAN),
    ];
    evidence.extend(confident_wrong_ev(c));
    let noise_first = c
        .noise_share(ta, va)
        .is_some_and(|s| s >= NOISE_SHARE && va - ta >= acc_gap_limit(va))
        || (pairs.is_empty()
            && c.probe
                .is_some_and(|p| p.confident_wrong >= CONFIDENT_WRONG))
        || c.probe
            .is_some_and(|p| p.confident_wrong >= 2.0 * CONFIDENT_WRONG);
    let noise = cause(
        LABEL_NOISE,
        "contradictory labels put a floor under the loss that no amount of training removes",
    );
    let aug = cause(
        HARMFUL_AUGMENTATION,
        if pairs.is_empty() {
            "transformations that make digits unrecognisable (or change their class) put a floor under the loss"
        } else {
            "look-alike digits are confused both ways, as when a flip or rotation turns one into the other"
        },
    );
    let design = cause(
        BAD_LAYER_DESIGN,
        "a network that throws information away early cannot fit even its training data",
    );
    let slow = cause(
        LR_TOO_LOW,
        "the steps may be too small to get further in this time",
    );
    let unsettled = c.spikes.count >= SPIKES_WARN || c.reversals >= OSC_REVERSALS;
    let causes = if unsettled && !noise_first {
        // A loss that keeps jumping cannot settle: the steps are the first suspect.
        let mut v = step_size_causes(c);
        v.extend([design, aug, noise]);
        v
    } else if noise_first {
        vec![noise, aug, design]
    } else if !pairs.is_empty() {
        for &(a, b, ab, ba) in pairs.iter().take(2) {
            evidence.push(ev(
                "lookalike",
                Some(format!("{a}↔{b}")),
                ab.min(ba),
                LOOKALIKE_BOTH,
            ));
        }
        vec![aug, noise, design]
    } else {
        vec![design, aug, noise, slow]
    };
    Some(finding(
        TRAINING_FLOOR,
        Severity::Warn,
        format!(
            "The training loss has levelled off at {tl:.2} with training accuracy {:.0}%: the network cannot fit its own training data.",
            ta * 100.0
        ),
        evidence,
        causes,
        "Race the same run with clean labels and no augmentation (same seed): if the training loss now \
         falls towards zero, the data was the limit; if not, the network is.",
    ))
}

/// Two digits confused with each other both ways on the clean validation images (`LOOKALIKE_BOTH`,
/// `LOOKALIKE_ONE`): what a net learns when a transformation turns one class into the other while the
/// label stays (a 6 turned upside down still labelled "6"), or when labels are swapped between two
/// classes. The clean-image probe tells the two apart: swapped labels leave the net contradicting its
/// training labels on clean images.
fn rule_confused_pairs(c: &Ctx) -> Option<Finding> {
    let (_e, _tl, ta, _vl, va) = c.latest_eval()?;
    if va < SATISFIED_ACC {
        return None;
    }
    let recall = c.recall();
    let systematic = |cls: usize, rate: f64| {
        let errors = 1.0 - recall.get(cls).copied().unwrap_or(f64::NAN);
        errors > 0.0 && rate >= LOOKALIKE_SHARE * errors
    };
    let pairs: Vec<_> = c
        .lookalikes()
        .into_iter()
        .filter(|&(a, b, ab, ba)| systematic(a, ab) && systematic(b, ba))
        .collect();
    let &(a, b, ab, ba) = pairs.first()?;
    let mut evidence: Vec<Evidence> = pairs
        .iter()
        .take(3)
        .map(|&(a, b, ab, ba)| {
            ev(
                "lookalike",
                Some(format!("{a}↔{b}")),
                ab.min(ba),
                LOOKALIKE_BOTH,
            )
        })
        .collect();
    let labels_first = c
        .noise_share(ta, va)
        .is_some_and(|s| s >= NOISE_SHARE && va - ta >= acc_gap_limit(va));
    evidence.extend(confident_wrong_ev(c));
    let aug = cause(
        HARMFUL_AUGMENTATION,
        format!(
            "a flip or rotation that turns a {a} into something like a {b} (or back) while the label stays teaches exactly this confusion"
        ),
    );
    let noise = cause(
        LABEL_NOISE,
        format!("labels swapped between {a} and {b} teach the same confusion"),
    );
    let design = cause(
        BAD_LAYER_DESIGN,
        "a network that throws away where the strokes are cannot tell mirror-image digits apart",
    );
    let causes = if labels_first {
        vec![noise, aug, design]
    } else {
        vec![aug, noise, design]
    };
    Some(finding(
        CONFUSED_PAIRS,
        Severity::Warn,
        format!(
            "The network mixes up {a} and {b} both ways: {:.0}% of the {a}s are called {b} and {:.0}% of the {b}s are called {a}.",
            ab * 100.0,
            ba * 100.0
        ),
        evidence,
        causes,
        "Look at the training images as the network sees them: if digits appear mirrored or upside \
         down, race the same run without flips and rotations (same seed); if the images look right but \
         their labels do not, race it with clean labels.",
    ))
}

fn rule_imbalance(c: &Ctx) -> Option<Finding> {
    let counts = &c.o.class_counts;
    let max_c = counts.iter().copied().max()? as f64;
    let mean_c = counts.iter().map(|&x| x as f64).sum::<f64>() / counts.len().max(1) as f64;
    let rare = |i: usize| (counts[i] as f64) < RARE_SHARE * mean_c;
    if max_c == 0.0 || !(0..counts.len()).any(rare) {
        return None;
    }
    let recall = c.recall();
    if recall.len() != counts.len() {
        return None;
    }
    let rare_r = mean((0..counts.len()).filter(|&i| rare(i)).map(|i| recall[i]))?;
    let common_r = mean((0..counts.len()).filter(|&i| !rare(i)).map(|i| recall[i]))?;
    let min_c = counts.iter().copied().min().unwrap_or(0) as f64;
    let ratio = if min_c > 0.0 {
        max_c / min_c
    } else {
        f64::INFINITY
    };
    let rare_names: Vec<String> = (0..counts.len())
        .filter(|&i| rare(i))
        .map(|i| i.to_string())
        .collect();
    let gap = common_r - rare_r;
    let evidence = vec![
        ev("countRatio", None, ratio, IMBALANCE_RATIO),
        ev("recallGap", None, gap, RECALL_GAP),
    ];
    if gap < RECALL_GAP && !c.skewed {
        return None;
    }
    let causes = vec![
        cause(
            CLASS_IMBALANCE,
            format!(
                "classes {} have less than half their share of the training labels, and they are the ones missed",
                rare_names.join(", ")
            ),
        ),
        cause(
            TOO_LITTLE_DATA,
            "the rare classes have too few examples to learn from",
        ),
    ];
    let exp =
        "Race a run with the classes balanced (same seed), or weight the rare classes' loss up: \
               if the rare classes' recall catches up, the imbalance was the cause.";
    if gap >= RECALL_GAP {
        Some(finding(
            IMBALANCED_RECALL,
            Severity::Warn,
            format!(
                "The rare classes ({}) are recognised only {:.0}% of the time against {:.0}% for the others: the training labels are {:.0}:1 skewed.",
                rare_names.join(", "),
                rare_r * 100.0,
                common_r * 100.0,
                ratio
            ),
            evidence,
            causes,
            exp,
        ))
    } else {
        Some(finding(
            IMBALANCED_RECALL,
            Severity::Info,
            format!(
                "The training labels are {ratio:.0}:1 skewed, but the rare classes' recall ({:.0}%) is holding up so far.",
                rare_r * 100.0
            ),
            evidence,
            causes,
            exp,
        ))
    }
}

fn rule_input(c: &Ctx) -> Option<Finding> {
    let p = c.input_flag?;
    let i = c.o.input?;
    let (title, evidence) = match p {
        InputProblem::OutOfScale => (
            format!(
                "The inputs range from {:.2} to {:.2} (mean {:.2}, std {:.2}): neither scaled to [−1, 1] nor standardised.",
                i.min, i.max, i.mean, i.std
            ),
            vec![
                ev("inputMax", None, (i.min.abs().max(i.max.abs())) as f64, INPUT_RANGE),
                ev("inputMean", None, i.mean as f64, STANDARD_MEAN),
                ev("inputStd", None, i.std as f64, STANDARD_STD_HIGH),
            ],
        ),
        InputProblem::Tiny => (
            format!(
                "The inputs are nearly zero (mean {:.1e}, std {:.1e}): the first layer gets almost no signal.",
                i.mean, i.std
            ),
            vec![ev(
                "inputRms",
                None,
                ((i.mean as f64).powi(2) + (i.std as f64).powi(2)).sqrt(),
                INPUT_RMS_TINY,
            )],
        ),
    };
    Some(finding(
        INPUT_OUT_OF_SCALE,
        Severity::Warn,
        title,
        evidence,
        input_cause(c).into_iter().collect(),
        "Standardise the inputs (subtract their mean, divide by their standard deviation) and race the \
         result against this run from the same seed.",
    ))
}

fn healthy(c: &Ctx) -> Finding {
    let title = if c.o.step_loss.is_empty() {
        "Nothing measured yet.".to_string()
    } else {
        let recent = mean(c.scan.iter().rev().take(STUCK_WINDOW).map(|&x| x as f64));
        match recent {
            Some(l) => format!(
                "Nothing looks wrong: the recent training loss is {l:.3} and no check found a problem (notes aside)."
            ),
            None => "Nothing looks wrong so far.".to_string(),
        }
    };
    finding(
        HEALTHY,
        Severity::Info,
        title,
        Vec::new(),
        Vec::new(),
        "Pin this run as a baseline and break one setting at a time against it.",
    )
}

/// Everything that can be concluded from `o`, most severe first. Always returns at least one finding:
/// `healthy` (Info) when nothing at Warn or Alarm fired.
pub fn diagnose(o: &Observations) -> Vec<Finding> {
    let c = Ctx::new(o);
    let rules: [fn(&Ctx) -> Option<Finding>; 20] = [
        rule_diverged,
        rule_loss_exploded,
        rule_stuck,
        rule_init_loss,
        rule_input,
        rule_dead,
        rule_vanishing,
        rule_exploding,
        rule_saturated,
        rule_spikes,
        rule_oscillation,
        rule_rising,
        rule_weights_growing,
        rule_update_ratio,
        rule_train_harder,
        rule_overfitting,
        rule_floor,
        rule_confused_pairs,
        rule_imbalance,
        // Last: "learns slowly" is true of most faults; a finding that says why comes first.
        rule_slow,
    ];
    let mut out: Vec<Finding> = Vec::new();
    for r in rules {
        if let Some(f) = r(&c) {
            // At chance, "slow" is an understatement with the wrong causes.
            if f.symptom == SLOW_PROGRESS && out.iter().any(|g| g.symptom == STUCK_AT_CHANCE) {
                continue;
            }
            merge(&mut out, f);
        }
    }
    if !out.iter().any(|f| f.severity >= Severity::Warn) {
        out.push(healthy(&c));
    }
    // Stable: within a severity, rule order (most specific first) is kept.
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

/// One finding per symptom: a second one raises the severity and adds its evidence and causes.
fn merge(out: &mut Vec<Finding>, f: Finding) {
    if let Some(g) = out.iter_mut().find(|g| g.symptom == f.symptom) {
        if f.severity > g.severity {
            g.severity = f.severity;
            g.title = f.title;
            g.experiment = f.experiment;
            let mut causes = f.causes;
            causes.append(&mut g.causes);
            g.causes = dedup_causes(causes);
        } else {
            let mut causes = std::mem::take(&mut g.causes);
            causes.extend(f.causes);
            g.causes = dedup_causes(causes);
        }
        g.evidence.extend(f.evidence);
    } else {
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // ---- a small builder: a healthy run by default, every rule's input changed one at a time ----

    const SPE: usize = 200;
    const EPOCHS: usize = 3;

    /// Deterministic noise, uniform in [−1, 1] and independent from step to step (SplitMix64's
    /// finaliser of the step index).
    fn noise(i: u64) -> f32 {
        let mut z = i.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) as f32
    }

    fn healthy_loss(i: u64) -> f32 {
        0.08 + 2.2 * (-(i as f32) / 40.0).exp() * (1.0 + 0.15 * noise(i))
    }

    fn acc_of(loss: f32) -> f32 {
        (1.0 - 0.4 * loss).clamp(0.08, 0.99)
    }

    /// (grad norm, weight norm, update ratio, dead fraction, saturated fraction)
    type S = (f32, f32, f32, f32, f32);
    const OK: [S; 3] = [
        (0.5, 4.0, 3e-3, 0.15, 0.0),
        (1.0, 6.0, 3e-3, 0.30, 0.0),
        (1.2, 5.0, 4e-3, 0.0, 0.0),
    ];

    fn stats(names: &[String], s: &[S]) -> Vec<LayerStats> {
        names
            .iter()
            .zip(s)
            .map(|(n, &(g, w, u, d, sat))| LayerStats {
                name: n.clone(),
                grad_norm: g,
                weight_norm: w,
                update_ratio: u,
                act_mean: 0.4,
                act_std: 0.7,
                dead_frac: d,
                sat_frac: sat,
            })
            .collect()
    }

    struct Run {
        o: Observations,
    }

    impl Run {
        /// A network and its data, nothing measured yet.
        fn blank(act: ActKind) -> Run {
            let layers = vec![
                ObservedLayer {
                    name: "conv1".into(),
                    role: LayerRole::Conv,
                    act: Some(act),
                },
                ObservedLayer {
                    name: "conv2".into(),
                    role: LayerRole::Conv,
                    act: Some(act),
                },
                ObservedLayer {
                    name: "dense".into(),
                    role: LayerRole::Output,
                    act: None,
                },
            ];
            Run {
                o: Observations::new(layers, vec![1000; 10], SPE, 32),
            }
        }

        /// Loss falling from ln 10 to 0.08, healthy layer statistics every 50 steps, three evaluated
        /// epochs, a confident probe, a near-diagonal confusion matrix, standardised inputs.
        fn healthy() -> Run {
            Run::blank(ActKind::ReluLike)
                .steps((SPE * EPOCHS) as u64, |i| {
                    let l = healthy_loss(i);
                    (l, acc_of(l))
                })
                .snaps(0, (SPE * EPOCHS) as u64, |_| OK)
                .epoch(0.5, 0.85, 0.13, 0.955)
                .epoch(0.09, 0.968, 0.10, 0.965)
                .epoch(0.085, 0.968, 0.10, 0.966)
                .confusion_diag(0.97)
                .probe(256, 0.98, 0.0)
                .input(-0.42, 2.82, 0.0, 1.0)
        }

        fn steps(mut self, n: u64, f: impl Fn(u64) -> (f32, f32)) -> Self {
            let start = self.o.next_step();
            for i in start..start + n {
                let (l, a) = f(i);
                self.o.record_step(l, a);
            }
            self
        }

        /// Replaces the step series (keeps the initial loss of the first one).
        fn restep(mut self, n: u64, f: impl Fn(u64) -> (f32, f32)) -> Self {
            self.o.step_loss.clear();
            self.o.step_acc.clear();
            self.o.first_step = 0;
            self.o.initial_loss = None;
            self.steps(n, f)
        }

        /// Snapshots at `from`, then every 50 steps up to `to` (exclusive).
        fn snaps(mut self, from: u64, to: u64, f: impl Fn(u64) -> [S; 3]) -> Self {
            let names: Vec<String> = self.o.layers.iter().map(|l| l.name.clone()).collect();
            let mut s = from;
            while s < to {
                self.o.record_layers(s, 32, stats(&names, &f(s)));
                s = if s == 0 { 50 } else { s + 50 };
            }
            self
        }

        /// Replaces every snapshot after the first with `f`.
        fn resnap(mut self, f: impl Fn(u64) -> [S; 3]) -> Self {
            let to = self.o.next_step();
            self.o.layer_history.truncate(1);
            self.snaps(50, to, f)
        }

        /// Replaces every snapshot, the first included.
        fn resnap_all(mut self, f: impl Fn(u64) -> [S; 3]) -> Self {
            let to = self.o.next_step();
            self.o.layer_history.clear();
            self.snaps(0, to, f)
        }

        fn epoch(mut self, tl: f32, ta: f32, vl: f32, va: f32) -> Self {
            self.o.record_epoch(EpochFigures {
                train_loss: tl,
                train_acc: ta,
                val_loss: vl,
                val_acc: va,
            });
            self
        }

        fn epochs(mut self, e: &[(f32, f32, f32, f32)]) -> Self {
            self.o.epochs.clear();
            for &(tl, ta, vl, va) in e {
                self = self.epoch(tl, ta, vl, va);
            }
            self
        }

        fn confusion(mut self, m: Vec<Vec<u32>>) -> Self {
            self.o.confusion = m;
            self
        }

        /// 1000 validation samples per class, `recall` of them right, the rest spread evenly.
        fn confusion_diag(self, recall: f64) -> Self {
            self.confusion_recalls(&[recall; 10])
        }

        fn confusion_recalls(self, r: &[f64]) -> Self {
            let m = (0..r.len())
                .map(|c| {
                    let right = (r[c] * 1000.0).round() as u32;
                    let each = (1000 - right) / (r.len() as u32 - 1);
                    (0..r.len())
                        .map(|j| if j == c { right } else { each })
                        .collect()
                })
                .collect();
            self.confusion(m)
        }

        /// `n` probe samples: a share `acc` right and confident; of the rest a share `cw` of all
        /// samples confidently wrong with a high loss, the others wrong without confidence.
        fn probe(mut self, n: usize, acc: f64, cw: f64) -> Self {
            let right = (acc * n as f64).round() as usize;
            let cwn = (cw * n as f64).round() as usize;
            self.o.samples = (0..n)
                .map(|i| {
                    let label = (i % 10) as u8;
                    if i < right {
                        SampleLoss {
                            label,
                            loss: 0.05,
                            predicted: label,
                            confidence: 0.95,
                        }
                    } else if i < right + cwn {
                        SampleLoss {
                            label,
                            loss: 3.0,
                            predicted: (label + 1) % 10,
                            confidence: 0.8,
                        }
                    } else {
                        SampleLoss {
                            label,
                            loss: 1.2,
                            predicted: (label + 1) % 10,
                            confidence: 0.4,
                        }
                    }
                })
                .collect();
            self
        }

        fn input(mut self, min: f32, max: f32, mean: f32, std: f32) -> Self {
            self.o.input = Some(InputStats {
                min,
                max,
                mean,
                std,
            });
            self
        }

        fn counts(mut self, c: Vec<u32>) -> Self {
            self.o.class_counts = c;
            self
        }

        fn initial(mut self, l: f32) -> Self {
            self.o.initial_loss = Some(l);
            if self.o.first_step == 0 && !self.o.step_loss.is_empty() {
                self.o.step_loss[0] = l;
            }
            self
        }

        fn run(&self) -> Vec<Finding> {
            let f = diagnose(&self.o);
            check_invariants(&f);
            f
        }
    }

    /// What every diagnosis must satisfy, whatever it found.
    fn check_invariants(f: &[Finding]) {
        assert!(!f.is_empty(), "diagnose always says something");
        for w in f.windows(2) {
            assert!(w[0].severity >= w[1].severity, "sorted by severity: {f:#?}");
        }
        for (i, a) in f.iter().enumerate() {
            assert!(
                f[i + 1..].iter().all(|b| b.symptom != a.symptom),
                "one finding per symptom: {f:#?}"
            );
            assert!(!a.title.is_empty() && !a.experiment.is_empty());
            for (j, c) in a.causes.iter().enumerate() {
                assert!(CAUSES.contains(&c.id), "unknown cause id {}", c.id);
                assert!(
                    a.causes[j + 1..].iter().all(|d| d.id != c.id),
                    "cause twice: {a:#?}"
                );
            }
            if a.symptom != HEALTHY {
                assert!(!a.causes.is_empty(), "{} names no cause", a.symptom);
            }
        }
        let alarming = f.iter().any(|x| x.severity >= Severity::Warn);
        assert_eq!(
            f.iter().any(|x| x.symptom == HEALTHY),
            !alarming,
            "healthy exactly when nothing at warn or alarm: {f:#?}"
        );
    }

    fn get<'a>(f: &'a [Finding], symptom: &str) -> Option<&'a Finding> {
        f.iter().find(|x| x.symptom == symptom)
    }

    fn sev(f: &[Finding], symptom: &str) -> Option<Severity> {
        get(f, symptom).map(|x| x.severity)
    }

    fn causes(f: &[Finding], symptom: &str) -> Vec<&'static str> {
        get(f, symptom)
            .map(|x| x.causes.iter().map(|c| c.id).collect())
            .unwrap_or_default()
    }

    fn warnings(f: &[Finding]) -> Vec<&'static str> {
        f.iter()
            .filter(|x| x.severity >= Severity::Warn)
            .map(|x| x.symptom)
            .collect()
    }

    // ---- healthy, purity, structure ----

    #[test]
    fn healthy_run_raises_nothing_at_warn_or_alarm() {
        let f = Run::healthy().run();
        assert_eq!(warnings(&f), Vec::<&str>::new(), "{f:#?}");
        assert!(get(&f, HEALTHY).is_some());
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
        assert_eq!(none[0].symptom, HEALTHY);
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

    #[test]
    fn cause_ids_are_the_page_taxonomy() {
        assert_eq!(
            CAUSES,
            [
                "lr_too_high",
                "lr_too_low",
                "momentum_too_high",
                "adam_betas",
                "adam_eps",
                "bad_init",
                "vanishing_gradients",
                "exploding_gradients",
                "bad_layer_design",
                "label_noise",
                "class_imbalance",
                "harmful_augmentation",
                "too_little_data",
                "input_scale",
            ]
        );
    }

    // ---- loss at initialisation ----

    #[test]
    fn initial_loss_tiers_on_both_sides() {
        let h = 10f32.ln();
        // The loss stays above chance for the first 50 steps: the start hurts.
        let slow_start = |l: f32| {
            Run::healthy()
                .restep(600, |i| (if i < 60 { 2.2 } else { healthy_loss(i) }, 0.1))
                .initial(l)
        };
        let at = |l: f32| sev(&slow_start(l).run(), INIT_LOSS);
        assert_eq!(at(1.49 * h), None);
        assert_eq!(at(1.51 * h), Some(Severity::Info));
        assert_eq!(at(2.99 * h), Some(Severity::Info));
        assert_eq!(at(3.01 * h), Some(Severity::Warn));
        assert_eq!(at(9.99 * h), Some(Severity::Warn));
        assert_eq!(at(10.01 * h), Some(Severity::Alarm));
        // Fewer than 50 steps seen: too early to say the start hurts.
        let early = Run::healthy()
            .restep(20, |_| (2.2, 0.1))
            .epochs(&[])
            .initial(3.01 * h);
        assert_eq!(sev(&early.run(), INIT_LOSS), Some(Severity::Info));
        // A net that falls below chance within its first 50 steps by itself gets a note only.
        let quick = |l: f32| sev(&Run::healthy().initial(l).run(), INIT_LOSS);
        assert_eq!(quick(9.0), Some(Severity::Info));
        assert_eq!(quick(10.01 * h), Some(Severity::Alarm));
        let f = Run::healthy().initial(8.0).run();
        assert_eq!(causes(&f, INIT_LOSS)[0], BAD_INIT);
    }

    #[test]
    fn initial_loss_uses_the_label_prior_when_classes_are_imbalanced() {
        // 9 classes of 20 and one of 1000: prior entropy ≈ 0.69 nats.
        let mut counts = vec![20; 10];
        counts[7] = 1000;
        let total: f64 = counts.iter().map(|&c| c as f64).sum();
        let h: f64 = counts
            .iter()
            .map(|&c| {
                let p = c as f64 / total;
                -p * p.ln()
            })
            .sum();
        // ln 10 is fine for balanced labels but > 1.5 H here: a note (the biases could match the prior).
        let r = |l: f64| {
            Run::healthy()
                .restep(600, |i| (if i < 60 { 2.2 } else { healthy_loss(i) }, 0.1))
                .counts(counts.clone())
                .initial(l as f32)
                .run()
        };
        assert_eq!(sev(&r(1.45 * h), INIT_LOSS), None);
        assert_eq!(sev(&r(1.55 * h), INIT_LOSS), Some(Severity::Info));
        assert_eq!(sev(&r(10f64.ln()), INIT_LOSS), Some(Severity::Info));
        // The output-scale tiers still compare with ln K: a random net's loss ignores the prior.
        assert_eq!(sev(&r(6.8), INIT_LOSS), Some(Severity::Info));
        assert_eq!(sev(&r(7.0), INIT_LOSS), Some(Severity::Warn));
    }

    #[test]
    fn mis_scaled_inputs_rank_first_for_a_high_initial_loss() {
        let f = Run::healthy()
            .initial(30.0)
            .input(0.0, 255.0, 33.0, 78.0)
            .run();
        assert_eq!(&causes(&f, INIT_LOSS)[..2], &[INPUT_SCALE, BAD_INIT]);
    }

    // ---- stuck at chance ----

    fn at_chance(loss: f32, acc: f32) -> impl Fn(u64) -> (f32, f32) {
        move |i| (loss + 0.02 * noise(i), acc)
    }

    #[test]
    fn stuck_at_chance_on_both_sides_of_its_thresholds() {
        let h = 10f32.ln();
        let run = |loss: f32, acc: f32, n: u64| {
            Run::healthy()
                .restep(n, at_chance(loss, acc))
                .resnap(|_| OK)
                .epochs(&[])
                .run()
        };
        assert_eq!(
            sev(&run(h, 0.1, 200), STUCK_AT_CHANCE),
            Some(Severity::Alarm)
        );
        // Loss just under the band: the net has learned something.
        assert_eq!(sev(&run(0.88 * h, 0.1, 200), STUCK_AT_CHANCE), None);
        assert_eq!(
            sev(&run(0.92 * h, 0.1, 200), STUCK_AT_CHANCE),
            Some(Severity::Alarm)
        );
        // Accuracy just above the largest share + 0.1.
        assert_eq!(sev(&run(h, 0.21, 200), STUCK_AT_CHANCE), None);
        assert_eq!(
            sev(&run(h, 0.19, 200), STUCK_AT_CHANCE),
            Some(Severity::Alarm)
        );
        // Too early to say.
        assert_eq!(sev(&run(h, 0.1, 50), STUCK_AT_CHANCE), None);
        assert_eq!(
            sev(&run(h, 0.1, 51), STUCK_AT_CHANCE),
            Some(Severity::Alarm)
        );
        // Above chance counts too (a net that is sure of wrong answers).
        assert_eq!(
            sev(&run(5.0, 0.1, 200), STUCK_AT_CHANCE),
            Some(Severity::Alarm)
        );
    }

    #[test]
    fn stuck_at_chance_with_imbalanced_labels_uses_the_prior() {
        // One class holds 91% of the labels: always answering it scores 0.91 at a loss of H ≈ 0.50.
        let mut counts = vec![10; 10];
        counts[3] = 910;
        let f = Run::healthy()
            .counts(counts.clone())
            .restep(200, at_chance(0.50, 0.91))
            .resnap(|_| OK)
            .epochs(&[])
            .run();
        assert_eq!(sev(&f, STUCK_AT_CHANCE), Some(Severity::Alarm));
        let g = Run::healthy()
            .counts(counts)
            .restep(200, at_chance(0.30, 0.95))
            .resnap(|_| OK)
            .epochs(&[])
            .run();
        assert_eq!(sev(&g, STUCK_AT_CHANCE), None);
    }

    fn stuck_with(first: [S; 3], later: [S; 3]) -> Vec<Finding> {
        Run::healthy()
            .restep(300, at_chance(2.30, 0.1))
            .resnap_all(move |s| if s == 0 { first } else { later })
            .epochs(&[])
            .run()
    }

    #[test]
    fn stuck_at_chance_causes_split_by_what_the_gradients_do() {
        // Alive at step 0, dead later, weights blown up: the steps killed the units.
        let killed = [
            (0.0, 1500.0, 1e-7, 0.3, 0.0),
            (0.0, 9000.0, 1e-7, 1.0, 0.0),
            (0.2, 7000.0, 4e-5, 0.0, 0.0),
        ];
        let f = stuck_with(OK, killed);
        assert_eq!(causes(&f, STUCK_AT_CHANCE)[0], LR_TOO_HIGH, "{f:#?}");
        // Dead from step 0 (all-zero weights): the initialisation.
        let zero = [
            (0.0, 0.0, f32::NAN, 1.0, 0.0),
            (0.0, 0.0, f32::NAN, 1.0, 0.0),
            (0.2, 0.2, 2e-2, 0.0, 0.0),
        ];
        let f = stuck_with(zero, zero);
        assert_eq!(causes(&f, STUCK_AT_CHANCE)[0], BAD_INIT, "{f:#?}");
        // Tiny weights: no gradient reaches the hidden layers, though the units are not dead.
        let tiny = [
            (1e-6, 1.4e-3, 1e-5, 0.1, 0.0),
            (2e-5, 5.6e-3, 5e-4, 0.2, 0.0),
            (0.2, 0.2, 2e-2, 0.0, 0.0),
        ];
        let f = stuck_with(tiny, tiny);
        assert_eq!(causes(&f, STUCK_AT_CHANCE)[0], BAD_INIT, "{f:#?}");
        // Normal gradients, tiny steps: the learning rate.
        let crawl = [
            (2.0, 4.0, 2e-5, 0.15, 0.0),
            (6.0, 6.0, 5e-5, 0.1, 0.0),
            (8.0, 5.0, 8e-5, 0.0, 0.0),
        ];
        let f = stuck_with(crawl, crawl);
        assert_eq!(
            &causes(&f, STUCK_AT_CHANCE)[..2],
            &[LR_TOO_LOW, ADAM_EPS],
            "{f:#?}"
        );
        // Normal gradients, huge steps.
        let wild = [
            (2.0, 4.0, 0.3, 0.15, 0.0),
            (6.0, 6.0, 0.4, 0.1, 0.0),
            (8.0, 5.0, 0.5, 0.0, 0.0),
        ];
        let f = stuck_with(wild, wild);
        assert_eq!(causes(&f, STUCK_AT_CHANCE)[0], LR_TOO_HIGH, "{f:#?}");
    }

    #[test]
    fn stuck_deep_sigmoid_net_points_at_vanishing_gradients() {
        let sig = [
            (3e-5, 4.0, 3e-7, 0.0, 0.02),
            (2e-3, 4.0, 2e-5, 0.0, 0.0),
            (0.3, 3.0, 1e-3, 0.0, 0.0),
        ];
        let f = Run::blank(ActKind::Saturating)
            .steps(300, at_chance(2.30, 0.1))
            .snaps(0, 300, |_| sig)
            .run();
        assert_eq!(
            &causes(&f, STUCK_AT_CHANCE)[..2],
            &[VANISHING_GRADIENTS, BAD_LAYER_DESIGN],
            "{f:#?}"
        );
        assert_eq!(
            &causes(&f, GRADIENTS_VANISH)[..2],
            &[VANISHING_GRADIENTS, BAD_LAYER_DESIGN]
        );
        // A first-layer gradient just above AUTOTRAINER's 1e-4 but < 1/1000 of the last layer's still
        // ranks the stuck alarm by vanishing gradients (the standalone rule stays quiet).
        let mut sig2 = sig;
        sig2[0].0 = 2e-4;
        let f = Run::blank(ActKind::Saturating)
            .steps(300, at_chance(2.30, 0.1))
            .snaps(0, 300, |_| sig2)
            .run();
        assert_eq!(causes(&f, STUCK_AT_CHANCE)[0], VANISHING_GRADIENTS);
        assert_eq!(sev(&f, GRADIENTS_VANISH), None);
        // Its small updates come from small gradients: not a learning-rate note.
        assert_eq!(sev(&f, UPDATE_RATIO_LOW), None);
    }

    // ---- gradients ----

    fn with_grads(g1: f32, g3: f32) -> Vec<Finding> {
        Run::healthy()
            .resnap(move |_| {
                let mut s = OK;
                s[0].0 = g1;
                s[2].0 = g3;
                s
            })
            .run()
    }

    #[test]
    fn vanishing_gradients_need_both_autotrainer_conditions() {
        // ratio 0.9e-3 and first 0.9e-4: vanishing.
        assert_eq!(
            sev(&with_grads(0.9e-4, 0.1), GRADIENTS_VANISH),
            Some(Severity::Warn)
        );
        // ratio 1.1e-3: not.
        assert_eq!(
            sev(&with_grads(0.9e-4, 0.9e-4 / 1.1e-3), GRADIENTS_VANISH),
            None
        );
        // first 1.1e-4 with a tiny ratio: not.
        assert_eq!(sev(&with_grads(1.1e-4, 10.0), GRADIENTS_VANISH), None);
        // ReLU network: the initial scale ranks above the architecture.
        let f = with_grads(1e-5, 1.0);
        assert_eq!(causes(&f, GRADIENTS_VANISH)[0], VANISHING_GRADIENTS);
        assert!(causes(&f, GRADIENTS_VANISH)[1] == BAD_INIT);
    }

    #[test]
    fn the_snapshot_at_step_0_does_not_vote_once_later_ones_exist() {
        // A short run: step 0 and one later snapshot. The later one decides.
        let f = Run::blank(ActKind::Saturating)
            .steps(94, at_chance(2.37, 0.1))
            .snaps(0, 94, |s| {
                let mut x = OK;
                x[0].0 = if s == 0 { 1.9e-4 } else { 6e-5 };
                x
            })
            .run();
        assert_eq!(sev(&f, GRADIENTS_VANISH), Some(Severity::Warn), "{f:#?}");
    }

    #[test]
    fn one_odd_snapshot_does_not_raise_a_gradient_finding() {
        let f = Run::healthy()
            .resnap(|s| {
                let mut x = OK;
                if s == 550 {
                    x[0].0 = 1e-6;
                }
                x
            })
            .run();
        assert_eq!(sev(&f, GRADIENTS_VANISH), None);
    }

    #[test]
    fn exploding_gradient_ratio_on_both_sides_of_70() {
        assert_eq!(
            sev(&with_grads(71.0, 1.0), GRADIENTS_EXPLODE),
            Some(Severity::Warn)
        );
        assert_eq!(sev(&with_grads(69.0, 1.0), GRADIENTS_EXPLODE), None);
        assert_eq!(
            causes(&with_grads(71.0, 1.0), GRADIENTS_EXPLODE)[0],
            EXPLODING_GRADIENTS
        );
        // Already at step 0: the initialisation ranks second, before the step size.
        let f = Run::healthy()
            .resnap_all(|_| {
                let mut s = OK;
                s[0].0 = 100.0;
                s
            })
            .run();
        assert_eq!(
            &causes(&f, GRADIENTS_EXPLODE)[..2],
            &[EXPLODING_GRADIENTS, BAD_INIT]
        );
    }

    #[test]
    fn a_loss_of_1000_nats_is_an_explosion() {
        let run = |peak: f32| Run::healthy().steps(1, move |_| (peak, 0.1)).run();
        assert_eq!(sev(&run(1001.0), LOSS_EXPLODED), Some(Severity::Alarm));
        assert_eq!(sev(&run(999.0), LOSS_EXPLODED), None);
        // After hundreds of good steps, one sudden blow-up: Adam's occasional huge step ranks
        // first, the step size second.
        assert_eq!(
            &causes(&run(1001.0), LOSS_EXPLODED)[..2],
            &[ADAM_BETAS, LR_TOO_HIGH]
        );
        // A blow-up within the first steps is the step size's.
        let early = Run::healthy()
            .restep(3, |i| (if i == 2 { 1500.0 } else { 2.3 }, 0.1))
            .epochs(&[])
            .run();
        assert_eq!(causes(&early, LOSS_EXPLODED)[0], LR_TOO_HIGH);
        // An initial loss that large is the initialisation's (and its later steps share the origin).
        let f = Run::healthy()
            .restep(200, |i| (if i < 5 { 5000.0 } else { 2.3 }, 0.1))
            .run();
        assert_eq!(sev(&f, INIT_LOSS), Some(Severity::Alarm));
        assert_eq!(causes(&f, LOSS_EXPLODED)[0], BAD_INIT);
    }

    #[test]
    fn divergence_names_the_layer_and_pass() {
        let mut r = Run::healthy();
        r.o.record_non_finite(NonFinite {
            step: 420,
            layer: Some("conv2".into()),
            pass: Some(Pass::Backward),
        });
        let f = r.run();
        let d = get(&f, DIVERGED).expect("diverged");
        assert_eq!(d.severity, Severity::Alarm);
        assert!(
            d.title.contains("conv2") && d.title.contains("backward"),
            "{}",
            d.title
        );
        assert_eq!(d.evidence[0].layer.as_deref(), Some("conv2"));
        assert_eq!(
            &causes(&f, DIVERGED)[..2],
            &[EXPLODING_GRADIENTS, LR_TOO_HIGH]
        );
        // At step 0 no update has acted yet.
        let mut r = Run::healthy();
        r.o.record_non_finite(NonFinite {
            step: 0,
            layer: Some("conv1".into()),
            pass: Some(Pass::Forward),
        });
        assert_eq!(causes(&r.run(), DIVERGED)[0], BAD_INIT);
        // A NaN loss in the series without a record is found too; a finite run is not diverged.
        let f = Run::healthy().steps(1, |_| (f32::NAN, f32::NAN)).run();
        assert_eq!(sev(&f, DIVERGED), Some(Severity::Alarm));
        assert_eq!(sev(&Run::healthy().run(), DIVERGED), None);
    }

    // ---- dead and saturated units ----

    fn dead_in_conv2(d: f32, samples: usize) -> Run {
        let mut r = Run::healthy().resnap(move |_| {
            let mut s = OK;
            s[1].3 = d;
            s
        });
        for s in &mut r.o.layer_history[1..] {
            s.samples = samples;
        }
        r
    }

    /// The same with the second layer a hidden dense layer.
    fn dead_in_hidden(d: f32, samples: usize) -> Run {
        let mut r = dead_in_conv2(d, samples);
        r.o.layers[1].role = LayerRole::Dense;
        r
    }

    #[test]
    fn dying_relu_on_both_sides_of_half_a_layer() {
        let s = |r: Run| sev(&r.run(), DEAD_RELU);
        assert_eq!(s(dead_in_hidden(0.51, 32)), Some(Severity::Warn));
        assert_eq!(s(dead_in_hidden(0.49, 32)), None);
        assert_eq!(s(dead_in_hidden(0.89, 32)), Some(Severity::Warn));
        assert_eq!(s(dead_in_hidden(0.91, 32)), Some(Severity::Alarm));
        // A conv layer loses positions that only see background: a note until it is all but gone.
        assert_eq!(s(dead_in_conv2(0.49, 32)), None);
        assert_eq!(s(dead_in_conv2(0.51, 32)), Some(Severity::Info));
        assert_eq!(s(dead_in_conv2(0.89, 32)), Some(Severity::Info));
        // … and a conv layer that is nearly all off is an alarm only while the loss is at chance.
        assert_eq!(s(dead_in_conv2(0.91, 32)), Some(Severity::Info));
        let at_chance = dead_in_conv2(0.91, 32).restep(600, |i| (2.3 + 0.01 * noise(i), 0.1));
        assert_eq!(s(at_chance), Some(Severity::Alarm));
        // Too few samples for "off for every sample" to mean anything.
        assert_eq!(s(dead_in_hidden(0.7, 15)), None);
        assert_eq!(s(dead_in_hidden(0.7, 16)), Some(Severity::Warn));
        // Only ReLU layers can die.
        let mut r = dead_in_hidden(0.9, 32);
        r.o.layers[1].act = Some(ActKind::Saturating);
        assert_eq!(s(r), None);
    }

    /// Dead hidden layer and first layer without gradient whose update ratio follows `u(step)`.
    fn coasting(u: impl Fn(u64) -> f32) -> Vec<Finding> {
        let mut r = Run::healthy().resnap(move |step| {
            [
                (0.0, 120.0, u(step), 0.05, 0.0),
                (0.0, 350.0, u(step), 1.0, 0.0),
                (0.3, 290.0, 3e-3, 0.0, 0.0),
            ]
        });
        r.o.layers[1].role = LayerRole::Dense;
        r.run()
    }

    #[test]
    fn dying_relu_causes_depend_on_when_and_how() {
        // Alive at step 0, dead later: the step size first.
        let f = dead_in_hidden(0.95, 32).run();
        assert_eq!(
            &causes(&f, DEAD_RELU)[..2],
            &[LR_TOO_HIGH, MOMENTUM_TOO_HIGH]
        );
        // Dead already at step 0 (a hidden layer: a conv layer that is mostly off while the net learns
        // is a note about background positions first): the initialisation first.
        let mut r = Run::healthy().resnap_all(|_| {
            let mut s = OK;
            s[1].3 = 0.95;
            s
        });
        r.o.layers[1].role = LayerRole::Dense;
        assert_eq!(causes(&r.run(), DEAD_RELU)[0], BAD_INIT);
        // Dead layers whose weights keep moving without a gradient: the decay of those steps between
        // the last two snapshots (50 steps apart) is the momentum coefficient.
        let decay = |rho: f32| move |step: u64| 1e-2 * rho.powi(step.saturating_sub(500) as i32);
        let f = coasting(decay(0.995));
        assert_eq!(
            &causes(&f, DEAD_RELU)[..2],
            &[MOMENTUM_TOO_HIGH, ADAM_BETAS],
            "{f:#?}"
        );
        let f = coasting(decay(0.985));
        assert_eq!(
            causes(&f, DEAD_RELU)[0],
            LR_TOO_HIGH,
            "momentum below 0.99 is ordinary"
        );
        // Steps that grow without gradient: Adam with β2 < β1².
        let f = coasting(decay(1.01));
        assert_eq!(
            &causes(&f, DEAD_RELU)[..2],
            &[ADAM_BETAS, MOMENTUM_TOO_HIGH]
        );
        // Leftover movement below the update-ratio floor is not coasting.
        let f = coasting(|_| 1e-6);
        assert_eq!(causes(&f, DEAD_RELU)[0], LR_TOO_HIGH);
    }

    #[test]
    fn saturated_units_on_both_sides_of_half() {
        let run = |s: f32| {
            let mut r = Run::healthy().resnap(move |_| {
                let mut x = OK;
                x[0].4 = s;
                x[0].3 = 0.0;
                x[1].3 = 0.0;
                x
            });
            r.o.layers[0].act = Some(ActKind::Saturating);
            r.o.layers[1].act = Some(ActKind::Saturating);
            r.run()
        };
        assert_eq!(sev(&run(0.51), SATURATED_UNITS), Some(Severity::Warn));
        assert_eq!(sev(&run(0.49), SATURATED_UNITS), None);
        assert_eq!(
            &causes(&run(0.6), SATURATED_UNITS)[..2],
            &[BAD_INIT, VANISHING_GRADIENTS]
        );
        // A ReLU layer's saturated fraction is not a finding.
        let f = Run::healthy()
            .resnap(|_| {
                let mut x = OK;
                x[0].4 = 0.9;
                x
            })
            .run();
        assert_eq!(sev(&f, SATURATED_UNITS), None);
    }

    // ---- update / weight ratio and weight growth ----

    fn with_updates(u: [f32; 3]) -> Vec<Finding> {
        Run::healthy()
            .resnap(move |_| {
                let mut s = OK;
                for i in 0..3 {
                    s[i].2 = u[i];
                }
                s
            })
            .run()
    }

    #[test]
    fn update_ratio_on_both_sides_of_each_limit() {
        assert_eq!(
            sev(&with_updates([3e-3, 3e-3, 0.11]), UPDATE_RATIO_HIGH),
            Some(Severity::Warn)
        );
        assert_eq!(
            sev(&with_updates([3e-3, 3e-3, 0.09]), UPDATE_RATIO_HIGH),
            None
        );
        assert_eq!(
            causes(&with_updates([3e-3, 3e-3, 0.2]), UPDATE_RATIO_HIGH)[0],
            LR_TOO_HIGH
        );
        // Only the first update measured yet: a note.
        let first = Run::healthy()
            .restep(20, |i| (healthy_loss(i), 0.5))
            .epochs(&[])
            .resnap_all(|_| {
                let mut s = OK;
                s[2].2 = 0.2;
                s
            })
            .run();
        assert_eq!(sev(&first, UPDATE_RATIO_HIGH), Some(Severity::Info));
        // Median a decade above 1e-3: a note.
        assert_eq!(
            sev(&with_updates([2e-2, 2e-2, 2e-2]), UPDATE_RATIO_HIGH),
            Some(Severity::Info)
        );
        assert_eq!(
            sev(&with_updates([9e-3, 9e-3, 9e-3]), UPDATE_RATIO_HIGH),
            None
        );
        // Low side.
        assert_eq!(
            sev(&with_updates([9e-6, 9e-6, 9e-6]), UPDATE_RATIO_LOW),
            Some(Severity::Warn)
        );
        assert_eq!(
            sev(&with_updates([1.1e-5, 1.1e-5, 1.1e-5]), UPDATE_RATIO_LOW),
            Some(Severity::Info)
        );
        assert_eq!(
            sev(&with_updates([1.1e-4, 1.1e-4, 1.1e-4]), UPDATE_RATIO_LOW),
            None
        );
        assert_eq!(
            causes(&with_updates([5e-6, 5e-6, 5e-6]), UPDATE_RATIO_LOW),
            vec![LR_TOO_LOW, ADAM_EPS]
        );
    }

    #[test]
    fn update_ratio_ignores_tiny_and_gradient_free_layers() {
        // A near-zero weight norm makes any step look huge: not a step-size finding.
        let f = Run::healthy()
            .resnap(|_| {
                let mut s = OK;
                s[2] = (0.2, 5e-3, 0.9, 0.0, 0.0);
                s
            })
            .run();
        assert_eq!(sev(&f, UPDATE_RATIO_HIGH), None);
        // Layers without gradient do not move: that is not a small learning rate.
        let f = Run::healthy()
            .resnap(|_| {
                let mut s = OK;
                s[0] = (0.0, 4.0, 0.0, 0.0, 0.0);
                s[1] = (0.0, 6.0, 0.0, 0.0, 0.0);
                s
            })
            .run();
        assert_eq!(sev(&f, UPDATE_RATIO_LOW), None);
    }

    #[test]
    fn weight_growth_on_both_sides_of_tenfold() {
        let run = |g: f32| {
            Run::healthy()
                .resnap(move |_| {
                    let mut s = OK;
                    s[1].1 = 6.0 * g;
                    s
                })
                .run()
        };
        assert_eq!(sev(&run(10.5), WEIGHTS_GROWING), Some(Severity::Warn));
        assert_eq!(sev(&run(9.5), WEIGHTS_GROWING), None);
        // Growth from a tiny start says nothing about the step size.
        let f = Run::healthy()
            .resnap_all(|s| {
                let mut x = OK;
                x[2].1 = if s == 0 { 5e-3 } else { 0.24 };
                x
            })
            .run();
        assert_eq!(sev(&f, WEIGHTS_GROWING), None);
    }

    #[test]
    fn a_zero_initialised_output_layer_is_neither_vanishing_nor_growing() {
        // The calibrated start: at step 0 the output layer was zero (‖ΔW‖ = ‖W‖), so nothing reached
        // the convolutions, and it then grows from that one step's size to its working size.
        let first = move |ratio: f32| {
            let mut x = OK;
            x[0].0 = 0.0;
            x[1].0 = 0.0;
            x[2] = (1.0, 0.02, ratio, 0.0, 0.0);
            x
        };
        // At the first diagnosis (step 20) the step-0 snapshot is the only one.
        let early = |ratio: f32| {
            Run::healthy()
                .restep(20, |i| (std::f32::consts::LN_10 - 0.002 * i as f32, 0.1))
                .resnap_all(move |_| first(ratio))
                .run()
        };
        let later = |ratio: f32| {
            Run::healthy()
                .resnap_all(move |s| {
                    let mut x = if s == 0 { first(ratio) } else { OK };
                    x[2].1 = if s == 0 { 0.02 } else { 0.5 };
                    x
                })
                .run()
        };
        assert_eq!(sev(&early(1.0), GRADIENTS_VANISH), None);
        assert_eq!(sev(&later(1.0), WEIGHTS_GROWING), None);
        // The same figures from a layer that was not zero (ratio 0.98: ‖W₀‖ ≈ 2% of ‖ΔW‖ or more).
        let not_zero = 1.0 - 2.0 * FROM_ZERO_TOL as f32;
        assert_eq!(
            sev(&early(not_zero), GRADIENTS_VANISH),
            Some(Severity::Warn)
        );
        assert_eq!(sev(&later(not_zero), WEIGHTS_GROWING), Some(Severity::Warn));
    }

    // ---- the shape of the loss curve ----

    fn with_spikes(k: usize, factor: f32) -> Vec<Finding> {
        spikes_at(k, factor, 0.5)
    }

    fn spikes_at(k: usize, factor: f32, level: f32) -> Vec<Finding> {
        let spikes: Vec<u64> = (0..k as u64).map(|j| 300 + 60 * j).collect();
        Run::healthy()
            .restep(600, move |i| {
                let base = level * (1.0 + 0.02 * noise(i));
                (
                    if spikes.contains(&i) {
                        level * factor
                    } else {
                        base
                    },
                    0.85,
                )
            })
            .run()
    }

    #[test]
    fn loss_spikes_on_both_sides_of_the_median_rule() {
        assert_eq!(sev(&with_spikes(3, 5.0), LOSS_SPIKES), Some(Severity::Warn));
        assert_eq!(sev(&with_spikes(2, 5.0), LOSS_SPIKES), Some(Severity::Info));
        assert_eq!(sev(&with_spikes(0, 5.0), LOSS_SPIKES), None);
        // Median 0.3: over 3× the median but less than 1 nat above it (limit 1.3) …
        assert_eq!(sev(&spikes_at(3, 4.0, 0.3), LOSS_SPIKES), None);
        assert_eq!(
            sev(&spikes_at(3, 4.5, 0.3), LOSS_SPIKES),
            Some(Severity::Warn)
        );
        // … median 2: more than 1 nat above but less than 3× (limit 6).
        assert_eq!(sev(&spikes_at(3, 2.9, 2.0), LOSS_SPIKES), None);
        assert_eq!(
            sev(&spikes_at(3, 3.1, 2.0), LOSS_SPIKES),
            Some(Severity::Warn)
        );
        // Sharp one-batch spikes on a loss that keeps working: Adam's betas rank first; bumps that
        // span several batches point at momentum.
        let bumps = Run::healthy()
            .restep(600, |i| {
                let bump = [300u64, 360, 420, 480]
                    .iter()
                    .any(|&b| (b..b + 3).contains(&i));
                (if bump { 2.0 } else { 0.5 } * (1.0 + 0.02 * noise(i)), 0.85)
            })
            .run();
        assert_eq!(sev(&bumps, LOSS_SPIKES), Some(Severity::Warn));
        assert_eq!(causes(&bumps, LOSS_SPIKES)[0], MOMENTUM_TOO_HIGH);
        assert_eq!(causes(&with_spikes(4, 10.0), LOSS_SPIKES)[0], ADAM_BETAS);
        // Batches of 8: one confidently wrong sample adds ~0.6 nats; the floor is 32 / 8 = 4 nats.
        let small = |jump: f32| {
            let mut r = Run::healthy().restep(600, move |i| {
                (
                    if i % 97 == 0 {
                        0.1 + jump
                    } else {
                        0.1 + 0.01 * noise(i)
                    },
                    0.97,
                )
            });
            r.o.batch_size = 8;
            r.run()
        };
        assert_eq!(sev(&small(3.5), LOSS_SPIKES), None);
        assert_eq!(sev(&small(4.5), LOSS_SPIKES), Some(Severity::Warn));
        // At a low loss one confidently wrong sample is not a spike.
        let f = Run::healthy()
            .restep(600, |i| (if i % 97 == 0 { 0.9 } else { 0.05 }, 0.98))
            .run();
        assert_eq!(sev(&f, LOSS_SPIKES), None);
    }

    fn zigzag(low: f32, high: f32, period: u64) -> Vec<Finding> {
        Run::healthy()
            .restep(600, move |i| {
                let up = (i / (period / 2)) % 2 == 1;
                (if up { high } else { low } + 0.02 * noise(i), 0.6)
            })
            .epochs(&[])
            .run()
    }

    #[test]
    fn oscillation_on_both_sides_of_the_swing() {
        assert_eq!(
            sev(&zigzag(1.0, 1.6, 80), LOSS_OSCILLATION),
            Some(Severity::Warn)
        );
        assert_eq!(sev(&zigzag(1.0, 1.4, 80), LOSS_OSCILLATION), None);
        // At a low level the 0.5-nat floor applies: 0.1 -> 0.55 is +450% but only 0.45 nats.
        assert_eq!(sev(&zigzag(0.1, 0.55, 80), LOSS_OSCILLATION), None);
        assert_eq!(
            sev(&zigzag(0.1, 0.65, 80), LOSS_OSCILLATION),
            Some(Severity::Warn)
        );
        // Heavy batch noise alone (σ ≈ 0.35 nats, as with noisy labels or tiny batches) is not a
        // zig-zag, though its smoothed curve wanders by more than the 0.5-nat floor …
        let noisy = |amp: f32| {
            Run::healthy()
                .restep(1000, move |i| {
                    let up = (i / 40) % 2 == 1;
                    (if up { 1.5 + amp } else { 1.5 } + 0.6 * noise(i), 0.6)
                })
                .epochs(&[])
                .run()
        };
        assert!(
            reversals(
                &median_filter(
                    &Run::healthy()
                        .restep(1000, |i| (1.5 + 0.6 * noise(i), 0.6))
                        .o
                        .step_loss,
                    OSC_FILTER
                ),
                OSC_ABS_NATS
            ) >= OSC_REVERSALS
        );
        assert_eq!(sev(&noisy(0.0), LOSS_OSCILLATION), None);
        // … while a zig-zag standing out of that noise is.
        assert_eq!(sev(&noisy(1.6), LOSS_OSCILLATION), Some(Severity::Warn));
        // A zig-zag points at momentum first; spikes did not.
        assert_eq!(
            causes(&zigzag(1.0, 1.6, 80), LOSS_OSCILLATION)[0],
            MOMENTUM_TOO_HIGH
        );
        // One-batch spikes do not move a running median of 9: no oscillation.
        assert_eq!(sev(&with_spikes(8, 5.0), LOSS_OSCILLATION), None);
    }

    #[test]
    fn rising_training_loss_over_epochs_and_steps() {
        let e = |l: [f32; 4]| {
            Run::healthy()
                .epochs(&[
                    (l[0], 0.9, 0.3, 0.9),
                    (l[1], 0.9, 0.3, 0.9),
                    (l[2], 0.9, 0.3, 0.9),
                    (l[3], 0.9, 0.3, 0.9),
                ])
                .run()
        };
        assert_eq!(
            sev(&e([0.5, 0.3, 0.35, 0.4]), LOSS_RISING),
            Some(Severity::Warn)
        );
        assert_eq!(sev(&e([0.5, 0.3, 0.35, 0.34]), LOSS_RISING), None);
        let s = |to: f32| {
            Run::healthy()
                .restep(500, move |i| {
                    (if i < 400 { 0.5 } else { to } + 0.01 * noise(i), 0.85)
                })
                .epochs(&[])
                .run()
        };
        assert_eq!(sev(&s(0.8), LOSS_RISING), Some(Severity::Warn));
        assert_eq!(sev(&s(0.7), LOSS_RISING), None);
    }

    #[test]
    fn slow_progress_on_both_sides_of_the_satisfied_accuracy() {
        let run = |va: f32, n: usize| {
            let e = vec![(1.5, 0.5, 1.4, va); n];
            Run::healthy()
                .restep(300 * n as u64, |i| (1.4 + 0.05 * noise(i), 0.5))
                .epochs(&e)
                .confusion_diag(va as f64)
                .probe(256, va as f64, 0.0)
                .run()
        };
        assert_eq!(sev(&run(0.59, 2), SLOW_PROGRESS), Some(Severity::Warn));
        assert!(get(&run(0.59, 2), SLOW_PROGRESS)
            .unwrap()
            .title
            .contains("only 59%"));
        // Between AUTOTRAINER's 60% and a linear classifier's 92%: still too slow for this task.
        assert_eq!(sev(&run(0.61, 2), SLOW_PROGRESS), Some(Severity::Warn));
        assert_eq!(sev(&run(0.919, 2), SLOW_PROGRESS), Some(Severity::Warn));
        assert!(get(&run(0.91, 2), SLOW_PROGRESS)
            .unwrap()
            .title
            .contains("linear classifier"));
        assert_eq!(sev(&run(0.921, 2), SLOW_PROGRESS), None);
        // One evaluated epoch and 300 updates are enough below 60%; the linear-classifier bar waits
        // for the second epoch and 600 updates (a healthy first epoch can end at 91%).
        assert_eq!(sev(&run(0.59, 1), SLOW_PROGRESS), Some(Severity::Warn));
        assert_eq!(sev(&run(0.61, 1), SLOW_PROGRESS), None);
        let short = Run::healthy()
            .restep(599, |i| (1.4 + 0.05 * noise(i), 0.5))
            .epochs(&[(1.5, 0.5, 1.4, 0.8); 2])
            .confusion_diag(0.8)
            .run();
        assert_eq!(sev(&short, SLOW_PROGRESS), None);
        // Steps below the healthy update/weight ratio put the step size first.
        let small = Run::healthy()
            .restep(400, |i| (1.4 + 0.05 * noise(i), 0.5))
            .epochs(&[(1.5, 0.5, 1.4, 0.5)])
            .confusion_diag(0.5)
            .resnap(|_| {
                let mut s = OK;
                for l in &mut s {
                    l.2 = 2e-4;
                }
                s
            })
            .run();
        assert_eq!(&causes(&small, SLOW_PROGRESS)[..2], &[LR_TOO_LOW, ADAM_EPS]);
        // Two epochs of a tiny training set are too few updates to judge.
        let few = |n: u64| {
            Run::healthy()
                .restep(n, |i| (1.4 + 0.05 * noise(i), 0.5))
                .epochs(&[(1.5, 0.5, 1.4, 0.5), (1.5, 0.5, 1.4, 0.5)])
                .confusion_diag(0.5)
                .run()
        };
        assert_eq!(sev(&few(299), SLOW_PROGRESS), None);
        assert_eq!(sev(&few(300), SLOW_PROGRESS), Some(Severity::Warn));
        // Normal steps: data signals rank before the network.
        let f = Run::healthy()
            .restep(400, |i| (1.4 + 0.05 * noise(i), 0.5))
            .epochs(&[(1.5, 0.5, 1.4, 0.55), (1.5, 0.5, 1.4, 0.55)])
            .confusion_diag(0.55)
            .probe(256, 0.5, 0.2)
            .run();
        assert_eq!(causes(&f, SLOW_PROGRESS)[0], LABEL_NOISE);
        assert_eq!(causes(&run(0.5, 2), SLOW_PROGRESS)[0], BAD_LAYER_DESIGN);
    }

    #[test]
    fn confused_pairs_on_both_sides_of_the_lookalike_thresholds() {
        // 6 called 9 `a` of the time and 9 called 6 `b`, out of 1000 each; the rest right.
        let pair = |a: u32, b: u32| {
            let mut m: Vec<Vec<u32>> = (0..10)
                .map(|c| (0..10).map(|j| if j == c { 1000 } else { 0 }).collect())
                .collect();
            m[6][6] -= a;
            m[6][9] = a;
            m[9][9] -= b;
            m[9][6] = b;
            Run::healthy().confusion(m)
        };
        assert_eq!(
            sev(&pair(100, 50).run(), CONFUSED_PAIRS),
            Some(Severity::Warn)
        );
        assert_eq!(sev(&pair(100, 49).run(), CONFUSED_PAIRS), None);
        assert_eq!(sev(&pair(99, 60).run(), CONFUSED_PAIRS), None);
        // A net that is poor everywhere: the same pair rates are only a small share of the errors.
        let mut poor = pair(100, 60);
        for (c, row) in poor.o.confusion.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                if j != c && !((c, j) == (6, 9) || (c, j) == (9, 6)) {
                    *v = 40;
                }
            }
            let off: u32 = row
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != c)
                .map(|(_, v)| v)
                .sum();
            row[c] = 1000 - off;
        }
        assert_eq!(sev(&poor.run(), CONFUSED_PAIRS), None);
        let f = pair(140, 110).run();
        assert!(get(&f, CONFUSED_PAIRS).unwrap().title.contains("6 and 9"));
        // A network below 60% validation accuracy confuses everything: no particular pair.
        let poor_net = pair(140, 110).epochs(&[(1.5, 0.5, 1.4, 0.59)]).run();
        assert_eq!(sev(&poor_net, CONFUSED_PAIRS), None);
        // Clean training images still classified well: a transformation first, swapped labels second.
        assert_eq!(
            &causes(&f, CONFUSED_PAIRS)[..2],
            &[HARMFUL_AUGMENTATION, LABEL_NOISE]
        );
        // The probe contradicting the labels as much as the training batches do: labels first.
        let noisy = pair(140, 110)
            .restep(600, |i| (1.2 + 0.01 * noise(i), 0.6))
            .epochs(&[(1.2, 0.6, 0.4, 0.9); 3])
            .probe(256, 0.62, 0.3)
            .run();
        assert_eq!(causes(&noisy, CONFUSED_PAIRS)[0], LABEL_NOISE);
    }

    #[test]
    fn slow_progress_comes_after_the_finding_that_says_why() {
        let f = gap_run(0.55, 0.88, 1.2, 0.4).probe(256, 0.6, 0.3).run();
        let at = |sym| f.iter().position(|g| g.symptom == sym);
        assert!(
            at(SLOW_PROGRESS).is_some() && at(NOISY_LABELS).is_some(),
            "{f:#?}"
        );
        assert!(at(NOISY_LABELS) < at(SLOW_PROGRESS));
    }

    // ---- generalisation, labels and data ----

    /// Three epochs whose last 100 steps show training accuracy `ta`, validation accuracy `va`.
    fn gap_run(ta: f32, va: f32, tl: f32, vl: f32) -> Run {
        Run::healthy()
            .restep(600, move |i| (tl + 0.01 * noise(i), ta))
            .epochs(&[(tl, ta, vl, va), (tl, ta, vl, va), (tl, ta, vl, va)])
            .confusion_diag(va as f64)
    }

    #[test]
    fn overfitting_gap_on_both_sides() {
        // Above 90% training accuracy the AUTOTRAINER gap is 0.07.
        assert_eq!(
            sev(&gap_run(0.99, 0.91, 0.05, 0.4).run(), OVERFITTING),
            Some(Severity::Warn)
        );
        assert_eq!(
            sev(&gap_run(0.99, 0.93, 0.05, 0.4).run(), OVERFITTING),
            None
        );
        // At or below 90% it is 0.10.
        assert_eq!(sev(&gap_run(0.85, 0.76, 0.4, 0.7).run(), OVERFITTING), None);
        assert_eq!(
            sev(&gap_run(0.85, 0.74, 0.4, 0.7).run(), OVERFITTING),
            Some(Severity::Warn)
        );
        let f = gap_run(1.0, 0.83, 0.003, 0.7).counts(vec![20; 10]).run();
        assert_eq!(causes(&f, OVERFITTING), vec![TOO_LITTLE_DATA, LABEL_NOISE]);
        // Confidently contradicted training labels put the labels first.
        let f = gap_run(1.0, 0.83, 0.003, 0.7).probe(256, 0.8, 0.15).run();
        assert_eq!(causes(&f, OVERFITTING)[0], LABEL_NOISE);
        // Heavily skewed labels put the imbalance first.
        let mut counts = vec![1000; 10];
        counts[0] = 50;
        let f = gap_run(0.98, 0.82, 0.07, 0.6).counts(counts).run();
        assert_eq!(causes(&f, OVERFITTING)[0], CLASS_IMBALANCE);
    }

    #[test]
    fn validation_getting_worse_while_training_improves() {
        let trend = |vl: [f32; 3]| {
            let tl = [0.9f32, 0.8, 0.7];
            Run::healthy()
                .restep(600, move |i| {
                    (tl[(i / SPE as u64) as usize] + 0.01 * noise(i), 0.6)
                })
                .epochs(&[
                    (0.9, 0.6, vl[0], 0.6),
                    (0.8, 0.6, vl[1], 0.6),
                    (0.7, 0.6, vl[2], 0.6),
                ])
                .confusion_diag(0.6)
                .run()
        };
        assert_eq!(
            sev(&trend([0.70, 0.75, 0.80]), OVERFITTING),
            Some(Severity::Warn)
        );
        assert_eq!(sev(&trend([0.80, 0.75, 0.80]), OVERFITTING), None);
        assert_eq!(sev(&trend([0.70, 0.705, 0.71]), OVERFITTING), None);
    }

    #[test]
    fn validation_loss_past_its_best_while_training_improves() {
        // Five epochs; the training loss falls by `fall` per epoch, validation follows `vl`.
        let run = |vl: [f32; 5], fall: f32| {
            let tl = move |e: usize| 0.9 - fall * e as f32;
            Run::healthy()
                .restep(1000, move |i| {
                    (tl((i / SPE as u64) as usize) + 0.01 * noise(i), 0.6)
                })
                .epochs(&[
                    (tl(0), 0.6, vl[0], 0.6),
                    (tl(1), 0.6, vl[1], 0.6),
                    (tl(2), 0.6, vl[2], 0.6),
                    (tl(3), 0.6, vl[3], 0.6),
                    (tl(4), 0.6, vl[4], 0.6),
                ])
                .confusion_diag(0.6)
                .run()
        };
        // Noisy epoch to epoch (no two worse in a row), but 17% above its best of epoch 2.
        let f = run([0.9, 0.7, 0.8, 0.78, 0.82], 0.1);
        assert_eq!(sev(&f, OVERFITTING), Some(Severity::Warn), "{f:#?}");
        let o = f.iter().find(|g| g.symptom == OVERFITTING).unwrap();
        assert!(o.title.contains("epoch 2"), "{}", o.title);
        // The same validation with a flat training loss: not a sign of fitting the training set.
        assert_eq!(
            sev(&run([0.9, 0.7, 0.8, 0.78, 0.82], 0.0), OVERFITTING),
            None
        );
        // Only one epoch past the best: a bounce, not yet a trend.
        assert_eq!(sev(&run([0.9, 0.8, 0.8, 0.7, 0.8], 0.1), OVERFITTING), None);
        // A rise of 5% on a tiny validation loss is noise: below GL_MIN_NATS.
        assert_eq!(
            sev(&run([0.09, 0.07, 0.08, 0.078, 0.082], 0.01), OVERFITTING),
            None
        );
    }

    #[test]
    fn label_noise_versus_augmentation_when_training_is_harder_than_validation() {
        // Validation 92%, training batches 54%, clean-image probe 55%: the labels are wrong.
        let f = gap_run(0.54, 0.92, 1.75, 0.85).probe(256, 0.55, 0.19).run();
        assert_eq!(sev(&f, NOISY_LABELS), Some(Severity::Warn), "{f:#?}");
        assert_eq!(causes(&f, NOISY_LABELS)[0], LABEL_NOISE);
        assert_eq!(sev(&f, TRAIN_HARDER_THAN_VAL), None);
        // Same batches, but the clean-image probe scores 90%: the augmented inputs are the problem.
        let f = gap_run(0.74, 0.89, 0.74, 0.38).probe(256, 0.90, 0.05).run();
        assert_eq!(
            sev(&f, TRAIN_HARDER_THAN_VAL),
            Some(Severity::Warn),
            "{f:#?}"
        );
        assert_eq!(causes(&f, TRAIN_HARDER_THAN_VAL)[0], HARMFUL_AUGMENTATION);
        assert_eq!(sev(&f, NOISY_LABELS), None);
        // Gap on both sides of the threshold (validation above 90%: 0.07).
        assert_eq!(
            sev(
                &gap_run(0.85, 0.93, 0.7, 0.3).probe(256, 0.85, 0.1).run(),
                NOISY_LABELS
            ),
            Some(Severity::Warn)
        );
        assert_eq!(
            sev(
                &gap_run(0.87, 0.93, 0.7, 0.3).probe(256, 0.87, 0.1).run(),
                NOISY_LABELS
            ),
            None
        );
        // Probe share on both sides of one half.
        let share = |probe_acc: f64| {
            gap_run(0.60, 0.90, 1.2, 0.4)
                .probe(256, probe_acc, 0.0)
                .run()
        };
        assert!(get(&share(0.74), NOISY_LABELS).is_some());
        assert!(get(&share(0.76), TRAIN_HARDER_THAN_VAL).is_some());
        // Augmentation needs the gap at two consecutive evaluations (a fast first epoch lags) …
        let once = |probe_acc: f64| -> Run {
            Run::healthy()
                .restep(600, |i| {
                    (
                        if i < 400 { 0.3 } else { 1.2 } + 0.01 * noise(i),
                        if i < 400 { 0.91 } else { 0.6 },
                    )
                })
                .epochs(&[
                    (0.3, 0.91, 0.3, 0.92),
                    (0.3, 0.91, 0.3, 0.92),
                    (1.2, 0.6, 0.4, 0.9),
                ])
                .probe(256, probe_acc, 0.0)
        };
        let mut lagging = once(0.9);
        lagging.o.samples.clear();
        assert_eq!(sev(&lagging.run(), TRAIN_HARDER_THAN_VAL), None);
        // … unless the probe shows the same training images, clean and under the evaluated weights,
        // beating the batches by the gap too: then one evaluation is enough.
        assert_eq!(
            sev(&once(0.9).run(), TRAIN_HARDER_THAN_VAL),
            Some(Severity::Warn)
        );
        assert_eq!(sev(&once(0.69).run(), TRAIN_HARDER_THAN_VAL), None);
        // … label noise does not: the probe measures the evaluated weights themselves.
        assert_eq!(sev(&once(0.6).run(), NOISY_LABELS), Some(Severity::Warn));
        // Without a probe the augmentation is the first guess.
        let mut r = gap_run(0.60, 0.90, 1.2, 0.4);
        r.o.samples.clear();
        assert_eq!(
            causes(&r.run(), TRAIN_HARDER_THAN_VAL)[0],
            HARMFUL_AUGMENTATION
        );
        // Fewer than PROBE_MIN samples count as no probe.
        let f = gap_run(0.60, 0.90, 1.2, 0.4).probe(99, 0.6, 0.3).run();
        assert!(get(&f, TRAIN_HARDER_THAN_VAL).is_some());
    }

    /// 2↔5 confused both ways.
    fn two_five(ab: f64, ba: f64, base: f64) -> Vec<Vec<u32>> {
        (0..10)
            .map(|c| {
                (0..10)
                    .map(|j| {
                        let share = match (c, j) {
                            (2, 5) => ab,
                            (5, 2) => ba,
                            (2, 2) => base - ab,
                            (5, 5) => base - ba,
                            (a, b) if a == b => base,
                            _ => (1.0 - base) / 9.0,
                        };
                        (share * 1000.0).round() as u32
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn training_floor_and_its_causes() {
        let floor = |l: [f32; 3], acc: f32| {
            Run::healthy()
                .restep(600, move |i| {
                    (l[(i / SPE as u64) as usize] + 0.01 * noise(i), acc)
                })
                .epochs(&[
                    (l[0], acc, 0.4, 0.87),
                    (l[1], acc, 0.4, 0.87),
                    (l[2], acc, 0.4, 0.87),
                ])
                .confusion_diag(0.87)
                .probe(256, 0.9, 0.05)
        };
        // 5% drop over the last epoch at 85% training accuracy: a floor.
        assert_eq!(
            sev(&floor([0.6, 0.5, 0.475], 0.85).run(), TRAINING_FLOOR),
            Some(Severity::Warn)
        );
        // 12% drop: still learning.
        assert_eq!(
            sev(&floor([0.6, 0.5, 0.44], 0.85).run(), TRAINING_FLOOR),
            None
        );
        // Above 90% training accuracy the network fits its data.
        assert_eq!(
            sev(&floor([0.3, 0.2, 0.19], 0.92).run(), TRAINING_FLOOR),
            None
        );
        // Look-alike pairs put the augmentation first; a heavily contradicting probe the labels.
        let f = floor([0.6, 0.5, 0.475], 0.85)
            .confusion(two_five(0.15, 0.07, 0.9))
            .run();
        assert_eq!(causes(&f, TRAINING_FLOOR)[0], HARMFUL_AUGMENTATION);
        let f = floor([0.9, 0.88, 0.87], 0.55).probe(256, 0.52, 0.38).run();
        assert_eq!(causes(&f, TRAINING_FLOOR)[0], LABEL_NOISE);
        // Neither: the network itself.
        let f = floor([0.6, 0.5, 0.475], 0.85).run();
        assert_eq!(causes(&f, TRAINING_FLOOR)[0], BAD_LAYER_DESIGN);
    }

    #[test]
    fn lookalike_pairs_need_both_directions() {
        let run = |ab: f64, ba: f64| {
            Run::healthy()
                .restep(600, move |i| {
                    (
                        [0.6, 0.5, 0.475][(i / SPE as u64) as usize] + 0.01 * noise(i),
                        0.85,
                    )
                })
                .epochs(&[
                    (0.6, 0.85, 0.4, 0.87),
                    (0.5, 0.85, 0.4, 0.87),
                    (0.475, 0.85, 0.4, 0.87),
                ])
                .confusion(two_five(ab, ba, 0.9))
                .probe(256, 0.9, 0.05)
                .run()
        };
        assert_eq!(
            causes(&run(0.12, 0.06), TRAINING_FLOOR)[0],
            HARMFUL_AUGMENTATION
        );
        let f = run(0.12, 0.06);
        let e = &get(&f, TRAINING_FLOOR).unwrap().evidence;
        assert!(e
            .iter()
            .any(|x| x.metric == "lookalike" && x.layer.as_deref() == Some("2↔5")));
        // One direction below 5%, or neither reaching 10%: not a look-alike pair.
        assert_eq!(
            causes(&run(0.12, 0.04), TRAINING_FLOOR)[0],
            BAD_LAYER_DESIGN
        );
        assert_eq!(
            causes(&run(0.09, 0.09), TRAINING_FLOOR)[0],
            BAD_LAYER_DESIGN
        );
    }

    #[test]
    fn imbalance_on_both_sides_of_rarity_and_recall_gap() {
        let run = |rare_count: u32, rare_recall: f64| {
            let mut counts = vec![1000; 10];
            let mut recall = [0.97; 10];
            for c in 0..3 {
                counts[c] = rare_count;
                recall[c] = rare_recall;
            }
            Run::healthy()
                .counts(counts)
                .confusion_recalls(&recall)
                .run()
        };
        // Three classes at 100 (mean 730: rare below 365), recall 20 points lower.
        assert_eq!(
            sev(&run(100, 0.77), IMBALANCED_RECALL),
            Some(Severity::Warn)
        );
        assert_eq!(
            causes(&run(100, 0.77), IMBALANCED_RECALL)[0],
            CLASS_IMBALANCE
        );
        // Gap on both sides of 0.10.
        assert_eq!(
            sev(&run(100, 0.86), IMBALANCED_RECALL),
            Some(Severity::Warn)
        );
        assert_eq!(
            sev(&run(100, 0.88), IMBALANCED_RECALL),
            Some(Severity::Info)
        );
        // 10:1 skewed with a small gap: a note; 8:1 with a small gap: nothing.
        assert_eq!(
            sev(&run(100, 0.92), IMBALANCED_RECALL),
            Some(Severity::Info)
        );
        assert_eq!(sev(&run(125, 0.92), IMBALANCED_RECALL), None);
        assert_eq!(
            sev(&run(125, 0.77), IMBALANCED_RECALL),
            Some(Severity::Warn)
        );
        // Rarity on both sides of half the mean count (mean with three classes at n: (7000 + 3n) / 10).
        assert_eq!(
            sev(&run(400, 0.77), IMBALANCED_RECALL),
            Some(Severity::Warn)
        ); // 400 < 410
        assert_eq!(sev(&run(420, 0.77), IMBALANCED_RECALL), None); // 420 > 413
    }

    #[test]
    fn input_scale_on_both_sides() {
        let run = |min, max, mean, std| Run::healthy().input(min, max, mean, std).run();
        // Raw 0–255 pixels.
        assert_eq!(
            sev(&run(0.0, 255.0, 33.0, 78.0), INPUT_OUT_OF_SCALE),
            Some(Severity::Warn)
        );
        // Standardised MNIST goes past 1 but is fine; so are [0, 1] and [−1, 1].
        assert_eq!(sev(&run(-0.42, 2.82, 0.0, 1.0), INPUT_OUT_OF_SCALE), None);
        assert_eq!(sev(&run(0.0, 1.0, 0.13, 0.31), INPUT_OUT_OF_SCALE), None);
        assert_eq!(sev(&run(-1.0, 1.0, -0.7, 0.6), INPUT_OUT_OF_SCALE), None);
        // Outside [−1, 1] with the mean off by more than one unit, or a std off by more than 2×.
        assert_eq!(
            sev(&run(4.0, 7.0, 5.1, 1.0), INPUT_OUT_OF_SCALE),
            Some(Severity::Warn)
        );
        assert_eq!(
            sev(&run(-3.0, 3.0, 0.0, 2.1), INPUT_OUT_OF_SCALE),
            Some(Severity::Warn)
        );
        assert_eq!(sev(&run(-3.0, 3.0, 0.0, 1.9), INPUT_OUT_OF_SCALE), None);
        // Nearly zero inputs.
        assert_eq!(
            sev(&run(0.0, 1e-3, 1e-4, 3e-4), INPUT_OUT_OF_SCALE),
            Some(Severity::Warn)
        );
        assert_eq!(sev(&run(0.0, 0.1, 0.01, 0.03), INPUT_OUT_OF_SCALE), None);
        assert_eq!(
            causes(&run(0.0, 255.0, 33.0, 78.0), INPUT_OUT_OF_SCALE),
            vec![INPUT_SCALE]
        );
    }

    // ---- the building blocks ----

    #[test]
    fn step_buffer_stays_bounded_and_keeps_the_indices() {
        let mut o = Observations::default();
        for i in 0..3 * STEPS_KEPT as u64 {
            o.record_step(i as f32, 0.5);
        }
        assert_eq!(o.initial_loss, Some(0.0));
        assert!(o.step_loss.len() < 2 * STEPS_KEPT && o.step_loss.len() >= STEPS_KEPT);
        assert_eq!(o.next_step(), 3 * STEPS_KEPT as u64);
        assert_eq!(o.step_loss[0] as u64, o.first_step);
        assert_eq!(o.step_acc.len(), o.step_loss.len());
        for s in 0..300 {
            o.record_layers(s, 32, Vec::new());
        }
        assert_eq!(o.layer_history[0].step, 0, "the first snapshot is kept");
        assert!(o.layer_history.len() <= 2 * SNAPSHOTS_KEPT + 1);
        assert_eq!(o.layer_history.last().unwrap().step, 299);
        for _ in 0..3000 {
            o.record_sample(SampleLoss::from_logits(&[0.0; 10], 0));
        }
        assert!(o.samples.len() < 2 * SAMPLES_KEPT);
        o.record_non_finite(NonFinite {
            step: 5,
            layer: None,
            pass: None,
        });
        o.record_non_finite(NonFinite {
            step: 9,
            layer: None,
            pass: None,
        });
        assert_eq!(
            o.non_finite.as_ref().unwrap().step,
            5,
            "the first record is kept"
        );
    }

    #[test]
    fn sample_loss_and_input_stats_are_right() {
        let s = SampleLoss::from_logits(&[1.0, 3.0, 0.0], 0);
        let z: f64 = [1.0f64, 3.0, 0.0].iter().map(|v| v.exp()).sum();
        assert!((s.loss as f64 - (z.ln() - 1.0)).abs() < 1e-5);
        assert_eq!(s.predicted, 1);
        assert!((s.confidence as f64 - 3f64.exp() / z).abs() < 1e-6);
        let u = SampleLoss::from_logits(&[0.0; 10], 4);
        assert!((u.loss as f64 - LN_10_F64).abs() < 1e-6);
        let i = InputStats::of(&[-1.0, 1.0, 3.0, 1.0]);
        assert_eq!((i.min, i.max, i.mean), (-1.0, 3.0, 1.0));
        assert!((i.std - 2f32.sqrt()).abs() < 1e-6);
    }

    const LN_10_F64: f64 = std::f64::consts::LN_10;

    #[test]
    fn reversal_counter_ignores_noise_and_counts_swings() {
        let r = |f: &[f64]| reversals(f, OSC_ABS_NATS);
        assert_eq!(r(&[2.0, 1.5, 1.0, 0.8, 0.6, 0.61, 0.59, 0.6]), 0);
        assert_eq!(r(&[1.0, 1.6, 1.0, 1.6, 1.0]), 3);
        assert_eq!(r(&[1.0, 1.4, 1.0, 1.4, 1.0]), 0);
        assert_eq!(
            reversals(&[1.0, 1.6, 1.0, 1.6, 1.0], 0.7),
            0,
            "a noisier run needs larger swings"
        );
        assert_eq!(r(&[0.2, 0.6, 0.2, 0.6, 0.2]), 0, "+200% but only 0.4 nats");
        let m = median_filter(&[1.0, 1.0, 9.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], 9);
        assert!(
            m.iter().all(|&v| v == 1.0),
            "a one-step spike vanishes: {m:?}"
        );
    }
}
