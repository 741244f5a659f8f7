"""Loaders for the course's folder layouts, for users who have the real data."""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from .._errors import PyBridgeError

__all__ = ["load_patch_folder", "load_mass_folder"]

_IMAGE_SUFFIX = "_resized.pgm"
_MASK_SUFFIX = "_mass_mask.pgm"


def _read_grey(path: Path) -> np.ndarray:
    """One image file as float32 in [0, 1] (8- or 16-bit grey; colour is converted to grey)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im.load()
            if im.mode in ("RGB", "RGBA", "P", "LA", "CMYK"):
                im = im.convert("L")
            arr = np.asarray(im)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise PyBridgeError(f"cannot read image {str(path)!r}: {err} (is it a valid PNG/PGM file?)") from err
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / 255.0
    if arr.dtype.kind in "iu":  # 16-bit PNG/PGM (PIL modes I;16 and I)
        top = 65535.0 if arr.max(initial=0) > 255 else 255.0
        return arr.astype(np.float32) / top
    return arr.astype(np.float32)  # bool (mode 1) and float (mode F)


def _folder(root: Path, name: str) -> Path:
    for cand in (name, name.lower(), name.upper()):
        if (root / cand).is_dir():
            return root / cand
    raise FileNotFoundError(
        f"{str(root)!r} has no {name!r} folder; expected the layout "
        f"{name}/0/*.png and {name}/1/*.png (label 0: normal, 1: microcalcifications)"
    )


def _load_split(root: Path, name: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    split = _folder(root, name)
    images: list[np.ndarray] = []
    labels: list[int] = []
    files: list[str] = []
    for label in (0, 1):
        sub = split / str(label)
        if not sub.is_dir():
            raise FileNotFoundError(f"{str(split)!r} has no '{label}' folder; expected {name}/0 and {name}/1")
        found = sorted(p for p in sub.iterdir() if p.is_file() and p.suffix.lower() == ".png")
        if not found:
            raise FileNotFoundError(f"{str(sub)!r} holds no .png patches")
        for p in found:
            images.append(_read_grey(p))
            labels.append(label)
            files.append(str(p.relative_to(root)))
    shapes = {im.shape for im in images}
    if len(shapes) > 1:
        first = images[0].shape
        odd = next(f for f, im in zip(files, images, strict=True) if im.shape != first)
        raise PyBridgeError(
            f"patches in {str(split)!r} differ in size: {files[0]!r} is {first}, {odd!r} is "
            f"{next(im.shape for im in images if im.shape != first)}; all patches must share one size"
        )
    return np.stack(images), np.array(labels, np.int64), files


def load_patch_folder(root: str | PathLike) -> dict[str, Any]:
    """Load the course's patch dataset: ``Train/0``, ``Train/1``, ``Test/0``, ``Test/1`` PNGs.

    Parameters
    ----------
    root : str or path-like
        The folder holding ``Train`` and ``Test`` (lower-case names work too).

    Returns
    -------
    dict
        ``'train_images'``, ``'test_images'``: ndarray of shape (N, H, W),
        float32 in [0, 1] (8-bit / 255, 16-bit / 65535; colour converted to
        grey); ``'train_labels'``, ``'test_labels'``: ndarray (N,) int64 0/1
        from the sub-folder names; ``'train_files'``, ``'test_files'``: list of
        str, paths relative to ``root``, in the order of the arrays.

    Raises
    ------
    FileNotFoundError
        When ``root`` or one of its sub-folders is missing or holds no PNG.
    PyBridgeError
        When a file cannot be read or the patches differ in size.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for split in ("Train", "Test"):
    ...     for lab in "01":
    ...         (root / split / lab).mkdir(parents=True)
    ...         Image.fromarray(np.full((60, 60), 128, np.uint8)).save(root / split / lab / "a.png")
    >>> d = load_patch_folder(root)
    >>> d["train_images"].shape, d["train_labels"].tolist()
    ((2, 60, 60), [0, 1])
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"no folder at {str(root)!r} (expected one holding Train/ and Test/)")
    out: dict[str, Any] = {}
    for name in ("Train", "Test"):
        images, labels, files = _load_split(root, name)
        key = name.lower()
        out[f"{key}_images"], out[f"{key}_labels"], out[f"{key}_files"] = images, labels, files
    return out


