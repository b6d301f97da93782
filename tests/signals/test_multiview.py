"""Two or more calibrated cameras: calibration readers, synchronisation, triangulation, 3-D angles.

Synthetic cameras with known intrinsics, distortion and pose film a known 3-D stick body; the engine must
put every landmark back (noise-free: within 1 micrometre; with 0.5 px pixel noise: within 5 mm RMS) and
recover the angles the body was built with (within 0.1 degree noise-free). The Pose2Sim demo's four
synchronous cameras, with MediaPipe's landmarks, must give a plausible body.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from reeducate.signals.errors import RecordingError
from reeducate.signals.multiview.analysis import analyze_multiview
from reeducate.signals.multiview.angles3d import joint_angles_3d
from reeducate.signals.multiview.calibration import (
    Camera,
    matrix_to_rodrigues,
    read_calibration,
    rodrigues_to_matrix,
)
from reeducate.signals.multiview.synchronise import find_offset
from reeducate.signals.multiview.triangulate import triangulate
from reeducate.signals.pose.landmarks import INDEX, LANDMARKS, PoseSeries, pose_series
from reeducate.signals.pose.readers import read_landmark_csv

FPS = 60.0


def _look_at(centre: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """World-to-camera rotation and translation of a camera at ``centre`` looking at ``target``, z up in the world."""
    z = (target - centre) / np.linalg.norm(target - centre)
    x = np.cross(z, [0.0, 0.0, 1.0])
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    rotation = np.stack([x, y, z])
    return rotation, -rotation @ centre


def _camera(name: str, azimuth_deg: float, distortion: tuple[float, ...] = (-0.05, 0.12, 0.001, -0.0008)) -> Camera:
    a = np.radians(azimuth_deg)
    centre = np.array([3.5 * np.cos(a), 3.5 * np.sin(a), 1.6])
    rotation, translation = _look_at(centre, np.array([0.0, 0.0, 0.9]))
    matrix = np.array([[1600.0, 0.0, 540.0], [0.0, 1605.0, 960.0], [0.0, 0.0, 1.0]])
    return Camera(name, (1080, 1920), matrix, np.array(distortion), rotation, translation)


CAMERAS = (_camera("cam1", 20), _camera("cam2", 100), _camera("cam3", 200), _camera("cam4", 290))

#: The angles the stick body is built with (deg): knees, hips and the left elbow.
BUILT = {"left_knee_flexion": 40.0, "right_knee_flexion": 10.0, "left_hip_flexion": 30.0,
         "right_hip_flexion": -5.0, "left_elbow_flexion": 60.0, "right_shoulder_abduction": 45.0}


def _stick_body(n_frames: int = 30) -> np.ndarray:
    """A standing body facing +x (left towards +y, z up) with the ``BUILT`` angles, swaying 2 cm sideways."""
    p = np.full((len(LANDMARKS), 3), np.nan)
    forward, left, up = np.eye(3)

    def limb(start: np.ndarray, angle_deg: float, length: float, toward: np.ndarray = forward) -> np.ndarray:
        a = np.radians(angle_deg)
        return start + length * (np.sin(a) * toward - np.cos(a) * up)

    for side, s in (("left", 1.0), ("right", -1.0)):
        hip = np.array([0.0, 0.1 * s, 0.95])
        p[INDEX[f"{side}_hip"]] = hip
        p[INDEX[f"{side}_shoulder"]] = np.array([0.0, 0.19 * s, 1.45])
        hip_deg, knee_deg = BUILT[f"{side}_hip_flexion"], BUILT[f"{side}_knee_flexion"]
        knee = limb(hip, hip_deg, 0.45)
        ankle = limb(knee, hip_deg - knee_deg, 0.42)
        p[INDEX[f"{side}_knee"]], p[INDEX[f"{side}_ankle"]] = knee, ankle
        p[INDEX[f"{side}_heel"]] = ankle + np.array([-0.05, 0.0, -0.05])
        p[INDEX[f"{side}_foot_index"]] = ankle + np.array([0.15, 0.0, -0.06])
        p[INDEX[f"{side}_ear"]] = np.array([-0.02, 0.07 * s, 1.62])
    shoulder = p[INDEX["left_shoulder"]]
    elbow = shoulder + np.array([0.0, 0.0, -0.3])
    p[INDEX["left_elbow"]] = elbow
    p[INDEX["left_wrist"]] = limb(elbow, BUILT["left_elbow_flexion"], 0.27)
    p[INDEX["right_elbow"]] = limb(p[INDEX["right_shoulder"]], BUILT["right_shoulder_abduction"], 0.3, -left)
    p[INDEX["right_wrist"]] = p[INDEX["right_elbow"]] + np.array([0.0, 0.0, -0.27])
    p[INDEX["nose"]] = np.array([0.1, 0.0, 1.6])
    for name, i in INDEX.items():  # the face and hand landmarks the body above does not place
        if np.isnan(p[i, 0]):
            p[i] = p[INDEX["nose"]] if name.startswith(("left_eye", "right_eye", "mouth")) else \
                p[INDEX[f"{name.split('_')[0]}_wrist"]]
    sway = 0.02 * np.sin(np.linspace(0, 2 * np.pi, n_frames))
    return p[None] + sway[:, None, None] * left


def _filmed(points: np.ndarray, camera: Camera, noise_px: float = 0.0, seed: int = 0) -> PoseSeries:
    pixels = camera.project(points)
    pixels = pixels + np.random.default_rng(seed).normal(0, noise_px, pixels.shape) if noise_px else pixels
    return pose_series(xy=pixels, visibility=np.full(points.shape[:2], 0.9), fps=FPS, source=camera.name,
                       image_size_px=camera.size_px)


def test_undistort_inverts_the_lens_model() -> None:
    camera = CAMERAS[0]
    ideal = np.random.default_rng(1).uniform(-0.3, 0.3, (200, 2))
    pixels = camera._to_pixels(camera.distort(ideal))
    assert np.abs(camera.undistort(pixels) - ideal).max() < 1e-9


def test_the_fisheye_model_is_inverted_as_well() -> None:
    camera = replace(CAMERAS[0], distortion=np.array([0.05, -0.01, 0.002, 0.0]), fisheye=True)
    ideal = np.random.default_rng(2).uniform(-0.6, 0.6, (200, 2))
    assert np.abs(camera.undistort(camera._to_pixels(camera.distort(ideal))) - ideal).max() < 1e-9


def test_rodrigues_round_trip() -> None:
    rotation = CAMERAS[2].rotation
    assert np.allclose(rodrigues_to_matrix(matrix_to_rodrigues(rotation)), rotation, atol=1e-12)


@pytest.mark.parametrize("n_cameras", [2, 3, 4])
def test_triangulation_puts_every_landmark_back_from_distorted_views(n_cameras: int) -> None:
    body = _stick_body()
    cameras = CAMERAS[:n_cameras]
    points = triangulate([_filmed(body, c) for c in cameras], cameras)
    assert np.nanmax(np.abs(points.positions_m - body)) < 1e-6
    assert points.median_reprojection_px < 1e-3


def test_triangulation_with_pixel_noise_stays_within_5_mm() -> None:
    body = _stick_body()
    points = triangulate([_filmed(body, c, noise_px=0.5, seed=i) for i, c in enumerate(CAMERAS)], CAMERAS)
    rms_mm = 1000 * np.sqrt(np.nanmean(np.sum((points.positions_m - body) ** 2, axis=-1)))
    assert rms_mm < 5.0
    assert 0.2 < points.median_reprojection_px < 1.0


def test_a_landmark_seen_by_one_camera_is_not_placed() -> None:
    body = _stick_body()
    clips = [_filmed(body, c) for c in CAMERAS[:2]]
    knee = INDEX["left_knee"]
    vis = clips[1].visibility.copy()
    vis[:, knee] = 0.1
    points = triangulate([clips[0], replace(clips[1], visibility=vis)], CAMERAS[:2])
    assert np.isnan(points.positions_m[:, knee]).all()
    assert np.isfinite(points.positions_m[:, INDEX["right_knee"]]).all()


def test_a_view_that_disagrees_is_dropped_and_the_point_kept() -> None:
    body = _stick_body()
    clips = [_filmed(body, c) for c in CAMERAS[:3]]
    xy = clips[2].xy.copy()
    xy[:, INDEX["left_wrist"]] += 80.0  # a wrong detection in one view
    points = triangulate([*clips[:2], replace(clips[2], xy=xy)], CAMERAS[:3])
    wrist = INDEX["left_wrist"]
    assert not points.views[:, wrist, 2].any()
    assert np.nanmax(np.abs(points.positions_m[:, wrist] - body[:, wrist])) < 1e-6


def test_known_angles_are_recovered_in_three_dimensions() -> None:
    angles = joint_angles_3d(_stick_body())
    for name, built in BUILT.items():
        assert np.allclose(angles[name], built, atol=0.1), name
    assert np.allclose(angles["trunk_lean"], 0.0, atol=0.1)


def test_analyze_multiview_gives_the_single_camera_json_with_the_cameras() -> None:
    body = _stick_body(90)
    result = analyze_multiview([_filmed(body, c) for c in CAMERAS[:2]], CAMERAS[:2], find_offsets=False)
    data = result.to_dict()
    assert data["view"] == "3d" and data["cameras"] == ["cam1", "cam2"]
    assert data["n_frames"] == 90 and len(data["angles_deg"]["left_knee_flexion"]) == 90
    assert abs(data["rom_deg"]["left_knee_flexion"]["max"] - 40.0) < 0.5
    assert not {r["measure"] for r in data["refused"]} & set(data["angles_deg"])
    assert "cam1, cam2" in data["method"] and "reprojection error" in data["method"]


def test_a_camera_that_started_later_is_put_back_in_step() -> None:
    rng = np.random.default_rng(3)
    n = 240
    t = np.arange(n) / FPS
    body = _stick_body(n)
    body[..., 2] += 0.1 * np.sin(2 * np.pi * 0.7 * t)[:, None] + 0.05 * np.sin(2 * np.pi * 1.9 * t + 1)[:, None]
    body[:, INDEX["left_wrist"], 0] += 0.3 * np.sin(2 * np.pi * 1.1 * t)
    body += rng.normal(0, 0.002, body.shape)
    late = 17
    first = _filmed(body, CAMERAS[0])
    second = _filmed(body[late:], CAMERAS[1])
    offset = find_offset(first, second)
    assert offset.frames == late and offset.sure
    result = analyze_multiview([first, second], CAMERAS[:2])
    assert result.to_dict()["frame_offsets"] == {"cam1": 0, "cam2": late}
    assert result.points is not None and result.points.median_reprojection_px < 1.0


def _toml(cameras: tuple[Camera, ...]) -> str:
    tables = []
    for c in cameras:
        m = c.matrix
        tables.append(f'[{c.name}]\nname = "{c.name}"\nsize = [ {c.size_px[0]}.0, {c.size_px[1]}.0]\n'
                      f"matrix = [ [ {m[0, 0]}, 0.0, {m[0, 2]}], [ 0.0, {m[1, 1]}, {m[1, 2]}], [ 0.0, 0.0, 1.0]]\n"
                      f"distortions = {list(c.distortion)}\nrotation = {list(matrix_to_rodrigues(c.rotation))}\n"
                      f"translation = {list(c.translation_m)}\nfisheye = false\n")
    return "\n".join(tables) + "\n[metadata]\nadjusted = false\nerror = 0.0\n"


def test_the_toml_reader_gives_back_the_cameras_it_was_written_from(tmp_path: Path) -> None:
    path = tmp_path / "Calib.toml"
    path.write_text(_toml(CAMERAS))
    calibration = read_calibration(path)
    assert calibration.names == ("cam1", "cam2", "cam3", "cam4")
    body = _stick_body(3)
    for read, built in zip(calibration.cameras, CAMERAS, strict=True):
        assert np.allclose(read.project(body), built.project(body), atol=1e-6)


def test_a_toml_camera_without_its_matrix_is_named(tmp_path: Path) -> None:
    path = tmp_path / "Calib.toml"
    path.write_text(_toml(CAMERAS[:2]).replace("matrix = [ [ 1600.0, 0.0, 540.0], [ 0.0, 1605.0, 960.0], "
                                               "[ 0.0, 0.0, 1.0]]\n", "", 1))
    with pytest.raises(RecordingError, match="camera table 'cam1': missing matrix"):
        read_calibration(path)


def test_a_toml_rotation_of_the_wrong_length_is_named(tmp_path: Path) -> None:
    path = tmp_path / "Calib.toml"
    path.write_text(_toml(CAMERAS[:2]).replace("rotation = [", "rotation = [ 0.1,", 1))
    with pytest.raises(RecordingError, match="'cam1': rotation must be 3 finite numbers"):
        read_calibration(path)


def test_a_file_that_is_not_a_calibration_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "Calib.qca.txt"
    path.write_text("<calibration><cameras/></calibration>")
    with pytest.raises(RecordingError, match="no <cameras><camera> elements"):
        read_calibration(path)
    (tmp_path / "cal.json").write_text("{}")
    with pytest.raises(RecordingError, match="unknown calibration format"):
        read_calibration(tmp_path / "cal.json")


def test_the_qualisys_demo_calibration_reads_as_pose2sim_converts_it(example) -> None:
    calibration = read_calibration(example("balancing_calib.qca.txt"))
    assert calibration.names == ("cam01", "cam02", "cam03", "cam04")
    cam01 = calibration.camera("cam01")
    # 107599.671875 / 64 px focal length, 34110.316406 / 64 px principal point, position in mm / 1000.
    assert cam01.matrix[0, 0] == pytest.approx(1681.2449, abs=1e-3)
    assert cam01.matrix[0, 2] == pytest.approx(532.9737, abs=1e-3)
    assert np.allclose(cam01.centre_m, [1.4602, -1.9092, 1.8965], atol=1e-4)
    assert cam01.size_px == (1088, 1920)
    for camera in calibration.cameras:  # every camera stands 1.7-2.1 m high and looks at the lab's middle
        assert 1.6 < camera.centre_m[2] < 2.2
        assert camera.to_camera(np.array([0.0, 0.0, 1.0]))[2] > 0


def test_the_demo_cameras_triangulate_a_plausible_body(example) -> None:
    calibration = read_calibration(example("balancing_calib.qca.txt"))
    clips = [read_landmark_csv(example(f"balancing_{c.name}_landmarks.csv"), width_px=c.size_px[0],
                               height_px=c.size_px[1]) for c in calibration.cameras]
    result = analyze_multiview(clips, calibration.cameras, find_offsets=False)
    points = result.points
    assert points is not None
    # MediaPipe places a joint a little differently in each view: ours is 10.6 px median on 1920 px images.
    assert points.median_reprojection_px < 15.0
    assert np.isfinite(points.positions_m[:, INDEX["left_hip"]]).mean() > 0.95
    for a, b in (("left_hip", "left_knee"), ("right_hip", "right_knee"), ("left_knee", "left_ankle"),
                 ("right_knee", "right_ankle")):
        length = np.linalg.norm(points.point(a) - points.point(b), axis=1)
        assert 0.3 < np.nanmedian(length) < 0.5, (a, b)
        assert np.nanstd(length) / np.nanmean(length) < 0.1, (a, b)
    head = points.point("nose")[:, 2]
    ankles = points.point("left_ankle")[:, 2]
    assert 1.1 < np.nanmedian(head - ankles) < 1.8  # he balances on a bent leg and leans: 1.27 m here


def test_our_qualisys_reader_gives_the_cameras_pose2sims_converter_gives(example) -> None:
    ours = read_calibration(example("balancing_calib.qca.txt"))
    theirs = read_calibration(example("balancing_calib_pose2sim.toml"))
    assert ours.names == theirs.names
    points = np.random.default_rng(4).uniform([-2.0, -1.0, 0.0], [0.0, 1.0, 2.0], (200, 3))
    for mine, pose2sim in zip(ours.cameras, theirs.cameras, strict=True):
        assert np.abs(mine.project(points) - pose2sim.project(points)).max() < 1e-6
        assert mine.size_px == pose2sim.size_px


def test_a_camera_that_swapped_the_sides_is_put_right() -> None:
    from reeducate.signals.multiview.triangulate import unswap_sides
    from reeducate.signals.pose.landmarks import LANDMARKS

    body = _stick_body()
    clips = [_filmed(body, c) for c in CAMERAS[:3]]
    mirrored = [LANDMARKS.index(n.replace("left", "@").replace("right", "left").replace("@", "right"))
                for n in LANDMARKS]
    xy = clips[1].xy.copy()
    xy[5:12] = xy[5:12][:, mirrored]
    fixed, swapped = unswap_sides([clips[0], replace(clips[1], xy=xy), clips[2]], CAMERAS[:3])
    assert swapped == [0, 7, 0]
    assert np.allclose(fixed[1].xy, clips[1].xy)
    result = analyze_multiview([clips[0], replace(clips[1], xy=xy), clips[2]], CAMERAS[:3], find_offsets=False)
    assert any("sides swapped in 7 frames" in w for w in result.warnings)


def test_with_two_cameras_the_limbs_lengths_tell_swapped_sides() -> None:
    from reeducate.signals.multiview.triangulate import unswap_sides
    from reeducate.signals.pose.landmarks import LANDMARKS

    body = _stick_body()
    clips = [_filmed(body, c) for c in (CAMERAS[0], CAMERAS[3])]
    mirrored = [LANDMARKS.index(n.replace("left", "@").replace("right", "left").replace("@", "right"))
                for n in LANDMARKS]
    xy = clips[1].xy.copy()
    xy[20:26] = xy[20:26][:, mirrored]
    fixed, swapped = unswap_sides([clips[0], replace(clips[1], xy=xy)], (CAMERAS[0], CAMERAS[3]))
    assert swapped == [0, 6]
    assert np.allclose(fixed[1].xy, clips[1].xy)


def test_a_clip_a_codec_padded_is_taken_and_one_of_another_size_refused() -> None:
    body = _stick_body()
    clips = [_filmed(body, c) for c in CAMERAS[:2]]
    padded = replace(clips[1], image_size_px=(1088, 1920))
    result = analyze_multiview([clips[0], padded], CAMERAS[:2], find_offsets=False)
    assert any("calibrated at 1080x1920 px" in w for w in result.warnings)
    with pytest.raises(RecordingError, match="cam2 was calibrated at 1080x1920 px"):
        triangulate([clips[0], replace(clips[1], image_size_px=(1920, 1080))], CAMERAS[:2])


def _board_image(camera: Camera, board, size: tuple[int, int] = (1280, 720)) -> np.ndarray:
    """A grey image of the checkerboard as ``camera`` sees it (the board is the world, z = 0)."""
    import cv2

    image = np.full((size[1], size[0]), 255, np.uint8)
    s = board.square_m
    for i in range(-1, board.columns):  # columns + 1 squares: columns inner corners
        for j in range(-1, board.rows):
            if (i + j) % 2 == 0:
                corners = np.array([[i, j, 0], [i + 1, j, 0], [i + 1, j + 1, 0], [i, j + 1, 0]], float) * s
                cv2.fillConvexPoly(image, np.round(camera.project(corners) * 16).astype(np.int32), 0,
                                   lineType=cv2.LINE_AA, shift=4)
    return image


def _posed(tilt_x: float, tilt_y: float, distance_m: float, board) -> Camera:
    """A 1280x720 camera looking at the board's centre from ``distance_m``, tilted (deg) about x and y."""
    rotation = rodrigues_to_matrix([np.radians(tilt_x), 0, 0]) @ rodrigues_to_matrix([0, np.radians(tilt_y), 0])
    centre = np.array([(board.columns - 1) * board.square_m / 2, (board.rows - 1) * board.square_m / 2, 0.0])
    translation = np.array([0.0, 0.0, distance_m]) - rotation @ centre
    matrix = np.array([[900.0, 0, 640.0], [0, 900.0, 360.0], [0, 0, 1]])
    return Camera("cam", (1280, 720), matrix, np.zeros(4), rotation, translation)


