// Outcome-measure entry: the running total, and the cursor moving on once an item's answer is
// complete (a single-digit answer on a 0-4 scale), so a Berg is typed as 14 digits.
(function () {
  const form = document.getElementById("measure-form");
  const total = document.getElementById("running-total");
  if (!form) return;
  const answers = Array.from(form.querySelectorAll("input.answer"));

  function valueOf(input) {
    const v = parseFloat(input.value.replace(",", "."));
    const ok = !Number.isNaN(v) && v >= parseFloat(input.dataset.min) && v <= parseFloat(input.dataset.max);
    input.classList.toggle("invalid", input.value !== "" && !ok);
    return ok ? v : null;
  }

  function itemScores() {
    const byItem = new Map();
    for (const input of answers) {
      const v = valueOf(input);
      if (v === null) continue;
      const key = input.dataset.item;
      byItem.set(key, byItem.has(key) ? Math.min(byItem.get(key), v) : v);  // sided: the lower counts
    }
    return Array.from(byItem.values());
  }

  function update() {
    if (!total) return;
    const scores = itemScores();
    const sum = scores.reduce((a, b) => a + b, 0);
    const method = total.dataset.method;
    let shown = sum;
    if (method === "percent_of_answered" && scores.length) shown = (100 * sum) / (parseFloat(total.dataset.itemMax) * scores.length);
    if (method === "mean" && scores.length) shown = sum / scores.length;
    if (method === "dash" && scores.length) shown = (sum / scores.length - 1) * 25;
    total.textContent = Number.isInteger(shown) ? String(shown) : shown.toFixed(1);
  }

  answers.forEach(function (input, index) {
    input.addEventListener("input", function () {
      update();
      const single = parseFloat(input.dataset.max) <= 9 && parseFloat(input.dataset.min) >= 0;
      if (single && valueOf(input) !== null && input.value.length === 1 && answers[index + 1]) {
        answers[index + 1].focus();
        answers[index + 1].select();
      }
    });
  });
  update();
})();
