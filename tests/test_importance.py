"""The importance resampling by which the VAE, the GAN and the DDPM draw
rows given some of their columns without rejecting any."""

import numpy as np

from skgen._engine._importance import pick_by_weight


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
