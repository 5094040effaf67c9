// Number formatting for the views: fixed-width, no colour.
export function bytes(n: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${v}B` : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}${units[i]}`;
}

export function duration(sec: number): string {
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m`;
}

export function padEnd(s: string, n: number): string {
  return s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length);
}

export function padStart(s: string, n: number): string {
  return s.length >= n ? s.slice(0, n) : ' '.repeat(n - s.length) + s;
}

const BLOCKS = ' ▁▂▃▄▅▆▇█';

/** A sparkline of percentages (0..100), newest on the right, exactly `width` cells. */
export function sparkline(values: number[], width: number): string {
  const v = values.slice(-width);
  const s = v.map((x) => BLOCKS[Math.max(0, Math.min(8, Math.round((x / 100) * 8)))]).join('');
  return ' '.repeat(Math.max(0, width - s.length)) + s;
}

/** A bar of `width` cells filled to `percent`. */
export function bar(percent: number, width: number): string {
  const full = Math.max(0, Math.min(width, Math.round((percent / 100) * width)));
  return '█'.repeat(full) + '░'.repeat(width - full);
}


export { wrap } from '../src/text/wrap';
