"""nn.optim: each update rule against a hand-computed step, on quadratics, and PyTorch."""

import math

import pytest

from autograd import Value
from nn import MLP, SGD, Adam, LambdaLR, LinearLR, RMSprop, StepLR, clip_grad_norm


def param(data, grad):
    p = Value(data)
    p.grad = grad
    return p


# ---------------------------------------------------------------- hand-computed steps
def test_sgd_step_is_p_minus_lr_g():
    p = param(1.0, 0.5)
    SGD([p], lr=0.1).step()
    assert p.data == pytest.approx(1.0 - 0.1 * 0.5)


def test_sgd_weight_decay_adds_wd_times_p_to_the_gradient():
    p = param(2.0, 0.5)
    SGD([p], lr=0.1, weight_decay=0.01).step()
    assert p.data == pytest.approx(2.0 - 0.1 * (0.5 + 0.01 * 2.0))


def test_sgd_momentum_two_steps():
    p = param(1.0, 1.0)
    opt = SGD([p], lr=0.1, momentum=0.9)
    opt.step()  # v = g = 1
    assert p.data == pytest.approx(0.9)
    p.grad = 0.5
    opt.step()  # v = 0.9 * 1 + 0.5 = 1.4
    assert p.data == pytest.approx(0.9 - 0.1 * 1.4)


def test_sgd_nesterov_two_steps():
    p = param(1.0, 1.0)
    opt = SGD([p], lr=0.1, momentum=0.9, nesterov=True)
    opt.step()  # v = 1, step = g + 0.9 v = 1.9
    assert p.data == pytest.approx(1.0 - 0.19)
    p.grad = 0.5
    opt.step()  # v = 1.4, step = 0.5 + 0.9 * 1.4 = 1.76
    assert p.data == pytest.approx(1.0 - 0.19 - 0.176)


def test_nesterov_needs_momentum():
    with pytest.raises(ValueError, match="momentum"):
        SGD([Value(1.0)], lr=0.1, nesterov=True)


def test_adam_first_step_moves_by_lr_times_the_sign_of_g():
    # m_hat = g and v_hat = g^2 at t = 1, so the step is lr * g / (|g| + eps)
    p = param(1.0, 0.02)
    Adam([p], lr=0.1).step()
    assert p.data == pytest.approx(1.0 - 0.1 * 0.02 / (0.02 + 1e-8))


def test_adam_two_steps_by_hand():
    p = param(1.0, 2.0)
    opt = Adam([p], lr=0.01, betas=(0.8, 0.9), eps=1e-6)
    opt.step()
    p.grad = -1.0
    opt.step()
    m1, v1 = 0.2 * 2.0, 0.1 * 4.0
    x1 = 1.0 - 0.01 * (m1 / 0.2) / (math.sqrt(v1 / 0.1) + 1e-6)
    m2, v2 = 0.8 * m1 + 0.2 * -1.0, 0.9 * v1 + 0.1 * 1.0
    x2 = x1 - 0.01 * (m2 / (1 - 0.8**2)) / (math.sqrt(v2 / (1 - 0.9**2)) + 1e-6)
    assert p.data == pytest.approx(x2, rel=1e-14)


def test_adam_weight_decay_is_added_to_the_gradient():
    p = param(3.0, 0.0)
    Adam([p], lr=0.1, weight_decay=0.5).step()  # g = 1.5: the first step is -lr
    assert p.data == pytest.approx(3.0 - 0.1, rel=1e-7)


def test_rmsprop_two_steps_by_hand():
    p = param(1.0, 2.0)
    opt = RMSprop([p], lr=0.01, alpha=0.9, eps=1e-8)
    opt.step()
    v1 = 0.1 * 4.0
    x1 = 1.0 - 0.01 * 2.0 / (math.sqrt(v1) + 1e-8)
    assert p.data == pytest.approx(x1, rel=1e-14)
    p.grad = 1.0
    opt.step()
    v2 = 0.9 * v1 + 0.1 * 1.0
    assert p.data == pytest.approx(x1 - 0.01 * 1.0 / (math.sqrt(v2) + 1e-8), rel=1e-14)


