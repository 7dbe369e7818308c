"""vsla.optim: SGD (momentum, weight decay), Adam and AdamW, step-size schedules,
and train_step, which compiles one training step (forward, backward, update) into
a single function.

>>> model = vsla.nn.Linear(3, 1)
>>> step = vsla.optim.train_step(model, vsla.nn.mse_loss, vsla.optim.SGD(model, lr=0.1))
>>> float(step(np.ones((4, 3), np.float32), np.zeros((4, 1), np.float32))) >= 0.0
True
"""

from __future__ import annotations

import math

import numpy as np

from . import _ops, _pytree
from ._autodiff import value_and_grad
from ._errors import DTypeError, ShapeError, TracingError
from ._jit import jit
from ._tensor import Tensor
from .nn import Module, Parameter, random_seed

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "cosine_schedule", "step_schedule",
           "train_step"]


_same = _ops.same_shape


def _scalar(value, dtype=np.float32) -> Tensor:
    """A rank-0 tensor: a run-time value of the compiled update, not a constant."""
    return Tensor(np.asarray(value, dtype))


def _zeros_like(p: Tensor) -> Tensor:
    """Optimizer state for parameter p: zeros of its shape and dtype, where it is."""
    return Tensor(np.zeros(p.shape, p.dtype)).to(p.device)


def _state_where_params_are(state, params: list):
    """The optimizer's state on its parameters' device (a model moved with .to() after
    its optimizer was made takes the state along)."""
    device = params[0].device
    leaves, treedef = _pytree.flatten(state)
    if all(not isinstance(t, Tensor) or t.device == device for t in leaves):
        return state
    return _pytree.unflatten(treedef, [t.to(device) if isinstance(t, Tensor) else t
                                       for t in leaves])


class Optimizer:
    """Holds the parameters it updates and its state (momenta); `update` is pure
    vsla ops, so it compiles into the training step."""

    def __init__(self, params, lr):
        if isinstance(params, Module):
            named = list(params.named_parameters())
        else:
            named = [(str(i), p) for i, p in enumerate(params)]
        if not named:
            raise ValueError(f"{type(self).__name__} got no parameters to optimize")
        for name, p in named:
            if not isinstance(p, Parameter):
                raise TypeError(f"parameter {name} is a {type(p).__name__}, not a "
                                "vsla.nn.Parameter")
        self.names = [n for n, _ in named]
        self.params = [p for _, p in named]
        self.lr = lr
        self.step_count = 0
        self.state = self.init_state(self.params)

    def learning_rate(self) -> float:
        return float(self.lr(self.step_count) if callable(self.lr) else self.lr)

    def init_state(self, params) -> list:
        return []

    def _check_gradients(self, grads) -> list:
        """The gradients as tensors, one per parameter with its shape and dtype (the
        update zero-extends nothing: a gradient of another shape is a mistake)."""
        name = f"{type(self).__name__}.step"
        if isinstance(grads, dict):
            missing = [n for n in self.names if n not in grads]
            if missing or len(grads) != len(self.names):
                raise ShapeError(f"{name}: the gradients are a dict whose keys are not the "
                                 f"parameter names {self.names} (missing {missing})")
            grads = [grads[n] for n in self.names]
        elif isinstance(grads, (Tensor, np.ndarray)) or not hasattr(grads, "__len__"):
            raise TypeError(f"{name} takes a list of gradients, one per parameter, got a "
                            f"{type(grads).__name__}")
        grads = list(grads)
        if len(grads) != len(self.params):
            raise ShapeError(f"{name} got {len(grads)} gradients for {len(self.params)} "
                             f"parameters ({', '.join(self.names)}); pass one per parameter, "
                             "in order")
        checked = []
        for pname, p, g in zip(self.names, self.params, grads):
            g = _ops.as_tensor(g, f"the gradient of {pname}")
            if g.shape != p.shape:
                if any(not isinstance(d, int) for d in g.shape):
                    raise TracingError(f"{name} runs outside @vsla.jit; inside a traced "
                                       "function call the optimizer's update() instead")
                raise ShapeError(f"{name}: the gradient of parameter {pname} has shape "
                                 f"{g.shape} but the parameter has shape {p.shape}; pass "
                                 "gradients in the parameters' order and shapes")
            if g.dtype != p.dtype:
                raise DTypeError(f"{name}: the gradient of parameter {pname} is {g.dtype} but "
                                 f"the parameter is {p.dtype}; cast it with "
                                 f".astype('{p.dtype}')")
            checked.append(g)
        return checked

    def hyperparameters(self) -> dict:
        """Rank-0 tensors the compiled update reads (learning rate, ...)."""
        return {"lr": _scalar(self.learning_rate())}

    def update(self, params: list, grads: list, state: list, hyper: dict):
        raise NotImplementedError

    def step(self, grads: list) -> None:
        """Applies gradients (one per parameter, in order) outside a training step."""
        grads = self._check_gradients(grads)
        if not hasattr(self, "_update"):
            self._update = jit(lambda p, g, s, h: self.update(p, g, s, h))
        self.step_count += 1
        self.state = _state_where_params_are(self.state, self.params)
        new_params, self.state = self._update(self.params, grads, self.state,
                                              self.hyperparameters())
        for p, new in zip(self.params, new_params):
            p._array = new._array


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and (L2) weight decay."""

    def __init__(self, params, lr=0.01, momentum: float = 0.0, weight_decay: float = 0.0):
        self.momentum = float(momentum)
        self.weight_decay = float(weight_decay)
        super().__init__(params, lr)

    def init_state(self, params) -> list:
        return [_zeros_like(p) for p in params] if self.momentum else []

    def update(self, params, grads, state, hyper):
        lr = hyper["lr"]
        new_params, new_state = [], []
        for i, (p, g) in enumerate(zip(params, grads)):
            if self.weight_decay:
                g = _same("add", g, p * self.weight_decay)
            if self.momentum:
                g = _same("add", state[i] * self.momentum, g)
                new_state.append(g)
            new_params.append(_same("sub", p, _same("mul", g, _ops.broadcast_to(lr, g.shape))))
        return new_params, new_state


class Adam(Optimizer):
    """Adam (Kingma and Ba); weight_decay adds an L2 term to the gradient."""

    decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        self.beta1, self.beta2 = (float(b) for b in betas)
        self.eps = float(eps)
        self.weight_decay = float(weight_decay)
        super().__init__(params, lr)

    def init_state(self, params) -> list:
        return [[_zeros_like(p) for p in params], [_zeros_like(p) for p in params]]

    def hyperparameters(self) -> dict:
        t = max(self.step_count, 1)
        hyper = super().hyperparameters()
        hyper["correction1"] = _scalar(1.0 / (1.0 - self.beta1 ** t))
        hyper["correction2"] = _scalar(1.0 / (1.0 - self.beta2 ** t))
        return hyper

    def update(self, params, grads, state, hyper):
        first, second = state
        new_params, new_first, new_second = [], [], []
        for p, g, m, v in zip(params, grads, first, second):
            if self.weight_decay and not self.decoupled:
                g = _same("add", g, p * self.weight_decay)
            m = _same("add", m * self.beta1, g * (1.0 - self.beta1))
            v = _same("add", v * self.beta2, _same("mul", g, g) * (1.0 - self.beta2))
            shape = p.shape
            m_hat = _same("mul", m, _ops.broadcast_to(hyper["correction1"], shape))
            v_hat = _same("mul", v, _ops.broadcast_to(hyper["correction2"], shape))
            step = _same("div", m_hat, _ops.sqrt(v_hat) + self.eps)
            if self.weight_decay and self.decoupled:
                step = _same("add", step, p * self.weight_decay)
            new_params.append(_same("sub", p, _same("mul", step, _ops.broadcast_to(
                hyper["lr"], shape))))
            new_first.append(m)
            new_second.append(v)
        return new_params, [new_first, new_second]


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter)."""

    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.01):
        super().__init__(params, lr, betas, eps, weight_decay)


