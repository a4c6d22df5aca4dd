//! Thresholds. Each cites where it comes from; none is fitted to one of the lab's presets.
//! This is the table a reviewer audits: constants and their sources, nothing else.

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

/// Dying ReLU: more than half of a layer's channels (conv filters, dense units) off at every position
/// for every sample of the batch: Warn. CS231n ("Commonly used activation functions") names dead units
/// that never activate and warns that with a learning rate set too high "as much as 40% of your network
/// can be dead"; a layer past half is beyond that. AUTOTRAINER's monitor flags ≥ 0.7 of zero gradients
/// and DeepDiagnosis ≥ 0.7 of ReLU outputs ≤ 0, both counting individual values; whole channels are a
/// much stricter notion (a working filter is off at one position for one sample about half the time,
/// at all its positions for all samples practically never). Measured after one epoch on seeds 1–6
/// (examples/dead_units.rs): the baseline's conv2 reads 0, 0, 0, 31, 44 and 19% (its momentum step
/// lr/(1 − μ) = 0.1 does silence some filters early on some seeds), the dead-ReLU lessons (huge init,
/// negative bias) 94–100%.
pub const DEAD_FRAC: f64 = 0.5;
/// A layer this dead passes (almost) no gradient: Alarm.
pub const DEAD_ALL: f64 = 0.9;
/// The dead fraction is only meaningful over enough samples: a unit active on 1 sample in 4 looks dead
/// over 8 samples 10% of the time, over 16 samples 1%.
pub const DEAD_MIN_SAMPLES: usize = 16;
/// DeepDiagnosis: a sigmoid/tanh layer is saturated when more than half of it sits in the flat ends (the
/// lab counts channels whose every output, at every position for every sample, is outside [0.01, 0.99]
/// for a sigmoid or beyond |0.99| for tanh).
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
/// is what Adam does when β1 > √β2 (β2 < β1²): m̂ shrinks by β1 per step, √v̂ by √β2, so the step
/// grows by γ = β1/√β2 per step (Reddi, Kale & Kumar 2018 require γ < 1).
pub const MOMENTUM_HIGH: f64 = 0.99;

