// Draws the dashboard's charts (Chart.js, served from /static) from the JSON the page embeds in
// <script type="application/json" id="dashboard-data">. Each chart's numbers are also in a table the
// page renders open; once the chart is drawn the table is folded away (still one click, and still read
// by screen readers). Without JavaScript or Chart.js, nothing here runs and the tables stay open.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.Chart === "undefined") return;
  var charts;
  try {
    charts = JSON.parse(source.textContent);
  } catch (e) {
    return;
  }
  var NHS_BLUE = "#005eb8", NHS_TEXT = "#212b32", NHS_GREY = "#d8dde0";  // NHS.UK palette
  Chart.defaults.font.family = "Frutiger W01, Arial, sans-serif";
  Chart.defaults.font.size = 14;
  Chart.defaults.color = NHS_TEXT;

  charts.forEach(function (c) {
    var box = document.querySelector('[data-chart="' + c.id + '"]');
    if (!box || !c.rows.length) return;
    var horizontal = c.kind === "horizontal";
    var canvas = document.createElement("canvas");
    // The canvas is a picture to assistive technology; the table after it carries the numbers.
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", c.title + ": bar chart. The numbers are in the table that follows.");
    box.style.position = "relative";  // Chart.js sizes the canvas from its container
    box.style.height = (horizontal ? Math.max(160, c.rows.length * 36 + 48) : 280) + "px";
    box.appendChild(canvas);
    var counts = {beginAtZero: true, ticks: {precision: 0}, grid: {color: NHS_GREY}};
    var labels = {grid: {display: false}};
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: c.rows.map(function (r) { return r.label; }),
        datasets: [{label: "Records", data: c.rows.map(function (r) { return r.count; }), backgroundColor: NHS_BLUE}],
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,  // no motion: the numbers matter, not the effect
        plugins: {legend: {display: false}},
        scales: horizontal ? {x: counts, y: labels} : {x: labels, y: counts},
      },
    });
    var table = document.querySelector('[data-chart-table="' + c.id + '"]');
    if (table) table.removeAttribute("open");
  });
})();