def test_a_checkerboard_gives_back_the_camera_that_filmed_it() -> None:
    from reeducate.signals.multiview.checkerboard import Board, extrinsics, intrinsics

    board = Board(columns=9, rows=6, square_m=0.04)
    poses = [(0, 0, 0.9), (25, 0, 0.8), (-25, 10, 0.9), (10, 30, 1.0), (-15, -30, 0.85), (30, -15, 1.1),
             (-30, 25, 1.0), (15, 15, 0.7)]
    camera, rms = intrinsics("cam", [_board_image(_posed(*p, board), board) for p in poses], board)
    assert rms < 0.5
    assert camera.matrix[0, 0] == pytest.approx(900.0, rel=0.01)
    assert camera.matrix[:2, 2] == pytest.approx([640.0, 360.0], abs=8.0)
    truth = _posed(20, -10, 1.2, board)
    posed, error = extrinsics(camera, _board_image(truth, board), board)
    assert error < 0.5
    assert np.linalg.norm(posed.centre_m - truth.centre_m) < 0.01
    assert np.degrees(np.linalg.norm(matrix_to_rodrigues(posed.rotation @ truth.rotation.T))) < 0.5


def test_a_board_not_found_is_named(tmp_path: Path) -> None:
    from reeducate.signals.multiview.checkerboard import Board, intrinsics

    blank = np.full((720, 1280), 255, np.uint8)
    with pytest.raises(RecordingError, match="board was found in 0 of 3 images"):
        intrinsics("cam", [blank] * 3, Board(9, 6, 0.04))


