//! Early stopping (`early_stop`): training ends once the validation loss after an epoch has not
//! improved for `patience` epochs since its best (Prechelt 1998, "Early Stopping — But When?"), and
//! the network gets back the weights of that best epoch: Goodfellow et al. 2016, "Deep Learning",
//! Algorithm 7.1 returns the best parameters, not the last ones (as Keras' `restore_best_weights`).

use super::Status;

#[derive(Default)]
pub(super) struct EarlyStop {
    /// Lowest validation loss after an epoch so far, and that epoch.
    best: Option<(f32, usize)>,
    /// The weights after the best epoch (`Model::weights_flat` order), kept to be restored.
    best_weights: Option<Vec<f32>>,
}

impl EarlyStop {
    /// Counts the validation loss after `epoch` finished epochs (a pass before the first epoch does
    /// not count); a new best keeps a copy of `weights()`, the weights the pass evaluated. Returns the
    /// Stopped status when `patience` (0: off) epochs passed since the best.
    pub fn after_validation(
        &mut self,
        epoch: usize,
        loss: f32,
        patience: usize,
        weights: impl FnOnce() -> Vec<f32>,
    ) -> Option<Status> {
        if epoch > 0 && loss.is_finite() && self.best.is_none_or(|(b, _)| loss < b) {
            self.best = Some((loss, epoch));
            self.best_weights = Some(weights());
        }
        let (_, best) = self.best?;
        let since = epoch - best;
        (patience > 0 && since >= patience).then(|| Status::Stopped {
            epoch,
            best_epoch: best,
            message: format!(
                "stopped early at epoch {epoch}: validation loss has not improved for {since} epoch{} since its best at epoch {best}; the network holds the weights of epoch {best} again",
                if since == 1 { "" } else { "s" }
            ),
        })
    }

    /// The epoch whose validation loss is the lowest so far (the first of equals), if any.
    pub fn best_epoch(&self) -> Option<usize> {
        self.best.map(|(_, e)| e)
    }

    /// The weights kept after the best epoch, if any.
    pub fn best_weights(&self) -> Option<&[f32]> {
        self.best_weights.as_deref()
    }
}
