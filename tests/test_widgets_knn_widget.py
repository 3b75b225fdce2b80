"""cs231n_lib.widgets.knn_widget: controls reach the math and the picture changes."""

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

from cs231n_lib.widgets import KNNDemo, knn_demo
from cs231n_lib.widgets.knn_math import TIE


def _digest(demo):
    """What the two canvases draw."""
    assert len(demo.plane_w.regions) == demo.resolution ** 2 and len(demo.plane_w.points) == len(demo.X)
    return demo.plane_w.state_digest() + demo.curve_w.state_digest()


class SklearnKNN:
    """A stand-in for the student's class (graded API), built on scikit-learn; counts its calls."""

    calls = 0

    def train(self, X, y):
        self.model = KNeighborsClassifier(n_neighbors=1).fit(X, y)

    def predict(self, X, k=1, num_loops=0):
        type(self).calls += 1
        return self.model.set_params(n_neighbors=k).predict(X)


class Unfinished:
    def train(self, X, y):
        pass

    def predict(self, X, k=1, num_loops=0):
        raise NotImplementedError("write compute_distances_no_loops")


def test_knn_demo_returns_the_widget():
    demo = knn_demo(num_points=30, num_classes=4, k=3, metric="L1", seed=5)
    assert isinstance(demo, KNNDemo)
    assert (demo.k_w.value, demo.metric_w.value, demo.classes_w.value, len(demo.X)) == (3, "L1", 4, 30)
    assert demo.region_labels.shape == (demo.resolution, demo.resolution)
    assert demo.last_update_s > 0 and "updated in" in demo.status_w.value


def test_control_ranges_match_stanford_demo():
    demo = knn_demo()
    assert (demo.k_w.min, demo.k_w.max) == (1, 7)
    assert (demo.classes_w.min, demo.classes_w.max) == (2, 5)
    assert (demo.points_w.min, demo.points_w.max) == (20, 60)
    assert list(demo.metric_w.options) == ["L1", "L2"]


def test_every_control_changes_the_picture():
    demo = knn_demo(seed=2)
    seen = {_digest(demo)}
    for change in [lambda: setattr(demo.k_w, "value", 4), lambda: setattr(demo.metric_w, "value", "L1"),
                   lambda: setattr(demo.classes_w, "value", 5), lambda: setattr(demo.points_w, "value", 25),
                   demo.regenerate, lambda: setattr(demo.probe_w, "value", True),
                   lambda: setattr(demo.px_w, "value", 0.5)]:
        change()
        digest = _digest(demo)
        assert digest not in seen
        seen.add(digest)


def test_class_and_point_sliders_regenerate():
    demo = knn_demo(seed=0)
    demo.classes_w.value = 5
    demo.points_w.value = 55
    assert len(demo.X) == 55 and set(demo.y.tolist()) == set(range(5))
    assert [value for _, value in demo.add_class_w.options] == [0, 1, 2, 3, 4]
    before = demo.X.copy()
    demo.regen_w.click()
    assert demo.X.shape == before.shape and not np.allclose(demo.X, before)


def test_ties_are_drawn_white():
    demo = knn_demo()
    demo.resolution = 91  # the grid then has a column at x = 0
    demo.X = np.array([[-0.5, y] for y in np.linspace(-0.6, 0.6, 4)] + [[0.5, y] for y in np.linspace(-0.6, 0.6, 4)])
    demo.y = np.array([0] * 4 + [1] * 4)
    demo.k_w.value = 2
    # on x = 0 the two nearest points are a mirrored pair of different classes: a tie everywhere on that line
    assert np.all(demo.region_labels[:, 45] == TIE)
    assert np.all(demo.region_labels[:, 0] == 0) and np.all(demo.region_labels[:, -1] == 1)
    demo.k_w.value = 3
    assert not np.any(demo.region_labels == TIE)  # two classes and odd K: never a tie


def test_add_and_remove_points_at_the_probe():
    demo = knn_demo(num_points=20, seed=1)
    demo.px_w.value, demo.py_w.value = 0.3, -0.4
    demo.add_class_w.value = 2
    demo.add_w.click()
    assert len(demo.X) == 21 and demo.y[-1] == 2
    np.testing.assert_allclose(demo.X[-1], [0.3, -0.4])
    demo.remove_w.click()  # the point just added is the nearest one
    assert len(demo.X) == 20 and not np.any(np.all(np.isclose(demo.X, [0.3, -0.4]), axis=1))
    with pytest.raises(ValueError, match="label"):
        demo.add_point(0, 0, 7)


