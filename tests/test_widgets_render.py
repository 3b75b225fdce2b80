"""cs231n_lib.widgets._render: label images and PNG output."""

import io

import matplotlib.image as mpimg
import numpy as np

from cs231n_lib.widgets._render import figure_to_png, label_image, new_figure


def test_label_image_ties_white_classes_tinted():
    labels = np.array([[0, 1], [-1, 2]])
    img = label_image(labels, num_classes=3)
    assert img.shape == (2, 2, 3)
    np.testing.assert_allclose(img[1, 0], 1.0)                 # tie -> white
    colours = {tuple(img[0, 0]), tuple(img[0, 1]), tuple(img[1, 1])}
    assert len(colours) == 3                                   # one tint per class
    assert all(min(c) < 1.0 for c in colours)                  # none of them white


def test_figure_to_png_round_trip():
    fig = new_figure(2, 1, dpi=50)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.imshow(label_image(np.zeros((4, 4), dtype=int), 1))
    png = figure_to_png(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert mpimg.imread(io.BytesIO(png)).shape[:2] == (50, 100)