def cosine_schedule(base_lr: float, total_steps: int, warmup_steps: int = 0,
                    final_lr: float = 0.0):
    """lr(step): linear warmup, then cosine decay from base_lr to final_lr."""
    def lr(step: int) -> float:
        if step < warmup_steps:
            return base_lr * (step + 1) / warmup_steps
        progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
        return final_lr + 0.5 * (base_lr - final_lr) * (1 + math.cos(math.pi * progress))
    return lr


def step_schedule(base_lr: float, step_size: int, gamma: float = 0.1):
    """lr(step): base_lr multiplied by gamma every step_size steps."""
    return lambda step: base_lr * gamma ** (step // step_size)


class TrainStep:
    """One compiled training step; see train_step."""

    def __init__(self, model: Module, loss_fn, optimizer: Optimizer, seed: int = 0):
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.seed = seed
        if [id(p) for p in model.parameters()] != [id(p) for p in optimizer.params]:
            raise ValueError("the optimizer must hold the model's parameters "
                             "(vsla.optim.Adam(model, ...))")
        self._names = [name for name, _ in model.named_parameters()]

        def step(params, state, hyper, seed, inputs, targets):
            def loss_of(p):
                with random_seed(seed):
                    output = model.apply(dict(zip(self._names, p)), *inputs)
                return loss_fn(output, *targets)

            loss, grads = value_and_grad(loss_of)(params)
            new_params, new_state = optimizer.update(params, grads, state, hyper)
            return loss, new_params, new_state

        self._compiled = jit(step)

    def __call__(self, inputs, *targets) -> Tensor:
        """Runs forward, backward and the update on one batch; returns the loss."""
        opt = self.optimizer
        opt.step_count += 1
        inputs = inputs if isinstance(inputs, tuple) else (inputs,)
        seed = _scalar(float(self.seed + opt.step_count) % 9973.0)
        opt.state = _state_where_params_are(opt.state, opt.params)
        loss, new_params, opt.state = self._compiled(
            opt.params, opt.state, opt.hyperparameters(), seed, inputs, targets)
        for p, new in zip(opt.params, new_params):
            p._array = new._array
        return loss

    def cache_size(self) -> int:
        return self._compiled.cache_size()


def train_step(model: Module, loss_fn, optimizer: Optimizer, seed: int = 0) -> TrainStep:
    """A function step(inputs, *targets) -> loss that runs loss_fn(model(inputs),
    *targets), its gradient and the optimizer's update as ONE compiled function, and
    writes the new parameters back into the model. The learning rate (and Adam's bias
    corrections) are run-time values, so schedules never recompile; batches of any
    size (and signals of any length) share one compile. Dropout masks are seeded per
    step from `seed`."""
    return TrainStep(model, loss_fn, optimizer, seed)