def test_remove_keeps_enough_points_for_k7():
    demo = knn_demo(num_points=20)
    for _ in range(20):
        demo.remove_point()
    assert len(demo.X) == 8 and "at least 8" in demo.status_w.value


def test_accuracy_curve_matches_the_math():
    from cs231n_lib.widgets import knn_math
    demo = knn_demo(seed=3, metric="L1")
    want = knn_math.accuracy_vs_k(demo.X, demo.y, demo.X_val, demo.y_val, range(1, 8), "L1", demo.num_classes)
    np.testing.assert_allclose(demo.val_accuracy, want)


def test_student_classifier_draws_l2_and_l1_falls_back():
    SklearnKNN.calls = 0
    demo = knn_demo(classifier=SklearnKNN, k=3, seed=4)
    assert SklearnKNN.calls > 0 and "SklearnKNN" in demo.status_w.value
    expected = KNeighborsClassifier(n_neighbors=3).fit(demo.X, demo.y).predict(
        np.column_stack([a.ravel() for a in np.meshgrid(np.linspace(-1, 1, demo.resolution),
                                                        np.linspace(-1, 1, demo.resolution))]))
    np.testing.assert_array_equal(demo.region_labels.ravel(), expected)
    calls = SklearnKNN.calls
    demo.metric_w.value = "L1"
    assert SklearnKNN.calls == calls
    assert "L2 distances only" in demo.status_w.value


def test_unfinished_student_classifier_falls_back_with_a_note():
    demo = knn_demo(classifier=Unfinished)
    assert "NotImplementedError" in demo.status_w.value and "built-in" in demo.status_w.value
    assert demo.region_labels.min() >= TIE


def test_classifier_without_the_api_is_rejected():
    with pytest.raises(TypeError, match="train"):
        knn_demo(classifier=object)


def test_class_dropdown_shows_each_class_colour():
    demo = knn_demo(num_classes=3)
    labels = [label for label, _ in demo.add_class_w.options]
    assert [label.split()[0] for label in labels] == ["\U0001F534", "\U0001F7E2", "\U0001F535"]
    assert "red" in labels[0] and "blue" in labels[2]
    assert "cs231n-class-0" in demo.add_class_w._dom_classes
    demo.add_class_w.value = 2  # the dropdown's swatch follows the choice
    assert "cs231n-class-2" in demo.add_class_w._dom_classes and "cs231n-class-0" not in demo.add_class_w._dom_classes


def test_canvas_shows_points_regions_and_probe():
    demo = knn_demo(num_points=20, num_classes=2, k=3, seed=1)
    plane = demo.plane_w
    assert plane.interactive and plane.grid == demo.resolution and len(plane.tints) == 2
    assert [p[2] for p in plane.points] == demo.y.tolist()
    assert plane.star is None and plane.rings == []
    demo.probe_w.value = True
    assert plane.star is not None and len(plane.rings) == 3 and len(plane.segments) == 3


def test_dragging_a_point_moves_it_and_redraws():
    demo = knn_demo(num_points=20, seed=1)
    before = _digest(demo)
    sent = []
    demo.plane_w.send = sent.append  # what goes back to the browser
    demo.plane_w._receive(demo.plane_w, {"event": "drag", "index": 4, "x": 0.9, "y": -0.8, "done": False}, [])
    assert sent == [{"event": "drag-handled"}]  # the browser may send the next position
    np.testing.assert_allclose(demo.X[4], [0.9, -0.8])
    assert demo.plane_w.points[4][:2] == [0.9, -0.8] and _digest(demo) != before
    demo.plane_w._receive(demo.plane_w, {"event": "drag", "index": 4, "x": 3.0, "y": 0.1, "done": True}, [])
    np.testing.assert_allclose(demo.X[4], [1.0, 0.1])  # kept inside the plane
    demo.plane_w._receive(demo.plane_w, {"event": "drag", "index": 99, "x": 0, "y": 0, "done": True}, [])
    assert len(demo.X) == 20  # a stale index (point since removed) is ignored


def test_click_adds_a_point_of_the_chosen_class():
    demo = knn_demo(num_points=20, num_classes=4, seed=1)
    demo.add_class_w.value = 3
    demo.plane_w._receive(demo.plane_w, {"event": "click", "x": -0.25, "y": 0.5}, [])
    assert len(demo.X) == 21 and demo.y[-1] == 3
    np.testing.assert_allclose(demo.X[-1], [-0.25, 0.5])
    assert demo.plane_w.points[-1] == [-0.25, 0.5, 3]
