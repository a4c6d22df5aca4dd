// A layer's name while a mystery hides the settings (www/page/drill.js). The engine names an activation layer after
// its function ('sigmoid2', 'identity_hidden'): the value of the `act` setting, the very thing a mystery may ask
// for. While the settings are hidden the layer views call it by its place instead ('act2', 'act_hidden') and leave
// the function's name out; what its values show (a range of 0 to 1, values below 0) is the student's evidence.
// BatchNorm layers, which exist only with the `bn` setting on, are left out of those views meanwhile.
import { ENGINE_SETTINGS } from '../generated/settings.js';

const ACTS = ENGINE_SETTINGS.find((s) => s.key === 'act').options;
const ACT_NAME = new RegExp(`^(?:${ACTS.join('|')})(\\d+|_hidden)$`);

/** True for the engine's name of an activation layer ('relu1', 'tanh_hidden'). */
const isActivation = (name) => ACT_NAME.test(name);

/** The name that states no setting: 'act2' for 'sigmoid2', 'act_hidden' for 'relu_hidden'; any other name as it is. */
function neutralName(name) {
  const m = ACT_NAME.exec(name);
  return m ? `act${m[1]}` : name;
}

/**
 * An activations reply (Run.activations) with its activation layers named by place and of kind 'activation', and
 * without its BatchNorm layers: a BatchNorm layer is there exactly when the `bn` setting is on, so its name and kind
 * ('bn2', 'batchnorm') would state a hidden setting that no neutral name can hide. What BatchNorm does still shows
 * in the layer after it.
 */
export function maskActivations(a) {
  return {
    ...a,
    layers: a.layers.filter((l) => l.kind !== 'batchnorm')
      .map((l) => (isActivation(l.name) ? { ...l, name: neutralName(l.name), kind: 'activation' } : l)),
  };
}

/** An activation history (Run.actHistory) with its layers named by place and their function left out. */
export function maskHistory(h) {
  return { ...h, layers: h.layers.map((l) => ({ ...l, name: neutralName(l.name), activation: null })) };
}
