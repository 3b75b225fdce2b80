"""Hidden tests of ``cs231n/torch_nets.py`` (PyTorch.ipynb): ``torch_flatten``, ``torch_two_layer_fc``,
``torch_three_layer_convnet`` (barebones functions of tensors) and ``torch_module_convnet`` (the ``nn.Module``).

Tensors and modules never cross the data-only wire, so every test calls the student's object through the
provided student-side adapter ``cs231n_lib.torch_bridge`` (loaded with ``student_object``): it turns the
test's numpy arrays into tensors of the same dtype, calls the function (or builds the module and loads the
test's ``state_dict``), runs ``backward`` with the test's upstream gradient and hands back outputs,
gradients and a description of the result (type, dtype, whether autograd can differentiate it) as data.
The references are ``grading.oracles.torch_nets`` (torch in float64, autograd); tolerances follow the
device the student's code ran on (``kit.tolerance``).

Inputs come from ``case_rng``: odd, non-square shapes (H != W), several channel counts, float32 and float64.
The barebones convnet has CS231n's fixed 5x5 (pad 2) and 3x3 (pad 1) convolutions, so the shapes vary
through N, C, H, W and the channel counts.  The module's cell first checks a freshly built net (layer
names, shapes, float32, zero biases, Kaiming-normal weight statistics), then loads the test's parameters
and compares scores and every gradient.
"""

from __future__ import annotations

import numpy as np

from cs231n_lib.checks import CheckFailed
from grading.hidden.core import case_rng, hidden_test, student_object
from grading.hidden.kit import describe_arrays, expect_close
from grading.oracles import torch_nets as oracle

_NETS = "cs231n.torch_nets"
_BRIDGE = "cs231n_lib.torch_bridge"

_AUTOGRAD_HINT = ("build the result from torch operations on the input tensors (view/reshape, mm, F.relu, F.conv2d, "
                  "...): .numpy(), .detach(), .item() or torch.tensor(...) cut the graph autograd needs.")


# --------------------------------------------------------------------------- reading the adapter's reports

def _expect_output(report, label, want, dtype, hints, diagnoses=()):
    """The student's result is a tensor of the input's dtype that autograd can differentiate, matching ``want``."""
    if report.get("raised"):
        raise CheckFailed(f"{label}: your code raised {report['raised']}\nLikely cause: {hints.get('raised', hints['values'])}")
    result = report["result"]
    if result["type"] != "Tensor":
        raise CheckFailed(f"{label} returned {result['type']}, not a torch.Tensor; return the tensor you computed "
                          "(keep working on tensors, not numpy arrays).")
    if result["dtype"] != np.dtype(dtype).name:
        raise CheckFailed(f"{label}: the result has dtype {result['dtype']} but the inputs are {np.dtype(dtype).name}; "
                          "keep the input's dtype (no .float(), .double() or new tensors of another dtype).")
    expect_close(f"{label}: out", report["out"], want, dtype, hints, diagnoses, device=report["device"])
    if not result["connected"]:
        raise CheckFailed(f"{label}: the result is not connected to autograd (requires_grad is False), so no "
                          f"gradient can flow back.\nLikely cause: {_AUTOGRAD_HINT}")
    if report["backward"] is not None:
        raise CheckFailed(f"{label}: out.backward(dout) failed ({report['backward']}).\nLikely cause: {_AUTOGRAD_HINT}")


def _expect_gradient(label, name, got, want, dtype, device, hint):
    if got is None:
        raise CheckFailed(f"{label}: autograd gave no gradient for {name}: the path from {name} to the result is cut.\n"
                          f"Likely cause: {hint}")
    expect_close(f"{label}: gradient of {name}", got, want, dtype,
                 {"shape": f"the gradient of {name} has {name}'s shape.", "values": hint},
                 [(f"the gradient of {name} has the wrong sign.", -np.asarray(want))], device=device, kind="gradient")


# --------------------------------------------------------------------------- flatten

