"""``skgen.load``: read a model that an estimator's ``save`` wrote."""

from ._engine._persistence import load_estimator, read_config_json
from .autoencoder import (
    ConvolutionalAutoencoder,
    DenoisingAutoencoder,
    HashingAutoencoder,
    LinearAutoencoder,
    RecurrentAutoencoder,
    SparseAutoencoder,
    StackedAutoencoder,
)
from .diffusion import DDPM
from .gan import GAN
from .outlier import OutlierDetector
from .outlier._saving import load_detector
from .vae import VariationalAutoencoder

# The only classes load builds: a saved file names one of these, nothing else.
ESTIMATORS = {cls.__name__: cls for cls in (
    ConvolutionalAutoencoder, DDPM, DenoisingAutoencoder, GAN, HashingAutoencoder,
    LinearAutoencoder, RecurrentAutoencoder, SparseAutoencoder, StackedAutoencoder,
    VariationalAutoencoder)}


def load(path, *, device="cpu", networks=None):
    """Load a model saved with an estimator's ``save``, without pickle.

    Also loads an :class:`~skgen.OutlierDetector` saved with its ``save``.

    Reading never runs code from the files: ``config.json`` is parsed as
    JSON, the weights are read with safetensors, the estimator's class must
    be one of skgen's own, and every other object is rebuilt from plain data
    (arrays, tuples, random states). The loaded estimator gives the same
    ``transform``, ``inverse_transform``, ``score_samples`` and
    ``sample(random_state=...)`` as the saved one, bit for bit on the same
    device, and can continue training (``partial_fit``, ``warm_start``).

    Parameters
    ----------
    path : str or path-like
        The directory that ``save`` wrote.
    device : str, torch.device or None, default="cpu"
        Where the weights go, and the loaded estimator's ``device``
        parameter: ``"cpu"`` works on every machine, whatever device the
        model was trained on; ``"cuda"``, ``"cuda:1"``, ``"mps"`` or
        ``"auto"`` (a GPU when there is one) as for fitting. None keeps the
        saved ``device`` parameter, falling back to the CPU with a warning
        when this machine lacks the saved accelerator.
    networks : dict, default=None
        The user's own networks of a model fitted with one (the ``encoder``,
        ``decoder``, ``generator``, ``discriminator`` or ``denoiser``
        parameter): ``{parameter name: module instance or class}``, as
        passed when fitting. The file records their class name only, never
        their code; their trained weights come from the file.

    Returns
    -------
    estimator : estimator instance
        The fitted estimator.

    Raises
    ------
    FileNotFoundError
        When ``path``, its ``config.json`` or a weights file is missing.
    ValueError
        When the files are not a skgen model, come from a newer format,
        name an estimator or object skgen does not load, set unknown
        parameters or attributes, or hold tensors whose names or shapes do
        not fit the network.

    See Also
    --------
    pickle : Also stores custom callbacks and subclasses, but loading a
        pickle runs code named in the file.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.datasets import load_digits
    >>> import skgen
    >>> X = load_digits().data[:100] / 16
    >>> ae = skgen.LinearAutoencoder(2, max_iter=2, random_state=0).fit(X)
    >>> path = ae.save(tempfile.mkdtemp() + "/ae")
    >>> loaded = skgen.load(path)
    >>> bool((loaded.transform(X) == ae.transform(X)).all())
    True
    """
    def load_model(where):
        return load_estimator(where, known=ESTIMATORS, device=device, networks=networks)

    config = read_config_json(path)
    if config.get("estimator") == OutlierDetector.__name__:
        return load_detector(OutlierDetector, path, config, load_model)
    return load_model(path)
