"""The importance resampling by which the VAE, the GAN and the DDPM draw
rows given some of their columns without rejecting any."""

import numpy as np
import torch
from scipy.stats import norm

from skgen._engine._importance import pick_by_weight
from skgen.diffusion import _given


def test_importance_resampling_picks_by_weight_and_rejects_nothing():
    rng = np.random.default_rng(0)
    weights = np.array([0.1, 0.3, 0.6, 0.0])
    rounds = []

    def propose(rows, k):
        rounds.append(len(rows))
        pool = np.tile(np.arange(4.0), (len(rows), k // 4))[..., None]
        with np.errstate(divide="ignore"):
            return pool, np.log(np.tile(weights, (len(rows), k // 4)))

    picked = pick_by_weight(20_000, rng, propose, candidates=8, effective=2, chunk=5_000)
    shares = np.bincount(picked[:, 0].astype(int), minlength=4) / len(picked)
    np.testing.assert_allclose(shares, weights, atol=0.015)
    # One round (8 candidates of these weights are spread enough), in chunks.
    assert rounds == [5_000] * 4
    # Rows whose weights are all zero still get a candidate; rounds go on
    # for them only, up to the most candidates.
    rounds.clear()
    weights = np.array([0.0, 0.0, 0.0, 0.0])
    picked = pick_by_weight(10, rng, propose, candidates=8, effective=2, max_candidates=32)
    assert picked.shape == (10, 1) and rounds == [10] * 4


def test_probabilities_as_weights_grow_the_pool_until_enough_are_likely():
    # Evenly small weights are spread enough to stop the rounds, though no
    # candidate is likely; with ``mass`` the pool grows until their sum
    # (the expected number of likely candidates) reaches it.
    rounds = []

    def propose(rows, k):
        rounds.append(len(rows))
        # Rows 0-4: every candidate 0.05; rows 5-9: every candidate 0.5.
        weights = np.where(rows[:, None] < 5, 0.05, 0.5) * np.ones((len(rows), k))
        return np.zeros((len(rows), k, 1)), np.log(weights)

    rng = np.random.default_rng(0)
    pick_by_weight(10, rng, propose, candidates=8, effective=2)
    assert rounds == [10]
    rounds.clear()
    # 0.4 a round for the first five rows: three rounds to reach 1; 4 a
    # round for the others: one.
    pick_by_weight(10, rng, propose, candidates=8, effective=2, mass=1.0)
    assert rounds == [10, 5, 5]
    rounds.clear()
    # Never past the most candidates.
    pick_by_weight(10, rng, propose, candidates=8, effective=2, max_candidates=16, mass=1.0)
    assert rounds == [10, 5]


def test_the_given_values_likelihoods_from_a_clean_sample_prediction():
    # Levels: the one-hot block's values, floored and normalised.
    x0 = torch.tensor([[0.7, 0.2, 0.1, 5.0], [-0.1, 0.0, 1.3, 5.0]])
    log_p = _given.level_log_probability(x0, torch.tensor([[0], [2]]), [(0, 3)])
    floor = _given.LEVEL_FLOOR
    np.testing.assert_allclose(log_p.exp(), [0.7, 1.3 / (1.3 + 2 * floor)], rtol=1e-5)
    # Missing-value indicators: probabilities of missing, kept off 0 and 1.
    log_p = _given.indicator_log_probability(x0, torch.tensor([[1.0], [0.0]]), [0])
    np.testing.assert_allclose(log_p.exp(), [0.7, 1 - floor], rtol=1e-5)
    # A number: for data N(0, 1), E[x0 | x_t] = sqrt(a) x_t, whose slope
    # sqrt(a) gives Tweedie's variance (1 - a) / sqrt(a) * sqrt(a) = 1 - a,
    # the exact posterior's.
    a = torch.tensor([0.9, 0.3])
    x_t = torch.tensor([[0.5], [-1.0]])
    x0 = a.sqrt()[:, None] * x_t
    values = torch.tensor([[0.2], [0.4]])
    log_p = _given.value_log_density(x0, a.sqrt()[:, None], values, [0], a)
    exact = norm.logpdf(values[:, 0], x0[:, 0], (1 - a).sqrt())
    np.testing.assert_allclose(log_p, exact, rtol=1e-5)
