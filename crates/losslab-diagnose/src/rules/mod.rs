//! The rules: each reads the derived facts and returns at most one finding for its symptom.

mod curve;
mod divergence;
mod generalisation;
mod layers;
mod pipeline;

pub(crate) use curve::*;
pub(crate) use divergence::*;
pub(crate) use generalisation::*;
pub(crate) use layers::*;
pub(crate) use pipeline::*;

use crate::signals::Ctx;
use crate::thresholds::*;
use crate::{ev, Evidence, MetricId};

/// The probe's share of confidently contradicted training labels, against `CONFIDENT_WRONG`.
pub(crate) fn confident_wrong_ev(c: &Ctx) -> Option<Evidence> {
    c.probe.map(|p| {
        ev(
            MetricId::ConfidentWrong,
            None,
            p.confident_wrong,
            CONFIDENT_WRONG,
        )
    })
}
