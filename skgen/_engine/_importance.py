"""Codings drawn given some columns of a table by importance resampling:
how the VAE and the GAN draw rows given values (``sample(n, conditions=...)``)
without rejecting any."""

import numpy as np
from scipy.special import logsumexp

from ._inference import INFERENCE_BATCH_SIZE

# Prior draws per row and round among which a coding is picked; rounds go
# on until the weights make an effective sample size of GIVEN_EFFECTIVE, or
# GIVEN_MAX_CANDIDATES are drawn.
GIVEN_CANDIDATES = 64
GIVEN_EFFECTIVE = 16
GIVEN_MAX_CANDIDATES = 4096


def importance_resample(estimator, n_samples, rng, values, labels, weigh):
    """One coding per row, picked among draws from the estimator's prior
    (``estimator._prior_draws(n, rng)``) with probability proportional to
    ``exp(weigh(module, batch, *labels))``: the log-likelihood the network
    gives the row's known values, ``values[i]``, from each candidate coding
    (``batch`` is ``[codings, values]``, row by row, through
    ``estimator._forward_batches``).

    Each row's pool grows by ``GIVEN_CANDIDATES`` a round until its weights
    are spread enough (an effective sample size of ``GIVEN_EFFECTIVE``) or
    ``GIVEN_MAX_CANDIDATES`` are drawn. The pick is a Gumbel-max over the
    whole pool: the best score of every round, kept as rounds come. Every
    row gets a coding, whatever the values' probability: nothing is
    rejected.
    """
    k = GIVEN_CANDIDATES
    picked = estimator._prior_draws(n_samples, rng)
    best = np.full(n_samples, -np.inf)
    log_sum = np.full(n_samples, -np.inf)  # log sum of the weights
    log_squares = np.full(n_samples, -np.inf)  # and of their squares
    pending = np.arange(n_samples)
    chunk = max(1, INFERENCE_BATCH_SIZE // k)
    for _ in range(GIVEN_MAX_CANDIDATES // k):
        for start in range(0, len(pending), chunk):
            at = pending[start : start + chunk]
            n = len(at)
            z = estimator._prior_draws(n * k, rng)
            log_weights = estimator._forward_batches(
                weigh,
                np.concatenate([z, np.repeat(values[at], k, axis=0).astype(z.dtype)], axis=1),
                np.float64,
                labels=None if labels is None else np.repeat(labels[at], k),
                batch_size=n * k,
            ).reshape(n, k)
            scores = log_weights + rng.gumbel(size=(n, k))
            choice = np.argmax(scores, axis=1)
            top = scores[np.arange(n), choice]
            better = top > best[at]
            picked[at[better]] = z.reshape(n, k, -1)[np.arange(n), choice][better]
            best[at] = np.maximum(best[at], top)
            log_sum[at] = np.logaddexp(log_sum[at], logsumexp(log_weights, axis=1))
            log_squares[at] = np.logaddexp(log_squares[at], logsumexp(2 * log_weights, axis=1))
        with np.errstate(invalid="ignore"):
            effective = np.exp(2 * log_sum[pending] - log_squares[pending])
        pending = pending[~(effective >= GIVEN_EFFECTIVE)]
        if not len(pending):
            break
    return picked
