"""Every generator at its defaults on the 8x8 digits, over several seeds.

``bench_generators.py`` fits each generator once (``random_state=0``). On
the 8x8 digits the seed moves a generator's Frechet distance under judge 2
by more than the gaps between the generators and scikit-learn's
baselines (the dense VAE's five seeds spread from 4.7 to 6.2 in
``bench_vae_dense.py``), so one seed cannot say whether a generator at its
defaults beats ``GaussianMixture(10)`` and ``KernelDensity``. This study
fits each generator with ``random_state`` 0 to ``--seeds`` - 1 on
``bench_generators``'s split, draws 899 samples (``random_state=0``) and
prints, per generator, the medians over the seeds of the fit time and of
both judges' FD, precision and recall, the worst seed's FD under each
judge, and "beats both": the number of seeds whose samples have a lower FD
than both baselines under both judges. The baselines' rows come last
(they are fitted once: ``GaussianMixture`` with ``random_state=0``, the
bandwidth of ``KernelDensity`` by cross-validation).

Run: ``python bench/bench_digits_seeds.py [--only NAME ...] [--seeds 5]
[--record NAME]``; ``--only`` keeps the generators whose name starts so,
and a recorded run with ``--only`` keeps the other rows of the previous
record, saying so in its note.
"""

import argparse
import statistics
import time

import numpy as np
from _judges import FD, JUDGE_COLUMNS, beats_both, judge
from _results import RESULTS, add_record_option, kept_rows, record
from _results import load as load_results
from bench_generators import digits_with_baselines

from skgen import DDPM, GAN, VAE

# name -> (key in the record, fit on (flat rows, images) with a seed)
GENERATORS = {
    "VAE, rows (dense)": ("vae", lambda rows, images, seed: VAE(10, random_state=seed).fit(rows)),
    "VAE, images (conv)": (
        "vae-conv",
        lambda rows, images, seed: VAE(10, random_state=seed).fit(images),
    ),
    "GAN, rows (dense)": ("gan", lambda rows, images, seed: GAN(random_state=seed).fit(rows)),
    "GAN, images (DCGAN)": ("dcgan", lambda rows, images, seed: GAN(random_state=seed).fit(images)),
    "DDPM, rows (MLP)": ("ddpm-mlp", lambda rows, images, seed: DDPM(random_state=seed).fit(rows)),
    "DDPM, images (U-Net)": (
        "ddpm",
        lambda rows, images, seed: DDPM(random_state=seed).fit(images),
    ),
}
COLUMNS = ["model", "seeds", "fit s", *JUDGE_COLUMNS, "worst FD", "worst FD 2", "beats both"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--only", nargs="+", help="run only the generators whose name starts so")
    add_record_option(parser)
    args = parser.parse_args()
    flat_train, flat_test, judges, real, base, bar = digits_with_baselines()
    images = flat_train.reshape(-1, 8, 8)
    print(f"{'model':<24}" + "".join(f"{c:>12}" for c in COLUMNS[1:]))
    rows = {}
    for name, (key, fit) in GENERATORS.items():
        if args.only and not any(name.startswith(o) for o in args.only):
            continue
        seconds, figures = [], []
        for seed in range(args.seeds):
            start = time.perf_counter()
            model = fit(flat_train, images, seed)
            seconds.append(time.perf_counter() - start)
            samples = np.asarray(model.sample(len(flat_test), random_state=0))
            figures.append(judge(judges, real, np.clip(samples.reshape(len(samples), -1), 0, 1)))
        medians = [statistics.median(f[i] for f in figures) for i in range(len(JUDGE_COLUMNS))]
        worst = [max(f[i] for f in figures) for i in FD]
        beats = sum(beats_both(f, bar) for f in figures)
        rows[key] = (
            [name, str(args.seeds), f"{statistics.median(seconds):.0f}"]
            + [f"{m:.2f}" for m in medians]
            + [f"{w:.2f}" for w in worst]
            + [f"{beats} of {args.seeds}"]
        )
        print(f"{name:<24}" + "".join(f"{c:>12}" for c in rows[key][1:]), flush=True)
    for key, (name, figures) in base.items():
        rows[key] = [name, "", ""] + [f"{v:.2f}" for v in figures] + ["", "", ""]
        print(f"{name:<24}" + "".join(f"{c:>12}" for c in rows[key][1:]), flush=True)
    if args.record:
        _record(args, rows)


def _ordered(keys):
    """Record keys in the order of GENERATORS, the baselines' last."""
    generators = [key for key, _ in GENERATORS.values()]
    present = set(keys)
    return [k for k in generators if k in present] + [
        k for k in dict.fromkeys(keys) if k not in generators
    ]


def _record(args, rows):
    previous = load_results().get(args.record, {}) if RESULTS.exists() else {}
    old = previous.get("rows", {}) if previous.get("columns") == COLUMNS else {}
    kept = [key for key in old if key not in rows]
    note = (
        "FD, precision, recall: medians over the seeds, against the held-out digits in the "
        "features of judge 1 (an MLP digit classifier) and judge 2 (a convolutional one); "
        "worst: the highest FD of the seeds; beats both: seeds with an FD below both "
        "baselines' under both judges."
    )
    sentence, sources = kept_rows(previous, kept)
    if kept:
        note += " " + sentence
    record(
        args.record,
        title="Generators at their defaults on the 8x8 digits over several seeds, against "
        "scikit-learn's density estimators",
        columns=COLUMNS,
        rows={key: rows.get(key, old.get(key)) for key in _ordered([*old, *rows])},
        note=note,
        sources=sources,
    )


if __name__ == "__main__":
    main()
