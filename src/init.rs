//! Weight initializers, each with a gain so that "He ×10" and "Glorot ×0.01" are one setting.
//! Formulas: Glorot & Bengio 2010 (Var = 2/(fan_in+fan_out)); He et al. 2015 (Var = 2/fan_in);
//! LeCun et al. 1998 "Efficient BackProp" (Var = 1/fan_in). Uniform variants use a = sqrt(3·Var).

use crate::config::with_blank;
use crate::rng::Rng;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum InitKind {
    Zeros,
    Constant,
    Uniform,
    Normal,
    GlorotUniform,
    GlorotNormal,
    HeUniform,
    HeNormal,
    LecunNormal,
}

pub const INIT_KEYS: [&str; 9] = [
    "zeros",
    "constant",
    "uniform",
    "normal",
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_normal",
];

impl InitKind {
    pub fn parse(s: &str) -> Option<InitKind> {
        use InitKind::*;
        Some(match s {
            "zeros" => Zeros,
            "constant" => Constant,
            "uniform" => Uniform,
            "normal" => Normal,
            "glorot_uniform" => GlorotUniform,
            "glorot_normal" => GlorotNormal,
            "he_uniform" => HeUniform,
            "he_normal" => HeNormal,
            "lecun_normal" => LecunNormal,
            _ => return None,
        })
    }

    pub fn key(&self) -> &'static str {
        use InitKind::*;
        match self {
            Zeros => "zeros",
            Constant => "constant",
            Uniform => "uniform",
            Normal => "normal",
            GlorotUniform => "glorot_uniform",
            GlorotNormal => "glorot_normal",
            HeUniform => "he_uniform",
            HeNormal => "he_normal",
            LecunNormal => "lecun_normal",
        }
    }
}

with_blank! {
/// An initializer: a kind and its gain. For `Constant`, `Uniform` and `Normal` the gain *is* the
/// value, the half-width a, and σ; for the fan-based kinds it multiplies the standard deviation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Initializer {
    pub kind: InitKind,
    pub gain: f32,
}
}

impl Initializer {
    /// Standard deviation the kind aims for (before drawing), given the fans.
    pub fn std(&self, fan_in: usize, fan_out: usize) -> f32 {
        let (fi, fo) = (fan_in as f32, fan_out as f32);
        let g = self.gain;
        match self.kind {
            InitKind::Zeros | InitKind::Constant => 0.0,
            InitKind::Uniform => g / 3f32.sqrt(),
            InitKind::Normal => g,
            InitKind::GlorotUniform | InitKind::GlorotNormal => g * (2.0 / (fi + fo)).sqrt(),
            InitKind::HeUniform | InitKind::HeNormal => g * (2.0 / fi).sqrt(),
            InitKind::LecunNormal => g * (1.0 / fi).sqrt(),
        }
    }

    /// The initializer for the output layer, which no ReLU follows. He et al. (2015, §2.2) derive
    /// the factor 2 in Var = 2/fan_in from the ReLU after a layer, which zeroes half of its
    /// pre-activations and so halves their second moment; a layer whose outputs go straight to the
    /// softmax keeps all of it, so the variance that preserves the scale there is 1/fan_in (LeCun
    /// et al. 1998, "Efficient BackProp", §4.6). A He kind therefore becomes LeCun scale, gain²/fan_in,
    /// normal or uniform as chosen (He uniform at gain/√2 is the uniform with that variance).
    /// Every other kind is kept as it is: Glorot already has no ReLU factor, LeCun is the target,
    /// and the deliberate faults (zeros, a constant, a fixed-σ normal or uniform, any gain) must
    /// still reach the output layer to break the net there. Model::from_config draws the output
    /// layer with it.
    pub fn for_output(&self) -> Initializer {
        match self.kind {
            InitKind::HeNormal => Initializer {
                kind: InitKind::LecunNormal,
                gain: self.gain,
            },
            InitKind::HeUniform => Initializer {
                kind: InitKind::HeUniform,
                gain: self.gain * std::f32::consts::FRAC_1_SQRT_2,
            },
            _ => *self,
        }
    }

