"""Trains an MLP on scikit-learn's bundled digits dataset (8x8 images, 10 classes,
no network access) with one compiled training step, and prints the test accuracy.

Run: .venv/bin/python examples/train_digits.py [--epochs N] [--export DIR]

--export DIR writes the trained model as one artifact, DIR/digits.vsla, with the test
images and the model's logits on them (DIR/test_images.npy, DIR/test_logits.npy), to
run without Python:

    build/bin/vsla-run DIR/digits.vsla --input DIR/test_images.npy --output logits.npy
"""

import argparse
import os
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import vsla
from vsla import nn, optim


def make_model() -> nn.Module:
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.1),
                         nn.Linear(128, 64), nn.GELU(), nn.Linear(64, 10))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--export", metavar="DIR", help="write the trained model to DIR")
    args = parser.parse_args()

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0,
                                                        stratify=y)

    vsla.manual_seed(0)
    model = make_model()
    steps = args.epochs * ((len(x_train) + args.batch_size - 1) // args.batch_size)
    opt = optim.AdamW(model, lr=optim.cosine_schedule(3e-3, steps, warmup_steps=20),
                      weight_decay=1e-4)
    step = optim.train_step(model, nn.cross_entropy, opt)
    predict = vsla.jit(lambda x: model(x))

    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        order = rng.permutation(len(x_train))
        losses = []
        for i in range(0, len(order), args.batch_size):
            batch = order[i:i + args.batch_size]  # the last batch is smaller: no recompile
            losses.append(float(step(x_train[batch], y_train[batch])))
        if epoch % 10 == 9 or epoch == args.epochs - 1:
            print(f"epoch {epoch + 1:3d}: mean training loss {np.mean(losses):.4f}")
    seconds = time.perf_counter() - start

    model.eval()
    predictions = np.asarray(predict(x_test)).argmax(axis=1)
    accuracy = float(np.mean(predictions == y_test))
    print(f"trained {steps} steps in {seconds:.1f} s ({step.cache_size()} compile of the "
          f"training step)")
    print(f"test accuracy: {accuracy:.2f}")

    if args.export:
        # One artifact for every batch size; the parameters are stored in it.
        os.makedirs(args.export, exist_ok=True)
        path = os.path.join(args.export, "digits.vsla")
        vsla.export(model, x_test[:1], path=path)
        np.save(os.path.join(args.export, "test_images.npy"), x_test)
        np.save(os.path.join(args.export, "test_logits.npy"), np.asarray(predict(x_test)))
        print(f"exported the model to {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
