"""The UI tests' FakeService cannot drift from ConsoleService: same public names, same signatures."""

from __future__ import annotations

import inspect

import pytest
from ui_fakes import FakeService

from agentconsole.service import ConsoleService


def _public(cls: type) -> dict[str, object]:
    return {
        name: member
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and (inspect.isfunction(member) or isinstance(member, property))
    }


FAKE = _public(FakeService)
REAL = _public(ConsoleService)


def test_the_fake_offers_only_what_the_service_has() -> None:
    assert sorted(set(FAKE) - set(REAL)) == []


@pytest.mark.parametrize("name", sorted(FAKE))
def test_each_fake_method_has_the_real_signature(name: str) -> None:
    fake, real = FAKE[name], REAL[name]
    assert isinstance(fake, property) == isinstance(real, property), f"{name}: property on one side only"
    if isinstance(fake, property):
        return
    assert callable(fake) and callable(real)
    fake_sig, real_sig = inspect.signature(fake), inspect.signature(real)
    # names, kinds and defaults: how the UI calls it (annotations may be spelled differently)
    assert [(p.name, p.kind, p.default) for p in fake_sig.parameters.values()] == [
        (p.name, p.kind, p.default) for p in real_sig.parameters.values()
    ], f"{name}{fake_sig} != {name}{real_sig}"
