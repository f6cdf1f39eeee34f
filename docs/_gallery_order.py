"""The gallery's reading order: from the quick start to the advanced examples."""

ORDER = [
    "quickstart.py",
    "plot_vae_digits.py",
    "plot_gan_digits.py",
    "plot_ddpm_2d.py",
    "plot_ddpm_digits.py",
    "plot_synthetic_tables.py",
    "plot_outlier_detection.py",
    "plot_custom_networks.py",
    "plot_gan_mode_collapse.py",
    "plot_real_digits_28x28.py",
    "train_distributed.py",
]


class ReadingOrder:
    """sphinx-gallery's ``within_subsection_order``: examples in ``ORDER``
    first, in that order, then any other by file name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        return (ORDER.index(filename), "") if filename in ORDER else (len(ORDER), filename)
