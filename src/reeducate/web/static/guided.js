// The patient's guided home session (pages/home_guided.html). Start opens the camera and the pose model
// (pose-device.js, on this phone), then the WebSocket /portal/today/{item}/live: the page sends
// {"type": "start", "source": "device", "fps": measured}, then one {"type": "landmarks", t, size, landmarks}
// per processed frame, {"type": "pain", score} and {"type": "stop"}. It shows the count, the last
// repetition's score in words and the cue (shown and spoken), and the server's words when pain stops it.
// No picture leaves the phone: only the landmarks do, unless the patient ticked "Record a short clip" before
// Start: then the camera is recorded here (MediaRecorder, no sound) from the session's start for at most
// CLIP_MAX_S, and once the session has ended the page offers "Share with my therapist" (the one upload:
// POST /portal/home-sessions/{the started message's record}/clip) or "Delete it". Until Share is pressed
// the clip is only in this page's memory; leaving the page drops it.
// A connection that breaks before the session has ended is opened again (to whichever server process takes
// it) with {"carry_on": the session's record}: the same session goes on with its count, the camera and the
// clip carry on too. If it cannot, the page says so and that what was done is saved.
(function () {
  "use strict";
  const root = document.getElementById("guided");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const video = $("guided-video"), canvas = $("guided-canvas"), ctx = canvas.getContext("2d");
  const BONES = [[11, 12], [11, 13], [13, 15], [12, 14], [14, 16], [11, 23], [12, 24], [23, 24], [23, 25],
    [25, 27], [24, 26], [26, 28]];
  let ws = null, pose = null, stream = null, card = null, holds = 0, ended = false, cueTimer = null;
  const CLIP_MAX_S = 60;  // our setting: the first minute shows the therapist the movement and keeps the file small
  const CLIP_BITS_PER_S = 1000000;  // asked of the recorder: about 7.5 MB a minute
  let recordId = null, recorder = null, chunks = [], clipBegan = 0, clipS = 0, clip = null, offered = false,
    clipTimer = null, measuredFps = 15, tries = 0;
  const RECONNECT_TRIES = 30, RECONNECT_EVERY_MS = 1000;  // our setting: half a minute for a server process to return

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

  // -- the clip, recorded only when the box was ticked, sent only by Share ----------------------------------
  function startClip() {
    if (!$("guided-clip").checked || !window.MediaRecorder) return;
    const type = ["video/webm;codecs=vp8", "video/webm", "video/mp4"].find((t) => MediaRecorder.isTypeSupported(t));
    recorder = new MediaRecorder(stream, {mimeType: type || "", videoBitsPerSecond: CLIP_BITS_PER_S});
    chunks = [];
    recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
    recorder.onstop = () => {
      const kept = new Blob(chunks, {type: recorder.mimeType || type || "video/webm"});
      chunks = [];
      clip = kept.size ? kept : null;
      offerClip();
    };
    recorder.start(1000);
    clipBegan = performance.now();
    clipTimer = setTimeout(stopClip, CLIP_MAX_S * 1000);
  }
  function stopClip() {
    clearTimeout(clipTimer);
    if (!recorder || recorder.state === "inactive") return;
    clipS = Math.min(CLIP_MAX_S, Math.round((performance.now() - clipBegan) / 1000));
    recorder.stop();
  }
  // Once the session has ended and the clip is ready: its length and the two choices, above the way out.
  function offerClip() {
    if (!ended || !clip || offered) return;
    offered = true;
    const panel = $("guided-clip-choice");
    const host = [$("guided-stop"), $("guided-done")].find((section) => !section.hidden);
    if (host) host.insertBefore(panel, host.querySelector("a.guided-big"));
    $("guided-clip-words").textContent = `Your clip lasts ${clipS} ${clipS === 1 ? "second" : "seconds"}. ` +
      "It is on this phone only. Do you want your therapist to see it?";
    panel.hidden = false;
  }
  function clipDone(words) {
    clip = null;
    $("guided-clip-words").textContent = words;
    $("guided-clip-share").hidden = true; $("guided-clip-delete").hidden = true;
  }
  // The server's words for a refused clip: its error page's message (or JSON's detail).
  async function refusal(answer) {
    const text = await answer.text();
    try { return JSON.parse(text).detail; } catch (err) { /* a page */ }
    const found = new DOMParser().parseFromString(text, "text/html").querySelector(".error");
    return found ? found.textContent.trim() : "The clip could not be shared. Please try again.";
  }
  async function shareClip() {
    const buttons = [$("guided-clip-share"), $("guided-clip-delete")];
    buttons.forEach((b) => { b.disabled = true; });
    $("guided-clip-words").textContent = "Sending your clip…";
    const body = new FormData();
    body.append("clip", clip, clip.type.includes("mp4") ? "clip.mp4" : "clip.webm");
    try {
      const answer = await fetch(`/portal/home-sessions/${recordId}/clip`, {method: "POST", body,
        credentials: "same-origin", headers: {"X-CSRF-Token": root.dataset.csrf}});
      if (answer.ok) { clipDone("Shared with your therapist. Thank you."); return; }
      $("guided-clip-words").textContent = await refusal(answer);
    } catch (err) {
      $("guided-clip-words").textContent = "The clip could not be sent. Check the internet connection and press Share again.";
    }
    buttons.forEach((b) => { b.disabled = false; });
  }

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
    stopClip();
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
    offerClip();
  }
  function onStopped(message) {
    finish();
    $("guided-stop-words").textContent = message;
    $("guided-stop").hidden = false;
    say(message);
    offerClip();
  }

  function carriedOn(m) {
    const c = m.counted || {};
    tries = 0;
    if (card && card.hold) holds = c.holds_completed || 0;
    $("guided-count").textContent = card && card.hold ? holds : (c.repetitions || 0);
    status("Connected again. Carry on: your count is kept.");
  }
  function connect(fps) {
    measuredFps = fps;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${scheme}://${location.host}/portal/today/${root.dataset.item}/live`);
    ws.onopen = () => send({type: "start", source: "device", fps: Math.round(fps * 100) / 100,
      ...(recordId === null ? {} : {carry_on: recordId})});
    ws.onmessage = (msg) => {
      const m = JSON.parse(msg.data);
      if (m.type === "started" && recordId !== null) carriedOn(m);
      else if (m.type === "started") {
        card = m.exercise;
        recordId = m.record;
        if (card && card.hold) $("guided-count-label").textContent = `holds of ${card.hold.target_s} seconds`;
        $("guided-running").hidden = false;
        status("Go ahead. Your phone is counting.");
        pose.run(video, onFrame);
        startClip();
      } else if (m.type === "event") onEvent(m);
      else if (m.type === "locked") onStopped(m.message);
      else if (m.type === "summary") { if ($("guided-stop").hidden) onSummary(m); else finish(); }
      else if (m.type === "warning") status(m.message);
      else if (m.type === "error") {
        finish(); status(recordId === null ? m.message : `${m.message} What you did so far is saved.`); offerClip();
      }
    };
    ws.onclose = () => {
      if (ended) return;
      if (recordId !== null && tries < RECONNECT_TRIES) {
        tries += 1;
        status("The connection was lost. Connecting again… Keep going: what you did so far is saved.");
        setTimeout(() => connect(measuredFps), RECONNECT_EVERY_MS);
        return;
      }
      finish(); status("The connection was lost. What you did so far is saved."); offerClip();
    };
  }

  if (!window.MediaRecorder) $("guided-clip-offer").hidden = true;  // this browser cannot record: no offer
  $("guided-start").addEventListener("click", async () => {
    $("guided-start").hidden = true;
    const offer = $("guided-clip-offer"), couldRecord = !offer.hidden;
    offer.hidden = true;
    status("Opening the camera…");
    try {
      stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "user"}, audio: false});
    } catch (err) {
      $("guided-start").hidden = false;
      offer.hidden = !couldRecord;
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
  $("guided-clip-share").addEventListener("click", shareClip);
  $("guided-clip-delete").addEventListener("click", () => clipDone("Deleted. Nothing was sent."));
  $("guided-end").addEventListener("click", () => { send({type: "stop"}); status("Saving…"); });
})();
