"""Real recordings the tests, benchmarks and demo use, found by name and checked by SHA-256.

Nothing is copied into the project: a file is looked up in ``$REEDUCATE_DATA_DIR``, then in the
team's shared folder (``../shared/data`` beside the repository, or below the working directory).
A missing or altered file raises ``ExampleDataMissing`` naming the public source to download it
from. Each data set's README in the shared folder gives its origin, licence, format and units.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

BDS_SOURCE = ("Santos & Duarte 2016, PeerJ 4:e2648, CC BY 4.0: figshare doi:10.6084/m9.figshare.3394432 "
              "(also github.com/BMClab/datasets, BDS/data/)")
PDS_SOURCE = ("dos Santos et al. 2017, PeerJ 5:e3626, CC BY 4.0: figshare doi:10.6084/m9.figshare.4525082 "
              "(also github.com/BMClab/datasets, PDS/data/)")
QUIJOUX_SOURCE = ("Quijoux et al. 2021 reference code, MIT: github.com/Jythen/code_descriptors_postural_control "
                  "(test.csv at commit c66a0e4)")


@dataclass(frozen=True)
class DataFile:
    """One registered file: where it sits under the data folder, its SHA-256, where it comes from."""

    path: str
    sha256: str
    source: str


_BDS = {
    "BDS00001": "479a8ae24f0804c27a3b46166ec079f2f48db7fc85047ee4e46ed6bb93bd750b",
    "BDS00004": "e4829fb64b5bc557793872f629c85cccb6936649bc84e8d7cca5269b81da7f92",
    "BDS00007": "c7e972320a166b2d6ede2e6f3d9f5063d249522a40c0140ce01fe74878d05bfb",
    "BDS00010": "b65543c62eb107c1cf636643bb1eaa25daf24e188cb88f3d4e8f6dd204cdd17e",
    "BDS00028": "b490d56e23c6dccee1881ee20b582314b1a7bf57cca68b6bfddcb877b2dc1781",
    "BDS00037": "0fc512276112d4bbcba0605c6aaf6306699d57b4760a9e80073f1702b8c2d9e1",
    "BDS00040": "1e945bb3ca156065e069e081d964562de09bef93979cea9dd78133955e27a1a3",
    "BDS00043": "c61cf4b640172766fc2936ccfc2cd424fa1badb03f8fc20ddab02a874573c6fa",
    "BDS00046": "baff695665afc841692b06660bed24c8e78bbc5ea33e11476a2101451a9d56a8",
    "BDS00157": "a06d79036939db0d912ac170077a55892b41fa3dfddf8586274bb5660ebf2def",
    "BDS00160": "449fb34f837a4b7655c85816f7bce3540874c4f00264dccb6e890a2ec69d80fe",
    "BDS00163": "137d31c27dd5b5afec44b0411fa23833a4557b8d5187de5308d8cc8e821eac0d",
    "BDS00166": "f7d0c7c6cbb2f86c9e32a534de336740e0f9cbfc6cc75153ce971c48a2ae4c25",
    "BDS00193": "d7ac54c27f4194c710716d5a5c75a010f1a64917ec0fa4d4656b167213f76348",
    "BDS00196": "2a4e5843365a0ba4b9fa24a3aedf3f7609ba9c14c7457d4c827591c6019056f0",
    "BDS00199": "ab40dc8f5bb75476b77394f2bec5387816f1fce63134a5ba5d354fa482fb9694",
}
_PDS = {
    "PDS13CF1grf": "cc3206ac8723454e2c724eba535c3616ed0270497fcf803df5842232e0c676b7",
    "PDS13CR1grf": "5334be3e8a06bfd8298b502b6099c8f0d83f3143a51c4c2647fcc1b6b57de399",
    "PDS13OF1grf": "4e77f1c6bc5018928976efaf81263650bbc592eeec844e3342a498411373146f",
    "PDS13OR1grf": "e3d20e4c87fc809b8ae1ae59c3c89a7675330034dda7b690932ef295d2eaf30c",
}

REGISTRY: dict[str, DataFile] = {
    **{f"{k}.txt": DataFile(f"posturography/BDS/{k}.txt", v, BDS_SOURCE) for k, v in _BDS.items()},
    "BDSinfo.txt": DataFile("posturography/BDS/BDSinfo.txt",
                            "7587714888c738d2992a9b1b6a4cf1b88208c986be04fff95cc7cee485bd3e6b", BDS_SOURCE),
    **{f"{k}.txt": DataFile(f"posturography/PDS/{k}.txt", v, PDS_SOURCE) for k, v in _PDS.items()},
    "quijoux2021_test.csv": DataFile("posturography/quijoux2021/test.csv",
                                     "846cfe29b6aeb46a7fbc4e29e6028e8bcffef2f92dab628551def1ba256f4fd7",
                                     QUIJOUX_SOURCE),
}

#: Every force-plate recording of the shared posturography set (the metadata table excluded).
POSTUROGRAPHY: tuple[str, ...] = tuple(n for n in REGISTRY if n != "BDSinfo.txt")


class ExampleDataMissing(FileNotFoundError):
    """A registered file is not on this machine (or differs from the registered one)."""


def search_folders() -> list[Path]:
    """Where files are looked for, in order."""
    folders = []
    if os.environ.get("REEDUCATE_DATA_DIR"):
        folders.append(Path(os.environ["REEDUCATE_DATA_DIR"]))
    folders.append(Path(__file__).resolve().parents[3] / "shared" / "data")
    folders.append(Path.cwd().parent / "shared" / "data")
    return folders


@cache
def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(name: str) -> Path:
    """The local path of a registered file, checked against its SHA-256."""
    entry = REGISTRY[name]
    for folder in search_folders():
        candidate = folder / entry.path
        if candidate.is_file():
            if _digest(candidate) != entry.sha256:
                raise ExampleDataMissing(
                    f"{candidate} differs from the registered file (SHA-256 mismatch); download it again "
                    f"from {entry.source}."
                )
            return candidate
    raise ExampleDataMissing(
        f"{entry.path} is not in {' or '.join(map(str, search_folders()))}. Download it from {entry.source} "
        f"and put it under $REEDUCATE_DATA_DIR/{entry.path}."
    )
