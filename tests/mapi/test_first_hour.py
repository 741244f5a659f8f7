"""The errors a student meets in the first hour, as the MATLAB-facing functions give them.

Each message is checked for what it says: the argument named as in the .m
help (A, B, IMAGES, MASKS, 'Target'...), the values as MATLAB writes them
(7, 0.8, 32x32x3; never np.int64(7)), and the fix to type. The same cases
run from Octave in matlab/tests/test_first_hour.m.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from numpy.testing import assert_allclose

from pybridge import convert, mapi
from pybridge.datasets import microcalcifications

NUMPY_REPR = re.compile(r"np\.\w+\(|array\(|dtype\(")


def message(excinfo: pytest.ExceptionInfo) -> str:
    text = str(excinfo.value)
    assert not NUMPY_REPR.search(text), f"a Python repr in a MATLAB-side message: {text}"
    return text


@pytest.fixture(scope="module")
def patches():
    d = microcalcifications(24, seed=3, contrast=(0.4, 0.6))
    images = d["images"].astype(np.float64)
    assert 0.0 <= images.min() and images.max() <= 1.0
    return convert.batch_to_matlab(images), d["labels"].astype(float)


@pytest.fixture(scope="module")
def classifier(patches, tmp_path_factory):
    X, y = patches
    f = tmp_path_factory.mktemp("clf") / "traditional.safetensors"
    return mapi.call("train_classifier", X, y, model="traditional", file=str(f))


# ------------------------------------------------------------ wrong option name


def test_misspelt_option_names_the_closest_and_the_valid_ones(patches):
    X, y = patches
    with pytest.raises(TypeError) as e:
        mapi.call("classify", "m.safetensors", X, treshold=0.5)
    text = message(e)
    assert "unknown option 'treshold' (did you mean 'threshold'?)" in text
    assert "valid options: 'threshold'" in text


def test_misspelt_choice_names_the_closest(patches):
    X, y = patches
    with pytest.raises(ValueError) as e:
        mapi.call("train_classifier", X, y, model="tradtional")
    assert message(e) == (
        "'Model' must be one of 'cnn', 'traditional', 'transfer'; got 'tradtional' "
        "(did you mean 'traditional'?)"
    )


# ------------------------------------------------------------ RGB to a grey model


def test_colour_image_to_a_grey_classifier(classifier, patches):
    X, _ = patches
    rgb = np.asfortranarray(np.repeat(X[:, :, :1, None], 3, axis=2))  # H x W x 3 x 1
    with pytest.raises(ValueError) as e:
        mapi.call("classify", classifier, rgb[:, :, :, 0])
    text = message(e)
    assert "IMAGES is 60x60x3: one colour (RGB) image, or 3 grey images?" in text
    assert "rgb2gray" in text and "im2gray" in text and "reshape(IMAGES, 60, 60, 1, 3)" in text
    with pytest.raises(ValueError) as e:
        mapi.call("classify", classifier, np.asfortranarray(np.repeat(rgb, 2, axis=3)))
    assert "IMAGES is 60x60x3x2: colour (RGB) images" in message(e) and "rgb2gray" in str(e.value)


def test_three_grey_patches_as_h_w_1_3_are_classified(classifier, patches):
    X, _ = patches
    three = np.asfortranarray(X[:, :, None, :3])
    out = mapi.call("classify", classifier, three)
    assert_allclose(out["scores"], mapi.call("classify", classifier, X)["scores"][:3], rtol=1e-12)


# ------------------------------------------------------------ 1-based classes and ROIs


def test_target_class_counts_from_one():
    import torch

    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(), torch.nn.Linear(2, 1),
    ).eval()
    images = np.random.default_rng(0).random((8, 8, 2))
    with pytest.raises(ValueError) as e:
        mapi.call("gradcam", net, images, target=0.0)
    text = message(e)
    assert text.startswith("'Target' 0: a class number counts from 1")
    assert "add 1" in text
    with pytest.raises(ValueError) as e:
        mapi.call("gradcam", net, images, target=7.0)
    text = message(e)
    assert "'Target' must be a class number 1..2 for this model; got 7" in text  # not 6, not 0..1


def test_matlab_roi_is_one_based():
    with pytest.raises(ValueError, match="1-based") as e:
        convert.roi_from_matlab([0, 0, 5, 5])
    message(e)
    assert convert.roi_from_matlab([1, 1, 5, 5]) == (0, 0, 5, 5)


# ------------------------------------------------------------ uint8 against float


def test_uint8_images_to_a_model_trained_on_0_1_doubles_are_scaled(classifier, patches):
    X, _ = patches
    as_uint8 = np.round(X * 255).astype(np.uint8)
    got = mapi.call("classify", classifier, as_uint8)["scores"]
    expected = mapi.call("classify", classifier, as_uint8 / 255.0)["scores"]  # im2double by hand
    assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_0_255_doubles_to_a_model_trained_on_0_1_are_refused(classifier, patches):
    X, _ = patches
    with pytest.raises(ValueError) as e:
        mapi.call("classify", classifier, X * 255)
    text = message(e)
    assert "IMAGES hold values up to 255 but the model was trained on double images in [0, 1]" in text
    assert "IMAGES / 255" in text


def test_uint8_0_255_mask_in_dice_says_make_it_logical():
    a = np.zeros((6, 6), dtype=np.uint8)
    a[1:4, 1:4] = 255
    with pytest.raises(ValueError) as e:
        mapi.call("dice", a, a > 0)
    assert message(e).startswith("A holds only 0 and 255: a mask saved as an image file?")
    assert "A = A > 0" in str(e.value)
    assert mapi.call("dice", a > 0, a > 0) == 1.0


# ------------------------------------------------------------ missing file, untrained model


def test_missing_model_file(tmp_path, patches):
    X, _ = patches
    with pytest.raises(FileNotFoundError) as e:
        mapi.call("classify", {"file": str(tmp_path / "gone.safetensors")}, X)
    text = message(e)
    assert "MODEL: no model file" in text and "pybridge.trainClassifier" in text and "'File'" in text


def test_file_in_a_missing_folder_fails_before_training(tmp_path, patches, monkeypatch):
    from pybridge.classification import TraditionalClassifier

    def no_training(*args, **kwargs):
        raise AssertionError("training started before 'File' was checked")

    monkeypatch.setattr(TraditionalClassifier, "fit", no_training)
    X, y = patches
    target = tmp_path / "no" / "such" / "model.safetensors"
    with pytest.raises(FileNotFoundError) as e:
        mapi.call("train_classifier", X, y, model="traditional", file=str(target))
    text = message(e)
    assert f"mkdir('{target.parent}')" in text and "Nothing was trained" in text
    with pytest.raises(ValueError, match="is a folder"):
        mapi.call("train_classifier", X, y, model="traditional", file=str(tmp_path))


@pytest.mark.parametrize("model", [{}, "", None, {"file": ""}])
def test_empty_model(model, patches):
    X, _ = patches
    with pytest.raises(ValueError, match=r"MODEL(\.file)? is empty.*pybridge\.trainClassifier"):
        mapi.call("classify", model, X)


def test_untrained_python_estimator():
    from pybridge.classification import CNNClassifier

    with pytest.raises(ValueError) as e:
        mapi.call("gradcam", CNNClassifier(), np.zeros((8, 8)))
    assert message(e).startswith("MODEL is an untrained CNNClassifier: train it first")


# ------------------------------------------------------------ sizes


def test_mask_sizes_must_match():
    a = np.zeros((8, 8), dtype=bool)
    b = np.zeros((7, 8), dtype=bool)
    with pytest.raises(ValueError) as e:
        mapi.call("dice", a, b)
    assert message(e) == (
        "A and B must have the same size; got 8x8 and 7x8 (resize the prediction to the "
        "reference first, e.g. imresize(A, size(B), 'nearest'))"
    )


def test_train_segmenter_masks_must_match_images():
    X = np.zeros((16, 16, 3), order="F")
    with pytest.raises(ValueError) as e:
        mapi.call("train_segmenter", X, np.zeros((16, 16), dtype=bool))
    text = message(e)
    assert "MASKS must be 16x16x3, one H x W mask per image of IMAGES; got size 16x16" in text
    assert "rgb2gray" in text  # H x W x 3 with one mask: a colour image, probably
    with pytest.raises(ValueError) as e:
        mapi.call("train_segmenter", X, np.zeros((8, 8, 3), dtype=bool, order="F"))
    assert "imresize(MASKS, [16 16], 'nearest')" in message(e)


def test_empty_images():
    with pytest.raises(ValueError) as e:
        mapi.call("train_segmenter", np.zeros((0, 0)), np.zeros((0, 0), dtype=bool))
    assert message(e).startswith("IMAGES is empty (size 0x0)")


def test_messages_of_deeper_code_lose_their_numpy_reprs():
    from pybridge.mapi._matlab import rename, tidy

    assert tidy("target class must be in 0..1; got [np.int64(6)]") == (
        "target class must be in 0..1; got [6]"
    )
    assert tidy("threshold np.float64(0.8) is np.False_") == "threshold 0.8 is false"
    assert rename("a and b must have the same shape", {"a": "A", "b": "B"}) == (
        "A and B must have the same shape"
    )
    assert rename("y holds a single class", {"y": "LABELS"}) == "LABELS holds a single class"
    # the article "a" is left alone
    assert rename("expected a logical mask", {"a": "A"}) == "expected a logical mask"


# ------------------------------------------------------------ labels and masks


@pytest.mark.parametrize(
    ("labels", "text"),
    [
        (np.r_[np.zeros(12), np.ones(11), 3.0], "LABELS must be 0/1 (the course's folder names) "
         "or 1/2 (MATLAB's class numbers); got the values [0 1 3]"),
        (np.r_[np.zeros(23), np.nan], "LABELS hold NaN or Inf"),
        (np.full(24, 2.0), "LABELS hold one class only (every label is 2)"),
        (np.zeros(5), "LABELS must hold one label per patch (24); got 5"),
    ],
)
def test_labels_messages(patches, labels, text):
    X, _ = patches
    with pytest.raises(ValueError) as e:
        mapi.call("train_classifier", X, labels, model="traditional")
    assert text in message(e)


def test_masks_must_be_zero_one():
    X = np.zeros((8, 8, 2), order="F")
    bad = np.zeros((8, 8, 2), order="F")
    bad[0, 0, 0] = 2
    with pytest.raises(ValueError) as e:
        mapi.call("train_segmenter", X, bad)
    assert message(e) == "MASKS must be logical (0/1); it holds 2 (threshold them first, e.g. MASKS > 0.5)"


def test_gradcam_of_the_feature_baseline_says_what_to_use(classifier, patches):
    X, _ = patches
    with pytest.raises(ValueError) as e:
        mapi.call("gradcam", classifier, X)
    assert "pybridge.permutationImportance" in message(e) and "'Model', 'cnn'" in str(e.value)


def test_option_values_in_matlab_terms(classifier, patches):
    X, y = patches
    with pytest.raises(ValueError) as e:
        mapi.call("dice", np.ones((2, 2)), np.ones((2, 2)), labels=np.array([0.5]))
    assert message(e) == "'Labels' must be whole label values >= 0; got 0.5"
    with pytest.raises(ValueError) as e:
        mapi.call("permutation_importance", classifier, X, y, metric="acc")
    text = message(e)
    assert text.startswith("'Metric' must be one of {'error', ") and text.endswith("got 'acc'")


def test_0_1_doubles_to_a_model_trained_on_uint8_are_refused(patches, tmp_path):
    X, y = patches
    as_uint8 = np.round(X * 255).astype(np.uint8)
    f = tmp_path / "u8.safetensors"
    info = mapi.call("train_classifier", as_uint8, y, model="traditional", file=str(f))
    with pytest.raises(ValueError) as e:
        mapi.call("classify", info, X)
    text = message(e)
    assert "IMAGES are double in [0, 1] but the model was trained on uint8 images in [" in text
    assert "im2uint8(IMAGES)" in text
    assert mapi.call("classify", info, as_uint8)["scores"].shape == (24, 2)
