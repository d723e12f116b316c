"""nn.losses: each loss against its closed form, in value and in gradient (and the
triplet loss against PyTorch)."""

import math
import random

import pytest

from autograd import Value, gradcheck, topological_order
from nn import bce_with_logits, cross_entropy, hinge_loss, l2, mse_loss, triplet_margin_loss


def values(*xs):
    return [Value(x) for x in xs]


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


# ---------------------------------------------------------------- mse
def test_mse_is_the_mean_square_error_and_its_gradient_is_2_d_over_n():
    p = values(1.0, 2.0)
    loss = mse_loss(p, [0.5, 3.0])
    assert loss.data == pytest.approx((0.5**2 + 1.0**2) / 2)
    loss.backward()
    assert [v.grad for v in p] == pytest.approx([2 * 0.5 / 2, 2 * -1.0 / 2])


def test_mse_averages_over_every_element_of_multi_output_predictions():
    p = [values(1.0, 0.0), values(0.0, 2.0)]
    loss = mse_loss(p, [[0.0, 0.0], [0.0, 0.0]])
    assert loss.data == pytest.approx((1 + 0 + 0 + 4) / 4)
    loss.backward()
    assert p[1][1].grad == pytest.approx(2 * 2.0 / 4)


def test_mse_sums_squares_in_one_dot_node():
    loss = mse_loss(values(1.0, 2.0, 3.0), [0.0, 0.0, 0.0])
    ops = [n.op for n in topological_order(loss) if n.op]
    assert ops.count("dot") == 1 and "**" not in ops


def test_mse_accepts_one_output_lists_and_numbers():
    assert mse_loss([[Value(1.0)], 2.0], [0.0, [2.0]]).data == pytest.approx(0.5)


def test_mse_gradcheck():
    assert gradcheck(lambda a, b, c: mse_loss([a, b, c], [0.3, -1.0, 2.0]), [0.1, 0.7, -0.4])


# ---------------------------------------------------------------- hinge
def test_hinge_is_the_mean_of_relu_one_minus_y_s():
    s = values(0.5, -2.0, 3.0, 2.0)
    loss = hinge_loss(s, [1, 1, -1, 1])
    # terms: 1-0.5 = 0.5, 1+2 = 3, 1+3 = 4, and 0 for the last (margin 2 >= 1)
    assert loss.data == pytest.approx((0.5 + 3 + 4 + 0) / 4)
    loss.backward()
    assert [v.grad for v in s] == pytest.approx([-1 / 4, -1 / 4, 1 / 4, 0.0])


def test_hinge_accepts_float_labels_and_model_output_lists():
    assert hinge_loss([[Value(0.0)]], [1.0]).data == 1.0


def test_hinge_labels_must_be_minus_one_or_one():
    for bad in (0, 2, True, "1", None, 0.5):
        with pytest.raises(ValueError, match="-1 or 1"):
            hinge_loss(values(0.5), [bad])


# ---------------------------------------------------------------- bce
@pytest.mark.parametrize("z", [-30.0, -3.0, -0.4, 0.0, 0.4, 3.0, 30.0])
@pytest.mark.parametrize("y", [0, 1])
def test_bce_matches_the_closed_form_and_its_gradient_is_sigmoid_minus_y(z, y):
    logit = Value(z)
    loss = bce_with_logits([logit], [y])
    p = sigmoid(z)
    expected = -(y * math.log(p) + (1 - y) * math.log(1 - p)) if abs(z) < 30 else max(z, 0) - y * z
    assert loss.data == pytest.approx(expected, rel=1e-12, abs=1e-12)
    loss.backward()
    assert logit.grad == pytest.approx(p - y, rel=1e-12, abs=1e-15)


def test_bce_gradient_at_zero_logit_is_exactly_one_half_minus_y():
    a, b = Value(0.0), Value(0.0)
    bce_with_logits([a, b], [0, 1]).backward()
    assert (a.grad, b.grad) == (0.5 / 2, -0.5 / 2)


