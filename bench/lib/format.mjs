// Numbers as the reports print them ('–' for a figure that was not measured).
export const n0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
export const n1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
export const n2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '–');
export const pct = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '–');
export const times = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');
/** Dollars with cents, or three significant digits below a cent. */
export const dollars = (x) => (!Number.isFinite(x) ? '–' : x >= 0.01 ? `$${x.toFixed(2)}` : `$${x.toPrecision(3)}`);