/// Weight decay keeps moving a layer that gets no data gradient, and that drift is not momentum. The
/// lab adds the L2 term to the gradient after the gradient norm is measured (PyTorch's convention), so
/// a dead layer under momentum μ still steps by lr·wd·θ/(1 − μ), decaying by only 1 − lr·wd/(1 − μ)
/// per step (0.99995 at lr 0.01, wd 5e-4, μ 0.9): read as coasting, that is "momentum ≈ 1.000". Under
/// Adam the L2 gradient is divided by its own root mean square, so each weight moves by about lr per
/// step whatever wd is (Loshchilov & Hutter 2019). Either way the steps point at the origin, so the
/// weight norm shrinks by (nearly) the whole distance the steps travel: the ratio is 1 for SGD and
/// momentum (Δθ ∝ −θ) and ‖θ‖₁/(√n·‖θ‖₂) for Adam's ≈ lr·sign(θ), about √(2/π) ≈ 0.80 for
/// Gaussian-like weights. A velocity left over from data gradients points wherever they did: in n
/// dimensions a direction unrelated to θ has a cosine with it of order 1/√n (under 0.1 for the
/// smallest layer, 150 weights), and the steps that killed a layer mostly grew its norm. A gradient-free
/// layer whose norm fell by at least 0.7 of the path its steps travelled between two snapshots is being
/// pulled in by weight decay, and no step-size cause is read from its movement.
pub const DRIFT_ALIGN: f64 = 0.7;

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
/// Growth is counted from at least this norm: the smallest a fan-in-scaled initialiser gives a layer
/// (‖W‖² ≈ gain² × fan_out ≥ 1, see `WEIGHT_TINY`). A layer started far below it (a deliberately small
/// start) grows into its working size by itself once it leaves the plateau (Saxe, McClelland & Ganguli
/// 2014); that growth is the escape, not oversized steps, and only what goes beyond this size counts.
pub const WEIGHT_UNIT: f64 = 1.0;

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
/// A spike is *sharp* when it also stands this many times (the spike factor itself) above both
/// neighbouring batches: one oversized step that the next step undoes. Adam makes such steps when its squared-gradient average
/// forgets much faster than its gradient average (β2 < β1², i.e. β1 > √β2): a dip in v̂ blows up m̂/√v̂
/// for a step or two. The worst-case |m̂/√v̂| is bounded only while γ = β1/√β2 < 1 (Reddi, Kale &
/// Kumar 2018; Kingma & Ba's Theorem 4.1 assumes β1²/√β2 < 1; their §2.1 bound
/// |Δ| ≲ α(1 − β1)/√(1 − β2) is a different, approximate one). Heavy-ball momentum cannot: its
/// velocity changes by one gradient per step out of ~1/(1 − μ) accumulated, so the weights move
/// smoothly and its overshoots are bumps spanning several batches.
pub const SHARP_FACTOR: f64 = SPIKE_FACTOR;

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
/// A confused pair is first read as digits that look alike and are still being learned, unless there is
/// evidence of augmentation. One piece of evidence is augmentation's own signature: the training batches
/// (transformed, in training mode) at least 5 points less accurate than the clean-image probe of the same
/// training images under the evaluated weights. The probe's 256 samples give a 97% accuracy a standard
/// error of 1.1 points, and the training figure lags the evaluated weights by part of an epoch (about a
/// point late in a healthy run), so 5 points lies several standard errors beyond both. Label noise
/// lowers both figures alike and cannot open the gap.
pub const AUG_PROBE_GAP: f64 = 0.05;
/// Train/evaluation mode mismatch: the recent training batches (the last `STUCK_WINDOW`, in training
/// mode) at least 25 points more accurate than the probe's 256 clean training images under the
/// evaluated weights (evaluation mode). A network that computes the same function in both modes scores
/// the probe at least as well as its batches (clean images, the newest weights; see `AUG_PROBE_GAP`);
/// the probe's standard error is at most 3.1 points (p = 0.5, n = 256) and the batches' mean over
/// 50 batches of 32 at most 1.3, so 25 points is over seven standard errors of their difference. What
/// opens it is an evaluation mode that computes something else: BatchNorm evaluates with population
/// statistics in place of the batch's (Ioffe & Szegedy 2015, §3.1), and statistics that were never
/// gathered part the two modes. Not read on runs with loss spikes (a weight update can land the probe
/// on a bad moment) or unshuffled batches (one-digit batches are "right" by answering the digit of the
/// moment).
pub const EVAL_MODE_GAP: f64 = 0.25;
/// The other piece of evidence is the pair itself: pairs that a transformation the lab offers turns into
/// each other. A 180° rotation (or a vertical flip) makes a 6 look like a 9, and a mirror makes a 2 look
/// like a 5, and back. The pairs a net confuses on plain MNIST while it is still learning are others,
/// e.g. 4↔9, 3↔5, 7↔9.
pub const FLIP_PAIRS: [(usize, usize); 2] = [(2, 5), (6, 9)];

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
/// … and, for the lab's task, below what a linear model reaches on handwritten digits: a fully trained
/// softmax-regression classifier reaches ≈ 92% on MNIST when trained on all 60 000 images; LeCun et
/// al. 1998 (Fig. 9) report 12% test error (88%) for their linear classifier and 7.6% (92.4%) for a
/// pairwise linear one. A convolutional network still under 92% has not yet learned more than a
/// linear map could (on a full, clean training set; the bar is not scaled for small or noisy ones). A healthy small CNN passes it within its first few hundred updates (the baseline lesson: 95%
/// after one epoch of 10 000 samples).
pub const LINEAR_ACC: f64 = 0.92;
/// The linear-classifier bar applies from the second evaluated epoch and 600 updates: healthy runs of
/// the baseline end their first epoch at 91–96% depending on the seed, their second at 94–97%.
pub const LINEAR_MIN_EPOCHS: usize = 2;
pub const LINEAR_MIN_STEPS: u64 = 600;
/// … and at least 300 updates: progress is made per update, not per epoch, and an epoch of a small
/// training set is only a few steps long (300 updates are one epoch of 10 000 samples at batch 32).
pub const SLOW_MIN_STEPS: u64 = 300;

/// Pipeline bugs (Karpathy 2019: "become one with the data", "visualize just before the net",
/// "verify loss @ init"; Playbook: check the pipeline before tuning). Validation below chance: the
/// accuracy of the latest validation pass (its confusion matrix) against the accuracy a guess that
/// ignores the image scores with the same answers, Σ_c rows_c·cols_c / n² (Cohen's 1960 chance
/// agreement p_e; a net that always answers one class scores exactly that class's share, 8.9–11.4%
/// on MNIST's test set, so a fixed 1/K would call the rarest class's guess "below chance"). Below it by
/// more than 3 binomial standard errors √(p_e(1 − p_e)/n) of an image-blind guess (0.9 points for
/// n = 10 000: one chance in 740 for a net at chance) the answers depend on the image but land on the
/// wrong names.
pub const CHANCE_SIGMAS: f64 = 3.0;
/// A validation row (true class) is *mapped* to another class when more than half of its images are
/// given that one class: more than all other answers together, the diagonal included (as `CONFIDENT`).
pub const MAPPED_SHARE: f64 = 0.5;

