// On-device pose: MediaPipe BlazePose (@mediapipe/pose, served from /static/vendor/mediapipe-pose/, see
// `make vendor`) runs in this browser on a <video> fed by the camera. Only the 33 landmarks of each
// processed frame leave this file, through the callback; no picture is sent anywhere.
//
//   const pose = new DevicePose({modelComplexity: 0});  // 0 lite (default), 1 full
//   await pose.load();                       // the model and its WASM, once
//   const fps = await pose.warmUp(video);    // a few frames, measured
//   pose.run(video, (frame) => ...);         // frame = {t, size: [w, h], landmarks: [[x, y, z, visibility] x 33]}
//   pose.fps;                                // frames processed a second, measured over the last few
//   pose.stop();
//
// t is seconds since run() began; x and y are fractions of the picture's width and height (y down), z
// the depth on the scale of x, visibility 0-1; landmarks is empty when nobody is in the picture. The
// picture is drawn at most inputWidth pixels wide before the model sees it (the model works on a 256x256
// crop of the person anyway). At most maxFps frames are processed a second. The lite model is the
// default: without a fast GPU it keeps about twice the full model's rate (benchmarks/ondevice_pose.py).
(function () {
  "use strict";
  const BASE = "/static/vendor/mediapipe-pose/";
  const FPS_WINDOW = 8;  // frames the measured rate averages over

  class DevicePose {
    constructor({modelComplexity = 0, inputWidth = 320, maxFps = 15} = {}) {
      this.modelComplexity = modelComplexity;
      this.inputWidth = inputWidth;
      this.maxFps = maxFps;
      this.canvas = document.createElement("canvas");
      this.running = false;
      this.stamps = [];
      this.pose = null;
      this.latest = null;
    }

    async load() {
      if (typeof window.Pose !== "function") throw new Error("The pose model's script is not loaded.");
      this.pose = new window.Pose({locateFile: (file) => BASE + file});
      this.pose.setOptions({modelComplexity: this.modelComplexity, smoothLandmarks: true,
        enableSegmentation: false, minDetectionConfidence: 0.5, minTrackingConfidence: 0.5});
      this.pose.onResults((results) => { this.latest = results.poseLandmarks || null; });
      await this.pose.initialize();
    }

    get fps() {
      const s = this.stamps;
      return s.length < 2 ? 0 : (s.length - 1) / ((s[s.length - 1] - s[0]) / 1000);
    }

    // One frame of `video` through the model: the landmarks as sent, or [] when nobody is found.
    async process(video) {
      const w = video.videoWidth, h = video.videoHeight;
      this.canvas.width = Math.min(this.inputWidth, w);
      this.canvas.height = Math.round(h * this.canvas.width / w);
      this.canvas.getContext("2d").drawImage(video, 0, 0, this.canvas.width, this.canvas.height);
      this.latest = null;
      await this.pose.send({image: this.canvas});
      this.stamps.push(performance.now());
      if (this.stamps.length > FPS_WINDOW) this.stamps.shift();
      const round = (v) => Math.round(v * 1e4) / 1e4;
      return (this.latest || []).map((p) => [round(p.x), round(p.y), round(p.z), round(p.visibility ?? 0)]);
    }

    // A few frames through the model before the session starts (the first ones set up its WebGL and
    // buffers and are slow); returns the frames a second measured on the ones after the first.
    async warmUp(video, frames = 3) {
      await this.process(video);
      this.stamps = [performance.now()];
      for (let i = 0; i < frames; i++) await this.process(video);
      return this.fps;
    }

    run(video, onFrame) {
      this.running = true;
      const began = performance.now();
      const loop = async () => {
        while (this.running) {
          const due = performance.now() + 1000 / this.maxFps;
          if (video.readyState >= 2 && video.videoWidth) {
            const t = (performance.now() - began) / 1000;  // when the picture was taken from the video
            const landmarks = await this.process(video);
            if (!this.running) break;
            onFrame({t: Math.round(t * 1000) / 1000, size: [video.videoWidth, video.videoHeight], landmarks});
          }
          const wait = due - performance.now();
          await new Promise((ok) => setTimeout(ok, Math.max(0, wait)));
        }
      };
      this.done = loop();
      return this.done;
    }

    stop() { this.running = false; }
  }

  window.DevicePose = DevicePose;
})();