def test_to_toml_is_read_back_as_the_same_cameras(tmp_path: Path) -> None:
    from reeducate.signals.multiview.calibration import Calibration
    from reeducate.signals.multiview.checkerboard import to_toml

    path = tmp_path / "Calib.toml"
    path.write_text(to_toml(Calibration(CAMERAS, "synthetic")))
    body = _stick_body(2)
    for read, built in zip(read_calibration(path).cameras, CAMERAS, strict=True):
        assert np.allclose(read.project(body), built.project(body), atol=1e-9)


@pytest.mark.parametrize(("reference", "other", "late"), [("cam01", "cam04", 10), ("cam01", "cam03", 10),
                                                          ("cam04", "cam03", 15)])
def test_on_the_demo_a_clip_cut_late_is_found_within_two_frames(example, reference: str, other: str,
                                                                  late: int) -> None:
    calibration = read_calibration(example("balancing_calib.qca.txt"))

    def clip(name: str) -> PoseSeries:
        c = calibration.camera(name)
        return read_landmark_csv(example(f"balancing_{name}_landmarks.csv"), width_px=c.size_px[0],
                                 height_px=c.size_px[1])

    cut = clip(other)
    cut = replace(cut, time_s=cut.time_s[late:] - cut.time_s[late], xy=cut.xy[late:],
                  visibility=cut.visibility[late:])
    offset = find_offset(clip(reference), cut)
    assert abs(offset.frames - late) <= 2 and offset.sure
    assert not find_offset(clip("cam01"), clip("cam02")).sure  # cam02 moves unlike cam01 in MediaPipe's keypoints


def test_a_point_behind_a_camera_is_not_placed() -> None:
    body = _stick_body()
    pair = (CAMERAS[0], CAMERAS[2])
    clips = [_filmed(body, c) for c in pair]
    # The nose mirrored through the second camera's centre lies on the same line of sight, behind that camera;
    # the first camera is made to see it there, so the two rays meet behind the second camera.
    behind = 2 * pair[1].centre_m - body[:, INDEX["nose"]]
    xy = clips[0].xy.copy()
    xy[:, INDEX["nose"]] = pair[0].project(behind)
    assert np.isfinite(xy[:, INDEX["nose"]]).all()
    points = triangulate([replace(clips[0], xy=xy), clips[1]], pair)
    assert np.isnan(points.positions_m[:, INDEX["nose"]]).all()
    assert np.isfinite(points.positions_m[:, INDEX["left_knee"]]).all()
