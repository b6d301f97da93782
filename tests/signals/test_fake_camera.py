"""A clip as Chromium's fake camera: the y4m's header, frame count and planes, read back as a reader would."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reeducate.signals.errors import RecordingError
from reeducate.signals.pose.fake_camera import write_y4m


def test_the_y4m_states_its_slowed_rate_and_holds_every_chosen_frame_as_yuv_420(example, tmp_path: Path) -> None:
    import cv2

    from reeducate.signals.pose.video import frames

    target = tmp_path / "camera.y4m"
    count = write_y4m(example("balancing_cam04.mp4"), target, size_px=(120, 200), stated_fps=2.5,
                      first=10, last=29, every=5, region=(0, 0, 1088, 1800))
    data = target.read_bytes()
    header, rest = data.split(b"\n", 1)
    assert header == b"YUV4MPEG2 W120 H200 F5:2 Ip A1:1 C420jpeg"
    plane = 120 * 200 * 3 // 2
    assert count == 4 and len(rest) == 4 * (len(b"FRAME\n") + plane)  # frames 10, 15, 20, 25
    first = np.frombuffer(rest[6:6 + plane], np.uint8).reshape(300, 120)
    picture = cv2.cvtColor(first, cv2.COLOR_YUV2RGB_I420)
    clip_frame = next(f for i, f in enumerate(frames(example("balancing_cam04.mp4"))) if i == 10)
    expected = cv2.resize(clip_frame[:1800], (120, 200), interpolation=cv2.INTER_AREA)
    assert np.abs(picture.astype(int) - expected.astype(int)).mean() < 6  # the colour conversion's rounding


def test_an_odd_size_or_an_empty_range_is_refused(example, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="even"):
        write_y4m(example("balancing_cam04.mp4"), tmp_path / "x.y4m", size_px=(121, 200), stated_fps=5)
    with pytest.raises(RecordingError, match="no frame"):
        write_y4m(example("balancing_cam04.mp4"), tmp_path / "x.y4m", stated_fps=5, first=500)
