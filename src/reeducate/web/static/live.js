// The live training page: starts an exercise over the WebSocket, draws the skeleton or the COP target,
// shows the count, each repetition's score and the current cue (spoken when asked), sends pain, mute
// and stop. With the camera, a frame is sent only when the previous one has been answered. "On this
// device" runs the pose model in this browser (pose-device.js) and sends only the landmarks.
// A connection that breaks before the exercise has ended (the server process serving it restarted, the
// network dropped) is opened again, to whichever server process takes it, with the same start and
// {"carry_on": record}: the same exercise record goes on, its count kept. The camera stays open meanwhile.
// If the server cannot carry it on, the page says why and that what was counted is saved.
// EMG: a tall bar per muscle (its amplitude in % of its reference, the target band shaded), a lamp lit
// while the muscle is on, and for an onset-order goal which muscle came on first and by how many ms.
(function () {
  "use strict";
  const form = document.getElementById("start-form");
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  const canvas = $("live-canvas"), ctx = canvas.getContext("2d"), video = $("live-video");
  const BONES = [[11, 12], [11, 13], [13, 15], [12, 14], [14, 16], [11, 23], [12, 24], [23, 24], [23, 25],
    [25, 27], [27, 29], [29, 31], [27, 31], [24, 26], [26, 28], [28, 30], [30, 32], [28, 32], [0, 11], [0, 12]];
  let ws = null, card = null, count = 0, holds = 0, stream = null, waiting = false, lastCueAt = 0, pose = null;
  // The exercise's record once started; ended once its summary (or a refusal) came; reconnection tries.
  let recordId = null, ended = false, tries = 0, startMessage = null;
  let attempts = 0, successes = 0;  // holds started and completed, or onset orders timed and led
  const EMG_TOP = 120;  // the bars' scale: 0-120 % of the reference (a calibrated reference can be passed)
  const RECONNECT_TRIES = 30, RECONNECT_EVERY_MS = 1000;  // our setting: half a minute for a server process to return
  // Joint position sense training (jps_phase / jps_trial events): each phase's instruction stays in large
  // text (and is spoken when asked: the eyes are closed), the angle is hidden while the patient finds the
  // position again, and each trial's error is said when it is done.
  let jps = null, result = null;  // joint position sense: the phase now, and the last trial's result to say

  function say(text) {
    if ($("speak").checked && "speechSynthesis" in window) {
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
    }
  }
  function cue(text, good) {
    const el = $("live-cue");
    el.textContent = text;
    el.classList.toggle("good", !!good);
    lastCueAt = Date.now();
    if (!good) say(text);
  }
  function status(text) { $("live-status").textContent = text; }

  function drawSkeleton(points) {
    const w = canvas.width, h = canvas.height;
    ctx.strokeStyle = "#7fe0c4"; ctx.fillStyle = "#ffffff"; ctx.lineWidth = Math.max(3, w / 200);
    for (const [a, b] of BONES) {
      const p = points[a], q = points[b];
      if (p[2] < 0.5 || q[2] < 0.5) continue;
      ctx.beginPath(); ctx.moveTo(p[0] * w, p[1] * h); ctx.lineTo(q[0] * w, q[1] * h); ctx.stroke();
    }
    for (const p of points) if (p[2] >= 0.5) { ctx.beginPath(); ctx.arc(p[0] * w, p[1] * h, Math.max(4, w / 250), 0, 7); ctx.fill(); }
  }
  function drawTarget(cop) {
    const w = canvas.width, h = canvas.height, radius = card.cop_radius_mm || 30;
    const scale = Math.min(w, h) * 0.35 / radius;  // the target circle fills most of the picture
    ctx.strokeStyle = "#7fe0c4"; ctx.lineWidth = 3;
    ctx.beginPath(); ctx.arc(w / 2, h / 2, radius * scale, 0, 7); ctx.stroke();
    if (!cop) return;
    const inside = Math.hypot(cop[0], cop[1]) <= radius;
    ctx.fillStyle = inside ? "#7fe0c4" : "#ffb347";
    ctx.beginPath(); ctx.arc(w / 2 + cop[0] * scale, h / 2 - cop[1] * scale, 10, 0, 7); ctx.fill();
  }
  function drawGauge(value) {
    // No skeleton or plate: a bar from rest to the target (or across the hold band).
    const low = card.hold ? card.hold.low : 0, high = card.hold ? card.hold.high : (card.target || 100);
    const span = Math.abs(high - low) * 1.4 || 1, w = canvas.width, h = canvas.height, top = h * 0.12, bottom = h * 0.8;
    const y = (v) => bottom - (bottom - top) * Math.min(1, Math.max(0, (v - Math.min(low, high) + span * 0.1) / span));
    ctx.fillStyle = "#1f4656"; ctx.fillRect(w / 2 - 40, top, 80, bottom - top);
    ctx.strokeStyle = "#7fe0c4"; ctx.lineWidth = 3;
    for (const mark of card.hold ? [low, high] : [high]) {
      ctx.beginPath(); ctx.moveTo(w / 2 - 60, y(mark)); ctx.lineTo(w / 2 + 60, y(mark)); ctx.stroke();
    }
    if (value !== null) { ctx.fillStyle = "#ffffff"; ctx.fillRect(w / 2 - 40, y(value), 80, bottom - y(value)); }
  }
  function fit(size) {
    if (!size || canvas.width === size[0]) return;
    canvas.width = size[0]; canvas.height = size[1];
  }
  function drawValue(value) {
    ctx.fillStyle = "#d8eef5"; ctx.font = `${Math.round(canvas.width / 24)}px system-ui, sans-serif`;
    let shown = value === null ? "–" : `${value.toFixed(0)} ${card.unit}`;
    if (jps && !jps.show_angle) shown = "hidden (eyes closed)";
    else if (jps && jps.target_deg !== null) shown += ` (target ${jps.target_deg} ${card.unit})`;
    ctx.fillText(`${card.signal.replace(/_mm$/, "").replaceAll("_", " ")}: ${shown}`, 16, canvas.height - 20);
  }
  function drawJpsGauge(value) {
    // The angle and the target on a scale from 0 to 150 degrees; nothing of the angle while it is hidden.
    const w = canvas.width, h = canvas.height, top = h * 0.12, bottom = h * 0.8;
    const y = (v) => bottom - (bottom - top) * Math.min(1, Math.max(0, v / 150));
    ctx.fillStyle = "#1f4656"; ctx.fillRect(w / 2 - 40, top, 80, bottom - top);
    if (jps.target_deg !== null) {
      ctx.strokeStyle = "#7fe0c4"; ctx.lineWidth = 3;
      ctx.beginPath(); ctx.moveTo(w / 2 - 60, y(jps.target_deg)); ctx.lineTo(w / 2 + 60, y(jps.target_deg)); ctx.stroke();
    }
    if (value !== null && jps.show_angle) { ctx.fillStyle = "#ffffff"; ctx.fillRect(w / 2 - 40, y(value) - 3, 80, 6); }
  }
  const muscleName = (m) => m.replaceAll("_", " ");
  function buildEmg() {
    $("live-canvas").hidden = true; $("emg-panel").hidden = false;
    $("emg-reference").textContent = card.amplitude ? `Bars: ${card.amplitude}` : "";
    const watched = card.signal.replace(/_mvc$/, "");
    for (const muscle of card.muscles) {
      const box = document.createElement("div");
      box.className = "emg-muscle"; box.dataset.muscle = muscle;
      box.innerHTML = '<span class="emg-lamp" title="off"></span><div class="emg-track"><div class="emg-fill"></div></div>' +
        '<span class="emg-value">–</span><span class="emg-name"></span>';
      box.querySelector(".emg-name").textContent = muscleName(muscle);
      if (card.hold && muscle === watched) {
        const band = document.createElement("div");
        band.className = "emg-band";
        band.style.bottom = `${100 * Math.min(card.hold.low, EMG_TOP) / EMG_TOP}%`;
        band.style.height = `${100 * (Math.min(card.hold.high, EMG_TOP) - Math.min(card.hold.low, EMG_TOP)) / EMG_TOP}%`;
        box.querySelector(".emg-track").prepend(band);
      }
      $("emg-bars").appendChild(box);
    }
  }
  function drawEmg(muscles) {
    if (!attempts && Object.values(muscles).every(([, on]) => on !== null) && $("live-status").textContent.startsWith("Running: rest")) {
      status("Running: resting level learnt");
    }
    for (const box of $("emg-bars").children) {
      const [percent, on] = muscles[box.dataset.muscle] || [null, null];
      const fill = box.querySelector(".emg-fill"), lamp = box.querySelector(".emg-lamp");
      fill.style.height = percent === null ? "0" : `${100 * Math.min(percent, EMG_TOP) / EMG_TOP}%`;
      fill.dataset.percent = percent === null ? "" : percent;
      const band = box.querySelector(".emg-band");
      fill.classList.toggle("outside", !!band && percent !== null && (percent < card.hold.low || percent > card.hold.high));
      box.querySelector(".emg-value").textContent = percent === null ? "–" : `${percent.toFixed(0)} %`;
      lamp.classList.toggle("on", on === true); lamp.classList.toggle("off", on === false);
      lamp.title = on === null ? "learning the resting level" : (on ? "on" : "off");
    }
  }
  function successLine() {
    return attempts ? `${successes} of ${attempts} ${card.order ? "in the right order" : "held"} (${Math.round(100 * successes / attempts)} %)` : "";
  }
  function onOrder(e) {
    count = e.count; $("live-count").textContent = count;
    attempts += 1; if (e.success) successes += 1;
    const lead = Math.abs(Math.round(e.lead_ms)), leader = e.lead_ms >= 0 ? e.first : e.second;
    const el = $("emg-order");
    el.textContent = `${muscleName(leader)} first, by ${lead} ms`;
    el.className = `emg-order ${e.success ? "good" : "bad"}`;
    const li = document.createElement("li");
    li.textContent = `${e.lead_ms > 0 ? "+" : ""}${Math.round(e.lead_ms)} ms`;
    li.title = `${muscleName(e.first)} ${e.lead_ms >= 0 ? "led" : "came after"} ${muscleName(e.second)} by ${lead} ms`;
    if (!e.success) li.classList.add("low");
    $("live-scores").appendChild(li);
    if (e.success) cue(`Good: ${muscleName(e.first)} first`, true); else cue(`${muscleName(e.second)} came first`);
    status(successLine());
  }
  function onSample(m) {
    if (m.muscles) { drawEmg(m.muscles); return; }
    if (!stream) { ctx.fillStyle = "#0f2530"; ctx.fillRect(0, 0, canvas.width, canvas.height); }
    else ctx.clearRect(0, 0, canvas.width, canvas.height);
    fit(m.size);
    if (m.landmarks) drawSkeleton(m.landmarks);
    if (card.cop_radius_mm) drawTarget(m.cop);
    else if (!m.size && jps) drawJpsGauge(m.value);
    else if (!m.size) drawGauge(m.value);
    drawValue(m.value);
    if (!jps && Date.now() - lastCueAt > 4000 && $("live-cue").textContent) $("live-cue").textContent = "";
    if (stream && !pose) { waiting = false; sendFrame(); }
  }
  function onEvent(e) {
    if (e.kind === "repetition_completed" && card.order) {
      onOrder(e);
    } else if (e.kind === "repetition_completed") {
      count = e.count; $("live-count").textContent = count;
      const li = document.createElement("li");
      li.textContent = e.score; li.title = e.reasons.join("; ") || "clean repetition";
      if (e.score < 70) li.classList.add("low");
      $("live-scores").appendChild(li);
    } else if (e.kind === "fault") {
      cue(e.cue);
    } else if (e.kind === "target_reached") {
      if (!$("live-cue").textContent) cue("Good: target reached", true);
    } else if (e.kind === "hold_started") {
      attempts += 1;
      status(card.muscles.length ? `Holding… ${successLine()}` : "Holding…");
    } else if (e.kind === "hold_completed") {
      holds += 1; successes += 1; $("live-count").textContent = holds; cue(`Held ${e.hold_s} s`, true);
    } else if (e.kind === "hold_broken") {
      status(`Hold ended after ${e.hold_s} s` + (card.muscles.length ? ` · ${successLine()}` : ""));
    } else if (e.kind === "set_complete") {
      cue(`Set ${e.set} done: rest`, true); say(`Set ${e.set} done. Rest.`);
    } else if (e.kind === "repetition_incomplete") {
      status(`Not counted: ${e.reason}`);
    } else if (e.kind === "jps_phase") {
      jps = e; $("live-count-label").textContent = `trials of ${e.trials}`;
      const text = result && (e.phase === "back" || e.phase === "done") ? `${result} ${e.instruction}` : e.instruction;
      result = null;
      cue(text, true); say(text);
      status(e.show_angle ? `Trial ${e.trial} of ${e.trials}` : `Trial ${e.trial} of ${e.trials}: angle hidden, eyes closed`);
    } else if (e.kind === "jps_trial") {
      $("live-count").textContent = e.trial; result = `${e.instruction}.`;
      const li = document.createElement("li");
      li.textContent = `${e.error_deg > 0 ? "+" : ""}${e.error_deg}°`;
      li.title = `target ${e.target_deg}°, reproduced ${e.reproduced_deg}°: ${e.result}`;
      $("live-scores").appendChild(li);
    } else if (e.kind === "stopped_for_pain") {
      cue(`Stopped: pain ${e.pain}/10`); status("Exercise stopped for pain; marked for regression.");
    }
  }
  function onSummary(m) {
    ended = true;
    const s = m.summary, box = $("live-summary");
    box.hidden = false;
    box.innerHTML = "";
    const p = document.createElement("p");
    p.className = "notice";
    p.textContent = `Saved on the visit (${m.status.replaceAll("_", " ")}): ${s.repetitions} ${s.jps ? (s.repetitions === 1 ? "trial" : "trials") : "repetitions"}` +
      (s.mean_score !== null ? `, mean score ${s.mean_score}` : "") +
      (s.holds_completed !== null ? `, ${s.holds_completed} holds (longest ${s.longest_hold_s} s)` : "") +
      (s.success_rate !== undefined && s.success_rate !== null ? `, ${s.successes} of ${s.attempts} attempts succeeded (${s.success_rate} %)` : "") +
      (s.leads_ms && s.leads_ms.length ? `, leads ${s.leads_ms.join(", ")} ms` : "") +
      `, ${s.cues_given} cues, ${s.active_s} s active.` + (s.labels && s.labels.amplitude ? ` Amplitudes: ${s.labels.amplitude}.` : "");
    box.appendChild(p);
    if (s.jps) box.appendChild(jpsSummary(s.jps));
    const again = document.createElement("a");
    again.href = location.pathname; again.className = "button"; again.textContent = "Next exercise";
    box.appendChild(again);
  }
  function jpsSummary(j) {
    // Each trial's target, reproduction and error, and AE/CE/VE over the trials (signals/jps.py's definitions).
    const box = document.createElement("div");
    const e = j.errors, p = document.createElement("p");
    p.textContent = e ? `Joint position sense: ${e.n_trials} trial${e.n_trials === 1 ? "" : "s"}, absolute error ${e.absolute_error_deg}°, ` +
      `constant error ${e.constant_error_deg > 0 ? "+" : ""}${e.constant_error_deg}°, variable error ` +
      `${e.variable_error_deg === null ? "n/a" : e.variable_error_deg + "°"} (positive past the target).`
      : "Joint position sense: no trial done.";
    box.appendChild(p);
    if (!j.trials.length) return box;
    const table = document.createElement("table");
    table.id = "jps-trials";
    table.innerHTML = "<thead><tr><th>Trial</th><th>Target asked</th><th>Target held</th><th>Reproduced</th><th>Error</th></tr></thead>";
    const body = document.createElement("tbody");
    for (const t of j.trials) {
      const row = document.createElement("tr");
      for (const cell of [t.trial, `${t.aimed_deg}°`, `${t.target_deg}°`, `${t.reproduced_deg}°`, `${t.error_deg > 0 ? "+" : ""}${t.error_deg}° (${t.result})`]) {
        const td = document.createElement("td"); td.textContent = cell; row.appendChild(td);
      }
      body.appendChild(row);
    }
    table.appendChild(body); box.appendChild(table);
    return box;
  }
  function buildMutes() {
    for (const f of card.faults) {
      const label = document.createElement("label");
      label.className = "check";
      const box = document.createElement("input");
      box.type = "checkbox"; box.checked = true; box.dataset.fault = f.fault;
      box.addEventListener("change", () => ws.send(JSON.stringify({type: "mute", fault: f.fault, muted: !box.checked})));
      label.append(box, ` ${f.cue}`);
      $("mutes").appendChild(label);
    }
  }
  function sendFrame() {
    if (!stream || waiting || !ws || ws.readyState !== 1 || !video.videoWidth) return;
    const grab = document.createElement("canvas");
    grab.width = video.videoWidth; grab.height = video.videoHeight;
    grab.getContext("2d").drawImage(video, 0, 0);
    waiting = true;
    grab.toBlob((blob) => { if (blob && ws.readyState === 1) ws.send(blob); else waiting = false; }, "image/jpeg", 0.7);
  }
  async function openCamera() {
    stream = await navigator.mediaDevices.getUserMedia({video: {width: 640, height: 480}, audio: false});
    video.srcObject = stream; video.hidden = false;
    await new Promise((ok) => { video.onloadedmetadata = ok; });
  }
  // The lite model, as on the patient's phone (benchmarks/ondevice_pose.py: about twice the full model's
  // rate without a GPU); returns the frames a second it manages here.
  async function openDevicePose() {
    status("Loading the pose model in this browser…");
    pose = new window.DevicePose({modelComplexity: 0});
    await pose.load();
    await video.play();
    return pose.warmUp(video);
  }
  function sendLandmarks(frame) {
    if (ws && ws.readyState === 1) ws.send(JSON.stringify({type: "landmarks", t: frame.t, size: frame.size, landmarks: frame.landmarks}));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const [exercise, monitor] = data.get("choice").split("|");
    const source = data.get("source");
    $("live").hidden = false; $("start-card").hidden = true;
    let fps = 15;
    if (source === "camera" || source === "device") {
      try { await openCamera(); } catch (err) { status(`The camera could not be opened: ${err.message}`); return; }
    }
    if (source === "device") {
      try { fps = await openDevicePose(); } catch (err) { status(`The pose model could not start here: ${err.message}`); return; }
    }
    startMessage = {type: "start", exercise, monitor, source, side: data.get("side"),
      recording: data.get("recording"), fps: Math.round(fps * 100) / 100};
    connect();
  });
  function onStarted(m) {
    const carried = recordId !== null;
    recordId = m.record; tries = 0; waiting = false;
    if (carried) {
      const c = m.counted || {};
      count = c.repetitions || 0; holds = c.holds_completed || 0;
      attempts = c.attempts || 0; successes = c.successes || 0;
      $("live-count").textContent = card.hold ? holds : count;
      for (const box of $("mutes").querySelectorAll("input[data-fault]")) {  // the new connection's engine hears the mutes again
        if (!box.checked) ws.send(JSON.stringify({type: "mute", fault: box.dataset.fault, muted: true}));
      }
      status("Running (carried on after the connection broke; the count is kept)");
      if (!pose) sendFrame();
      return;
    }
    card = m.exercise;
    $("live-name").textContent = card.name; $("live-instructions").textContent = card.instructions;
    $("live-count-label").textContent = card.hold ? `holds of ${card.hold.target_s} s`
      : (card.order ? `activations timed (${muscleName(card.order.first)} before ${muscleName(card.order.second)})` : "repetitions");
    if (card.muscles.length) buildEmg();
    buildMutes(); status(card.muscles.length ? "Running: rest for a moment while the resting level is learnt" : "Running");
    if (pose) pose.run(video, sendLandmarks); else sendFrame();
  }
  function stopCamera() {
    if (pose) pose.stop();
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
  }
  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${scheme}://${location.host}/visits/${form.dataset.visit}/training/live`);
    ws.onopen = () => ws.send(JSON.stringify(recordId === null ? startMessage : {...startMessage, carry_on: recordId}));
    ws.onmessage = (msg) => {
      const m = JSON.parse(msg.data);
      if (m.type === "started") onStarted(m);
      else if (m.type === "sample") onSample(m);
      else if (m.type === "event") onEvent(m);
      else if (m.type === "summary") onSummary(m);
      else if (m.type === "locked") { status(m.message); say("Stop. Severe pain."); }
      else if (m.type === "error") {
        ended = true;
        status(recordId === null ? m.message
          : `${m.message} What was counted up to the break is saved on the visit.`);
        $("live-cue").textContent = "";
      } else if (m.type === "warning") status(m.message);
    };
    ws.onclose = () => {
      if (!ended && recordId !== null && tries < RECONNECT_TRIES) {
        tries += 1;
        status(`The connection broke: reconnecting (try ${tries})… What was counted is saved.`);
        setTimeout(connect, RECONNECT_EVERY_MS);
        return;
      }
      stopCamera();
      if (!ended) status(recordId === null ? "Connection closed." :
        "The connection could not be restored. What was counted up to the break is saved on the visit.");
    };
  }
  $("pain-button").addEventListener("click", () => {
    if (ws && ws.readyState === 1) {
      ws.send(JSON.stringify({type: "pain", score: Number($("pain-score").value), by: $("pain-by").value}));
    }
  });
  $("stop-button").addEventListener("click", () => { if (ws && ws.readyState === 1) ws.send(JSON.stringify({type: "stop"})); });
})();
