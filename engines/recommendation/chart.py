"""The evaluation's PNG chart (kept apart from evaluation.py so that a worker, which fits the ensemble
through engine.py, never imports matplotlib: 0.7 s of its start-up)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np


def write_chart(results: dict[str, Any], path: Path, k: int = 10) -> None:
    """Grouped bar chart of precision/recall/NDCG/MAP@k per model."""

    matplotlib.use("Agg")

    models = results["models"]
    names = sorted(models, key=lambda n: -models[n][f"ndcg@{k}"])
    metrics = [f"ndcg@{k}", f"precision@{k}", f"recall@{k}", f"map@{k}"]
    x = np.arange(len(names))
    width = 0.8 / len(metrics)
    fig, ax = plt.subplots(figsize=(10, 4.5))
    for m_i, metric in enumerate(metrics):
        ax.bar(x + m_i * width, [models[n][metric] for n in names], width, label=metric)
    ax.set_xticks(x + width * (len(metrics) - 1) / 2, names)
    ax.set_ylabel("score")
    ax.set_title(f"Career recommendation, temporal hold-out ({results['n_test_users']} test users)")
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
