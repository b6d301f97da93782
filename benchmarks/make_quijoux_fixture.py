"""Write the reference values the agreement test compares against (tests/signals/data/).

    make bench-env
    .venv-bench/bin/python benchmarks/make_quijoux_fixture.py --reference PATH

PATH is a checkout (or bare git directory) of github.com/Jythen/code_descriptors_postural_control.
Every recording of the shared posturography set goes through the reference's own pipeline and
``compute_all_features``; the JSON records the reference commit and the versions it ran with.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from quijoux_reference import load, reference_values  # noqa: E402
from recordings import load_all  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "tests" / "signals" / "data" / "quijoux2021_reference.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", help="checkout or git dir of the reference code")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    loaded = load(args.reference)
    recordings = load_all()
    values = {}
    for name, recording in recordings.items():
        print(f"reference: {name}", file=sys.stderr)
        values[name] = reference_values(recording, loaded)
    fixture = {
        "command": "python benchmarks/make_quijoux_fixture.py --reference PATH",
        "reference": {"repository": "https://github.com/Jythen/code_descriptors_postural_control",
                      "commit": loaded[3]},
        "environment": {"python": platform.python_version(),
                        **{p: version(p) for p in ("numpy", "scipy", "scikit-learn", "statsmodels", "pandas")}},
        "input": "each recording read by reeducate.signals.io.read_cop; COP (ML, AP) in cm into from_array",
        "values": values,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(fixture, indent=1, sort_keys=True) + "\n")
    print(f"wrote {args.out} ({len(values)} recordings)", file=sys.stderr)


if __name__ == "__main__":
    main()