@pytest.mark.parametrize("z", [1000.0, -1000.0, 1e300, -1e300])
def test_bce_is_stable_for_huge_logits(z):
    for y in (0, 1):
        logit = Value(z)
        loss = bce_with_logits([logit], [y])
        wrong_side = (z > 0) != (y == 1)
        assert loss.data == (abs(z) if wrong_side else 0.0)
        loss.backward()
        assert logit.grad == (0.0 if not wrong_side else (1.0 if y == 0 else -1.0))


def test_bce_is_a_mean_over_samples():
    z = values(0.3, -1.2, 2.0)
    y = [1, 0, 0]
    loss = bce_with_logits(z, y)
    expected = sum(math.log1p(math.exp(v.data)) - t * v.data for v, t in zip(z, y)) / 3
    assert loss.data == pytest.approx(expected)
    loss.backward()
    assert [v.grad for v in z] == pytest.approx([(sigmoid(v.data) - t) / 3 for v, t in zip(z, y)])


def test_bce_labels_must_be_zero_or_one():
    for bad in (-1, 2, 0.5, False, "0"):
        with pytest.raises(ValueError, match="0 or 1"):
            bce_with_logits(values(0.5), [bad])


def test_bce_is_one_softplus_node_per_sample():
    loss = bce_with_logits([Value(0.3)], [1])
    assert loss.op == "softplus" and loss.inputs[0].op == "neg"  # softplus(-z) for y = 1


# ---------------------------------------------------------------- cross-entropy
def test_cross_entropy_is_logsumexp_minus_the_target_logit():
    z = values(1.0, 2.0, 3.0)
    loss = cross_entropy(z, 0)
    lse = math.log(math.e + math.e**2 + math.e**3)
    assert loss.data == pytest.approx(lse - 1.0)
    loss.backward()
    softmax = [math.exp(v.data - lse) for v in z]
    assert [v.grad for v in z] == pytest.approx([softmax[0] - 1, softmax[1], softmax[2]])


def test_cross_entropy_is_stable_for_huge_logits():
    z = values(1000.0, 0.0, -1000.0)
    loss = cross_entropy(z, 1)
    assert loss.data == 1000.0
    loss.backward()
    assert [v.grad for v in z] == [1.0, -1.0, 0.0]
    assert cross_entropy(values(1000.0, 1000.0), 0).data == pytest.approx(math.log(2))
    assert cross_entropy(values(-1e6, -1e6 + 1), 1).data == pytest.approx(math.log1p(math.exp(-1)))


def test_cross_entropy_gradcheck():
    assert gradcheck(lambda a, b, c, d: cross_entropy([a, b, c, d], 2), [0.2, -1.3, 0.8, 2.1])


def test_cross_entropy_accepts_numpy_like_integer_targets_and_rejects_the_rest():
    from fractions import Fraction

    assert cross_entropy(values(0.0, 0.0), 1).data == pytest.approx(math.log(2))
    with pytest.raises(ValueError, match="not a class index"):
        cross_entropy(values(0.0, 0.0), 2)
    with pytest.raises(ValueError, match="not a class index"):
        cross_entropy(values(0.0, 0.0), -1)
    for bad in (1.0, True, "1", Fraction(1, 1)):
        with pytest.raises(TypeError, match="int class index"):
            cross_entropy(values(0.0, 0.0), bad)
    with pytest.raises(ValueError, match="no logits"):
        cross_entropy([], 0)


# ---------------------------------------------------------------- l2
def test_l2_is_the_sum_of_squares_with_gradient_2p():
    p = values(3.0, -4.0)
    loss = l2(p)
    assert loss.data == 25.0
    loss.backward()
    assert [v.grad for v in p] == [6.0, -8.0]
    assert loss.op == "dot"


def test_l2_of_nothing_is_zero_and_it_needs_values():
    assert l2([]).data == 0.0
    with pytest.raises(TypeError, match="Values"):
        l2([1.0])


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "loss, labels", [(mse_loss, [0.0]), (hinge_loss, [1]), (bce_with_logits, [1])]
)
def test_lengths_must_match_and_be_nonzero(loss, labels):
    with pytest.raises(ValueError, match="1 predictions but 2 targets"):
        loss(values(0.5), labels * 2)
    with pytest.raises(ValueError, match="no samples"):
        loss([], [])


