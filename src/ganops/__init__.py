"""ganops: reproducible, registered GANs from The GAN Book."""

import os
from importlib.util import find_spec

__version__ = "0.1.0"

# Keras defaults to TensorFlow; a machine with JAX and no TensorFlow (many GPU machines, a
# served model whose requirements name jax) runs on JAX without being told.
if "KERAS_BACKEND" not in os.environ and find_spec("tensorflow") is None and find_spec("jax"):
    os.environ["KERAS_BACKEND"] = "jax"
