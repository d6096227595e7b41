"""The code MLflow runs to load a registered generator (MLflow's "models from code").

``log_generator`` logs this file as the version's model: MLflow copies it into the version and
runs it on load, so loading runs the package's own ``GeneratorModel`` (no pickle). The
generator itself is the version's ``generator`` artifact (.keras), read by ``load_context``.
"""

import mlflow

from ganops.serving.pyfunc import GeneratorModel

mlflow.models.set_model(GeneratorModel())
