"""Rebuilding a loaded model's net, and the checks that a file fits it.

torch does not check that loaded tensors fit a network or an optimizer (a
kernel would read past the end of a smaller tensor), so every tensor of a
saved model is checked against what its parameters build before it is
loaded.
"""

import torch
from skorch.history import History

from ._torch import check_mixed_precision


def check_optimizer_state(optimizer, saved, name, source):
    """Raise a ``ValueError`` unless ``saved`` (a decoded state dict) has
    the parameter groups of ``optimizer`` and per-parameter tensors shaped
    like the parameters: torch does not check, and a kernel would read past
    the end of a smaller tensor."""

    def fail(what):
        return ValueError(
            f"The state of '{name}' saved in {source} does not fit the network: {what}."
        )

    if not (
        isinstance(saved, dict)
        and set(saved) == {"state", "param_groups"}
        and isinstance(saved["state"], dict)
        and isinstance(saved["param_groups"], list)
    ):
        raise fail("it is not an optimizer state")
    groups = optimizer.param_groups
    if len(saved["param_groups"]) != len(groups) or any(
        not isinstance(g, dict)
        or not isinstance(g.get("params"), list)
        or len(g["params"]) != len(own["params"])
        for g, own in zip(saved["param_groups"], groups)
    ):
        raise fail("its parameter groups differ")
    ids = [i for g in saved["param_groups"] for i in g["params"]]
    params = dict(zip(ids, (p for own in groups for p in own["params"])))
    for key, entries in saved["state"].items():
        param = params.get(int(key)) if str(key).isdigit() else None
        if param is None or not isinstance(entries, dict):
            raise fail(f"it has state for an unknown parameter {key!r}")
        for entry, value in entries.items():
            if not torch.is_tensor(value):
                continue
            if entry == "step":
                ok = value.numel() == 1
            else:
                ok = value.shape == param.shape and value.is_floating_point()
            if not ok:
                raise fail(
                    f"{entry!r} of parameter {key} has shape {tuple(value.shape)} "
                    f"and dtype {value.dtype}; the parameter has shape "
                    f"{tuple(param.shape)}"
                )


def check_state_dict(module, state, what, source):
    """Raise a ``ValueError`` naming missing, unexpected or misshapen tensors."""
    expected = module.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    shapes = [
        f"{k}: saved {tuple(state[k].shape)}, expected {tuple(v.shape)}"
        for k, v in expected.items()
        if k in state and tuple(state[k].shape) != tuple(v.shape)
    ]
    problems = []
    if missing:
        problems.append(f"missing tensors {missing[:5]}{' ...' * (len(missing) > 5)}")
    if unexpected:
        problems.append(f"unexpected tensors {unexpected[:5]}{' ...' * (len(unexpected) > 5)}")
    if shapes:
        problems.append("mismatched shapes (" + "; ".join(shapes[:5]) + ")")
    if problems:
        raise ValueError(
            f"The {what} saved in {source} do not fit the network its "
            f"parameters build: {', '.join(problems)}."
        )


def restore_history(records):
    """A skorch ``History`` from the saved list of epoch records."""
    history = History()
    history.extend(records)
    return history


def restore_net(est, *, module_state, criterion_state, net_config, optimizer_state, device, source):
    """Rebuild ``est.net_`` for :func:`skgen.load`: the network and the
    objective that the fit built (from the shape parameters it recorded in
    ``_module_signature``, which later ``set_params`` calls do not change,
    and its ``spec_``), holding the saved tensors, in a net with the fit's
    optimizer, built by the estimator's own ``_make_net`` as a fresh fit
    builds it."""
    current = {k: getattr(est, k) for k in est._module_params}
    precision = est.mixed_precision
    try:
        for key in est._module_params:
            setattr(est, key, est._module_signature[key])
        module = est._new_network(est.spec_)
        check_state_dict(module, module_state, "network weights", source)
        module.load_state_dict(module_state)
        try:
            check_mixed_precision(precision, device)
        except ValueError:
            # fp16 training needs CUDA, inference does not: the model
            # loads, and a continued fit on this device raises as usual.
            est.mixed_precision = None
        net = est._make_net(
            module,
            est._build_objective(),
            device,
            net_config["batch_size"],
            callbacks=[],
            max_epochs=net_config["max_epochs"],
            optimizer=(net_config["optimizer"], net_config["optimizer_params"]),
        )
    finally:
        for key, value in current.items():
            setattr(est, key, value)
        est.mixed_precision = precision
    check_state_dict(net.criterion_, criterion_state, "objective buffers", source)
    net.criterion_.load_state_dict(criterion_state)
    net.history_ = restore_history(net_config["history"])
    net.best_losses_ = dict(net_config["best_losses"])
    if optimizer_state is not None:
        _restore_optimizers(est, net, optimizer_state, source)
    est.net_ = net


def _restore_optimizers(est, net, optimizer_state, source):
    expected = set(net._optimizers) | {"grad_scaler"}
    if not isinstance(optimizer_state, dict) or set(optimizer_state) != expected:
        raise ValueError(
            f"The optimizer state saved in {source} has entries "
            f"{sorted(optimizer_state)}; {type(est).__name__} has "
            f"{sorted(expected)}."
        )
    for name in net._optimizers:
        optimizer = getattr(net, name + "_")
        saved = optimizer_state[name]
        check_optimizer_state(optimizer, saved, name, source)
        optimizer.load_state_dict(
            {
                "state": {int(k): v for k, v in saved["state"].items()},
                "param_groups": saved["param_groups"],
            }
        )
    if optimizer_state["grad_scaler"] is not None and net.grad_scaler_ is not None:
        net.grad_scaler_.load_state_dict(optimizer_state["grad_scaler"])