@pytest.mark.parametrize("loss", [mse_loss, hinge_loss, bce_with_logits])
def test_a_single_value_instead_of_a_list_is_a_type_error(loss):
    with pytest.raises(TypeError, match="must be a list"):
        loss(Value(0.5), [1])


# ---------------------------------------------------------------- PyTorch
@pytest.mark.torch
def test_losses_agree_with_torch(torch):
    F = torch.nn.functional
    zs, ys = [0.3, -1.7, 4.0, -0.2], [1, 0, 0, 1]
    ours = values(*zs)
    loss = bce_with_logits(ours, ys)
    loss.backward()
    t = torch.tensor(zs, requires_grad=True)
    ref = F.binary_cross_entropy_with_logits(t, torch.tensor(ys, dtype=torch.float64))
    ref.backward()
    assert loss.data == pytest.approx(ref.item(), rel=1e-12)
    assert [v.grad for v in ours] == pytest.approx(t.grad.tolist(), rel=1e-12)

    ours = values(*zs)
    loss = cross_entropy(ours, 2)
    loss.backward()
    t = torch.tensor(zs, requires_grad=True)
    ref = F.cross_entropy(t.unsqueeze(0), torch.tensor([2]))
    ref.backward()
    assert loss.data == pytest.approx(ref.item(), rel=1e-12)
    assert [v.grad for v in ours] == pytest.approx(t.grad.tolist(), rel=1e-12)


# ---------------------------------------------------------------- triplet margin
def test_triplet_loss_is_the_margin_violation_of_the_two_distances():
    anchor, positive, negative = [0.0, 0.0], [3.0, 4.0], [6.0, 8.0]
    d_ap = math.dist([1e-6, 1e-6], [3.0, 4.0])  # PyTorch adds eps to every difference
    d_an = math.dist([1e-6, 1e-6], [6.0, 8.0])
    loss = triplet_margin_loss(anchor, positive, negative, margin=6.0)
    assert loss.data == pytest.approx(d_ap - d_an + 6.0, rel=1e-12)


def test_triplet_loss_is_zero_once_the_negative_is_far_enough():
    assert triplet_margin_loss([0.0], [1.0], [3.0], margin=1.0).data == 0.0


def test_triplet_loss_pulls_the_positive_in_and_pushes_the_negative_out():
    a, p, n = values(0.0, 0.0), values(1.0, 0.0), values(0.0, 1.5)
    triplet_margin_loss(a, p, n).backward()
    assert p[0].grad > 0.0  # increasing p's distance increases the loss
    assert n[1].grad < 0.0
    assert gradcheck(
        lambda *xs: triplet_margin_loss(xs[0:2], xs[2:4], xs[4:6]), [0.1, 0.2, 1.0, -0.3, 0.2, 1.1]
    )


def test_triplet_loss_checks_its_arguments():
    with pytest.raises(ValueError, match="of one length, got lengths 2, 1, 2"):
        triplet_margin_loss([0.0, 1.0], [1.0], [2.0, 3.0])
    with pytest.raises(ValueError, match="margin must be a finite number >= 0.0"):
        triplet_margin_loss([0.0], [1.0], [2.0], margin=-1.0)
    with pytest.raises(TypeError, match="must be a list"):
        triplet_margin_loss(0.0, [1.0], [2.0])


@pytest.mark.torch
def test_triplet_loss_equals_torchs(torch):
    rng = random.Random(0)
    for margin in (0.5, 1.0, 3.0):
        a, p, n = ([rng.uniform(-1, 1) for _ in range(4)] for _ in range(3))
        ours = [values(*v) for v in (a, p, n)]
        loss = triplet_margin_loss(*ours, margin=margin)
        loss.backward()
        theirs = [torch.tensor([v], dtype=torch.float64, requires_grad=True) for v in (a, p, n)]
        t_loss = torch.nn.functional.triplet_margin_loss(*theirs, margin=margin, p=2)
        t_loss.backward()
        assert loss.data == pytest.approx(t_loss.item(), rel=1e-12, abs=1e-15)
        for vs, t in zip(ours, theirs):
            assert [v.grad for v in vs] == pytest.approx(t.grad[0].tolist(), rel=1e-12, abs=1e-15)
