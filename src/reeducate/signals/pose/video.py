"""A video file through a pose backend into one person's ``PoseSeries``.

Frames are decoded by OpenCV on a second thread while the backend works on the previous one, so on
two cores the clip runs at the pose model's own speed rather than decode + model.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from reeducate.signals.errors import RecordingError
from reeducate.signals.pose.backends import MediaPipePose, PoseBackend
from reeducate.signals.pose.landmarks import PoseSeries, pose_series
from reeducate.signals.pose.tracking import Mark, select_person

#: Frames decoded ahead of the pose model (bounded: a long clip never sits in memory whole).
DECODE_AHEAD = 8


def video_properties(path: str | Path) -> tuple[float, int, tuple[int, int]]:
    """Frame rate (fps), frame count and (width, height) in pixels, checked before any work is done."""
    import cv2

    path = Path(path)
    if not path.is_file():
        raise RecordingError(f"{path}: no such video file.")
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise RecordingError(f"{path.name}: not a video OpenCV can open (corrupt, or not a video). "
                                 "Export the clip again as MP4 (H.264) and upload that.")
        fps = float(capture.get(cv2.CAP_PROP_FPS))
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        size = (int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    finally:
        capture.release()
    if not np.isfinite(fps) or fps <= 0 or size[0] <= 0 or size[1] <= 0:
        raise RecordingError(f"{path.name}: the video states no frame rate or frame size; it is damaged or "
                             "not a video. Export it again as MP4 (H.264).")
    return fps, count, size


def frames(path: str | Path) -> Iterator[np.ndarray]:
    """RGB frames of a video, decoded on a background thread a few frames ahead."""
    import cv2

    slots: queue.Queue[np.ndarray | None | BaseException] = queue.Queue(maxsize=DECODE_AHEAD)
    stop = threading.Event()

    def decode() -> None:
        capture = cv2.VideoCapture(str(path))
        try:
            while not stop.is_set():
                ok, frame = capture.read()
                if not ok:
                    break
                slots.put(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        except BaseException as exc:  # handed to the consumer, raised there
            slots.put(exc)
        finally:
            capture.release()
            slots.put(None)

    worker = threading.Thread(target=decode, name="video-decode", daemon=True)
    worker.start()
    try:
        while (item := slots.get()) is not None:
            if isinstance(item, BaseException):
                raise RecordingError(f"{Path(path).name}: decoding failed ({item}).") from item
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            try:
                slots.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.05)


Region = tuple[int, int, int, int]


def _too_long(name: str, max_frames: int, fps: float, announced: int) -> RecordingError:
    if announced and max_frames >= announced:  # it holds more than its header says
        return RecordingError(f"{name}: the clip holds more than {max_frames} frames but its header announces "
                              f"{announced}; the file is damaged or mislabelled. Export it again and upload that.")
    return RecordingError(f"{name}: the clip holds more than {max_frames} frames ({max_frames / fps:.0f} s at "
                          f"{fps:g} fps); trim it to the movement and upload that.")


def _checked(region: Region, size: tuple[int, int]) -> Region:
    x0, y0, x1, y1 = (int(v) for v in region)
    width, height = size
    if not (0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height):
        raise RecordingError(f"The region {region} is not inside the {width}x{height} picture; give x0,y0,x1,y1 "
                             "in pixels with x0 < x1 and y0 < y1.")
    return x0, y0, x1, y1


def read_video(
    path: str | Path,
    *,
    backend: PoseBackend | None = None,
    mark: Mark | None = None,
    region: Region | None = None,
    on_frame: Callable[[int, int], None] | None = None,
    max_frames: int | None = None,
    max_pixels: int | None = None,
) -> PoseSeries:
    """Pose every frame of a video and follow the patient; ``on_frame(done, total)`` reports progress.

    ``region`` (x0, y0, x1, y1 in pixels) limits the search to the part of the picture where the
    patient moves, for a clip where a single-person model would otherwise lock on to someone else.
    Keypoints stay in the whole picture's pixels. ``max_frames`` and ``max_pixels`` (width x height)
    refuse a clip that is longer or larger than that, counted on the frames as they are decoded: a
    file's header may state fewer frames, or another size, than it holds.
    """
    fps, count, size = video_properties(path)
    name = Path(path).name
    if max_pixels is not None and size[0] * size[1] > max_pixels:
        raise RecordingError(f"{name}: {size[0]}x{size[1]} pixels is larger than pose needs; export the clip at "
                             "1080p or 4K and upload that.")
    x0, y0, x1, y1 = _checked(region, size) if region is not None else (0, 0, *size)
    backend = backend or MediaPipePose()
    candidates: list[np.ndarray] = []
    try:
        for frame in frames(path):
            if max_frames is not None and len(candidates) >= max_frames:
                raise _too_long(name, max_frames, fps, count)
            if max_pixels is not None and frame.shape[0] * frame.shape[1] > max_pixels:
                raise RecordingError(f"{name}: a frame of {frame.shape[1]}x{frame.shape[0]} pixels in a clip that "
                                     f"announced {size[0]}x{size[1]}; the file is damaged. Export the clip again "
                                     "and upload that.")
            found = backend.detect(np.ascontiguousarray(frame[y0:y1, x0:x1]))
            found[..., 0] += x0
            found[..., 1] += y0
            candidates.append(found)
            if on_frame is not None:
                on_frame(len(candidates), count)
    finally:
        backend_name = backend.name
        backend.close()
    if not candidates:
        raise RecordingError(f"{name}: no frame could be decoded; the file is damaged or truncated. "
                             "Export the clip again and upload that.")
    time_s = np.arange(len(candidates)) / fps
    chosen = select_person(candidates, time_s, mark)
    warnings = list(chosen.warnings)
    if count and abs(count - len(candidates)) > max(2, 0.02 * count):
        warnings.append(f"the file announces {count} frames but {len(candidates)} could be decoded; "
                        "the end of the clip may be missing.")
    metadata = {"person": chosen.how, "backend": backend_name}
    if chosen.xyz is not None:
        metadata["xyz"] = "world"
    return pose_series(xy=chosen.xy, visibility=chosen.visibility, fps=fps, source=f"{name} ({backend_name})",
                       image_size_px=size, time_s=time_s, warnings=tuple(warnings), metadata=metadata,
                       xyz=chosen.xyz)
