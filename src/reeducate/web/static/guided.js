// The patient's guided home session (pages/home_guided.html). Start opens the camera and the pose model
// (pose-device.js, on this phone), then the WebSocket /portal/today/{item}/live: the page sends
// {"type": "start", "source": "device", "fps": measured}, then one {"type": "landmarks", t, size, landmarks}
// per processed frame, {"type": "pain", score} and {"type": "stop"}. It shows the count, the last
// repetition's score in words and the cue (shown and spoken), and the server's words when pain stops it.
// No picture leaves the phone: only the landmarks do.
(function () {
  "use strict";
  const root = document.getElementById("guided");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const video = $("guided-video"), canvas = $("guided-canvas"), ctx = canvas.getContext("2d");
  const BONES = [[11, 12], [11, 13], [13, 15], [12, 14], [14, 16], [11, 23], [12, 24], [23, 24], [23, 25],
    [25, 27], [24, 26], [26, 28]];
  let ws = null, pose = null, stream = null, card = null, holds = 0, ended = false, cueTimer = null;

  function status(text) { $("guided-status").textContent = text; }
  function say(text) {
    if (!("speechSynthesis" in window)) return;
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
  }
  function cue(text, spoken = true) {
    $("guided-cue").textContent = text;
    if (spoken) say(text);
    clearTimeout(cueTimer);
    cueTimer = setTimeout(() => { $("guided-cue").textContent = ""; }, 6000);
  }
  // The engine's 0-100 score of a repetition in everyday words (our wording; the clinic page shows the number).
  function scoreWords(score) {
    if (score >= 90) return "Excellent";
    if (score >= 70) return "Good";
    return "Keep going: follow the tip";
  }

  function draw(frame) {
    const [w, h] = frame.size;
    if (canvas.width !== w) { canvas.width = w; canvas.height = h; }
    ctx.clearRect(0, 0, w, h);
    const p = frame.landmarks;
    if (p.length !== 33) return;
    ctx.strokeStyle = "#7fe0c4"; ctx.lineWidth = Math.max(4, w / 120);
    for (const [a, b] of BONES) {
      if (p[a][3] < 0.5 || p[b][3] < 0.5) continue;
      ctx.beginPath(); ctx.moveTo(p[a][0] * w, p[a][1] * h); ctx.lineTo(p[b][0] * w, p[b][1] * h); ctx.stroke();
    }
  }
  function send(message) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(message)); }

  function onFrame(frame) {
    draw(frame);
    send({type: "landmarks", t: frame.t, size: frame.size, landmarks: frame.landmarks});
  }

  function onEvent(e) {
    if (e.kind === "repetition_completed") {
      $("guided-count").textContent = e.count;
      $("guided-score").textContent = `Last one: ${scoreWords(e.score)}`;
    } else if (e.kind === "fault") {
      cue(e.cue);
    } else if (e.kind === "hold_started") {
      cue("Hold it", false);
    } else if (e.kind === "hold_completed") {
      holds += 1; $("guided-count").textContent = holds; cue(`Held for ${e.hold_s} seconds. Well done.`);
    } else if (e.kind === "set_complete") {
      cue(`Set ${e.set} done. Rest for a moment.`);
    } else if (e.kind === "repetition_incomplete") {
      cue("That one did not count. Try the whole movement.", false);
    }
  }

  function finish() {
    ended = true;
    if (pose) pose.stop();
    if (stream) stream.getTracks().forEach((t) => t.stop());
    $("guided-running").hidden = true; $("guided-stage").hidden = true;
  }
  function onSummary(m) {
    finish();
    const s = m.summary || {};
    const done = s.holds_completed !== null && s.holds_completed !== undefined
      ? `${s.holds_completed} ${s.holds_completed === 1 ? "hold" : "holds"}` : `${s.repetitions || 0} ${s.repetitions === 1 ? "repetition" : "repetitions"}`;
    $("guided-done-words").textContent = `You did ${done}. It is saved for your therapist.`;
    $("guided-done").hidden = false;
    status("");
  }
  function onStopped(message) {
    finish();
    $("guided-stop-words").textContent = message;
    $("guided-stop").hidden = false;
    say(message);
  }

  function connect(fps) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${scheme}://${location.host}/portal/today/${root.dataset.item}/live`);
    ws.onopen = () => send({type: "start", source: "device", fps: Math.round(fps * 100) / 100});
    ws.onmessage = (msg) => {
      const m = JSON.parse(msg.data);
      if (m.type === "started") {
        card = m.exercise;
        if (card && card.hold) $("guided-count-label").textContent = `holds of ${card.hold.target_s} seconds`;
        $("guided-running").hidden = false;
        status("Go ahead. Your phone is counting.");
        pose.run(video, onFrame);
      } else if (m.type === "event") onEvent(m);
      else if (m.type === "locked") onStopped(m.message);
      else if (m.type === "summary") { if ($("guided-stop").hidden) onSummary(m); else finish(); }
      else if (m.type === "warning") status(m.message);
      else if (m.type === "error") { finish(); status(m.message); }
    };
    ws.onclose = () => { if (!ended) { finish(); status("The connection was lost. What you did so far is saved."); } };
  }

  $("guided-start").addEventListener("click", async () => {
    $("guided-start").hidden = true;
    status("Opening the camera…");
    try {
      stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "user"}, audio: false});
    } catch (err) {
      $("guided-start").hidden = false;
      status("The camera could not be opened. Allow the camera for this page and press Start again.");
      return;
    }
    video.srcObject = stream;
    await video.play();
    $("guided-stage").hidden = false;
    status("Getting ready. This takes a few seconds…");
    pose = new window.DevicePose({modelComplexity: Number(root.dataset.complexity || 0)});
    try {
      await pose.load();
      connect(await pose.warmUp(video));
    } catch (err) {
      finish();
      status("This phone could not start the exercise guide. Do the exercise as shown and mark it done on Today.");
    }
  });
  for (const button of root.querySelectorAll("[data-pain]")) {
    button.addEventListener("click", () => {
      const score = Number(button.dataset.pain);
      send({type: "pain", score});
      status(`Pain ${score} out of 10: noted.`);
    });
  }
  $("guided-end").addEventListener("click", () => { send({type: "stop"}); status("Saving…"); });
})();
