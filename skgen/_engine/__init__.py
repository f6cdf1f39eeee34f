"""The training engine shared by every skgen estimator (private)."""
