"""Trains a Conv1d classifier on variable-length synthetic signals, one signal per
step, with no padding to a common length: the compiled training step takes every
length (one compile), and the data and activations are exactly as long as each
signal. Reports accuracy and memory against a padded batch (the NumPy / PyTorch
way: every signal padded to the longest).

Run: .venv/bin/python examples/variable_length.py [--epochs N]
"""

import argparse
import time

import numpy as np

import vsla
from vsla import _vsla, nn, optim


def make_signal(rng, label: int) -> np.ndarray:
    """Class 0: a slow oscillation; class 1: a fast one; both noisy, 16..512 samples."""
    n = int(rng.integers(16, 513))
    t = np.arange(n) / 64.0
    freq = rng.uniform(0.5, 1.5) if label == 0 else rng.uniform(4.0, 6.0)
    x = np.sin(2 * np.pi * freq * t + rng.uniform(0, 2 * np.pi)) + 0.4 * rng.standard_normal(n)
    return x.astype(np.float32).reshape(1, 1, n)  # (batch, channels, length)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 8, kernel_size=5)
        self.conv2 = nn.Conv1d(8, 8, kernel_size=5)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        h = vsla.tanh(self.conv1(x))
        h = vsla.relu(self.conv2(h))
        pooled = vsla.mean(h, axis=2)  # over each signal's own length
        return self.head(pooled)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--signals", type=int, default=300)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, args.signals)
    signals = [make_signal(rng, int(y)) for y in labels]
    split = int(0.8 * args.signals)

    vsla.manual_seed(0)
    model = Classifier()
    step = optim.train_step(model, nn.cross_entropy, optim.Adam(model, lr=0.01))
    predict = vsla.jit(lambda x: model(x))

    start = time.perf_counter()
    for epoch in range(args.epochs):
        losses = [float(step(signals[i], labels[i:i + 1])) for i in rng.permutation(split)]
        print(f"epoch {epoch + 1}: mean loss {np.mean(losses):.4f}")
    seconds = time.perf_counter() - start
    predictions = [int(np.argmax(predict(s).numpy())) for s in signals[split:]]
    accuracy = float(np.mean(np.array(predictions) == labels[split:]))
    lengths = np.array([s.shape[-1] for s in signals])
    print(f"trained {args.epochs * split} steps on lengths {lengths.min()}..{lengths.max()} "
          f"in {seconds:.1f} s, {step.cache_size()} compile of the training step")
    print(f"test accuracy: {accuracy:.2f}")

    # Memory: a training step on each signal as it is, against one padded batch.
    stats = _vsla.pool_stats()
    _vsla.reset_peak_bytes_in_use()
    for i in np.argsort(lengths)[-8:]:
        step(signals[i], labels[i:i + 1])
    vsla_peak = _vsla.pool_stats()["peak_bytes_in_use"] - stats["bytes_in_use"]
    data_exact = int(lengths.sum()) * 4
    data_padded = len(lengths) * int(lengths.max()) * 4
    # A padded batch of 32 at the longest length: input, 2 conv outputs of 8 channels,
    # and Conv1d's per-channel-pair products (8 x in-channels), forward and backward.
    longest = int(lengths.max()) + 8
    padded_activations = 32 * longest * 4 * (1 + 8 + 8 + 8 * 1 + 8 * 8) * 2
    exact_activations = 32 * int(np.mean(lengths) + 8) * 4 * (1 + 8 + 8 + 8 * 1 + 8 * 8) * 2
    print(f"dataset in memory: {data_exact / 1e3:.0f} kB exact vs {data_padded / 1e3:.0f} kB "
          f"padded to the longest signal ({data_padded / data_exact:.2f}x)")
    ratio = padded_activations / exact_activations
    print(f"activations of 32 signals (computed): {exact_activations / 1e6:.1f} MB at their own "
          f"lengths vs {padded_activations / 1e6:.1f} MB padded ({ratio:.2f}x)")
    print(f"measured peak pool memory of one training step (longest signals): "
          f"{vsla_peak / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
