//! The adapter from the engine's facts to the diagnosis's inputs: what the diagnosis sees of a model.
//! It lives on the engine side so that the diagnosis crate depends on nothing of the engine (and the
//! model does not depend on the diagnosis).

use crate::diagnose::{ActKind, LayerRole, ObservedLayer, OptimizerFamily};
use crate::layers::activation::Activation;
use crate::model::{LayerKind, Model};
use crate::optim::OptKind;

/// The optimizer family the diagnosis may know (never its learning rate, momentum, β or ε).
pub fn optimizer_family(kind: OptKind) -> OptimizerFamily {
    match kind {
        OptKind::Sgd => OptimizerFamily::Sgd,
        OptKind::Momentum => OptimizerFamily::Momentum,
        OptKind::Nesterov => OptimizerFamily::Nesterov,
        OptKind::Adam => OptimizerFamily::Adam,
    }
}

/// Each parameterised layer of `model` as the diagnosis sees it: its role and the activation family
/// after it.
pub fn diagnosis_layers(model: &Model) -> Vec<ObservedLayer> {
    let names = model.param_layer_names();
    let last = names.len().saturating_sub(1);
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let act = model
                .activation_after(i)
                .and_then(|l| l.activation())
                .map(|a| match a {
                    Activation::Relu | Activation::LeakyRelu => ActKind::ReluLike,
                    Activation::Sigmoid | Activation::Tanh => ActKind::Saturating,
                    Activation::Identity => ActKind::Identity,
                });
            let role = if i == last {
                LayerRole::Output
            } else if matches!(model.param_layer_info(i).kind, LayerKind::Conv { .. }) {
                LayerRole::Conv
            } else {
                LayerRole::Dense
            };
            ObservedLayer {
                name,
                role,
                act: if i == last {
                    None
                } else {
                    act.or(Some(ActKind::Identity))
                },
            }
        })
        .collect()
}
