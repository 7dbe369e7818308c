"""PLAID: real variable-length data for benchmarks/run.py.

The PLAID appliance signatures (1,074 univariate series of lengths 100-1,344,
11 classes, a fixed train/test split of 537/537) ship inside sktime's wheel
(`pip install --no-deps sktime`, done by scripts/bench-setup.sh); this module
reads the .ts files itself, so sktime's dependencies are not needed.

The model, the same in every framework: Conv1d(1, 16, 7) - ReLU -
Conv1d(16, 16, 7) - ReLU - mean over time - Linear(16, 11), trained with Adam
on cross-entropy. VSLA trains one series per step at its own length (no
padding, one compile); PyTorch trains one series per step too, and on padded,
masked batches of 32.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np

from harness import Impl, Workload

import vsla
from vsla import nn, optim

CHANNELS, KERNEL, CLASSES = 16, 7, 11
LR = 3e-3


def data_folder() -> str | None:
    spec = importlib.util.find_spec("sktime")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = os.path.join(list(spec.submodule_search_locations)[0], "datasets", "data", "PLAID")
    return folder if os.path.isdir(folder) else None


def read_ts(path: str) -> tuple[list[np.ndarray], np.ndarray]:
    """Series and integer labels of a univariate .ts file ("v1,v2,...:label")."""
    series, labels = [], []
    with open(path) as f:
        in_data = False
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.lower() == "@data":
                in_data = True
                continue
            if not in_data:
                continue
            values, label = line.rsplit(":", 1)
            x = np.array(values.split(","), dtype=np.float64)
            # Each series at its own scale: z-normalized, as is usual for PLAID.
            x = (x - x.mean()) / (x.std() + 1e-8)
            series.append(x.astype(np.float32))
            labels.append(int(label))
    return series, np.array(labels, dtype=np.int64)


def synthetic(quick: bool, seed: int = 0):
    """PLAID-shaped stand-in data (for machines without sktime's copy): 11 classes
    of noisy oscillations, 537 + 537 series of lengths 100-1,344, z-normalized."""
    rng = np.random.default_rng(seed)
    count = 96 if quick else 537

    def split():
        labels = rng.integers(0, CLASSES, count)
        series = []
        for label in labels:
            n = int(rng.integers(100, 1345))
            t = np.arange(n) / 100.0
            x = np.sin(2 * np.pi * (0.5 + label) * t) + 0.5 * rng.standard_normal(n)
            series.append(((x - x.mean()) / (x.std() + 1e-8)).astype(np.float32))
        return series, labels.astype(np.int64)
    return split(), split()


def load(quick: bool):
    folder = data_folder()
    if folder is None:
        raise FileNotFoundError("the PLAID data set comes with sktime: run scripts/bench-setup.sh")
    train = read_ts(os.path.join(folder, "PLAID_TRAIN.ts"))
    test = read_ts(os.path.join(folder, "PLAID_TEST.ts"))
    if quick:
        train = (train[0][:96], train[1][:96])
        test = (test[0][:96], test[1][:96])
    return train, test


# --- VSLA: one series per step, no padding -----------------------------------

class VslaNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(1, CHANNELS, KERNEL)
        self.conv2 = nn.Conv1d(CHANNELS, CHANNELS, KERNEL)
        self.head = nn.Linear(CHANNELS, CLASSES)

    def forward(self, x):
        h = vsla.relu(self.conv1(x))
        h = vsla.relu(self.conv2(h))
        return self.head(vsla.mean(h, axis=2))


def build_vsla(quick: bool, data=None):
    (xs, ys), (test_x, test_y) = data or load(quick)
    vsla.manual_seed(0)
    model = VslaNet()
    step = optim.train_step(model, nn.cross_entropy, optim.Adam(model, lr=LR))
    inputs = [vsla.asarray(x.reshape(1, 1, -1)) for x in xs]
    labels = [vsla.asarray(np.array([y], np.int32)) for y in ys]
    order = np.random.default_rng(0)

    def epoch():
        for i in order.permutation(len(inputs)):
            step(inputs[i], labels[i])

    predict = vsla.jit(lambda x: model(x))

    def accuracy():
        hits = [int(np.argmax(np.asarray(predict(x.reshape(1, 1, -1))))) == y
                for x, y in zip(test_x, test_y)]
        return {"test accuracy": f"{np.mean(hits):.3f}"}
    return epoch, accuracy


# --- VSLA: ragged mini-batches, no padding -------------------------------------

class RaggedBatchNet(nn.Module):
    """VslaNet mapped over the series of a ragged batch: one (1, 1, length) item
    per series, logits stacked to (batch, classes)."""

    def __init__(self):
        super().__init__()
        self.net = VslaNet()

    def forward(self, series):
        return vsla.reshape(vsla.vmap(self.net, out="stack")(series), (-1, CLASSES))


def build_vsla_ragged(quick: bool, batch: int = 32, data=None):
    """An epoch of ragged mini-batches of `batch` series (one compiled step for every
    batch), and the test accuracy."""
    (xs, ys), (test_x, test_y) = data or load(quick)
    vsla.manual_seed(0)
    model = RaggedBatchNet()
    step = optim.train_step(model, nn.cross_entropy, optim.Adam(model, lr=LR))
    items = [x.reshape(1, 1, -1) for x in xs]
    order = np.random.default_rng(0)

    def epoch():
        permutation = order.permutation(len(items))
        for start in range(0, len(items), batch):
            chosen = permutation[start:start + batch]
            step(vsla.ragged([items[i] for i in chosen]), ys[chosen].astype(np.int32))

    predict = vsla.jit(lambda series: model(series))
    test_batch = vsla.ragged([x.reshape(1, 1, -1) for x in test_x])

    def accuracy():
        logits = np.asarray(predict(test_batch))
        return {"test accuracy": f"{np.mean(np.argmax(logits, axis=1) == test_y):.3f}",
                "compiles": str(step.cache_size())}
    return epoch, accuracy


# --- PyTorch: one series per step, or padded batches --------------------------

def _torch_model():
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = torch.nn.Conv1d(1, CHANNELS, KERNEL, padding="same")
            self.conv2 = torch.nn.Conv1d(CHANNELS, CHANNELS, KERNEL, padding="same")
            self.head = torch.nn.Linear(CHANNELS, CLASSES)

        def forward(self, x, mask=None, lengths=None):
            # Padded batches: positions past a series' end are zeroed after
            # each layer, so every series sees exactly its own values.
            h = torch.relu(self.conv1(x))
            if mask is not None:
                h = h * mask
            h = torch.relu(self.conv2(h))
            if mask is None:
                return self.head(h.mean(dim=2))
            h = h * mask
            return self.head(h.sum(dim=2) / lengths)
    torch.manual_seed(0)
    return Net()


def build_torch(quick: bool, batch: int, data=None):
    import torch

    (xs, ys), (test_x, test_y) = data or load(quick)
    model = _torch_model()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    order = np.random.default_rng(0)

    def padded(indices):
        width = max(len(xs[i]) for i in indices)
        values = np.zeros((len(indices), 1, width), np.float32)
        mask = np.zeros((len(indices), 1, width), np.float32)
        for row, i in enumerate(indices):
            values[row, 0, :len(xs[i])] = xs[i]
            mask[row, 0, :len(xs[i])] = 1
        lengths = mask.sum(axis=2)
        return (torch.from_numpy(values), torch.from_numpy(mask), torch.from_numpy(lengths),
                torch.from_numpy(ys[indices]))

    if batch == 1:
        samples = [(torch.from_numpy(x.reshape(1, 1, -1)), torch.tensor([y])) for x, y in zip(xs, ys)]

        def epoch():
            for i in order.permutation(len(samples)):
                x, y = samples[i]
                opt.zero_grad(set_to_none=True)
                torch.nn.functional.cross_entropy(model(x), y).backward()
                opt.step()
    else:
        def epoch():
            # Padding is part of the peer's cost: batches are formed per epoch.
            permutation = order.permutation(len(xs))
            for start in range(0, len(xs), batch):
                values, mask, lengths, y = padded(permutation[start:start + batch])
                opt.zero_grad(set_to_none=True)
                torch.nn.functional.cross_entropy(model(values, mask, lengths), y).backward()
                opt.step()

    def accuracy():
        with torch.no_grad():
            hits = [int(model(torch.from_numpy(x.reshape(1, 1, -1))).argmax()) == y
                    for x, y in zip(test_x, test_y)]
        return {"test accuracy": f"{np.mean(hits):.3f}"}
    return epoch, accuracy


def plaid_workload(quick: bool) -> Workload:
    count = "96" if quick else "537"
    impls = [Impl("VSLA", lambda: build_vsla_ragged(quick, 32),
                  "ragged mini-batches of 32 (vmap), no padding"),
             Impl("VSLA", lambda: build_vsla(quick), "one series per step, no padding",
                  variant="batch 1")]
    if importlib.util.find_spec("torch") is not None:
        impls.append(Impl("PyTorch", lambda: build_torch(quick, 1), "one series per step",
                          variant="batch 1"))
        impls.append(Impl("PyTorch", lambda: build_torch(quick, 32),
                          "padded, masked batches of 32", variant="padded 32"))
    skipped = {} if data_folder() else {"all": "sktime's PLAID data is not installed"}
    return Workload("plaid", f"PLAID Conv1d classifier, one training epoch ({count} series)",
                    impls, once=True, rounds=(4, 2), unit="s", measure_memory=True,
                    skipped=skipped)