    /// n weights for a layer with the given fans.
    pub fn sample(&self, n: usize, fan_in: usize, fan_out: usize, rng: &mut Rng) -> Vec<f32> {
        let std = self.std(fan_in, fan_out);
        match self.kind {
            InitKind::Zeros => vec![0.0; n],
            InitKind::Constant => vec![self.gain; n],
            InitKind::Uniform | InitKind::GlorotUniform | InitKind::HeUniform => {
                let a = std * 3f32.sqrt();
                (0..n).map(|_| rng.uniform(-a, a)).collect()
            }
            InitKind::Normal
            | InitKind::GlorotNormal
            | InitKind::HeNormal
            | InitKind::LecunNormal => (0..n).map(|_| std * rng.normal()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(v: &[f32]) -> (f64, f64) {
        let n = v.len() as f64;
        let m = v.iter().map(|&x| x as f64).sum::<f64>() / n;
        let var = v.iter().map(|&x| (x as f64 - m).powi(2)).sum::<f64>() / n;
        (m, var.sqrt())
    }

    #[test]
    fn every_initializer_hits_its_standard_deviation() {
        let mut rng = Rng::new(1);
        for key in INIT_KEYS {
            let kind = InitKind::parse(key).unwrap();
            for gain in [0.01f32, 1.0, 10.0] {
                let init = Initializer { kind, gain };
                let (fi, fo) = (200, 400);
                let w = init.sample(100_000, fi, fo, &mut rng);
                let (m, s) = moments(&w);
                let want = init.std(fi, fo) as f64;
                match kind {
                    InitKind::Zeros => assert!(w.iter().all(|&x| x == 0.0)),
                    InitKind::Constant => assert!(w.iter().all(|&x| x == gain)),
                    _ => {
                        assert!(m.abs() < 0.02 * want + 1e-9, "{key} ×{gain}: mean {m}");
                        assert!(
                            (s - want).abs() < 0.02 * want,
                            "{key} ×{gain}: std {s} vs {want}"
                        );
                    }
                }
            }
        }
        // He normal for fan_in 25: std sqrt(2/25) = 0.2828.
        let he = Initializer {
            kind: InitKind::HeNormal,
            gain: 1.0,
        };
        assert!((he.std(25, 200) - 0.282_842_7).abs() < 1e-6);
    }

    #[test]
    fn the_output_layer_takes_lecun_scale_from_he_and_keeps_every_other_kind() {
        let (fi, fo) = (288, 10);
        for key in INIT_KEYS {
            let kind = InitKind::parse(key).unwrap();
            for gain in [0.01f32, 1.0, 10.0] {
                let init = Initializer { kind, gain };
                let out = init.for_output();
                match kind {
                    InitKind::HeNormal | InitKind::HeUniform => {
                        // LeCun scale: Var = gain²/fan_in, half He's, same shape (normal/uniform).
                        let want = gain * (1.0 / fi as f32).sqrt();
                        assert!(
                            (out.std(fi, fo) - want).abs() < 1e-6 * want,
                            "{key} ×{gain}"
                        );
                        let lecun = Initializer {
                            kind: InitKind::LecunNormal,
                            gain,
                        };
                        assert!((out.std(fi, fo) - lecun.std(fi, fo)).abs() < 1e-6 * want);
                        let uniform = matches!(out.kind, InitKind::HeUniform);
                        assert_eq!(uniform, kind == InitKind::HeUniform, "{key}");
                    }
                    _ => assert_eq!(out, init, "{key} ×{gain} is kept for the output"),
                }
            }
        }
        // He uniform's output draw stays inside ±gain·√(3/fan_in).
        let mut rng = Rng::new(3);
        let out = Initializer {
            kind: InitKind::HeUniform,
            gain: 1.0,
        }
        .for_output();
        let a = (3.0 / 288f32).sqrt();
        let w = out.sample(10_000, 288, 10, &mut rng);
        assert!(w.iter().all(|x| x.abs() <= a * (1.0 + 1e-6)));
        assert!(w.iter().any(|x| x.abs() > 0.95 * a));
    }
}
