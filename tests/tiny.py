"""Tiny configurations that train in seconds on 2 CPU cores (shared by every test)."""

TINY_MODELS = {
    "gan": {
        "latent_dim": 8,
        "generator_units": [32],
        "discriminator_units": [16],
        "discriminator_dropout": [0.3],
    },
    "dcgan": {"generator_filters": [16, 8, 8], "discriminator_filters": [8, 8]},
}
TINY_NETWORKS = {  # the variants whose networks follow the data (conv for images, MLP for points)
    "latent_dim": 8,
    "generator_filters": [16, 8, 8],
    "discriminator_filters": [8, 8],
    "generator_units": [16],
    "discriminator_units": [16],
}
TINY_MODELS |= {name: TINY_NETWORKS for name in ("wgan", "lsgan", "wgan_gp", "sngan")}
TINY_MODELS |= {name: TINY_MODELS["gan"] for name in ("mode_collapse", "convergence_failure")}
TINY_CONV = {"latent_dim": 8, "generator_filters": [16, 8, 8], "discriminator_filters": [8, 8]}
TINY_MODELS |= {
    "cgan": TINY_CONV | {"label_embedding": 4},
    "acgan": TINY_CONV | {"label_embedding": 4},
    "sgan": TINY_CONV | {"labelled": 20},
    "infogan": TINY_CONV | {"codes": 10, "continuous_codes": 2},
}
TINY_MODELS |= {
    "pix2pix": {"generator_filters": [8, 16], "discriminator_filters": [8, 16]},
    "srgan": {
        "generator_filters": 8,
        "residual_blocks": 1,
        "discriminator_filters": [8],
        "discriminator_dense": 16,
        "pretrain_steps": 3,
    },
    "srresnet": {"generator_filters": 8, "residual_blocks": 1},
    "context_encoder": {
        "generator_filters": [8, 16],
        "bottleneck": 16,
        "discriminator_filters": [8, 16],
    },
}
TINY_MODELS |= {
    "cyclegan": {
        "generator_filters": 4,
        "residual_blocks": 1,
        "discriminator_filters": [8, 8],
        "history": 6,
    },
    "discogan": {"generator_filters": [8, 16], "discriminator_filters": [8, 8]},
    "cartoongan": {
        "generator_filters": 4,
        "residual_blocks": 1,
        "discriminator_filters": [8, 8],
        "pretrain_steps": 2,
    },
}
TINY_MODELS |= {
    "vae": {"filters": [8, 8], "hidden": 8, "importance_samples": 4},
    "pixelcnn": {"filters": 8, "residual_blocks": 1, "output_layers": 1},
}
#: The embedded paired datasets, shrunk (the e2e projects' parameters_ingest.yml).
TINY_PHOTOS = {
    f"datasets.{name}.{key}": value
    for name in ("photos_color", "photos_sr", "photos_inpaint")
    for key, value in {"patches_per_photo": 8, "patch": 64}.items()
}
TINY_TRAIN = {
    "steps": 6,
    "batch_size": 16,
    "checkpoint_every": 3,
    "sample_every": 3,
    "sample_count": 4,
    "log_every": 2,
    "evaluate_every": 3,
    "evaluate_samples": 64,
    "progress_bar": False,
}
