"""The project's configuration loader: environment variables in the credentials and the
tracking settings, never in the parameters that MLflow logs."""

import pytest

from ganops.errors import ConfigError
from ganops.loader import LOADER_ARGS, ConfigLoader

PATTERNS = {"mlflow": ["mlflow*", "mlflow*/**"]}  # kedro-mlflow's, added by its hook


def loader(tmp_path, files: dict[str, str]) -> ConfigLoader:
    for name, text in files.items():
        path = tmp_path / "conf" / "base" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "conf" / "local").mkdir(exist_ok=True)
    return ConfigLoader(str(tmp_path / "conf"), config_patterns=PATTERNS, **LOADER_ARGS)


def test_credentials_and_tracking_settings_read_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GANOPS_TEST_SECRET", "s3cr3t")
    conf = loader(
        tmp_path,
        {
            "credentials.yml": "db: {password: '${oc.env:GANOPS_TEST_SECRET}'}\n",
            "mlflow.yml": "server: {uri: '${oc.env:GANOPS_TEST_SECRET,http://x}'}\n",
        },
    )
    assert conf["credentials"]["db"]["password"] == "s3cr3t"
    assert conf["mlflow"]["server"]["uri"] == "s3cr3t"


def test_parameters_that_read_the_environment_are_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GANOPS_TEST_SECRET", "s3cr3t")
    conf = loader(
        tmp_path,
        {
            "parameters.yml": "token: '${oc.env:GANOPS_TEST_SECRET}'\n",
            "mlflow.yml": "server: {uri: '${oc.env:GANOPS_TEST_SECRET}'}\n",
        },
    )
    with pytest.raises(ConfigError, match=r"parameters: \$\{oc.env:...\} reads an environment"):
        conf["parameters"]
    assert conf["mlflow"]["server"]["uri"] == "s3cr3t"
    with pytest.raises(ConfigError):  # reading mlflow.yml left no resolver on for the rest
        conf["parameters"]


def test_kedro_uses_this_loader():
    from ganops import settings

    assert settings.CONFIG_LOADER_CLASS is ConfigLoader
    assert settings.CONFIG_LOADER_ARGS == LOADER_ARGS