def test_default_hyperparameters_are_the_documented_ones():
    adam, rms = Adam([Value(0.0)]), RMSprop([Value(0.0)])
    assert (adam.lr, adam.betas, adam.eps, adam.weight_decay) == (1e-3, (0.9, 0.999), 1e-8, 0.0)
    assert (rms.lr, rms.alpha, rms.eps) == (1e-2, 0.99, 1e-8)
    assert SGD([Value(0.0)], lr=0.1).momentum == 0.0


# ---------------------------------------------------------------- behaviour
def quadratic_minimum(optimizer_class, steps, **options):
    """Minimise (x - 3)^2 + 2 (y + 1)^2 from (0, 0); return the final point."""
    x, y = Value(0.0), Value(0.0)
    opt = optimizer_class([x, y], **options)
    for _ in range(steps):
        loss = (x - 3.0) ** 2 + 2.0 * (y + 1.0) ** 2
        opt.zero_grad()
        loss.backward()
        opt.step()
    return x.data, y.data


@pytest.mark.parametrize(
    "optimizer_class, steps, options",
    [
        (SGD, 200, {"lr": 0.1}),
        (SGD, 200, {"lr": 0.05, "momentum": 0.9}),
        (SGD, 200, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
        (Adam, 1000, {"lr": 0.05}),
        (RMSprop, 1000, {"lr": 0.01}),
    ],
    ids=["sgd", "momentum", "nesterov", "adam", "rmsprop"],
)
def test_every_optimiser_reaches_the_minimum_of_a_quadratic(optimizer_class, steps, options):
    x, y = quadratic_minimum(optimizer_class, steps, **options)
    assert x == pytest.approx(3.0, abs=2e-2) and y == pytest.approx(-1.0, abs=2e-2)


def test_step_changes_data_only_and_builds_no_graph():
    p = param(1.0, 1.0)
    SGD([p], lr=0.1, momentum=0.5).step()
    assert p.op == "" and p.inputs == () and p.grad == 1.0


def test_zero_grad_resets_the_parameters_grads():
    ps = [param(1.0, 2.0), param(1.0, -3.0)]
    Adam(ps).zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


def test_a_parameter_listed_twice_is_updated_once():
    p = param(1.0, 1.0)
    SGD([p, p], lr=0.1).step()
    assert p.data == pytest.approx(0.9)


def test_params_may_be_a_module_or_a_generator():
    mlp = MLP(2, [2, 1], seed=0)
    assert SGD(mlp, lr=0.1).params == mlp.parameters()
    assert SGD((p for p in mlp.parameters()), lr=0.1).params == mlp.parameters()


def test_params_must_be_values():
    with pytest.raises(TypeError, match="Values"):
        SGD([1.0], lr=0.1)
    with pytest.raises(TypeError, match="one Value"):
        SGD(Value(1.0), lr=0.1)


def test_lr_is_settable_and_checked():
    p = param(1.0, 1.0)
    opt = SGD([p], lr=0.1)
    opt.lr = 0.5
    opt.step()
    assert p.data == pytest.approx(0.5)
    for bad in (-0.1, math.nan, math.inf, "0.1", None, True):
        with pytest.raises(ValueError, match="lr"):
            opt.lr = bad
    assert opt.lr == 0.5


def test_hyperparameters_are_checked():
    with pytest.raises(ValueError, match="betas"):
        Adam([Value(0.0)], betas=(1.0, 0.999))
    with pytest.raises(ValueError, match="alpha"):
        RMSprop([Value(0.0)], alpha=-0.1)
    with pytest.raises(ValueError, match="weight_decay"):
        SGD([Value(0.0)], lr=0.1, weight_decay=-1.0)


# ---------------------------------------------------------------- schedules
def test_lambda_lr_sets_base_lr_times_factor_of_the_step_count():
    opt = SGD([Value(0.0)], lr=2.0)
    sched = LambdaLR(opt, lambda k: 1 / (k + 1))
    assert opt.lr == 2.0
    sched.step()
    sched.step()
    assert opt.lr == pytest.approx(2.0 / 3)


def test_step_lr_multiplies_by_gamma_every_step_size_steps():
    opt = SGD([Value(0.0)], lr=1.0)
    sched = StepLR(opt, 2, gamma=0.5)
    seen = []
    for _ in range(5):
        seen.append(opt.lr)
        sched.step()
    assert seen == [1.0, 1.0, 0.5, 0.5, 0.25]


def test_linear_lr_is_micrograds_schedule():
    opt = SGD([Value(0.0)], lr=1.0)
    sched = LinearLR(opt, 100, end_factor=0.1)
    for k in range(100):
        assert opt.lr == pytest.approx(1.0 - 0.9 * k / 100)
        sched.step()
    sched.step()
    assert opt.lr == pytest.approx(0.1)  # held after total_iters


# ---------------------------------------------------------------- PyTorch
@pytest.mark.torch
@pytest.mark.parametrize(
    "ours, theirs, options",
    [
        (SGD, "SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
        (SGD, "SGD", {"lr": 0.1, "momentum": 0.8, "nesterov": True}),
        (Adam, "Adam", {"lr": 0.05, "betas": (0.8, 0.95), "weight_decay": 0.1}),
        (RMSprop, "RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6}),
    ],
    ids=["sgd-momentum", "nesterov", "adam", "rmsprop"],
)
def test_updates_agree_with_torch_optim(torch, ours, theirs, options):
    start, grads = [0.5, -1.5, 2.0], [[0.3, -0.1, 1.2], [-0.4, 0.0, 0.9], [1.1, -2.0, 0.05]]
    ps = [Value(x) for x in start]
    opt = ours(ps, **options)
    t = torch.tensor(start, requires_grad=True)
    topt = getattr(torch.optim, theirs)([t], **options)
    for g in grads:
        for p, gi in zip(ps, g):
            p.grad = gi
        opt.step()
        t.grad = torch.tensor(g)
        topt.step()
    assert [p.data for p in ps] == pytest.approx(t.tolist(), rel=1e-12, abs=1e-15)


# ---------------------------------------------------------------- gradient clipping
def test_clip_grad_norm_scales_a_large_gradient_down_to_max_norm_keeping_its_direction():
    ps = [param(0.0, 3.0), param(0.0, 4.0)]
    norm = clip_grad_norm(ps, 1.0)
    assert norm == 5.0
    assert [p.grad for p in ps] == pytest.approx([0.6, 0.8], rel=1e-6)


def test_clip_grad_norm_leaves_a_small_gradient_alone():
    ps = [param(0.0, 0.3), param(0.0, -0.4)]
    assert clip_grad_norm(ps, 1.0) == pytest.approx(0.5)
    assert [p.grad for p in ps] == [0.3, -0.4]


def test_clip_grad_norm_takes_a_module_and_checks_max_norm():
    mlp = MLP(2, [3, 1], seed=0)
    mlp([1.0, 2.0])[0].backward()
    norm = math.sqrt(sum(p.grad**2 for p in mlp.parameters()))
    assert clip_grad_norm(mlp, norm / 2) == pytest.approx(norm)
    assert math.sqrt(sum(p.grad**2 for p in mlp.parameters())) == pytest.approx(norm / 2)
    with pytest.raises(ValueError, match="max_norm must be a finite number >= 0.0"):
        clip_grad_norm(mlp, -1.0)
    with pytest.raises(TypeError, match="clip_grad_norm: params must be Values"):
        clip_grad_norm([1.0], 1.0)


@pytest.mark.torch
def test_clip_grad_norm_agrees_with_torch(torch):
    grads = [[3.0, -1.0], [0.5], [2.0, 2.0, -7.0]]
    for max_norm in (0.1, 5.0, 100.0):
        ps = [param(0.0, g) for gs in grads for g in gs]
        norm = clip_grad_norm(ps, max_norm)
        ts = [torch.zeros(len(gs), dtype=torch.float64, requires_grad=True) for gs in grads]
        for t, gs in zip(ts, grads):
            t.grad = torch.tensor(gs, dtype=torch.float64)
        t_norm = torch.nn.utils.clip_grad_norm_(ts, max_norm)
        assert norm == pytest.approx(t_norm.item(), rel=1e-12)
        theirs = [g for t in ts for g in t.grad.tolist()]
        assert [p.grad for p in ps] == pytest.approx(theirs, rel=1e-12)
