// Draws the trend chart from the numbers the server put in #trend-chart[data-chart] (the same
// numbers as the table): a line chart with uPlot, or grouped bars as SVG. Axes stay readable at
// any width (date labels thinned so they never touch, whole-number ticks for counts); hovering
// a date shows its values in the legend. Text goes in with textContent only.
const host = document.getElementById('trend-chart');
const legend = document.getElementById('trend-legend');

const HEIGHT = 300;
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
/** Space kept between two date labels, and the least height per y tick. */
const LABEL_GAP = 14;
const TICK_SPACING = 40;

const SVG = 'http://www.w3.org/2000/svg';
const svgEl = (name, attrs) => {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
};
const format = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/**
 * The y axis of counts: from 0 in steps of 1, 2 or 5 × 10^k (whole steps when every value is whole), at most
 * `maxTicks` steps high.
 */
function countTicks(max, maxTicks, whole) {
  const top = Math.max(max, 0);
  let step = whole ? 1 : 10 ** Math.floor(Math.log10(top / maxTicks || 1));
  for (let k = 0; Math.ceil(top / step) > maxTicks; k++) step = [2, 2.5, 2][k % 3] * step;
  if (whole && !Number.isInteger(step)) step = Math.ceil(step);
  const end = Math.max(step, Math.ceil(top / step) * step);
  const ticks = [];
  for (let t = 0; t <= end + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { end, ticks };
}

let measurer;
function textWidth(text) {
  measurer ??= document.createElement('canvas').getContext('2d');
  measurer.font = FONT;
  return measurer.measureText(text).width;
}

/** Every how many dates a label fits, when dates are `spacing` px apart. */
function labelStep(labels, spacing) {
  const widest = Math.max(0, ...labels.map(textWidth));
  return Math.max(1, Math.ceil((widest + LABEL_GAP) / Math.max(spacing, 1)));
}

const yTicksFor = (chart) => {
  const values = chart.series.flatMap((s) => s.data);
  const maxTicks = Math.max(2, Math.floor((HEIGHT - 60) / TICK_SPACING));
  return countTicks(Math.max(0, ...values), maxTicks, values.every(Number.isInteger));
};

/** The hovered date's values in the legend (or none). */
function showHover(chart, index) {
  const label = legend?.querySelector('.hover-label');
  const outputs = legend?.querySelectorAll('.hover-value') ?? [];
  if (label) {
    label.hidden = index === null;
    label.textContent = index === null ? '' : chart.labels[index];
  }
  outputs.forEach((out, si) => {
    out.textContent = index === null ? '' : format(chart.series[si].data[index]);
  });
}

/** What was drawn, for anyone checking the chart: values, tick labels and where the date labels sit. */
function record(values, yTicks, xTicks) {
  host.dataset.plotted = JSON.stringify(values.map((v) => Array.from(v)));
  host.dataset.yTicks = JSON.stringify(yTicks.map(format));
  host.dataset.xTicks = JSON.stringify(xTicks);
}

function drawBars(chart, width) {
  const pad = { left: 48, right: 12, top: 12, bottom: 36 };
  const n = chart.labels.length;
  const { end, ticks } = yTicksFor(chart);
  const plotW = width - pad.left - pad.right;
  const plotH = HEIGHT - pad.top - pad.bottom;
  const svg = svgEl('svg', { width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`, class: 'bars' });
  svg.style.font = FONT;
  for (const t of ticks) {
    const y = pad.top + plotH - (plotH * t) / end;
    svg.append(svgEl('line', { x1: pad.left, x2: width - pad.right, y1: y, y2: y, stroke: '#e2e2dc' }));
    const label = svgEl('text', { x: pad.left - 6, y: y + 4, 'text-anchor': 'end', fill: '#6b6f7d', class: 'y-tick' });
    label.textContent = format(t);
    svg.append(label);
  }
  const group = plotW / Math.max(1, n);
  const barW = Math.max(1, (group * 0.8) / chart.series.length);
  chart.series.forEach((s, si) => {
    s.data.forEach((v, i) => {
      const h = (plotH * v) / end;
      const rect = svgEl('rect', {
        x: pad.left + i * group + group * 0.1 + si * barW,
        y: pad.top + plotH - h,
        width: Math.max(1, barW - 1),
        height: h,
        fill: s.color,
        'data-index': i,
      });
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${s.name} · ${chart.labels[i]}: ${format(v)}`;
      rect.append(title);
      svg.append(rect);
    });
  });
  const step = labelStep(chart.labels, group);
  const shown = [];
  chart.labels.forEach((l, i) => {
    if (i % step !== 0) return;
    const x = pad.left + i * group + group / 2;
    const text = svgEl('text', { x, y: HEIGHT - pad.bottom + 18, 'text-anchor': 'middle', fill: '#6b6f7d' });
    text.setAttribute('class', 'x-tick');
    text.textContent = l;
    svg.append(text);
    shown.push({ label: l, x, width: textWidth(l) });
  });
  svg.addEventListener('mousemove', (e) => {
    const i = Math.floor((e.clientX - svg.getBoundingClientRect().left - pad.left) / group);
    showHover(chart, i >= 0 && i < n ? i : null);
  });
  svg.addEventListener('mouseleave', () => showHover(chart, null));
  host.replaceChildren(svg);
  record(
    chart.series.map((s) => s.data),
    ticks,
    shown,
  );
}

function drawLines(chart, width) {
  const xs = chart.labels.map((_, i) => i);
  const { end, ticks } = yTicksFor(chart);
  let shown = [];
  const opts = {
    width,
    height: HEIGHT,
    padding: [12, 36, 0, 0],
    scales: { x: { time: false }, y: { range: () => [0, end] } },
    // The page's legend names the series and shows the hovered values (and the table has them all).
    legend: { show: false },
    cursor: { points: { size: 6 }, drag: { x: false, y: false, setScale: false } },
    axes: [
      {
        font: FONT,
        splits: (u) => {
          const spacing = u.bbox.width / devicePixelRatio / Math.max(1, xs.length - 1);
          const step = labelStep(chart.labels, spacing);
          return xs.filter((i) => i % step === 0);
        },
        values: (u, splits) => {
          shown = splits.map((i) => ({
            label: chart.labels[i],
            x: u.valToPos(i, 'x'),
            width: textWidth(chart.labels[i]),
          }));
          return splits.map((i) => chart.labels[i] ?? '');
        },
      },
      { font: FONT, size: 56, splits: () => ticks, values: (_u, splits) => splits.map(format) },
    ],
    series: [
      { label: 'Date' },
      ...chart.series.map((s) => ({ label: s.name, stroke: s.color, width: 2, points: { show: xs.length <= 60 } })),
    ],
    hooks: {
      setCursor: [(u) => showHover(chart, u.cursor.idx ?? null)],
      draw: [
        () =>
          record(
            chart.series.map((s) => s.data),
            ticks,
            shown,
          ),
      ],
    },
  };
  host.replaceChildren();
  return new globalThis.uPlot(opts, [xs, ...chart.series.map((s) => s.data)], host);
}

if (host?.dataset.chart) {
  const chart = JSON.parse(host.dataset.chart);
  let plot;
  const draw = () => {
    const width = Math.max(240, host.clientWidth - 12);
    if (chart.display === 'bar') drawBars(chart, width);
    else if (plot) plot.setSize({ width, height: HEIGHT });
    else plot = drawLines(chart, width);
  };
  draw();
  let pending;
  addEventListener('resize', () => {
    clearTimeout(pending);
    pending = setTimeout(draw, 100);
  });
}
