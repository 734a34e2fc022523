"""Show small grey-scale images, such as scanned digits, in a grid with their labels.

Each picture gets a title with the label a person gave it and, optionally, the label a
model predicted. Wrong predictions are written in bold vermillion (Okabe-Ito palette) and
marked "(wrong)", so the cue does not rely on colour alone.

Examples
--------
>>> import numpy as np
>>> fig = show_digits(np.zeros((3, 8, 8)), [1, 2, 3])
>>> [ax.get_title() for ax in fig.axes]
['label 1', 'label 2', 'label 3']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from hiddenwork.plots import OKABE_ITO

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["show_digits"]

_RIGHT_COLOUR = OKABE_ITO["black"]
_WRONG_COLOUR = OKABE_ITO["vermillion"]


def _as_square_images(images: Any) -> np.ndarray:
    """Turn ``images`` into an array of shape (n, side, side) or (n, height, width)."""
    array = np.asarray(images, dtype=float)
    if array.ndim == 3:
        return array
    if array.ndim == 2:
        side = math.isqrt(array.shape[1])
        if side * side != array.shape[1]:
            raise ValueError(
                f"each flat image has {array.shape[1]} pixels, which is not a square number; "
                "pass images shaped (n, height, width) instead"
            )
        return array.reshape(len(array), side, side)
    raise ValueError(
        f"images must be shaped (n, height, width) or (n, pixels), got shape {array.shape}"
    )


def show_digits(
    images: Any,
    labels: Sequence[Any],
    *,
    predicted: Sequence[Any] | None = None,
    n: int = 20,
    ncols: int = 10,
    title: str | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Draw the first ``n`` images in a grid, each titled with its human label.

    Parameters
    ----------
    images : array-like
        Shape ``(n_images, height, width)``, or ``(n_images, pixels)`` with a square
        number of pixels (8 x 8 digits flattened to 64 values, for instance).
    labels : sequence
        The label a person gave each image; same length as ``images``.
    predicted : sequence, optional
        A model's label for each image. When given, titles read "human 3 / model 5"
        and wrong predictions are highlighted.
    n : int, default 20
        How many images to show (fewer if fewer are given).
    ncols : int, default 10
        Images per row.
    title : str, optional
        A title above the grid.
    fig : matplotlib Figure, optional
        Draw into this (empty) figure instead of a new one.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If the lengths of ``images``, ``labels`` and ``predicted`` differ, if there is no
        image to show, or if the images are not 2-D pictures.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> digits = load_digits()
    >>> fig = show_digits(digits.data[:3], digits.target[:3], predicted=[0, 1, 7])
    >>> [ax.get_title() for ax in fig.axes]
    ['human 0\\nmodel 0', 'human 1\\nmodel 1', 'human 2\\nmodel 7 (wrong)']
    """
    pictures = _as_square_images(images)
    labels = list(labels)
    if predicted is not None:
        predicted = list(predicted)
    if len(labels) != len(pictures):
        raise ValueError(f"got {len(pictures)} images but {len(labels)} labels")
    if predicted is not None and len(predicted) != len(pictures):
        raise ValueError(f"got {len(pictures)} images but {len(predicted)} predicted labels")
    if n < 1 or ncols < 1:
        raise ValueError(f"n and ncols must be at least 1, got n={n}, ncols={ncols}")
    shown = min(n, len(pictures))
    if shown == 0:
        raise ValueError("there are no images to show")

    columns = min(ncols, shown)
    rows = math.ceil(shown / columns)
    if fig is None:
        import matplotlib.pyplot as plt

        width, height = (0.95, 1.2) if predicted is None else (1.3, 1.5)
        fig = plt.figure(figsize=(width * columns + 0.3, height * rows + (0.4 if title else 0.1)))
    axes = fig.subplots(rows, columns, squeeze=False)
    for index, ax in enumerate(axes.ravel()):
        if index >= shown:
            fig.delaxes(ax)
            continue
        ax.imshow(pictures[index], cmap="gray_r", interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        if predicted is None:
            ax.set_title(f"label {labels[index]}", fontsize=9, color=_RIGHT_COLOUR)
            continue
        wrong = predicted[index] != labels[index]
        note = " (wrong)" if wrong else ""
        ax.set_title(
            f"human {labels[index]}\nmodel {predicted[index]}{note}",
            fontsize=8,
            color=_WRONG_COLOUR if wrong else _RIGHT_COLOUR,
            fontweight="bold" if wrong else "normal",
        )
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
