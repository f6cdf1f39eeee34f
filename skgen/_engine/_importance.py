"""Rows drawn given some columns of a table by importance resampling: how
the VAE, the GAN and the DDPM draw rows given values
(``sample(n, conditions=...)``) without rejecting any."""

import numpy as np
from scipy.special import logsumexp

from ._inference import INFERENCE_BATCH_SIZE

# Prior draws per row and round among which a coding is picked; rounds go
# on until the weights make an effective sample size of GIVEN_EFFECTIVE, or
# GIVEN_MAX_CANDIDATES are drawn.
GIVEN_CANDIDATES = 64
GIVEN_EFFECTIVE = 16
GIVEN_MAX_CANDIDATES = 4096


def pick_by_weight(
    n_samples,
    rng,
    propose,
    *,
    candidates=GIVEN_CANDIDATES,
    effective=GIVEN_EFFECTIVE,
    max_candidates=GIVEN_MAX_CANDIDATES,
    chunk=None,
    initial=None,
    mass=None,
):
    """One candidate per row, each row's picked with probability
    proportional to its weight, among candidates proposed round by round.

    ``propose(rows, k)`` returns ``k`` candidates for each row of the index
    array ``rows``, ``(len(rows), k, ...)``, and their log-weights,
    ``(len(rows), k)``; it is called for at most ``chunk`` rows at a time.
    A row's pool grows by ``candidates`` a round until its weights are
    spread enough (an effective sample size of ``effective``) or
    ``max_candidates`` are drawn. The pick is a Gumbel-max over the whole
    pool: the best score of every round, kept as rounds come. Every row
    gets a candidate, whatever its weights: nothing is rejected (a row all
    of whose weights are zero keeps ``initial``'s, or its first one).

    Weights that are probabilities (at most 1) also tell how many of the
    candidates hold what is given: with ``mass``, a row's pool grows until
    its weights also sum to ``mass``. Evenly small weights are otherwise
    spread enough, though no candidate may be likely.
    """
    k = candidates
    chunk = n_samples if chunk is None else chunk
    picked = initial
    best = np.full(n_samples, -np.inf)
    filled = np.zeros(n_samples, dtype=bool) if initial is None else np.ones(n_samples, bool)
    log_sum = np.full(n_samples, -np.inf)  # log sum of the weights
    log_squares = np.full(n_samples, -np.inf)  # and of their squares
    pending = np.arange(n_samples)
    for _ in range(max(1, max_candidates // k)):
        for start in range(0, len(pending), chunk):
            at = pending[start : start + chunk]
            n = len(at)
            pool, log_weights = propose(at, k)
            scores = log_weights + rng.gumbel(size=(n, k))
            choice = np.argmax(scores, axis=1)
            top = scores[np.arange(n), choice]
            better = (top > best[at]) | ~filled[at]
            if picked is None:
                picked = np.empty((n_samples, *pool.shape[2:]), dtype=pool.dtype)
            picked[at[better]] = pool[np.arange(n), choice][better]
            filled[at] = True
            best[at] = np.maximum(best[at], top)
            log_sum[at] = np.logaddexp(log_sum[at], logsumexp(log_weights, axis=1))
            log_squares[at] = np.logaddexp(log_squares[at], logsumexp(2 * log_weights, axis=1))
        with np.errstate(invalid="ignore"):
            spread = np.exp(2 * log_sum[pending] - log_squares[pending])
        done = spread >= effective
        if mass is not None:
            done &= log_sum[pending] >= np.log(mass)
        pending = pending[~done]
        if not len(pending):
            break
    return picked


def importance_resample(estimator, n_samples, rng, values, labels, weigh):
    """One coding per row, picked among draws from the estimator's prior
    (``estimator._prior_draws(n, rng)``) with probability proportional to
    ``exp(weigh(module, batch, *labels))``: the log-likelihood the network
    gives the row's known values, ``values[i]``, from each candidate coding
    (``batch`` is ``[codings, values]``, row by row, through
    ``estimator._forward_batches``); see :func:`pick_by_weight`.
    """
    initial = estimator._prior_draws(n_samples, rng)

    def propose(at, k):
        n = len(at)
        z = estimator._prior_draws(n * k, rng)
        log_weights = estimator._forward_batches(
            weigh,
            np.concatenate([z, np.repeat(values[at], k, axis=0).astype(z.dtype)], axis=1),
            np.float64,
            labels=None if labels is None else np.repeat(labels[at], k),
            batch_size=n * k,
        ).reshape(n, k)
        return z.reshape(n, k, -1), log_weights

    return pick_by_weight(
        n_samples,
        rng,
        propose,
        chunk=max(1, INFERENCE_BATCH_SIZE // GIVEN_CANDIDATES),
        initial=initial,
    )
