"""Tests for hiddenwork.images: a grid of digit images with their labels."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from sklearn.datasets import load_digits

from hiddenwork import images


@pytest.fixture(autouse=True)
def _close_figures() -> Any:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits() -> Any:
    return load_digits()


def test_grid_shows_first_n_images_with_labels(digits: Any) -> None:
    fig = images.show_digits(digits.images, digits.target, n=12, ncols=5)
    assert len(fig.axes) == 12  # 3 rows of 5, the 3 empty places removed
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [f"label {d}" for d in digits.target[:12]]
    shown = fig.axes[4].get_images()[0].get_array()
    np.testing.assert_array_equal(np.asarray(shown), digits.images[4])


def test_flat_images_are_reshaped_to_squares(digits: Any) -> None:
    fig = images.show_digits(digits.data, digits.target, n=3)
    assert len(fig.axes) == 3
    shown = np.asarray(fig.axes[2].get_images()[0].get_array())
    assert shown.shape == (8, 8)
    np.testing.assert_array_equal(shown, digits.images[2])


def test_fewer_images_than_n(digits: Any) -> None:
    fig = images.show_digits(digits.images[:4], digits.target[:4], n=20)
    assert len(fig.axes) == 4


def test_wrong_predictions_are_flagged_by_text_and_colour(digits: Any) -> None:
    labels = [3, 5, 8]
    fig = images.show_digits(digits.images[:3], labels, predicted=[3, 6, 8])
    right, wrong, right_again = (ax.title for ax in fig.axes)
    assert right.get_text() == "human 3\nmodel 3"
    assert wrong.get_text() == "human 5\nmodel 6 (wrong)"
    assert to_hex(wrong.get_color()).upper() == "#D55E00"
    assert wrong.get_fontweight() == "bold"
    assert to_hex(right.get_color()) == "#000000"
    assert "(wrong)" not in right_again.get_text()


def test_labels_with_an_unusual_index_are_read_in_order(digits: Any) -> None:
    labels = pd.Series([7, 1], index=[10, 20])
    fig = images.show_digits(digits.images[:2], labels)
    assert [ax.get_title() for ax in fig.axes] == ["label 7", "label 1"]


def test_draws_into_a_given_figure_with_a_title(digits: Any) -> None:
    fig = plt.figure()
    returned = images.show_digits(digits.images, digits.target, n=2, fig=fig, title="Forms")
    assert returned is fig
    assert fig.get_suptitle() == "Forms"


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((np.zeros((3, 10)), [1, 2, 3]), {}, "not a square number"),
        ((np.zeros(5), [1]), {}, r"got shape \(5,\)"),
        ((np.zeros((3, 8, 8)), [1, 2]), {}, "3 images but 2 labels"),
        ((np.zeros((3, 8, 8)), [1, 2, 3]), {"predicted": [1]}, "3 images but 1 predicted"),
        ((np.zeros((3, 8, 8)), [1, 2, 3]), {"n": 0}, "at least 1"),
        ((np.zeros((0, 8, 8)), []), {}, "no images"),
    ],
)
def test_bad_input_is_explained(
    args: tuple[Any, ...], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        images.show_digits(*args, **kwargs)