def load_mass_folder(folder: str | PathLike, *, stack: bool = True) -> dict[str, Any]:
    """Load mass images and masks: ``<name>_resized.pgm`` with ``<name>_mass_mask.pgm``.

    Parameters
    ----------
    folder : str or path-like
    stack : bool, default True
        Stack into (N, H, W) arrays (all images must share one size); False
        returns lists of (H, W) arrays.

    Returns
    -------
    dict
        ``'images'``: (N, H, W) float32 in [0, 1] (or a list);
        ``'masks'``: (N, H, W) bool, mask pixels > 0 (or a list);
        ``'names'``: list of str, the shared ``<name>`` part, sorted.

    Raises
    ------
    FileNotFoundError
        When the folder is missing or holds no ``*_resized.pgm``.
    PyBridgeError
        For an image without its mask (or a mask without its image), an
        unreadable file, a mask whose size differs from its image's, or
        (with ``stack=True``) images of different sizes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> f = pathlib.Path(tempfile.mkdtemp())
    >>> Image.fromarray(np.zeros((8, 8), np.uint8)).save(f / "m1_resized.pgm")
    >>> Image.fromarray(np.eye(8, dtype=np.uint8) * 255).save(f / "m1_mass_mask.pgm")
    >>> d = load_mass_folder(f)
    >>> d["names"], d["masks"].sum()
    (['m1'], np.int64(8))
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder at {str(folder)!r} (expected *_resized.pgm with *_mass_mask.pgm)")
    imgs = {p.name[: -len(_IMAGE_SUFFIX)]: p for p in folder.iterdir() if p.name.endswith(_IMAGE_SUFFIX)}
    msks = {p.name[: -len(_MASK_SUFFIX)]: p for p in folder.iterdir() if p.name.endswith(_MASK_SUFFIX)}
    if not imgs:
        raise FileNotFoundError(
            f"{str(folder)!r} holds no *{_IMAGE_SUFFIX} images (expected pairs like "
            f"case1{_IMAGE_SUFFIX} with case1{_MASK_SUFFIX})"
        )
    no_mask = sorted(set(imgs) - set(msks))
    no_image = sorted(set(msks) - set(imgs))
    if no_mask or no_image:
        parts = []
        if no_mask:
            parts.append(f"images without a mask: {[n + _IMAGE_SUFFIX for n in no_mask][:5]}")
        if no_image:
            parts.append(f"masks without an image: {[n + _MASK_SUFFIX for n in no_image][:5]}")
        raise PyBridgeError(f"mismatched pairs in {str(folder)!r}: " + "; ".join(parts))
    names = sorted(imgs)
    images, masks = [], []
    for n in names:
        im = _read_grey(imgs[n])
        m = _read_grey(msks[n]) > 0
        if im.shape != m.shape:
            raise PyBridgeError(
                f"{n}{_MASK_SUFFIX} is {m.shape[0]} x {m.shape[1]} but {n}{_IMAGE_SUFFIX} is "
                f"{im.shape[0]} x {im.shape[1]}; a mask must match its image"
            )
        images.append(im)
        masks.append(m)
    if stack:
        shapes = sorted({im.shape for im in images})
        if len(shapes) > 1:
            raise PyBridgeError(
                f"images in {str(folder)!r} differ in size ({shapes[:4]}); pass stack=False for lists"
            )
        return {"images": np.stack(images), "masks": np.stack(masks), "names": names}
    return {"images": images, "masks": masks, "names": names}
