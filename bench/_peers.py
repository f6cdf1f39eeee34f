"""CTGAN and TVAE at their defaults, for bench_tables.py (bench code only).

Run by bench_tables.py with the Python of an environment that has the
``ctgan`` package (BSL-licensed, run, never copied; it pins ``pandas<3``, so
it lives in its own environment):

    python bench/_peers.py MODEL TRAIN.csv SCHEMA.json N OUT.csv

With SDV's post-processing: a numeric column's missing values become a
"missing" indicator column the model learns (the numbers imputed with the
median), and samples get them back; integers are rounded and numbers
clipped to the training range.
"""

import json
import sys
import time

import numpy as np
import pandas as pd


def main(model, train_csv, schema_json, n, out_csv):
    schema = json.loads(open(schema_json).read())
    frame = pd.read_csv(train_csv, keep_default_na=False, na_values=[""])
    discrete, bounds = [], {}
    for column, kind in schema["kinds"].items():
        if kind == "category":
            values = frame[column].astype(object)
            frame[column] = values.where(values.notna(), "<NA>").astype(str)
            discrete.append(column)
            continue
        values = frame[column].astype(float)
        bounds[column] = (values.min(), values.max())
        if values.isna().any():
            frame[column + "__missing"] = np.where(values.isna(), "yes", "no")
            discrete.append(column + "__missing")
        frame[column] = values.fillna(values.median())
    from ctgan import CTGAN, TVAE

    estimator = (CTGAN if model == "CTGAN" else TVAE)()
    start = time.perf_counter()
    estimator.fit(frame, discrete_columns=discrete)
    seconds = time.perf_counter() - start
    samples = estimator.sample(n)
    for column, kind in schema["kinds"].items():
        if kind == "category":
            samples[column] = samples[column].replace("<NA>", "")
            continue
        low, high = bounds[column]
        values = samples[column].astype(float).clip(low, high)
        if schema["integer"][column]:
            values = values.round()
        if column + "__missing" in samples:
            values = values.where(samples.pop(column + "__missing") != "yes")
        samples[column] = values
    samples[list(schema["kinds"])].to_csv(out_csv, index=False)
    print(json.dumps({"seconds": seconds}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
