"""Pure adversarial loss functions on discriminator/critic outputs (``keras.ops`` only)."""

from __future__ import annotations

from keras import ops


def _bce(logits, target: float):
    """Mean binary cross-entropy of logits against a constant target."""
    return ops.mean(
        ops.binary_crossentropy(ops.full_like(logits, target), logits, from_logits=True)
    )


def discriminator_minimax(real_logits, fake_logits, real_label: float = 1.0):
    """-log D(x) - log(1 - D(G(z))) (Goodfellow 2014); ``real_label`` < 1 smooths one side."""
    return _bce(real_logits, real_label) + _bce(fake_logits, 0.0)


def generator_non_saturating(fake_logits):
    """-log D(G(z)): the heuristic the paper recommends in practice (strong early gradients)."""
    return _bce(fake_logits, 1.0)


def generator_minimax(fake_logits):
    """log(1 - D(G(z))): the original objective, which saturates when D wins."""
    return -_bce(fake_logits, 0.0)


def critic_wasserstein(real_scores, fake_scores):
    """E[C(G(z))] - E[C(x)]: minus the critic's Wasserstein-1 estimate (Arjovsky 2017)."""
    return ops.mean(fake_scores) - ops.mean(real_scores)


def generator_wasserstein(fake_scores):
    """-E[C(G(z))] (Arjovsky 2017)."""
    return -ops.mean(fake_scores)


def discriminator_least_squares(real_out, fake_out, real_label: float = 1.0):
    """1/2 E[(D(x) - b)^2] + 1/2 E[D(G(z))^2] with a-b-c = 0-1-1 (Mao 2017)."""
    return 0.5 * ops.mean(ops.square(real_out - real_label)) + 0.5 * ops.mean(ops.square(fake_out))


def generator_least_squares(fake_out):
    """1/2 E[(D(G(z)) - 1)^2] (Mao 2017)."""
    return 0.5 * generator_squared_error(fake_out)


def generator_squared_error(fake_out):
    """E[(D(G(x)) - 1)^2]: least squares as the translation papers weigh it beside their
    reconstruction losses (Zhu 2017; Isola 2017's code), without Mao's 1/2."""
    return ops.mean(ops.square(fake_out - 1.0))


def discriminator_hinge(real_out, fake_out):
    """E[relu(1 - D(x))] + E[relu(1 + D(G(z)))] (Lim 2017, Miyato 2018)."""
    return ops.mean(ops.relu(1.0 - real_out)) + ops.mean(ops.relu(1.0 + fake_out))


def generator_hinge(fake_out):
    """-E[D(G(z))] (Lim 2017, Miyato 2018)."""
    return -ops.mean(fake_out)


def squared_norms(gradients):
    """Each sample's squared L2 norm over all its axes but the batch's."""
    return ops.sum(ops.square(gradients), axis=tuple(range(1, len(gradients.shape))))


def gradient_penalty(gradients):
    """E[(||grad C(x_hat)||_2 - 1)^2], each sample's norm over all its axes (Gulrajani 2017)."""
    norms = ops.sqrt(squared_norms(gradients) + 1e-12)  # finite grad at 0
    return ops.mean(ops.square(norms - 1.0))


def r1_penalty(gradients):
    """E[||grad D(x)||_2^2] on real inputs, each sample's over all its axes (Mescheder 2018)."""
    return ops.mean(squared_norms(gradients))


def interpolate(real, fake, alpha):
    """real + alpha (fake - real), one ``alpha`` of shape (batch,) per sample (Gulrajani 2017)."""
    alpha = ops.reshape(alpha, (-1,) + (1,) * (len(real.shape) - 1))
    return real + alpha * (fake - real)


def class_cross_entropy(one_hot, logits):
    """Mean categorical cross-entropy of class logits against one-hot targets (ACGAN's class
    loss, InfoGAN's categorical code, SGAN's labelled images)."""
    return ops.mean(ops.categorical_crossentropy(one_hot, logits, from_logits=True))


def gaussian_code_loss(codes, means):
    """Negative log-likelihood of continuous codes under N(means, 1), up to a constant
    (InfoGAN's continuous codes with a fixed standard deviation, Chen 2016)."""
    return ops.mean(ops.sum(ops.square(codes - means), axis=-1)) / 2.0
