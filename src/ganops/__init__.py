"""ganops: reproducible, registered GANs from The GAN Book."""

__version__ = "0.1.0"
