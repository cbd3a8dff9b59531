// Draws the dashboard charts from the JSON the page embeds (no inline script, no CDN).
(function () {
  "use strict";
  var TIER_ORDER = ["highly-sensitive", "sensitive", "confidential"];
  var TIER_COLOURS = { "highly-sensitive": "#b3261e", "sensitive": "#e07b00", "confidential": "#2f6db5" };
  var PALETTE = ["#2f6db5", "#5b8c3a", "#e07b00", "#8a4fb5", "#b3261e", "#1f8a8a", "#a07a00", "#6b6b6b", "#c2477a"];

  function label(key) { return key.replace(/-/g, " "); }

  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = "#4a5260";
    if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
      Chart.defaults.animation = false;
    }

    var tierCanvas = document.getElementById("chart-tier");
    if (tierCanvas) {
      var tiers = TIER_ORDER.filter(function (t) { return data.tier[t]; });
      new Chart(tierCanvas, {
        type: "doughnut",
        data: {
          labels: tiers.map(label),
          datasets: [{ data: tiers.map(function (t) { return data.tier[t]; }),
                       backgroundColor: tiers.map(function (t) { return TIER_COLOURS[t]; }) }]
        },
        options: { maintainAspectRatio: false, plugins: { legend: { position: "right" } } }
      });
    }

    var catCanvas = document.getElementById("chart-category");
    if (catCanvas) {
      var cats = Object.keys(data.category).sort(function (a, b) { return data.category[b] - data.category[a]; });
      new Chart(catCanvas, {
        type: "bar",
        data: {
          labels: cats.map(label),
          datasets: [{ label: "active secrets", data: cats.map(function (c) { return data.category[c]; }),
                       backgroundColor: cats.map(function (_, i) { return PALETTE[i % PALETTE.length]; }) }]
        },
        options: {
          maintainAspectRatio: false, indexAxis: "y",
          plugins: { legend: { display: false } },
          scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
