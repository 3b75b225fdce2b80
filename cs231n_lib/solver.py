"""The Solver: minibatch training of a model with the student's update rules (CS231n API).

    from cs231n_lib.solver import Solver
    solver = Solver(model, data, update_rule="sgd_momentum",
                    optim_config={"learning_rate": 1e-2}, lr_decay=0.95,
                    num_epochs=5, batch_size=100, print_every=100)
    solver.train()
    solver.best_params, solver.loss_history, solver.val_acc_history

``model`` is any object with ``params`` (a dict of arrays) and ``loss(X, y=None)``
(scores when ``y`` is None, else ``(loss, grads)`` with one gradient per key of
``params``).  ``data`` holds ``X_train``, ``y_train``, ``X_val`` and ``y_val``.

The update rule is the student's: a name is looked up in the student's
``cs231n.optim`` module (FullyConnectedNets.ipynb has them written), or pass any
callable ``rule(w, dw, config) -> (next_w, config)``.  This library holds no rule
of its own.  Each parameter keeps its own copy of ``optim_config``; at the end of
every epoch each copy's ``learning_rate`` is multiplied by ``lr_decay``.

Training shows a progress bar (tqdm, the notebook widget in Jupyter) with the
epoch, the last loss and the latest accuracies; ``verbose`` also prints the
classic lines ``(Iteration 1 / 4900) loss: 2.302`` and ``(Epoch 0 / 10) train
acc: ...; val_acc: ...``.  With ``checkpoint_name``, the state after each epoch
is written to ``<checkpoint_name>_epoch_<e>.pkl`` (plain data: parameters, the
histories and the settings, never the model object).
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from .progress import progress
from .student import Unavailable, load_object

__all__ = ["Solver"]

_OPTIONS = {"update_rule": "sgd", "optim_config": None, "lr_decay": 1.0, "batch_size": 100, "num_epochs": 10,
            "num_train_samples": 1000, "num_val_samples": None, "checkpoint_name": None, "print_every": 10,
            "verbose": True, "progress": True}


def _resolve_rule(rule):
    """A callable update rule: ``rule`` itself, or the function of that name in the student's ``cs231n.optim``."""
    if callable(rule):
        return rule
    if not isinstance(rule, str):
        raise ValueError(f"update_rule must be the name of a function of cs231n/optim.py or a callable, got {rule!r}")
    found = load_object("cs231n.optim", rule)
    if isinstance(found, Unavailable):  # the module does not import, or has no such name
        raise ValueError(f'Invalid update_rule "{rule}": {found.reason}')
    return found


