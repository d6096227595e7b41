import numpy as np
import pytest
from kedro.io import DatasetError

from ganops.errors import DataError
from ganops.io import ArraysDataset, DirectoryDataset, KerasModelDataset, load_arrays


def test_arrays_round_trip_with_meta(tmp_path):
    ds = ArraysDataset(str(tmp_path / "sub" / "a.npz"))
    ds.save({"x": np.arange(6).reshape(2, 3), "meta": {"kind": "points", "n": 2}})
    out = ds.load()
    np.testing.assert_array_equal(out["x"], np.arange(6).reshape(2, 3))
    assert out["meta"] == {"kind": "points", "n": 2}
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["a.npz"]  # no temp file left


def test_missing_and_corrupt_files_name_the_file(tmp_path):
    with pytest.raises(DataError, match="nothere.npz"):
        load_arrays(tmp_path / "nothere.npz")
    with pytest.raises(DatasetError, match="nothere.npz: no such file"):  # Kedro wraps ours
        ArraysDataset(str(tmp_path / "nothere.npz")).load()
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 definitely not a zip")
    with pytest.raises(DataError, match="bad.npz: not a readable"):
        load_arrays(bad)


def test_a_corrupt_member_or_meta_names_the_file(tmp_path):
    path = tmp_path / "a.npz"
    ArraysDataset(str(path)).save({"x": np.arange(4096), "meta": {}})
    data = bytearray(path.read_bytes())
    data[100:140] = bytes(40)  # inside x.npy's compressed stream: a zlib error
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match="a.npz: not a readable .npz file"):
        load_arrays(path)
    np.savez(path, x=np.ones(2), meta=np.asarray("not json {"))
    with pytest.raises(DataError, match="a.npz: not a readable .npz file"):
        load_arrays(path)


def test_outputs_get_the_umasks_mode_not_a_temporary_files(tmp_path):
    ArraysDataset(str(tmp_path / "a.npz")).save({"x": np.ones(2), "meta": {}})
    np.save(tmp_path / "plain.npy", np.ones(2))
    assert (tmp_path / "a.npz").stat().st_mode == (tmp_path / "plain.npy").stat().st_mode


def test_failed_save_leaves_previous_file_intact(tmp_path):
    ds = ArraysDataset(str(tmp_path / "a.npz"))
    ds.save({"x": np.ones(3), "meta": {}})
    with pytest.raises(DatasetError, match="not JSON serializable"):
        ds.save({"x": np.ones(3), "meta": {"not json": object()}})
    np.testing.assert_array_equal(ds.load()["x"], np.ones(3))
    assert len(list(tmp_path.iterdir())) == 1


def test_directory_dataset_loads_as_a_path_without_creating_it(tmp_path):
    path = DirectoryDataset(str(tmp_path / "a" / "b")).load()
    assert path == tmp_path / "a" / "b" and not path.exists()


def test_keras_model_round_trip(tmp_path):
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    ds = KerasModelDataset(str(tmp_path / "m" / "generator.keras"))
    ds.save(model)
    loaded = ds.load()
    x = np.ones((1, 3), np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [p.name for p in (tmp_path / "m").iterdir()] == ["generator.keras"]
    with pytest.raises(DatasetError, match="other.keras: no such model file"):
        KerasModelDataset(str(tmp_path / "other.keras")).load()


def test_the_same_model_saves_to_the_same_bytes(tmp_path):
    """Two builds of one model (other Python objects: Keras writes their ids) saved two
    seconds apart (the zip's time grain), and the model loaded back (its layers no longer
    share a dtype policy): one archive, bit for bit, loading back the same."""
    import time
    import zipfile

    import keras

    def build():
        keras.backend.clear_session()  # the same layer names, as in a fresh process
        keras.utils.set_random_seed(0)
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)], name="model")

    first = build()
    first.save(tmp_path / "plain.keras")
    assert b"shared_object_id" in zipfile.ZipFile(tmp_path / "plain.keras").read("config.json")
    KerasModelDataset(str(tmp_path / "a.keras")).save(first)
    time.sleep(2.1)
    KerasModelDataset(str(tmp_path / "b.keras")).save(build())
    assert (tmp_path / "a.keras").read_bytes() == (tmp_path / "b.keras").read_bytes()
    x = np.ones((2, 4), "float32")
    loaded = KerasModelDataset(str(tmp_path / "a.keras")).load()
    np.testing.assert_allclose(loaded.predict(x, verbose=0), first.predict(x, verbose=0))
    KerasModelDataset(str(tmp_path / "c.keras")).save(loaded)
    assert (tmp_path / "c.keras").read_bytes() == (tmp_path / "a.keras").read_bytes()