#: (dtype, x shape)
_FLATTEN_CASES = [
    (np.float64, (3, 2, 5, 4)),
    (np.float32, (4, 7)),
    (np.float64, (2, 3, 1, 6)),
    (np.float32, (5, 3, 4)),
    (np.float64, (1, 2, 3, 3)),
    (np.float32, (6, 1, 1, 1)),
]
_FLATTEN_HINTS = {
    "shape": "flatten keeps the batch dimension: (N, d1, ..., dk) -> (N, d1 * ... * dk), e.g. x.view(N, -1).",
    "values": "each row is one example's entries in x's own (C) order; do not permute the dimensions first.",
}


@hidden_test("assignment2", "torch_flatten", points=1, uses=[f"{_NETS}:flatten"])
def torch_flatten(flatten):
    """flatten(x): (N, d1, ..., dk) -> (N, D) with each example's entries in order, the input's dtype, connected
    to autograd (the gradient of x is dout reshaped back), for 2-d to 4-d inputs, N = 1 included, both dtypes."""
    rng = case_rng(9101)
    call = student_object(f"{_BRIDGE}:call_function")
    for dtype, shape in _FLATTEN_CASES:
        x = rng.standard_normal(shape).astype(dtype)
        N, D = shape[0], int(np.prod(shape[1:]))
        dout = rng.standard_normal((N, D)).astype(dtype)
        label = f"flatten ({describe_arrays(dtype, x=x)})"
        report = dict(call(flatten, x, None, dout))
        want, dx = oracle.flatten(x, dout)
        diagnoses = [("the entries come out in another order: reshape x as it is, (N, -1), without moving its axes.",
                      x.reshape(D, N).T)] if N > 1 else []
        _expect_output(report, label, want, dtype, _FLATTEN_HINTS, diagnoses)
        _expect_gradient(label, "x", report["dx"], dx, dtype, report["device"],
                         "flatten only reshapes, so x's gradient is dout reshaped to x's shape.")


# --------------------------------------------------------------------------- two_layer_fc

#: (dtype, x shape, hidden size H, classes C)
_FC_CASES = [
    (np.float64, (4, 3, 5, 2), 7, 3),
    (np.float32, (6, 10), 5, 4),
    (np.float64, (1, 2, 3, 3), 4, 2),
    (np.float32, (5, 3, 4), 6, 5),
]
_FC_HINTS = {
    "shape": "the scores are (N, C): flatten x to (N, D), then x @ w1 is (N, H) and that @ w2 is (N, C).",
    "values": "scores = relu(flatten(x) @ w1) @ w2: one ReLU, between the two matrix products, no biases (this uses "
              "your flatten: it must pass torch_flatten).",
    "raised": "x must be flattened to (N, D) before the first matrix product (mm needs 2-d tensors).",
}


def _fc_problem(rng, dtype, shape, H, C, gap=1e-3):
    """x, [w1, w2] with no hidden pre-activation within ``gap`` of ReLU's kink."""
    D = int(np.prod(shape[1:]))
    for _ in range(100):
        x = rng.standard_normal(shape).astype(dtype)
        w1 = (rng.standard_normal((D, H)) / np.sqrt(D)).astype(dtype)
        w2 = (rng.standard_normal((H, C)) / np.sqrt(H)).astype(dtype)
        if np.min(np.abs(x.reshape(shape[0], -1).astype(np.float64) @ w1.astype(np.float64))) > gap:
            return x, [w1, w2]
    raise RuntimeError("grading/hidden/assignment2/pytorch.py: could not draw a problem away from ReLU's kink")


@hidden_test("assignment2", "torch_two_layer_fc", points=2, uses=[f"{_NETS}:two_layer_fc"])
def torch_two_layer_fc(two_layer_fc):
    """two_layer_fc(x, [w1, w2]): scores relu(flatten(x) @ w1) @ w2 of the input's dtype, and through autograd the
    gradients of x, w1 and w2, for 2-d to 4-d inputs and several sizes, both dtypes."""
    rng = case_rng(9202)
    call = student_object(f"{_BRIDGE}:call_function")
    for dtype, shape, H, C in _FC_CASES:
        x, params = _fc_problem(rng, dtype, shape, H, C)
        dout = rng.standard_normal((shape[0], C)).astype(dtype)
        label = f"two_layer_fc ({describe_arrays(dtype, x=x, w1=params[0], w2=params[1])})"
        report = dict(call(two_layer_fc, x, params, dout))
        want, (dx, dparams) = oracle.two_layer_fc(x, params, dout)
        diagnoses = [("the ReLU is missing: apply F.relu to flatten(x) @ w1.", oracle.two_layer_fc(x, params, variant="no_relu")),
                     ("the scores go through a ReLU: only the hidden layer has one.",
                      oracle.two_layer_fc(x, params, variant="relu_on_scores"))]
        _expect_output(report, label, want, dtype, _FC_HINTS, diagnoses)
        hint = "with the scores right, autograd's gradients follow; check that nothing is computed outside torch."
        _expect_gradient(label, "x", report["dx"], dx, dtype, report["device"], hint)
        for name, got, ref in zip(("w1", "w2"), report["dparams"], dparams):
            _expect_gradient(label, name, got, ref, dtype, report["device"], hint)


