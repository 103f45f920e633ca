/* Data cockpit charts: Apache ECharts (vendored) drawn from the JSON the page embeds; each chart can be
   swapped for its table. Without JavaScript the tables are what the page shows. */
(function () {
  "use strict";
  var source = document.getElementById("cockpit-data");
  if (!source) return;
  var data = JSON.parse(source.textContent);

  var charts = new ZJCharts();
  var draw = charts.draw.bind(charts);

  var d = data.daily;
  draw("daily", {
    tooltip: { trigger: "axis" }, legend: { data: d.labels }, grid: { left: 48, right: 16, bottom: 32 },
    xAxis: { type: "category", data: d.days }, yAxis: { type: "value" },
    series: [
      { name: d.labels[0], type: "line", data: d.page_views, markPoint: { data: [{ type: "max" }] } },
      { name: d.labels[1], type: "line", data: d.visitors, markPoint: { data: [{ type: "max" }] } },
      { name: d.labels[2], type: "bar", data: d.active_learners }
    ]
  });
  var c = data.children;
  if (c.names.length) {
    draw("children", {
      tooltip: { trigger: "axis" }, legend: { data: c.labels }, grid: { left: 48, right: 16, bottom: 64 },
      xAxis: { type: "category", data: c.names, axisLabel: { rotate: c.names.length > 6 ? 40 : 0 } },
      yAxis: { type: "value" },
      series: [{ name: c.labels[0], type: "bar", data: c.page_views }, { name: c.labels[1], type: "bar", data: c.learners }]
    });
    charts[charts.length - 1].on("click", function (event) {
      if (c.urls[event.dataIndex]) window.location.href = c.urls[event.dataIndex];
    });
  }
  if (data.boards.length) {
    draw("boards", { tooltip: { trigger: "item" }, series: [{ type: "pie", radius: ["35%", "65%"], data: data.boards }] });
  }
  var r = data.resources;
  if (r.names.length) {
    draw("resources", {
      tooltip: { trigger: "axis" }, grid: { left: 120, right: 16 },
      xAxis: { type: "value" }, yAxis: { type: "category", data: r.names.slice().reverse() },
      series: [{ name: r.label, type: "bar", data: r.learners.slice().reverse() }]
    });
  }

  charts.wireTables("children");
})();
