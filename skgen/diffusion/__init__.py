"""Denoising diffusion probabilistic models."""

from ._ddpm import DDPM
from ._schedule import NoiseSchedule

__all__ = ["DDPM", "NoiseSchedule"]