# --------------------------------------------------------------------------- three_layer_convnet

#: (dtype, x shape (N, C, H, W), channel_1, channel_2, num_classes)
_CONV_CASES = [
    (np.float64, (2, 3, 7, 6), 4, 3, 5),
    (np.float32, (3, 1, 5, 8), 3, 2, 4),
    (np.float64, (1, 2, 6, 4), 2, 5, 3),
    (np.float32, (2, 3, 8, 7), 5, 4, 10),
]
_CONV_PARAM_NAMES = ("conv_w1", "conv_b1", "conv_w2", "conv_b2", "fc_w", "fc_b")
_CONV_HINTS = {
    "shape": "the scores are (N, num_classes): both convolutions keep H and W, then flatten to "
             "(N, channel_2 * H * W) and multiply by fc_w.",
    "values": "scores = flatten(relu(conv2(relu(conv1(x))))) @ fc_w + fc_b, with conv1 = F.conv2d(., conv_w1, "
              "conv_b1, padding=2) and conv2 = F.conv2d(., conv_w2, conv_b2, padding=1), stride 1, no pooling (this uses "
              "your flatten: it must pass torch_flatten).",
    "raised": "the convolutions must keep H and W (padding 2 for the 5x5 filters, 1 for the 3x3, stride 1) so that "
              "the flattened activations have channel_2 * H * W entries, fc_w's first dimension.",
}


def _conv_problem(rng, dtype, shape, channel_1, channel_2, num_classes):
    N, C, H, W = shape
    shapes = [(channel_1, C, 5, 5), (channel_1,), (channel_2, channel_1, 3, 3), (channel_2,),
              (channel_2 * H * W, num_classes), (num_classes,)]
    fans = [C * 25, None, channel_1 * 9, None, channel_2 * H * W, None]
    params = [(rng.standard_normal(s) * (1.5 / np.sqrt(fan) if fan else 0.3)).astype(dtype)
              for s, fan in zip(shapes, fans)]
    return rng.standard_normal(shape).astype(dtype), params


@hidden_test("assignment2", "torch_three_layer_convnet", points=3, uses=[f"{_NETS}:three_layer_convnet"])
def torch_three_layer_convnet(three_layer_convnet):
    """three_layer_convnet(x, params): conv 5x5 pad 2 - relu - conv 3x3 pad 1 - relu - affine scores of the input's
    dtype and, through autograd, the gradients of x and of all six params, non-square images, both dtypes."""
    rng = case_rng(9303)
    call = student_object(f"{_BRIDGE}:call_function")
    for dtype, shape, channel_1, channel_2, num_classes in _CONV_CASES:
        x, params = _conv_problem(rng, dtype, shape, channel_1, channel_2, num_classes)
        dout = rng.standard_normal((shape[0], num_classes)).astype(dtype)
        label = (f"three_layer_convnet ({describe_arrays(dtype, x=x)}, channel_1={channel_1}, "
                 f"channel_2={channel_2}, num_classes={num_classes})")
        report = dict(call(three_layer_convnet, x, params, dout))
        want, (dx, dparams) = oracle.three_layer_convnet(x, params, dout)
        diagnoses = [("the ReLU after the second convolution is missing.",
                      oracle.three_layer_convnet(x, params, variant="no_second_relu")),
                     ("the scores go through a ReLU: the fully-connected layer's output is the scores as they are.",
                      oracle.three_layer_convnet(x, params, variant="relu_on_scores"))]
        _expect_output(report, label, want, dtype, _CONV_HINTS, diagnoses)
        hint = "with the scores right, autograd's gradients follow; check that nothing is computed outside torch."
        _expect_gradient(label, "x", report["dx"], dx, dtype, report["device"], hint)
        for name, got, ref in zip(_CONV_PARAM_NAMES, report["dparams"], dparams):
            _expect_gradient(label, name, got, ref, dtype, report["device"], hint)


