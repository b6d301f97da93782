// Portal questionnaires: each long scale (0-10 pain, 0-100 % confidence) is offered as buttons, which work
// without JavaScript; here they become one slider that shows its answer in numbers and words. An untouched
// slider sends no answer (an unanswered item, as an untouched set of buttons), never the slider's start.
(function () {
  document.querySelectorAll("fieldset.scale").forEach(function (question) {
    const buttons = Array.from(question.querySelectorAll("input[type=radio]"));
    if (!buttons.length) return;
    const words = JSON.parse(question.dataset.words || "{}");
    const checked = buttons.find(function (b) { return b.checked; });
    const answer = document.createElement("input");
    answer.type = "hidden";
    answer.name = buttons[0].name;
    const given = parseFloat(question.dataset.value);  // the answer sent before, on a refused form
    const fits = given >= parseFloat(question.dataset.min) && given <= parseFloat(question.dataset.max);
    answer.value = fits ? question.dataset.value : (checked ? checked.value : "");

    const slider = document.createElement("input");
    slider.type = "range";
    slider.min = question.dataset.min;
    slider.max = question.dataset.max;
    slider.step = question.dataset.step;
    slider.value = answer.value === "" ? question.dataset.min : answer.value;
    slider.setAttribute("aria-labelledby", question.querySelector("legend").id);
    const shown = document.createElement("output");
    shown.className = "scale-value";
    shown.setAttribute("aria-hidden", "true");  // the slider's own value text says it to a screen reader

    function show() {
      const unset = answer.value === "";
      const said = words[answer.value] ? ": " + words[answer.value] : "";
      const text = unset ? "Not answered yet: move the slider"
        : answer.value + " out of " + question.dataset.max + said;
      shown.textContent = text;
      slider.setAttribute("aria-valuetext", text);
      question.classList.toggle("unset", unset);
    }
    function take() { answer.value = slider.value; show(); }
    slider.addEventListener("input", take);
    slider.addEventListener("change", take);
    slider.addEventListener("click", take);  // a tap on the start position is an answer too
    slider.addEventListener("keydown", function () { window.setTimeout(take, 0); });

    buttons.forEach(function (b) { b.disabled = true; });  // the slider answers now, not them
    question.querySelector(".answers").hidden = true;
    const place = question.querySelector(".scale-ends") || question.querySelector(".answers");
    place.before(shown, slider, answer);
    show();
  });
})();
