// A case's clocks count down: each [data-due] shows the time left (or past) in words, updated
// every 30 seconds. The server renders the same words, so without this script nothing is lost.
(function () {
  "use strict";
  function words(ms) {
    var past = ms < 0;
    var mins = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(mins / 1440);
    var hours = Math.floor((mins % 1440) / 60);
    var rest = mins % 60;
    var parts = [];
    if (days) parts.push(days + (days === 1 ? " day" : " days"));
    if (hours) parts.push(hours + (hours === 1 ? " hour" : " hours"));
    if (!days && rest) parts.push(rest + (rest === 1 ? " minute" : " minutes"));
    var text = parts.slice(0, 2).join(" ") || "less than a minute";
    return past ? "overdue by " + text : text + " left";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (!isNaN(due)) el.textContent = words(due - now);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 30000);
  });
})();
