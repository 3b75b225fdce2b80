"""cs231n_lib.widgets.rf_math against PyTorch (hypothesis): for random stacks of convs and pools, the units
per layer are torch's output shapes, a unit's path counts are the input gradient of that unit through the
torch stack with all-ones weights (its nonzero set is the receptive field, also through average pooling),
and the table's size/jump/start give that set's bounding box; plus the effective field and the presets."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cs231n_lib.widgets import rf_math as rm

LAYER = st.one_of(
    st.builds(rm.conv, s=st.integers(1, 2), d=st.integers(1, 3), k=st.sampled_from([1, 3, 5])),
    st.builds(rm.pool, k=st.sampled_from([2, 3]), s=st.integers(1, 2)),
)
STACK = st.lists(LAYER, min_size=0, max_size=5)


def _torch_stack(x, layers, average_pool=False):
    """The stack in torch with all-ones kernels; pools sum (a conv with ones) or average."""
    for layer in layers:
        if layer.kind == "pool" and average_pool:
            x = F.avg_pool2d(x, layer.k, layer.s)
        else:
            ones = torch.ones(1, 1, layer.k, layer.k, dtype=x.dtype)
            x = F.conv2d(x, ones, stride=layer.s, padding=layer.pad, dilation=layer.d)
    return x


def _input_grad(layers, size, unit, average_pool=False):
    x = torch.rand(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    out = _torch_stack(x, layers, average_pool)
    out[0, 0, unit[0], unit[1]].backward()
    return out.shape[-1], x.grad[0, 0].numpy()


@settings(max_examples=120, deadline=None)
@given(STACK, st.integers(4, 40), st.data())
def test_path_counts_are_the_input_gradient_through_torch(layers, size, data):
    assume(not rm.stack_errors(layers, size))
    rows = rm.rf_table(layers, size)
    n = rows[-1].n
    unit = (data.draw(st.integers(0, n - 1), "row"), data.draw(st.integers(0, n - 1), "col"))
    counts = rm.path_counts(layers, size, unit)
    n_torch, grad = _input_grad(layers, size, unit)
    assert n_torch == n, "units in the last layer differ from torch's output shape"
    np.testing.assert_array_equal(counts, grad)  # integers in float64: exact
    _, grad_avg = _input_grad(layers, size, unit, average_pool=True)
    np.testing.assert_array_equal(counts > 0, grad_avg != 0)  # the receptive field, whatever the pooling


@settings(max_examples=80, deadline=None)
@given(STACK)
def test_table_gives_the_receptive_field_box_of_a_unit(layers):
    r = rm.rf_table(layers, 400)[-1].r  # r and j do not depend on the input size
    size = 3 * r + 8 * rm.rf_table(layers, 400)[-1].j + 8
    assume(not rm.stack_errors(layers, size))
    rows = rm.rf_table(layers, size)
    for row_torch, row in zip(_sizes_through_torch(layers, size), rows):
        assert row_torch == row.n
    unit = (rows[-1].n // 2, rows[-1].n // 3)
    top, left, bottom, right = rm.field_box(rows, unit)
    assume(top >= 0 and left >= 0 and bottom < size and right < size)  # fully inside the image
    ys, xs = np.nonzero(rm.path_counts(layers, size, unit))
    assert (ys.min(), xs.min(), ys.max(), xs.max()) == (top, left, bottom, right)
    assert bottom - top + 1 == rows[-1].r == right - left + 1


def _sizes_through_torch(layers, size):
    x, sizes = torch.zeros(1, 1, size, size), [size]
    for layer in layers:
        x = _torch_stack(x, [layer])
        sizes.append(x.shape[-1])
    return sizes


def test_the_lecture_numbers():
    # three 3x3 convs see 7x7 (VGG); r = 1 + 2 + 2 + 2
    rows = rm.rf_table(rm.PRESETS["three_convs"][1], 32)
    assert [row.r for row in rows] == [1, 3, 5, 7] and [row.j for row in rows] == [1, 1, 1, 1]
    assert [row.n for row in rows] == [32] * 4 and [row.start for row in rows] == [0.0] * 4
    # conv conv pool conv conv pool: 1 3 5 6 10 14 16, jumps 1 1 1 2 2 2 4
    rows = rm.rf_table(rm.PRESETS["vgg"][1], 32)
    assert [row.r for row in rows] == [1, 3, 5, 6, 10, 14, 16] and [row.j for row in rows] == [1, 1, 1, 2, 2, 2, 4]
    assert [row.n for row in rows] == [32, 32, 32, 16, 16, 16, 8] and rows[3].start == 0.5
    # dilations 1, 2, 4, 8 grow the field exponentially: 3, 7, 15, 31
    assert [row.r for row in rm.rf_table(rm.PRESETS["dilated"][1], 64)][1:] == [3, 7, 15, 31]


def test_a_corner_unit_is_clipped_by_the_image_and_peaks_in_the_middle():
    layers = rm.PRESETS["three_convs"][1]
    counts = rm.path_counts(layers, 16, (0, 0))
    assert counts[:4, :4].all() and not counts[4:].any() and not counts[:, 4:].any()  # 7x7 centred at 0: 4x4 shown
    centre = rm.path_counts(layers, 16, (8, 8))
    assert centre[8, 8] == centre.max() == 7 * 7 and centre[5, 5] == 1 and centre.sum() == 3 ** 6
    np.testing.assert_array_equal(centre, centre.T)


def test_effective_field_is_smaller_than_the_theoretical_one_for_deep_stacks():
    layers = rm.PRESETS["deep"][1]
    rows = rm.rf_table(layers, 48)
    counts = rm.path_counts(layers, 48, (24, 24))
    side, std = rm.effective_rf(counts, mass=0.95)
    assert rows[-1].r == 21 and side < rows[-1].r and side % 2 == 1
    assert std == pytest.approx(np.sqrt(10 * 2 / 3), rel=1e-9)  # 10 convs, each adds variance 2/3 per axis
    assert rm.effective_rf(np.zeros((3, 3))) == (0, 0.0)
    one = np.zeros((5, 5))
    one[2, 2] = 1
    assert rm.effective_rf(one) == (1, 0.0)


@settings(max_examples=50, deadline=None)
@given(STACK, st.floats(0.05, 1.0))
def test_effective_side_grows_with_the_mass_and_never_exceeds_the_field(layers, mass):
    size = 24
    assume(not rm.stack_errors(layers, size))
    rows = rm.rf_table(layers, size)
    counts = rm.path_counts(layers, size, (rows[-1].n // 2, rows[-1].n // 2))
    side, _ = rm.effective_rf(counts, mass)
    full, _ = rm.effective_rf(counts, 1.0)
    assert 1 <= side <= full
    half = (side - 1) // 2
    cy, cx = rm.centroid(counts)
    assert (cy, cx) == tuple(int(round(v)) for v in np.average(np.indices(counts.shape).reshape(2, -1), axis=1,
                                                               weights=counts.ravel()))
    inside = counts[max(cy - half, 0):cy + half + 1, max(cx - half, 0):cx + half + 1].sum()
    assert inside >= mass * counts.sum() * (1 - 1e-9)


def test_errors_name_the_layer_that_no_longer_fits():
    layers = [rm.pool(), rm.pool(), rm.pool()]
    assert rm.stack_errors(layers, 8) == [] and rm.rf_table(layers, 8)[-1].n == 1
    problems = rm.stack_errors(layers + [rm.pool()], 8)
    assert problems and "layer 4 (pool 2x2, stride 2)" in problems[0]
    with pytest.raises(ValueError, match="layer 4"):
        rm.rf_table(layers + [rm.pool()], 8)
    with pytest.raises(ValueError, match="outside the last layer"):
        rm.path_counts(layers, 8, (1, 0))
    with pytest.raises(ValueError, match="'conv' or 'pool'"):
        rm.Layer("relu")
    assert rm.path_counts([], 5, (1, 2))[1, 2] == 1 and rm.path_counts([], 5, (1, 2)).sum() == 1