class Solver:
    """Trains ``model`` on ``data`` with minibatch gradient descent; see the module docstring."""

    def __init__(self, model, data, **kwargs):
        """
        Required: ``model`` and ``data`` (keys X_train, y_train, X_val, y_val).

        Optional (keyword only):
        - update_rule: a name in cs231n/optim.py ("sgd", "sgd_momentum", "rmsprop", "adam") or a callable
        - optim_config: hyperparameters passed to the update rule (each parameter gets its own copy)
        - lr_decay: the learning rate is multiplied by this after each epoch
        - batch_size: minibatch size
        - num_epochs: number of epochs to train for
        - num_train_samples, num_val_samples: how many examples check the training and validation accuracy
          (None: all of them)
        - checkpoint_name: when given, write a checkpoint after every epoch
        - print_every: print the training loss every this many iterations (when verbose)
        - verbose: print the classic progress lines
        - progress: show a progress bar
        """
        unknown = sorted(set(kwargs) - set(_OPTIONS))
        if unknown:
            raise ValueError(f"Unrecognized arguments {', '.join(unknown)}; Solver takes {', '.join(_OPTIONS)}")
        missing = [k for k in ("X_train", "y_train", "X_val", "y_val") if k not in data]
        if missing:
            raise ValueError(f"data lacks {', '.join(missing)}: pass a dict with X_train, y_train, X_val and y_val")
        options = {**_OPTIONS, **kwargs}
        self.model = model
        self.X_train, self.y_train = data["X_train"], data["y_train"]
        self.X_val, self.y_val = data["X_val"], data["y_val"]
        self.update_rule = _resolve_rule(options["update_rule"])
        self.optim_config = dict(options["optim_config"] or {})
        self.lr_decay = options["lr_decay"]
        self.batch_size = options["batch_size"]
        self.num_epochs = options["num_epochs"]
        self.num_train_samples = options["num_train_samples"]
        self.num_val_samples = options["num_val_samples"]
        self.checkpoint_name = options["checkpoint_name"]
        self.print_every = options["print_every"]
        self.verbose = options["verbose"]
        self.show_progress = options["progress"]
        self._reset()

    def _reset(self):
        """Fresh histories and one copy of optim_config per parameter."""
        self.epoch = 0
        self.best_val_acc = 0
        self.best_params = {}
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []
        self.optim_configs = {p: dict(self.optim_config) for p in self.model.params}

    def _step(self):
        """One update: a minibatch drawn with replacement, the model's loss and gradients, one rule call per parameter."""
        num_train = self.X_train.shape[0]
        batch_mask = np.random.choice(num_train, self.batch_size)
        loss, grads = self.model.loss(self.X_train[batch_mask], self.y_train[batch_mask])
        self.loss_history.append(float(loss))
        for p, w in self.model.params.items():
            if p not in grads:
                raise ValueError(f"model.loss returned no gradient for parameter {p!r}: grads must have every key "
                                 f"of model.params (it has {', '.join(sorted(grads))})")
            next_w, next_config = self.update_rule(w, grads[p], self.optim_configs[p])
            if next_w is None:
                raise ValueError(f"the update rule returned None for {p!r}: return (next_w, config)")
            self.model.params[p] = next_w
            self.optim_configs[p] = next_config

    def _save_checkpoint(self):
        if self.checkpoint_name is None:
            return
        checkpoint = {
            "params": {k: np.array(v) for k, v in self.model.params.items()},
            "update_rule": getattr(self.update_rule, "__name__", repr(self.update_rule)),
            "lr_decay": self.lr_decay,
            "optim_config": {k: v for k, v in self.optim_config.items() if np.isscalar(v)},
            "batch_size": self.batch_size,
            "num_train_samples": self.num_train_samples,
            "num_val_samples": self.num_val_samples,
            "epoch": self.epoch,
            "loss_history": list(self.loss_history),
            "train_acc_history": list(self.train_acc_history),
            "val_acc_history": list(self.val_acc_history),
        }
        path = Path(f"{self.checkpoint_name}_epoch_{self.epoch}.pkl")
        if self.verbose:
            print(f'Saving checkpoint to "{path}"')
        with open(path, "wb") as f:
            pickle.dump(checkpoint, f)

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """The model's accuracy on ``X, y`` (on ``num_samples`` random examples of it when given), in batches."""
        N = X.shape[0]
        if num_samples is not None and N > num_samples:
            mask = np.random.choice(N, num_samples)
            N, X, y = num_samples, X[mask], y[mask]
        num_batches = N // batch_size + (N % batch_size != 0)
        y_pred = []
        for i in range(num_batches):
            scores = self.model.loss(X[i * batch_size:(i + 1) * batch_size])
            y_pred.append(np.argmax(scores, axis=1))
        return float(np.mean(np.hstack(y_pred) == y)) if y_pred else 0.0

    def _record_accuracy(self):
        train_acc = self.check_accuracy(self.X_train, self.y_train, num_samples=self.num_train_samples)
        val_acc = self.check_accuracy(self.X_val, self.y_val, num_samples=self.num_val_samples)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        self._save_checkpoint()
        if self.verbose:
            print(f"(Epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:f}; val_acc: {val_acc:f}")
        if val_acc > self.best_val_acc:
            self.best_val_acc = val_acc
            self.best_params = {k: v.copy() for k, v in self.model.params.items()}
        return train_acc, val_acc

    def train(self):
        """Run the optimization: ``num_epochs`` passes of ``num_train // batch_size`` updates each.
        The accuracies are checked at the start, after every epoch and at the end."""
        num_train = self.X_train.shape[0]
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        bar = progress(range(num_iterations), desc="Solver", unit="it", disable=not self.show_progress)
        train_acc = val_acc = None
        for t in bar:
            self._step()
            if self.verbose and t % self.print_every == 0:
                print(f"(Iteration {t + 1} / {num_iterations}) loss: {self.loss_history[-1]:f}")
            epoch_end = (t + 1) % iterations_per_epoch == 0
            if epoch_end:
                self.epoch += 1
                for k in self.optim_configs:
                    if "learning_rate" in self.optim_configs[k]:
                        self.optim_configs[k]["learning_rate"] *= self.lr_decay
            if t == 0 or t == num_iterations - 1 or epoch_end:
                train_acc, val_acc = self._record_accuracy()
            bar.set_postfix(epoch=f"{self.epoch}/{self.num_epochs}", loss=f"{self.loss_history[-1]:.3f}",
                            train_acc=f"{train_acc:.3f}", val_acc=f"{val_acc:.3f}", refresh=False)
        bar.close()
        # At the end of training, swap the best parameters into the model.
        if self.best_params:
            self.model.params = self.best_params
