import imageio.v3 as iio
import numpy as np
import pandas as pd
import pytest

from ganops.evaluation.plots import gif_bytes, image_grid, loss_figure, samples_picture, to_uint8


def test_to_uint8_maps_the_tanh_range():
    np.testing.assert_array_equal(to_uint8(np.array([-1.0, 0.0, 1.0, 3.0])), [0, 128, 255, 255])


def test_image_grid_tiles_with_gutters_and_scale():
    grid = image_grid(np.ones((5, 4, 4, 1)), cols=3, scale=2)
    assert grid.shape == ((2 * 5 + 1) * 2, (3 * 5 + 1) * 2)
    rgb = image_grid(np.zeros((4, 4, 4, 3)))
    assert rgb.shape == (11, 11, 3)


def test_samples_picture_picks_grid_or_scatter():
    assert samples_picture(np.zeros((4, 8, 8, 1))).ndim == 2
    scatter = samples_picture(np.random.default_rng(0).normal(size=(50, 2)), np.zeros((10, 2)))
    assert scatter.ndim == 3 and scatter.shape[2] == 3


def test_loss_figure_splits_losses_from_diagnostics():
    df = pd.DataFrame(
        {
            "step": range(1, 11),
            "d_loss": np.ones(10),
            "g_loss": np.ones(10),
            "d_real": np.full(10, 0.5),
        }
    )
    fig = loss_figure(df)
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "diagnostics"]


@pytest.mark.parametrize(
    ("metric", "label"),
    [("fid", "score (lower is better)"), ("mixture_fit", "score (higher is better)")],
)
def test_the_score_panel_says_which_way_its_metric_is_better(metric, label):
    losses = pd.DataFrame({"step": range(1, 5), "d_loss": np.ones(4)})
    fig = loss_figure(losses, pd.DataFrame({"step": [2, 4], metric: [0.5, 0.4]}))
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", label]


def test_gif_has_one_frame_per_picture():
    frames = [np.full((8, 8), i * 40, np.uint8) for i in range(4)]
    assert iio.imread(gif_bytes(frames), index=None).shape[0] == 4
