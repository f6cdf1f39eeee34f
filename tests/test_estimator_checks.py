"""scikit-learn's own estimator checks over every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from conftest import ALL_AUTOENCODERS, gpu_rounding_checks, small

# No expected failure on the CPU; on a GPU, only float32 rounding (see
# gpu_rounding_checks).
ESTIMATORS = [small(cls, max_iter=2) for cls in ALL_AUTOENCODERS]


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=gpu_rounding_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