/// Mis-wired loss, floor: the recent training batches (the last `STUCK_WINDOW`) at least `HIGH_ACC`
/// right on average, yet their median loss (a level one blown-up batch cannot move) at least ln 2. A cross-entropy that high at 90% accuracy needs the
/// wrong tenth to average ≥ 6.9 nats (the right label given < 0.1%): confidently wrong samples
/// would have to dominate. The clean probe (the engine's own cross-entropy from the logits, on
/// training images with their labels) says whether they do: the floor is read only when the probe is
/// as accurate as the batches (within `AUG_PROBE_GAP`, so augmentation, which makes the batches
/// harder, is not at work) and its mean cross-entropy is at most half the batches' loss. The factor 2 is
/// three standard errors of a probe of 256 images at 97% (its mean is ruled by its ~8 wrong images,
/// √8/8 ≈ 35% relative). Cross-entropy on softmax outputs taken as logits cannot go below
/// ln(1 + (K − 1)/e) ≈ 1.46 nats for K = 10, well above both bars.
pub const LOSS_FLOOR_NATS: f64 = std::f64::consts::LN_2;
pub const LOSS_FLOOR_PROBE_FACTOR: f64 = 2.0;
/// Mis-wired loss, read on the probe: the run's own loss of a sample minus the cross-entropy of the
/// same logits is 0 for a cross-entropy up to f32 rounding (under 1e-5 nats); a median gap of 0.05
/// nats over the right answers is far above that and far below what a softmax applied twice adds to
/// a right answer (its loss is at least ln(1 + 9/e) ≈ 1.46 while a right answer's cross-entropy is at
/// most ln 10 and mostly far less). At least `WIRING_MIN_RIGHT` right answers, so the median is not
/// a handful of samples.
pub const LOSS_WIRING_GAP: f64 = 0.05;
pub const WIRING_MIN_RIGHT: usize = 20;

/// Mis-wired loss, below cross-entropy. A misclassified sample has p_y ≤ max p and p_y + max p ≤ 1,
/// so its cross-entropy −ln p_y ≥ ln 2; a batch with accuracy a therefore has a mean cross-entropy of at
/// least (1 − a)·ln 2, and with balanced class weights (w_c ∝ 1/n_c) at least n_min/n_max of that. The
/// mean of the last `STUCK_WINDOW` batch losses below 0.9 of this bound (the 10% allows for the
/// engine's f32 sums) cannot be a cross-entropy: a mean squared error on probabilities reads so.
pub const CE_BOUND_TOL: f64 = 0.9;
/// An untrained net's cross-entropy is about ln K, at least the label entropy H in expectation
/// (Gibbs' inequality: outputs that know nothing of the label pay ≥ H; Karpathy "verify loss @ init",
/// CS231n). A first loss below H/2 with a first batch at chance accuracy (≤ largest share +
/// `CHANCE_ACC_MARGIN`) is not a cross-entropy: the untrained net would be giving the right label a
/// geometric-mean probability above 1/√K while choosing it no more often than a guess.
pub const INIT_LOSS_LOW_FACTOR: f64 = 0.5;

/// Validation and training preprocessed alike: the mean of one validation chunk within 0.5 standard
/// deviations of the probe images' mean, its standard deviation within a factor 2, and their ranges
/// overlapping. Measured on MNIST (scripts/mnist_pixel_stats.py in this crate, training set as the
/// reference, 0–1 scale: mean 0.131, std 0.308): the means of two digit classes differ by at most 0.32
/// standard deviations (the 1s at 0.076, the 0s at 0.173), a class's standard deviation is 0.79–1.13×
/// the set's, and each run of 32 consecutive test images lies within 0.28 standard deviations and
/// 0.84–1.26×. Raw 0–255 pixels against standardised ones (std 79×), inverted pixels (mean 2.4
/// standard deviations away) and unstandardised [0, 1] pixels against standardised ones (std 0.31×)
/// all lie far outside.
pub const MISMATCH_MEAN_STDS: f64 = 0.5;
pub const MISMATCH_STD_LOW: f64 = 0.5;
pub const MISMATCH_STD_HIGH: f64 = 2.0;
/// The mismatch is an alarm when the validation accuracy is also this far below the training
/// batches' (three times AUTOTRAINER's 0.10 train/test gap): the difference costs the net its task.
pub const MISMATCH_ALARM_GAP: f64 = 0.30;

/// Leaked validation images: MNIST's training and test writers are disjoint (LeCun, Cortes & Burges,
/// "The MNIST database": "the sets of writers of the training set and test set were disjoint"), and
/// none of its 10 000 test images is byte-identical to one of its 60 000 training images (checked by
/// scripts/mnist_pixel_stats.py). More than 1% of the checked validation images found in the training
/// set, and at least 5 of them, is not chance: the split leaks.
pub const LEAK_SHARE: f64 = 0.01;
pub const LEAK_MIN: u32 = 5;

/// Unshuffled batches: a batch of B labels drawn at random holds Σ_c [1 − (1 − p_c)^B] distinct
/// classes on average (p_c the class shares of the training labels; 9.66 for 10 balanced classes at
/// B = 32). The mean over the last ≥ 20 recorded batches below half of that is far outside sampling
/// (one batch's count varies by about ±0.55 at B = 32, twenty batches' mean by ±0.12) and is what
/// batches cut from class-sorted data show (one or two classes each). Read only for batches of at
/// least 8 (at B = 2 even random batches often hold one class).
pub const SHUFFLE_MIN_STEPS: usize = 20;
pub const SHUFFLE_SHARE: f64 = 0.5;
pub const SHUFFLE_MIN_BATCH: usize = 8;

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
