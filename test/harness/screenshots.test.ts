import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_THEME, layout, palette256, renderSvg, screenToSvg, svgToPng, xmlEscape } from '../../scripts/ansi-screen';
import { capture } from '../../scripts/screenshots';
import { Terminal } from '../helpers/pty';

const out = mkdtempSync(join(tmpdir(), 'mw-shots-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// A fake coloured full-screen program: not minewatch.
// Raw mode before anything is drawn: a key sent once the screen is up must never meet the terminal's
// echo (a loaded machine once delivered the 'n' before setRawMode, and the echoed 'n' was captured).
const FAKE = String.raw`
process.stdin.setRawMode(true);
process.stdout.write('\x1b[?1049h\x1b[H');
process.stdout.write('\x1b[1mTITLE\x1b[0m plain <&> \x1b[41m ALERT \x1b[0m \x1b[7minv\x1b[0m\r\n');
process.stdout.write('\x1b[38;5;196mcube\x1b[0m \x1b[38;2;16;32;48;48;2;200;100;50mrgb\x1b[0m \x1b[4munder\x1b[0m 漢字 é\r\n');
process.stdout.write('MMMM\r\n');
process.stdin.on('data', (d) => { if (d.toString() === 'n') process.stdout.write('NEXT PAGE\r\n'); });
setInterval(() => {}, 1000);
`;

function pixel(r: { pixels: Buffer; width: number }, x: number, y: number): [number, number, number] {
  const i = (Math.round(y) * r.width + Math.round(x)) * 4;
  return [r.pixels[i], r.pixels[i + 1], r.pixels[i + 2]];
}

function writeTerm(term: InstanceType<typeof Terminal>, data: string): Promise<void> {
  return new Promise((resolve) => term.write(data, resolve));
}

describe('ansi-screen', () => {
  it('palette: 16 from the theme, 6x6x6 cube, grey ramp', () => {
    expect(palette256(1)).toBe(DEFAULT_THEME.ansi[1]);
    expect(palette256(16)).toBe('#000000');
    expect(palette256(196)).toBe('#ff0000');
    expect(palette256(110)).toBe('#87afd7');
    expect(palette256(232)).toBe('#080808');
    expect(palette256(255)).toBe('#eeeeee');
  });

  it('escapes XML and drops characters XML cannot carry', () => {
    expect(xmlEscape(`a<b>&"'`)).toBe('a&lt;b&gt;&amp;&quot;&apos;');
    expect(xmlEscape('x\x1by\u0085')).toBe('x\ufffdy\ufffd');
  });

  it('maps cells to rects and texts, deterministically', async () => {
    const make = async () => {
      const t = new Terminal({ cols: 40, rows: 4, allowProposedApi: true });
      await writeTerm(t, '\x1b[1;31mred\x1b[0m \x1b[44m  \x1b[0m \x1b[7mi\x1b[0m \x1b[38;5;208mo\x1b[0m a<b');
      return t;
    };
    const a = screenToSvg(await make(), { title: 'demo' });
    const b = screenToSvg(await make(), { title: 'demo' });
    expect(a).toBe(b);
    expect(a).toContain('>demo</text>');
    expect(a).toMatch(/<text [^>]*fill="#cc0000" font-weight="bold">red<\/text>/);
    expect(a).toMatch(/<rect [^>]*fill="#3465a4"\/>/); // blue background run
    expect(a).toMatch(/<rect [^>]*fill="#d3d7cf"\/>/); // inverse: default fg becomes the background
    expect(a).toMatch(/<text [^>]*fill="#1c1c1c"[^>]*>i<\/text>/); // and default bg the foreground
    expect(a).toMatch(/<text [^>]*fill="#ff8700"[^>]*>o<\/text>/);
    expect(a).toContain('a&lt;b');
    expect(a).toContain("font-family=\"'DejaVu Sans Mono', monospace\"");
    const changed = await make();
    await writeTerm(changed, 'X');
    expect(screenToSvg(changed, { title: 'demo' })).not.toBe(a);
  });
});

describe('screenshot pipeline on a fake coloured program in a pty', () => {
  it('captures SVG and PNG after keys; same screen, same bytes; pixels show colours and glyphs', async () => {
    const step = { name: 'fake', args: ['-e', FAKE], keys: ['n'], ready: 'MMMM', waitFor: 'NEXT PAGE', cols: 50, rows: 8, settleMs: 50, title: 'fake app' };
    const r1 = await capture(step, { command: [process.execPath], outDir: out });
    expect(r1.screen).toContain('NEXT PAGE');
    expect(r1.svgPath).toBe(join(out, 'fake.svg'));
    const svg = readFileSync(r1.svgPath, 'utf8');
    expect(svg).toBe(r1.svg);
    expect(svg).toContain('NEXT PAGE');
    expect(svg).toContain('&lt;&amp;&gt;');
    expect(svg).toMatch(/fill="#cc0000"\/>/); // the red ALERT background
    expect(svg).toContain('>漢</text>');
    expect(svg).toMatch(/fill="#102030"[^>]*>rgb</);
    expect(svg).toMatch(/fill="#c86432"\/>/);
    expect(svg).toContain('text-decoration="underline"');

    const r2 = await capture({ ...step, name: 'fake2' }, { command: [process.execPath], outDir: out });
    expect(r2.svg).toBe(r1.svg);

    const png = readFileSync(r1.pngPath!);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(svgToPng(svg).equals(png)).toBe(true);

    const img = renderSvg(svg);
    const L = layout(50, 8);
    expect([img.width, img.height]).toEqual([L.width, L.height]);
    // Cell (16, 0) is the space before ALERT, on a red background.
    expect(pixel(img, L.ox + 16.5 * L.cw, L.oy + 0.5 * L.lh)).toEqual([0xcc, 0, 0]);
    // Cells (0..3, 2) hold MMMM: a glyph must have been drawn (some pixel brighter than the background).
    let lit = 0;
    for (let x = L.ox; x < L.ox + 4 * L.cw; x++) {
      for (let y = L.oy + 2 * L.lh; y < L.oy + 3 * L.lh; y++) if (pixel(img, x, y)[0] > 0x80) lit++;
    }
    expect(lit).toBeGreaterThan(20);
    // An empty cell stays background.
    expect(pixel(img, L.ox + 45.5 * L.cw, L.oy + 6.5 * L.lh)).toEqual([0x1c, 0x1c, 0x1c]);
  });
});
