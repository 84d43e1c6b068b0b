// Draws the trend chart from the numbers the server put in #trend-chart[data-chart] (the same
// numbers as the table): a line chart with uPlot, or grouped bars as SVG. Text goes in with
// textContent only.
const host = document.getElementById('trend-chart');

const SVG = 'http://www.w3.org/2000/svg';
const svgEl = (name, attrs) => {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
};

function niceMax(max) {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= max) return m * step;
  return 10 * step;
}

/** A tick label for the x axis: every label when few, else about eight of them. */
const showTick = (i, n) => n <= 12 || i % Math.ceil(n / 8) === 0;

function drawBars(chart, width) {
  const height = 300;
  const pad = { left: 48, right: 12, top: 12, bottom: 48 };
  const n = chart.labels.length;
  const max = niceMax(Math.max(0, ...chart.series.flatMap((s) => s.data)));
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const svg = svgEl('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'bars' });
  for (let t = 0; t <= 4; t++) {
    const y = pad.top + plotH - (plotH * t) / 4;
    svg.append(svgEl('line', { x1: pad.left, x2: width - pad.right, y1: y, y2: y, stroke: '#e2e2dc' }));
    const label = svgEl('text', { x: pad.left - 6, y: y + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#6b6f7d' });
    label.textContent = String(Math.round(((max * t) / 4) * 100) / 100);
    svg.append(label);
  }
  const plotted = chart.series.map(() => []);
  const group = plotW / Math.max(1, n);
  const barW = Math.max(1, (group * 0.8) / chart.series.length);
  chart.series.forEach((s, si) => {
    s.data.forEach((v, i) => {
      plotted[si].push(v);
      const h = (plotH * v) / max;
      const rect = svgEl('rect', {
        x: pad.left + i * group + group * 0.1 + si * barW,
        y: pad.top + plotH - h,
        width: Math.max(1, barW - 1),
        height: h,
        fill: s.color,
      });
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${s.name} · ${chart.labels[i]}: ${v}`;
      rect.append(title);
      svg.append(rect);
    });
  });
  chart.labels.forEach((l, i) => {
    if (!showTick(i, n)) return;
    const text = svgEl('text', {
      x: pad.left + i * group + group / 2,
      y: height - pad.bottom + 16,
      'text-anchor': 'middle',
      'font-size': 11,
      fill: '#6b6f7d',
    });
    text.textContent = l;
    svg.append(text);
  });
  host.replaceChildren(svg);
  return plotted;
}

function drawLines(chart, width) {
  const xs = chart.labels.map((_, i) => i);
  const opts = {
    width,
    height: 300,
    padding: [12, 36, 0, 0],
    scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, niceMax(max)] } },
    // The page has its own legend (and the table has every value).
    legend: { show: false },
    cursor: { points: { size: 6 } },
    axes: [
      {
        values: (_u, splits) =>
          splits.map((i) => (Number.isInteger(i) && chart.labels[i] !== undefined ? chart.labels[i] : '')),
        incrs: [1, 2, 5, 7, 10, 14, 30, 60, 90, 180, 365],
      },
      {
        size: 56,
        incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 2500, 5e3, 1e4, 2e4, 5e4, 1e5, 1e6, 1e7],
      },
    ],
    series: [
      { label: 'Date', value: (_u, i) => (i === null || chart.labels[i] === undefined ? '—' : chart.labels[i]) },
      ...chart.series.map((s) => ({ label: s.name, stroke: s.color, width: 2, points: { show: xs.length <= 60 } })),
    ],
  };
  host.replaceChildren();
  return new globalThis.uPlot(opts, [xs, ...chart.series.map((s) => s.data)], host);
}

/** The numbers actually drawn, for anyone checking the chart against the query endpoint. */
const record = (series) => (host.dataset.plotted = JSON.stringify(series.map((values) => Array.from(values))));

if (host?.dataset.chart) {
  const chart = JSON.parse(host.dataset.chart);
  let plot;
  const draw = () => {
    const width = Math.max(280, host.clientWidth - 12);
    if (chart.display === 'bar') record(drawBars(chart, width));
    else if (plot) plot.setSize({ width, height: 300 });
    else {
      plot = drawLines(chart, width);
      record(plot.data.slice(1));
    }
  };
  draw();
  let pending;
  addEventListener('resize', () => {
    clearTimeout(pending);
    pending = setTimeout(draw, 100);
  });
}
