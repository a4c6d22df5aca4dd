//! Early stopping (`early_stop`): training ends once the validation loss after an epoch has not
//! improved for `patience` epochs since its best (Prechelt 1998, "Early Stopping — But When?").

use super::Status;

#[derive(Default)]
pub(super) struct EarlyStop {
    /// Lowest validation loss after an epoch so far, and that epoch.
    best: Option<(f32, usize)>,
}

impl EarlyStop {
    /// Counts the validation loss after `epoch` finished epochs (a pass before the first epoch does
    /// not count); the Stopped status when `patience` (0: off) epochs passed since the best.
    pub fn after_validation(&mut self, epoch: usize, loss: f32, patience: usize) -> Option<Status> {
        if epoch > 0 && loss.is_finite() && self.best.is_none_or(|(b, _)| loss < b) {
            self.best = Some((loss, epoch));
        }
        let (_, best) = self.best?;
        let since = epoch - best;
        (patience > 0 && since >= patience).then(|| Status::Stopped {
            epoch,
            best_epoch: best,
            message: format!(
                "stopped early: validation loss has not improved for {since} epoch{} since its best at epoch {best}",
                if since == 1 { "" } else { "s" }
            ),
        })
    }

    /// The epoch whose validation loss is the lowest so far (the first of equals), if any.
    pub fn best_epoch(&self) -> Option<usize> {
        self.best.map(|(_, e)| e)
    }
}
