/* The client page's health chart: uPlot draws the lines the server already drew as SVG.
   Without JavaScript the SVG and the table of values stay; with it, uPlot adds the cursor,
   the values under it and series that can be hidden from the legend. */
(function () {
  "use strict";
  function draw(box) {
    var source = document.getElementById(box.dataset.chart);
    if (!source || typeof uPlot === "undefined") return;
    var data = JSON.parse(source.textContent);
    if (!data.x || data.x.length < 2) return;
    var lang = document.documentElement.lang || "fr";
    var dayFormat = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", year: "numeric" });
    var tickFormat = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short" });
    var series = [{ label: data.x_label, value: function (u, v) { return v == null ? "—" : dayFormat.format(new Date(v * 1000)); } }];
    data.series.forEach(function (s) {
      series.push({
        label: s.label,
        stroke: s.colour,
        width: s.key === "overall" ? 3 : 1.5,
        dash: s.dash.length ? s.dash : undefined,
        value: function (u, v) { return v == null ? "—" : String(Math.round(v)); },
        spanGaps: true
      });
    });
    var columns = [data.x].concat(data.series.map(function (s) { return s.values; }));
    var width = function () { return Math.max(280, box.clientWidth); };
    box.classList.add("uplot-on");
    var plot = new uPlot({
      width: width(),
      height: 240,
      series: series,
      scales: { y: { range: [0, 100] } },
      axes: [
        { space: 70, values: function (u, ticks) { return ticks.map(function (t) { return tickFormat.format(new Date(t * 1000)); }); } },
        { values: function (u, ticks) { return ticks.map(String); }, size: 40 }
      ],
      legend: { live: true }
    }, columns, box);
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(function () { plot.setSize({ width: width(), height: 240 }); }).observe(box);
    }
  }
  function init() {
    document.querySelectorAll("[data-chart]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