# --------------------------------------------------------------------------- ThreeLayerConvNet (nn.Module)

#: (N, in_channel, channel_1, channel_2, num_classes, image_size (H, W), dtype)
_MODULE_CASES = [
    (3, 3, 8, 6, 10, (8, 6), np.float64),
    (2, 1, 12, 10, 7, (9, 7), np.float32),
    (4, 2, 5, 4, 3, (6, 10), np.float32),
]


def _module_shapes(in_channel, channel_1, channel_2, num_classes, image_size):
    H, W = image_size
    return {"conv1.weight": (channel_1, in_channel, 5, 5), "conv1.bias": (channel_1,),
            "conv2.weight": (channel_2, channel_1, 3, 3), "conv2.bias": (channel_2,),
            "fc.weight": (num_classes, channel_2 * H * W), "fc.bias": (num_classes,)}


def _module_label(in_channel, channel_1, channel_2, num_classes, image_size):
    return f"ThreeLayerConvNet({in_channel}, {channel_1}, {channel_2}, {num_classes}, image_size={tuple(image_size)})"


_WHY_SHAPE = {"conv1.weight": "nn.Conv2d(in_channel, channel_1, 5, padding=2)",
              "conv2.weight": "nn.Conv2d(channel_1, channel_2, 3, padding=1)",
              "fc.weight": "nn.Linear(channel_2 * H * W, num_classes) (the convolutions keep H and W; nn.Linear stores "
                           "(out_features, in_features))"}


def _expect_keys(keys, label):
    missing = [k for k in oracle.MODULE_CONVNET_KEYS if k not in keys]
    extra = sorted(set(keys) - set(oracle.MODULE_CONVNET_KEYS))
    if missing or extra:
        raise CheckFailed(f"{label}: state_dict() has " + "; ".join(
            ([f"no {', '.join(missing)}"] if missing else []) + ([f"unexpected {', '.join(extra)}"] if extra else []))
            + ".\nLikely cause: the layers are attributes named conv1, conv2 and fc (nn.Conv2d, nn.Conv2d, nn.Linear, "
              "each with its bias), and nothing else holds parameters.")


def _expect_init(ThreeLayerConvNet, case, seed):
    """A freshly built net: layer names and shapes, float32, zero biases, Kaiming-normal (fan in) weight stds."""
    _, in_channel, channel_1, channel_2, num_classes, image_size, _ = case
    label = _module_label(in_channel, channel_1, channel_2, num_classes, image_size) + " as built"
    built = dict(student_object(f"{_BRIDGE}:module_state")(
        ThreeLayerConvNet, [in_channel, channel_1, channel_2, num_classes], {"image_size": tuple(image_size)}, seed))
    if built["raised"]:
        raise CheckFailed(f"{label}: building it raised {built['raised']}")
    state = dict(built["state"])
    _expect_keys(state, label)
    for key, shape in _module_shapes(in_channel, channel_1, channel_2, num_classes, image_size).items():
        value = np.asarray(state[key])
        if value.shape != shape:
            why = _WHY_SHAPE.get(key.replace("bias", "weight"), "")
            raise CheckFailed(f"{label}: {key} has shape {value.shape} but expected {shape}, from {why}.")
        if value.dtype != np.float32:
            raise CheckFailed(f"{label}: {key} has dtype {value.dtype}; a new module's parameters are float32 "
                              "(torch's default).")
        if key.endswith("bias") and np.any(value != 0):
            raise CheckFailed(f"{label}: {key} is not all zeros; initialise every bias with nn.init.zeros_.")
        if key.endswith("weight"):
            std, want = float(value.std()), oracle.kaiming_normal_std(shape)
            if not 0.8 * want < std < 1.2 * want:
                if 0.8 < std * np.sqrt(3 * np.prod(shape[1:])) < 1.2:
                    cause = ("the weights keep PyTorch's default initialisation (std 1 / sqrt(3 * fan_in)); call "
                             "nn.init.kaiming_normal_ on each layer's weight.")
                elif 0.8 * oracle.kaiming_normal_std(shape, "fan_out") < std < 1.2 * oracle.kaiming_normal_std(shape, "fan_out"):
                    cause = "the std uses fan_out; kaiming_normal_'s default mode is fan_in (in_features * kernel area)."
                else:
                    cause = ("Kaiming-normal weights have std sqrt(2 / fan_in), fan_in = in_features * kernel area: "
                             "nn.init.kaiming_normal_(layer.weight) with its defaults.")
                raise CheckFailed(f"{label}: {key} has std {std:.3g} but Kaiming normal gives {want:.3g} "
                                  f"(threshold: within 20%).\nLikely cause: {cause}")


