"""Commands for development: synth."""

from __future__ import annotations

import argparse
from pathlib import Path

from transforms.cli import command


def _configure_synth(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--claims", type=int, default=10000)
    parser.add_argument("--links-per-claim", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--out",
        default="synthetic/datasets",
        help="datasets folder to write (default: synthetic/datasets; never datasets/)",
    )


@command("synth", _configure_synth)
def cmd_synth(args: argparse.Namespace) -> int:
    """write a deterministic synthetic feed for tests and benchmarks

    example:
      saydo synth --companies 2000 --claims 100000 --links-per-claim 3 --seed 1
      saydo build --datasets synthetic/datasets --out synthetic/dist --no-gate
    """
    from transforms.dev.synth import generate, write_feed

    frames = generate(args.companies, args.claims, args.links_per_claim, args.seed)
    written = write_feed(Path(args.out), frames)
    counts = ", ".join(f"{name} {frame.height}" for name, frame in frames.items())
    print(
        f"wrote a synthetic feed ({counts}) to {Path(args.out) / 'feeds'}; every row is "
        f"marked synthetic and no release will accept it."
    )
    return 0 if written else 1
