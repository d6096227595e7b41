"""The project's error types: each names the culprit (a file, a key, a step)."""


class GanopsError(Exception):
    """Base class for every error ganops raises on purpose."""


class DataError(GanopsError, ValueError):
    """Input data is missing, corrupt or malformed; the message names the file or key."""


class ConfigError(GanopsError, ValueError):
    """A parameter is invalid or unknown; the message names the key."""


class TrainingDiverged(GanopsError, RuntimeError):
    """A loss became NaN or infinite; the last good checkpoint is kept."""


class StorageError(GanopsError, OSError):
    """A file could not be written (disk full, file too large, no permission); the file it
    would have replaced is intact."""