def _module_problem(rng, case):
    N, in_channel, channel_1, channel_2, num_classes, image_size, dtype = case
    state = {}
    for key, shape in _module_shapes(in_channel, channel_1, channel_2, num_classes, image_size).items():
        scale = 1.5 / np.sqrt(np.prod(shape[1:])) if key.endswith("weight") else 0.3
        state[key] = (scale * rng.standard_normal(shape)).astype(dtype)
    x = rng.standard_normal((N, in_channel, *image_size)).astype(dtype)
    return x, state, rng.standard_normal((N, num_classes)).astype(dtype)


_MODULE_HINTS = {
    "shape": "forward returns the scores, (N, num_classes).",
    "values": "forward is conv1 - relu - conv2 - relu - flatten - fc (no pooling, no ReLU after fc; flatten is yours: it "
              "must pass torch_flatten).",
    "raised": "the convolutions must keep H and W (conv1 padding 2, conv2 padding 1) so that fc gets channel_2 * H * W "
              "inputs.",
}


@hidden_test("assignment2", "torch_module_convnet", points=3, uses=[f"{_NETS}:ThreeLayerConvNet"])
def torch_module_convnet(ThreeLayerConvNet):
    """ThreeLayerConvNet(nn.Module): layers conv1, conv2, fc of the right shapes, float32, zero biases and
    Kaiming-normal weights when built; holding the test's state_dict, forward gives the reference scores and
    backward the gradients of x and of every parameter, both dtypes, non-square images."""
    rng = case_rng(9404)
    for case in _MODULE_CASES:
        _expect_init(ThreeLayerConvNet, case, int(rng.integers(0, 2 ** 31 - 1)))
    run = student_object(f"{_BRIDGE}:module_forward_backward")
    for case in _MODULE_CASES:
        N, in_channel, channel_1, channel_2, num_classes, image_size, dtype = case
        x, state, dout = _module_problem(rng, case)
        label = f"{_module_label(in_channel, channel_1, channel_2, num_classes, image_size)} ({describe_arrays(dtype, x=x)})"
        report = dict(run(ThreeLayerConvNet, [in_channel, channel_1, channel_2, num_classes],
                          {"image_size": tuple(image_size)}, state, x, dout))
        if report.get("load"):
            raise CheckFailed(f"{label}: load_state_dict refused the test's parameters ({report['load']}).\nLikely "
                              "cause: the layers are conv1, conv2 and fc, shaped as the docstring says.")
        want, (dx, grads) = oracle.module_convnet(x, state, dout)
        diagnoses = [("the ReLU after conv2 is missing.", oracle.module_convnet(x, state, variant="no_second_relu")),
                     ("the scores go through a ReLU: fc's output is the scores as they are.",
                      oracle.module_convnet(x, state, variant="relu_on_scores"))]
        _expect_output(report, label, want, dtype, _MODULE_HINTS, diagnoses)
        hint = "with the scores right, autograd's gradients follow; check that forward uses the layers' own parameters."
        _expect_gradient(label, "x", report["dx"], dx, dtype, report["device"], hint)
        got = dict(report["grads"])
        for key in oracle.MODULE_CONVNET_KEYS:
            _expect_gradient(label, key, got.get(key), grads[key], dtype, report["device"], hint)
