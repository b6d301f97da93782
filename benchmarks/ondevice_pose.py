"""On-device pose's speed: frames a second of BlazePose in headless Chromium, as the patient's page runs it.

    make bench          (or: python benchmarks/ondevice_pose.py [--seconds 20])

The patient's browser runs MediaPipe's BlazePose (``@mediapipe/pose``, ``make vendor``) through the app's
own ``static/pose-device.js`` on Chromium's fake camera, fed a y4m made from the Sports2D demo clip: the
whole scene at 640x360, and the man framed as the guided-session test frames him. Each configuration (model lite or full, the picture drawn at a given width before the model sees
it) runs for ``--seconds`` after two frames of warm-up; printed are the frames processed a second, the share
of frames in which a person was found, and the seconds from loading the model to the first measured frame.
This machine has no GPU: WebGL is Chromium's software renderer (SwiftShader), so a phone with a GPU does
better; the number is the floor the live page must work with. The picture's width barely matters (the
model works on a 256x256 crop of the person whatever it is given); the model does.
"""

from __future__ import annotations

import argparse
import http.server
import shutil
import tempfile
import threading
from pathlib import Path

from reeducate.example_data import fetch
from reeducate.signals.pose.fake_camera import write_y4m

STATIC = Path(__file__).resolve().parents[1] / "src" / "reeducate" / "web" / "static"
PAGE = b"""<!doctype html><meta charset="utf-8"><title>on-device pose</title>
<video id="v" autoplay playsinline muted></video>
<script src="/static/vendor/mediapipe-pose/pose.js"></script><script src="/static/pose-device.js"></script>"""
#: (model complexity, width of the picture the model is given in px)
CONFIGURATIONS = [(0, 640), (0, 320), (1, 640), (1, 320)]
#: The camera's picture: the whole scene at 640x360 (the man on the box about a third of its height, a
#: woman walking past), and the man framed as a phone in front of a patient frames them (portrait 360x480).
CAMERAS = {"scene 640x360": ((640, 360), None), "patient framed 360x480": ((360, 480), (380, 0, 900, 694))}
LAST_FRAME = 168
"""The clip up to the man's back-flip (frame ~175), after which he lands out of the portrait frame."""
POSE_VERSION = "0.5.1675469404"
MEASURE = """async ([complexity, width, seconds]) => {
  const video = document.getElementById("v");
  video.srcObject = await navigator.mediaDevices.getUserMedia({video: true});
  await video.play();
  const pose = new DevicePose({modelComplexity: complexity, inputWidth: width, maxFps: 60});
  const loaded = performance.now();
  await pose.load();
  await pose.process(video); await pose.process(video);
  const ready = (performance.now() - loaded) / 1000;
  let frames = 0, found = 0;
  const began = performance.now();
  while (performance.now() - began < seconds * 1000) {
    const landmarks = await pose.process(video);
    frames += 1; if (landmarks.length === 33) found += 1;
  }
  return {fps: frames / ((performance.now() - began) / 1000), found: found / Math.max(frames, 1), ready,
          size: [video.videoWidth, video.videoHeight]};
}"""


class _Files(http.server.SimpleHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(PAGE)
            return
        super().do_GET()

    def translate_path(self, path: str) -> str:
        return str(STATIC / path.split("?")[0].removeprefix("/static/"))

    def log_message(self, *args: object) -> None:
        pass


def chromium_args(y4m: Path) -> list[str]:
    """Chromium's fake camera on ``y4m`` and permission granted without asking."""
    return ["--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={y4m}", "--enable-unsafe-swiftshader"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time per configuration")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    if not (STATIC / "vendor" / "mediapipe-pose" / "pose.js").exists():
        raise SystemExit("The pose model is not vendored: run `make vendor` first.")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    print(f"On-device pose (@mediapipe/pose {POSE_VERSION}) in headless Chromium, software WebGL; camera: the "
          f"Sports2D demo's first {LAST_FRAME + 1} frames, looped; {args.seconds:g} s per configuration")
    print(f"{'camera':<24} {'model':>5} {'input px':>9} {'frames/s':>9} {'found':>6} {'ready s':>8}")
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        executable = shutil.which("chromium") or "/usr/bin/chromium"
        for camera, (size, region) in CAMERAS.items():
            y4m = Path(folder) / "camera.y4m"
            write_y4m(fetch("sports2d_demo.mp4"), y4m, size_px=size, region=region, stated_fps=30, last=LAST_FRAME)
            browser = playwright.chromium.launch(executable_path=executable, args=chromium_args(y4m))
            for complexity, width in CONFIGURATIONS:
                page = browser.new_page()
                page.goto(url)
                result = page.evaluate(MEASURE, [complexity, width, args.seconds])
                page.close()
                model = ("lite", "full")[complexity]
                print(f"{camera:<24} {model:>5} {width:>9} {result['fps']:>9.2f} {result['found']:>6.0%} "
                      f"{result['ready']:>8.1f}")
            browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
