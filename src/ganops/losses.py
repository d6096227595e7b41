"""Pure adversarial loss functions on discriminator logits (``keras.ops`` only)."""

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


GENERATOR_LOSSES = {"non_saturating": generator_non_saturating, "minimax": generator_minimax}
