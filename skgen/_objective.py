"""The base of every family's objective: its loss and its training step.

An objective is a ``torch.nn.Module`` without weights (buffers only, such
as a noise schedule) that the training engine asks five things:

* ``forward(module, batch, *, generator, training)``: the loss of a batch,
  the mean over its samples; what validation and early stopping track;
* ``updates(batch, generator, grad_scaler)``: the optimizer updates of one
  training step, in order, as ``(group, loss_fn)`` pairs, where
  ``loss_fn(module)`` is the loss that the optimizer of ``group`` steps on.
  By default one update of the main group on ``forward``; a GAN makes
  several discriminator updates, then one of the generator;
* ``parameter_groups(module)``: which parameters each optimizer steps,
  ``{group: parameters}``; the main group ``""`` is the net's
  ``optimizer_``, another group ``g`` its ``optimizer_g_``, and its loss is
  recorded in the history as ``train_g_loss``. None: one optimizer over
  every parameter;
* ``ema_decay``: with a float, the network's ``update_ema(ema_decay)``
  runs after each step (an ``AveragedNetwork``);
* ``uncompiled()``: the networks ``compile`` leaves eager (a gradient
  penalty differentiates twice, which compiled code does not support).

``optimizer_defaults`` are keyword arguments every optimizer gets unless
the estimator's ``optimizer_params`` sets them. Every random draw comes
from ``generator``, the fit's own ``torch.Generator``.
"""

from torch import nn


class Objective(nn.Module):
    """A model's loss and the recipe of one training step (see the module)."""

    ema_decay = None
    optimizer_defaults = {}

    def forward(self, module, batch, *, generator=None, training=True):
        raise NotImplementedError

    def parameter_groups(self, module):
        return None

    def groups(self):
        """Names of the optimizer groups, the main one first."""
        return ("",)

    def uncompiled(self):
        """Names of the module's networks that ``compile`` must leave eager:
        those whose loss differentiates twice (a gradient penalty), which
        ``torch.compile``'s autograd does not support."""
        return ()

    def updates(self, batch, generator, grad_scaler=None):
        return [("", lambda module: self(module, batch, generator=generator, training=True))]
