// A full-size run of one part alone rewrites that part's section of RESULTS.md and its targets,
// keeping every other section's figures as the last full run left them.
import { n0 } from './format.mjs';
import { markdownReport, targetsOf } from './report.mjs';
import { STORAGE_HEADING } from './storage-report.mjs';

const isHeading = (line) => line.startsWith('## ');

/** The lines of the sections whose headings start with `prefix`, up to the next other section. */
function block(lines, prefix) {
  const start = lines.findIndex((l) => l.startsWith(prefix));
  if (start < 0) return { start, end: start };
  let end = start + 1;
  while (end < lines.length && !(isHeading(lines[end]) && !lines[end].startsWith(prefix))) end++;
  return { start, end };
}

/**
 * `BENCH_ONLY=storage` at full size: section 7 (Storage) replaced, or added before peak memory
 * (which becomes section 8), and the storage targets replaced at the end of the Targets table.
 */
export function spliceStorageReport(markdown, r) {
  const prefix = `## ${STORAGE_HEADING}`;
  const full = markdownReport(r).split('\n');
  const fresh = block(full, prefix);
  const section = [
    ...full.slice(fresh.start, fresh.end).filter((l, i, all) => !(l === '' && i === all.length - 1)),
    '',
    `Section 7 and its targets: \`BENCH_ONLY=storage npm run bench\` at full size, ${r.finished_at} (${n0(r.total_seconds)} s; load average ${r.machine.load_before.map((x) => x.toFixed(2)).join(' / ')} before).`,
    '',
  ];
  let lines = markdown.split('\n').map((l) => l.replace(/^## 7\. Peak memory/, '## 8. Peak memory'));
  const old = block(lines, prefix);
  if (old.start >= 0) {
    lines.splice(old.start, old.end - old.start, ...section);
  } else {
    const at = lines.findIndex((l) => l.startsWith('## 8. Peak memory') || l.startsWith('## Targets'));
    if (at < 0) throw new Error('RESULTS.md has neither a peak memory section nor targets to put section 7 before');
    lines.splice(at, 0, ...section);
  }
  lines = lines.filter((l) => !l.startsWith('| storage: '));
  const targetsAt = lines.indexOf('## Targets');
  if (targetsAt < 0) throw new Error('RESULTS.md has no Targets table');
  let end = targetsAt + 1;
  while (end < lines.length && (lines[end] === '' || lines[end].startsWith('|'))) end++;
  while (lines[end - 1] === '') end--;
  const rows = targetsOf({ storage: r.storage }).map(
    (t) => `| ${t.target} | ${t.measured} | ${t.met ? 'yes' : 'NO'} |`,
  );
  lines.splice(end, 0, ...rows);
  return lines.join('\n');
}
