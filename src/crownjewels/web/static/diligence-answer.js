/* Conditional questions: show a question while the answer it depends on matches (the server
   decides the same from the saved answers, so the page also works without JavaScript). */
(function () {
  var form = document.getElementById("answer-form");
  if (!form) { return; }
  var blocks = Array.prototype.slice.call(form.querySelectorAll("[data-show-if]"));
  function values(qid) {
    var out = [];
    form.querySelectorAll('[name="q.' + qid + '"]').forEach(function (el) {
      var on = (el.type === "radio" || el.type === "checkbox") ? el.checked : el.value !== "";
      if (on) { out.push(el.value); }
    });
    var block = document.getElementById("question-" + qid);
    if (!out.length && block && block.dataset.value) { out = JSON.parse(block.dataset.value); }
    return out;
  }
  function update() {
    blocks.forEach(function (block) {
      var cond = JSON.parse(block.dataset.showIf);
      var target = document.getElementById("question-" + cond.question);
      var shown = !(target && target.hidden) && values(cond.question).some(function (v) {
        return cond["in"].indexOf(v) >= 0;
      });
      block.hidden = !shown;
    });
  }
  form.addEventListener("change", update);
  update();
})();
