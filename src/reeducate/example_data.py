"""Real recordings the tests, benchmarks and demo use, found by name and checked by SHA-256.

The files live in the repository's ``example_data/`` folder, each set with its README (origin, licence,
citation, format, units) and licence. A file is looked up in ``$REEDUCATE_DATA_DIR`` first, then in that
folder, and nowhere else. A missing or altered file raises ``ExampleDataMissing`` naming the public
source to download it from.
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
SPORTS2D_SOURCE = "Sports2D 0.8.34 demo clip, BSD-3-Clause: PyPI sports2d==0.8.34, Sports2D/Demo/demo.mp4"
POSE2SIM_SOURCE = ("Pose2Sim 0.10.49 single-person demo, BSD-3-Clause: PyPI pose2sim==0.10.49, "
                   "Pose2Sim/Demo_SinglePerson/videos/")
POSE2SIM_CALIBRATION_SOURCE = ("Pose2Sim 0.10.49 single-person demo, BSD-3-Clause: PyPI pose2sim==0.10.49, "
                               "Pose2Sim/Demo_SinglePerson/calibration/Calib.qca.txt")
POSE2SIM_CONVERTED_SOURCE = ("Calib.qca.txt of the Pose2Sim 0.10.49 demo converted by Pose2Sim 0.10.49's own "
                             "calibration step (convert_from = 'qualisys'), made by the team "
                             "(example_data/video/README.md says how)")
LANDMARKS_SOURCE = ("MediaPipe 0.10.21 landmarks of the Sports2D and Pose2Sim demo clips, made by the team "
                    "(example_data/video/README.md says how to make them again)")
GAITMAP_SOURCE = "gaitmap 2.6.0 example data, MIT: github.com/mad-lab-fau/gaitmap, example_data/"
MOBGAP_SOURCE = "mobgap 1.2.0 example data, Apache-2.0: github.com/mobilise-d/mobgap, example_data/data_csv/"
MOBGAP_LAB_SOURCE = ("mobgap 1.2.0 example data with its INDIP reference, Apache-2.0: github.com/mobilise-d/mobgap, "
                     "example_data/data/lab/ (the SHA-256 of mobgap's own registry, data/_example_data_registry.txt)")
GAITPY_SOURCE = "GaitPy 1.6.1 demo data, MIT: PyPI gaitpy==1.6.1, gaitpy/demo/demo_data.csv"
BIOSPPY_SOURCE = "BioSPPy example EMG, BSD-3-Clause: github.com/scientisst/BioSPPy, examples/"
PLUX_SOURCE = ("biosignalsnotebooks 0.6.14 signal samples (PLUX), MIT: PyPI biosignalsnotebooks==0.6.14, "
               "biosignalsnotebooks/notebook_files/osf_files/signal_samples/")
EMGGO_SOURCE = "emgGO sample (tibialis anterior, 250 Hz), MIT: github.com/GallVp/emgGO at 2e71bc9, samples/Sample Data.mat"
PYOMECA_SOURCE = "pyomeca test data (Delsys EMG, 13 shoulder muscles), Apache-2.0: github.com/pyomeca/pyomeca at 3594512, tests/data/"
MYONSET_SOURCE = ("myonset 1.1.2 tutorial (choice reaction time, BioSemi), GPL-3.0, so never copied here: "
                  "github.com/lspieser/myonset at fc74fdd, tutorials/")


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
    **{f"{k}.txt": DataFile(f"posturography/PDS/{k}.txt", v, PDS_SOURCE) for k, v in _PDS.items()},
    "quijoux2021_test.csv": DataFile("posturography/quijoux2021/test.csv",
                                     "846cfe29b6aeb46a7fbc4e29e6028e8bcffef2f92dab628551def1ba256f4fd7",
                                     QUIJOUX_SOURCE),
    "sports2d_demo.mp4": DataFile("video/sports2d_v0.8.34/demo.mp4",
                                  "d9a66417185647b112304b57093f0c180f37a768e6a14daca75ca541f3b78039", SPORTS2D_SOURCE),
    "balancing_cam04.mp4": DataFile("video/pose2sim_v0.10.49/balancing_cam04.mp4",
                                    "b5c0e7863fd70d008e7178d3c556b045b0ea5f78fcd61ca548a0b2e807e641f7",
                                    POSE2SIM_SOURCE),
    "balancing_calib.qca.txt": DataFile("video/pose2sim_v0.10.49/Calib.qca.txt",
                                        "fd90e4bbae3278ef1dc0cdd42a34ee06bf88286f628a02c00a29407aa39e34c5",
                                        POSE2SIM_CALIBRATION_SOURCE),
    "balancing_calib_pose2sim.toml": DataFile("video/pose2sim_v0.10.49/Calib_pose2sim.toml",
                                              "4d2ac5ffc43224b6d8704038d73cc2ce576e4c2857375a2f0dc8535e508935f8",
                                              POSE2SIM_CONVERTED_SOURCE),
    **{f"{k}_landmarks.csv": DataFile(f"video/mediapipe_0.10.21_landmarks/{k}_landmarks.csv", v, LANDMARKS_SOURCE)
       for k, v in {
           "sports2d_demo": "18a13732ea4ed626250fe70997f86e58da32b2893002e9a70b88c84be428e387",
           "balancing_cam01": "7b7e805b2dd885cf150aa2a995e3b695c442d1ac59a8898f69d75bcde4ba8871",
           "balancing_cam02": "cb6a1afbd5a8a6985d7d0ddefd506b426269663a41abf90a478cf9e830f283a7",
           "balancing_cam03": "5622b35234e1308452164ac275c6af2d1332d582c57356ca66388d46611618ba",
           "balancing_cam04": "e8e93dbd4f8650901451e599debdc9142b0b5596cd700436bcf25740d9b59fe6",
       }.items()},
    **{f"gaitmap_{k}.csv": DataFile(f"gait/gaitmap_v2.6.0/{k}.csv", v, GAITMAP_SOURCE) for k, v in {
        "imu_sample": "fdb91f0a1e58b1ac518a324d38c9177de6c4388137c1b1683e4a72460873bfd7",
        "imu_sample_not_rotated": "5136b5c7e086997d4a7423d9320a7abf2c8e467821920387157620959f427311",
        "imu_sample_ic_stride": "577299bddf766fbd8dcc70081542b6c261eb88c1cec26372e832174cae7ec462",
        "imu_sample_ms_left": "5308a0833629a6ea76f3cdba3dca4ac185eabfd93e00b85f9cdaaa2a7c599b62",
        "imu_sample_ms_right": "5349aeed45fbdb491c16f633b1f10a0d1c42b1bb2f56b429ce5fa9b9cd484376",
        # The motion-capture reference of imu_sample.csv: stride events and the foot markers.
        "stride_events_sample": "9fa47ac00ebe96fb6dc8447c49cf2ae1cf9559300101700a6875f094e4d5c274",
        "mocap_sample": "e27e89a75b38cb53520385eb252786c951a74a8f4a3d252322330ab672f6c00e",
    }.items()},
    **{f"mobgap_{k.replace('/', '_')}.csv": DataFile(f"gait/mobgap_v1.2.0/{k}.csv", v, MOBGAP_SOURCE) for k, v in {
        "HA_001/TimeMeasure1_Test5_Trial1": "06428ef1a19e4ac570d5f368fd8be805e427ac3d9c7a2299d98e85a03ecdfe45",
    }.items()},
    **{f"mobgap_lab_{k.replace('/', '_')}": DataFile(f"gait/mobgap_v1.2.0/data/lab/{k}", v, MOBGAP_LAB_SOURCE)
       for k, v in {
           "HA/001/data.mat": "f1570054e195c44791cf4381e27083afb1c83432da6ae94078ed27c88bef12fc",
           "HA/001/infoForAlgo.mat": "6a0c79c7eba3b28a01a33ff92d08b6d987f2b337df8ab696533dc9ba4e09493e",
           "HA/001/test_list.json": "1ea5bcabd0a2951e644a106a37adcf2cb911167c99dfbacfbf72c6f419e4b44f",
           "HA/002/data.mat": "cf3128d30bd3a8916d0fafc2a6c3f470880bc701ac7f30e43b2eb04e8a262adf",
           "HA/002/infoForAlgo.mat": "80f5ec7fd2a6e11edcbb9cfcc5f1dd74968e637265da42f77f64b955e7b2c223",
           "HA/002/test_list.json": "5813dc364fdcb8a5185f45ea4007bf35b9feeb5471b5867d4f3d49ca05b6e18e",
           "MS/001/data.mat": "e2a025fd14713b6730f838b116ad7fc2b1c71774e09c22ce0962a468b46c0b55",
           "MS/001/infoForAlgo.mat": "7400cc0fa7fc559627eebdb2a8cf2d47efef18fc94533a6b54308873efe0b614",
           "MS/001/test_list.json": "5813dc364fdcb8a5185f45ea4007bf35b9feeb5471b5867d4f3d49ca05b6e18e",
       }.items()},
    "gaitpy_demo_data.csv": DataFile("gait/gaitpy_v1.6.1/demo_data.csv",
                                     "8fec1775d37ada4f9cd428b78bf1150b1884072d679416c34e12af4945c98a7d", GAITPY_SOURCE),
    **{f"emg_{k.replace('/', '_')}": DataFile(f"emg/{k}", v, src) for k, v, src in (
        ("biosppy/emg.txt", "e9a278c359b2e636049634e2c3ba25d187db828755cc2eeb62a9e89c40235fb5", BIOSPPY_SOURCE),
        ("biosppy/emg_1.txt", "c3c41791523a0a8f32ee66e82a852a041e45d07d696c0f0e7313518cc23ab7a5", BIOSPPY_SOURCE),
        ("biosignalsnotebooks/emg_bursts.h5", "32989903d9196e7bf0db1306da56fda787fb6fe35591b06e9b68d040f036d5fb",
         PLUX_SOURCE),
        ("biosignalsnotebooks/emg_fatigue.h5", "fc9accd86328e0c254ad5ae279e5ec633de95bf742f72e1884e080ad3751586d",
         PLUX_SOURCE),
        ("biosignalsnotebooks/emg_1000_hz_16_bits_solo.h5",
         "9d529a65d3886c9a93d6cb9124608c9fd0c132b13599ef9c50dd1c45bb0f1dac", PLUX_SOURCE),
        ("emggo/Sample_Data.mat", "e48b82ab267afc4447a9558ea52b397a076223fd3c9a0875c55df39f1fdc1a39", EMGGO_SOURCE),
        ("pyomeca/markers_analogs.c3d", "bda1adf05508194dcc543b6eec2bc73991f9208d60bec5e7c6fdb03b7bfd6c15",
         PYOMECA_SOURCE),
    )},
}

#: Registered files whose licence keeps them out of the repository: found only in $REEDUCATE_DATA_DIR,
#: for benchmarks (a test never needs one).
OUTSIDE_REPOSITORY: dict[str, DataFile] = {
    f"emg_myonset_{k}": DataFile(f"emg/myonset/{k}", v, MYONSET_SOURCE) for k, v in (
        ("example_data.edf", "ee7a4e916849b7827dad84969bbba5994a06da8e478ce1341ec58cfe6c964e77"),
        ("example_events.csv", "91c6d3d16eb42ac566c538fb7d43289a8e4c4b8be8e377959758e5babff592a1"),
    )
}

#: Every force-plate recording of the example posturography set.
POSTUROGRAPHY: tuple[str, ...] = tuple(n for n in REGISTRY if n.startswith(("BDS", "PDS", "quijoux")))

#: The repository's folder of example data (``example_data/`` at its top).
REPOSITORY_FOLDER = Path(__file__).resolve().parents[2] / "example_data"


class ExampleDataMissing(FileNotFoundError):
    """A registered file is not on this machine (or differs from the registered one)."""


def search_folders() -> list[Path]:
    """Where files are looked for, in order."""
    override = os.environ.get("REEDUCATE_DATA_DIR")
    return [Path(override), REPOSITORY_FOLDER] if override else [REPOSITORY_FOLDER]


@cache
def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(name: str) -> Path:
    """The local path of a registered file, checked against its SHA-256."""
    entry = REGISTRY.get(name) or OUTSIDE_REPOSITORY[name]
    folders = search_folders() if name in REGISTRY else search_folders()[:-1]
    for folder in folders:
        candidate = folder / entry.path
        if candidate.is_file():
            if _digest(candidate) != entry.sha256:
                raise ExampleDataMissing(
                    f"{candidate} differs from the registered file (SHA-256 mismatch); download it again "
                    f"from {entry.source}."
                )
            return candidate
    where = " or ".join(map(str, folders)) or "$REEDUCATE_DATA_DIR (not set)"
    raise ExampleDataMissing(
        f"{entry.path} is not in {where}. Download it from {entry.source} and put it under "
        f"$REEDUCATE_DATA_DIR/{entry.path}."
    )
