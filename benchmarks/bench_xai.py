"""Grad-CAM throughput: pybridge.xai.gradcam against captum and MONAI, same model, same run.

Run:  python benchmarks/bench_xai.py [--n 256] [--batch 64] [--repeats 5] [--threads 2]
      [--device cpu|cuda] [--sizes 60 128]

The model is the course CNN (pybridge.classification.CourseCNN: three
conv-batchnorm-relu-maxpool blocks, dense 10, one logit), in eval mode, with
random weights (speed does not depend on training). Every library explains
the same layer (the ReLU of the third block) for class 1 and returns maps
upsampled to the input size:

- pybridge: ``xai.gradcam(net, x, target=1, layer="blocks.2.2")``;
- captum: ``LayerGradCam(net, layer).attribute(x, target=0,
  relu_attributions=True)`` then ``LayerAttribution.interpolate(...,
  "bilinear")``;
- MONAI: ``GradCAM(net, "blocks.2.2", postprocessing=identity)(x, class_idx=0)``.

Each library's maps are checked against pybridge's before timing (the
largest absolute difference over the largest value, printed as rel. diff). Times are the median of ``--repeats`` passes over
``--n`` images in batches of ``--batch``; the ratio column is images/s over
the faster of captum and MONAI (goal: >= 1). On a shared CPU the absolute
figures move with the load; the ratio, measured in the same run, moves less.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings


def _course_cnn(size: int):
    import torch

    try:
        from pybridge.classification import CourseCNN

        return CourseCNN((size, size))
    except ImportError:  # the classification room absent: the same architecture
        blocks, c = [], 1
        for f in (8, 16, 32):
            blocks.append(
                torch.nn.Sequential(
                    torch.nn.Conv2d(c, f, 3, padding=1),
                    torch.nn.BatchNorm2d(f),
                    torch.nn.ReLU(),
                    torch.nn.MaxPool2d(2),
                )
            )
            c = f
        side = size // 8

        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.blocks = torch.nn.ModuleList(blocks)
                self.dense = torch.nn.Linear(32 * side * side, 10)
                self.out = torch.nn.Linear(10, 1)

            def forward(self, x):
                for b in self.blocks:
                    x = b(x)
                return self.out(torch.relu(self.dense(x.flatten(1))))

        return Net()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 128])
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(
        f"Grad-CAM, course CNN, layer blocks.2.2, {args.n} images, batch {args.batch}, "
        f"device {device}, {torch.get_num_threads()} threads, median of {args.repeats} (round robin)"
    )
    header = f"{'size':>5} {'library':<9} {'images/s':>10} {'ratio':>7} {'rel. diff':>11}"
    print(header)
    print("-" * len(header))
    for size in args.sizes:
        rates, diffs = _bench_size(size, args, device)
        best_other = max(rates["captum"], rates["monai"])
        for name in rates:
            print(
                f"{size:>5} {name:<9} {rates[name]:>10.1f} {rates[name] / best_other:>7.2f} "
                f"{diffs[name]:>11.2e}"
            )


def _bench_size(size: int, args, device) -> tuple[dict[str, float], dict[str, float]]:
    import torch
    from captum.attr import LayerAttribution, LayerGradCam
    from monai.visualize import GradCAM

    from pybridge import xai

    x_all = torch.rand(args.n, 1, size, size, device=device)
    chunks = [x_all[i : i + args.batch] for i in range(0, args.n, args.batch)]
    for seed in range(20):  # random weights whose class-1 maps are not all zero
        torch.manual_seed(seed)
        net = _course_cnn(size).to(device).eval()
        if xai.gradcam(net, chunks[0], target=1, layer="blocks.2.2").max() > 0:
            break
    layer = dict(net.named_modules())["blocks.2.2"]

    def run_pybridge(x):
        return torch.from_numpy(xai.gradcam(net, x, target=1, layer="blocks.2.2"))

    captum_cam = LayerGradCam(net, layer)

    def run_captum(x):
        a = captum_cam.attribute(x, target=0, relu_attributions=True)
        return LayerAttribution.interpolate(a, (size, size), "bilinear")[:, 0].detach()

    monai_net = _course_cnn(size).to(device).eval()
    monai_net.load_state_dict(net.state_dict())  # own copy: MONAI leaves its hooks on
    monai_cam = GradCAM(monai_net, target_layers="blocks.2.2", postprocessing=lambda m: m)

    def run_monai(x):
        return monai_cam(x, class_idx=0)[:, 0].detach()

    runners = {"pybridge": run_pybridge, "captum": run_captum, "monai": run_monai}
    times: dict[str, list[float]] = {k: [] for k in runners}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MONAI's backward hooks warn on every call
        ref = run_pybridge(chunks[0]).cpu()
        scale = float(ref.abs().max())
        diffs = {
            k: float((f(chunks[0]).cpu() - ref).abs().max()) / scale for k, f in runners.items()
        }
        for _ in range(args.repeats):  # round robin: load changes hit all libraries alike
            for name, fn in runners.items():
                if device.type == "cuda":
                    torch.cuda.synchronize()
                t0 = time.perf_counter()
                for x in chunks:
                    fn(x)
                if device.type == "cuda":
                    torch.cuda.synchronize()
                times[name].append(time.perf_counter() - t0)
    return {k: args.n / statistics.median(v) for k, v in times.items()}, diffs


if __name__ == "__main__":
    main()
