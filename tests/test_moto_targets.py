"""The moto adapter checks what it patches before patching: a renamed method, a changed signature or
a missing URL entry fails `install()` with one message naming moto's version and the supported range,
and nothing is patched."""

import tomllib
from pathlib import Path

import moto
import pytest
from moto.apigateway import models as moto_models
from moto.apigateway import urls as moto_urls

from labkit.backends.moto import patches
from labkit.backends.moto.patches import targets

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def unpatched(monkeypatch):
    """moto's classes as before install() (the originals behind the kit's wrappers), restored afterwards."""
    patches.install()
    originals = {}
    for wrap in targets.wraps():
        current = wrap.owner.__dict__[wrap.name]
        original = current.__wrapped__
        monkeypatch.setattr(wrap.owner, wrap.name, original)
        originals[(wrap.owner, wrap.name)] = original
    monkeypatch.setattr(moto_urls, "url_paths", dict(moto_urls.url_paths))
    return originals


def _assert_nothing_patched(originals, skip=()):
    for (owner, name), original in originals.items():
        if (owner, name) not in skip:
            assert owner.__dict__[name] is original, f"{owner.__name__}.{name} was patched"


def test_the_supported_range_is_pyprojects_moto_pin():
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    moto_pin = next(p for p in pins if p.startswith("moto"))
    assert moto_pin == f"moto[server]{targets.SUPPORTED_MOTO}"


def test_install_on_unpatched_moto_patches_every_target(unpatched):
    patches.install()
    for wrap in targets.wraps():
        assert getattr(wrap.owner.__dict__[wrap.name], "_labkit_patch", False), wrap.where


def test_a_renamed_method_fails_with_the_versions_and_patches_nothing(unpatched, monkeypatch):
    original = unpatched[(moto_models.RestAPI, "create_deployment")]
    monkeypatch.delattr(moto_models.RestAPI, "create_deployment")
    monkeypatch.setattr(moto_models.RestAPI, "create_new_deployment", original, raising=False)
    urls_before = dict(moto_urls.url_paths)
    with pytest.raises(patches.MotoIncompatibleError) as failed:
        patches.install()
    message = str(failed.value)
    assert f"moto {moto.__version__}" in message
    assert f"moto{targets.SUPPORTED_MOTO}" in message
    assert "moto.apigateway.models.RestAPI.create_deployment does not exist" in message
    assert "Nothing was patched" in message
    _assert_nothing_patched(unpatched, skip={(moto_models.RestAPI, "create_deployment")})
    assert moto_urls.url_paths == urls_before


def test_an_incompatible_signature_fails_naming_the_missing_parameter(unpatched, monkeypatch):
    def update_stage(self, rest_api_id, stage_name, patch_operations):  # moto renamed function_id
        raise AssertionError("not called")

    monkeypatch.setattr(moto_models.APIGatewayBackend, "update_stage", update_stage)
    with pytest.raises(patches.MotoIncompatibleError) as failed:
        patches.install()
    message = str(failed.value)
    assert "APIGatewayBackend.update_stage(self, rest_api_id, stage_name, patch_operations) lacks parameter(s) " \
           "function_id" in message
    assert moto.__version__ in message and targets.SUPPORTED_MOTO in message
    _assert_nothing_patched(unpatched, skip={(moto_models.APIGatewayBackend, "update_stage")})
    assert moto_models.APIGatewayBackend.__dict__["update_stage"] is update_stage


def test_a_missing_url_entry_fails(unpatched, monkeypatch):
    monkeypatch.delitem(moto_urls.url_paths, targets.METHOD_URL)
    with pytest.raises(patches.MotoIncompatibleError, match="TestInvokeMethod"):
        patches.install()
    _assert_nothing_patched(unpatched)


def test_wrappers_pass_through_arguments_they_do_not_use():
    patches.install()
    for wrap in targets.wraps():
        code = wrap.owner.__dict__[wrap.name].__code__
        assert code.co_flags & 0x04 and code.co_flags & 0x08, f"{wrap.where} must take *args and **kwargs"


def test_two_wraps_on_one_function_both_apply_once(monkeypatch):
    # control/ modules may wrap a function models.py already wraps: each factory applies once, in order.
    from labkit.backends.moto.patches.shared import Wrap

    class Model:
        def name(self):
            return "moto"

    def outer(label):
        def make(original):
            def wrapper(self):
                return f"{label}({original(self)})"
            return wrapper
        return make

    first, second = outer("first"), outer("second")
    extra = [Wrap(Model, "name", first), Wrap(Model, "name", second)]
    everything = targets.wraps() + extra
    monkeypatch.setattr(targets, "wraps", lambda: everything)
    monkeypatch.setattr(patches, "wraps", lambda: everything)
    patches.install()
    patches.install()  # idempotent
    assert Model().name() == "second(first(moto))"


def test_install_many_times_wraps_each_function_once():
    # Every Lab() calls install(); a factory built per call (checked_first(lookup)) must not stack up.
    from moto.apigateway.responses import APIGatewayResponse

    patches.install()
    before = APIGatewayResponse.get_integration
    for _ in range(3):
        patches.install()
    assert APIGatewayResponse.get_integration is before
