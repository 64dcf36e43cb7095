"""NEWSDESK_DEVICE: CUDA when CTranslate2 sees a GPU (auto), the CPU otherwise; the compute type per device."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service import translation
from service.errors import InvalidSetting
from service.translation.models import choose_engine

CPU_TYPES = {"int8", "int8_float32", "float32"}
GPU_TYPES = {"int8", "int8_float16", "int8_float32", "float16", "float32", "bfloat16"}
OLD_GPU_TYPES = {"int8", "int8_float32", "float32"}  # no 16-bit arithmetic (compute capability < 7)


def supported(gpu_types=GPU_TYPES):
    return lambda device: gpu_types if device == "cuda" else CPU_TYPES


@pytest.mark.parametrize("device, compute_type, gpus, types, expected", [
    ("auto", "auto", 0, GPU_TYPES, ("cpu", "auto")),
    ("auto", "auto", 1, GPU_TYPES, ("cuda", "int8_float16")),
    ("auto", "auto", 1, {"float16", "float32"}, ("cuda", "float16")),
    ("auto", "auto", 1, OLD_GPU_TYPES, ("cuda", "auto")),
    ("cpu", "auto", 1, GPU_TYPES, ("cpu", "auto")),
    ("cuda", "auto", 2, GPU_TYPES, ("cuda", "int8_float16")),
    ("cuda", "float32", 1, GPU_TYPES, ("cuda", "float32")),
    ("auto", "int8", 0, GPU_TYPES, ("cpu", "int8")),
], ids=["no-gpu", "gpu", "gpu-float16", "old-gpu", "cpu-asked", "cuda-asked", "cuda-float32", "cpu-int8"])
def test_the_device_and_compute_type_chosen(device, compute_type, gpus, types, expected):
    assert choose_engine(device=device, compute_type=compute_type, cuda_devices=gpus, supported=supported(types)) == expected


@pytest.mark.parametrize("device, compute_type, gpus, message", [
    ("cuda", "auto", 0, "NEWSDESK_DEVICE=cuda, but CTranslate2 sees no CUDA device (a CPU-only build, no driver, or "
                        "CUDA_VISIBLE_DEVICES hides it): use auto or cpu"),
    ("gpu", "auto", 1, "NEWSDESK_DEVICE='gpu': use one of auto, cpu, cuda"),
    ("cpu", "float16", 0, "NEWSDESK_COMPUTE_TYPE='float16' is not supported on cpu: use auto or one of float32, int8, "
                          "int8_float32"),
], ids=["cuda-without-gpu", "unknown", "float16-on-cpu"])
def test_a_device_that_cannot_be_had_is_refused_with_the_fix(device, compute_type, gpus, message):
    with pytest.raises(InvalidSetting) as refused:
        choose_engine(device=device, compute_type=compute_type, cuda_devices=gpus, supported=supported())
    assert str(refused.value) == message


def test_on_this_machine_auto_chooses_what_ctranslate2_sees_and_says_so(settings, install, make_app):
    import ctranslate2

    install("en_de")
    gpus = ctranslate2.get_cuda_device_count()
    expected = choose_engine(device="auto", compute_type="auto", cuda_devices=gpus,
                             supported=lambda device: set(ctranslate2.get_supported_compute_types(device)))
    assert expected[0] == ("cuda" if gpus else "cpu")
    assert translation.engine(settings) == expected
    assert translation.translate(["Hello world."], "en", "de", settings) == ["<de> Hello world."]
    stats = make_app().test_client().get("/api/v1/stats").get_json()
    assert stats["engine"] == {"device": expected[0], "compute_type": expected[1]}
    # Forced onto the CPU, a machine with a GPU translates there too.
    assert translation.translate(["Hello world."], "en", "de", replace(settings, device="cpu")) == ["<de> Hello world."]
    if not gpus:
        with pytest.raises(InvalidSetting, match="NEWSDESK_DEVICE=cuda, but CTranslate2 sees no CUDA device"):
            translation.load_pack("en", "de", replace(settings, device="cuda"))
