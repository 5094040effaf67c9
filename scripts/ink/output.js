// minewatch's replacement for ink@6.8.0/build/output.js (swapped in at build time by scripts/build.mjs,
// which refuses to build if Ink's file is not the one this was written against).
//
// Ink's Output turns each frame's write operations into screen lines by building a grid of styled
// character objects (one per cell, from ansi-tokenize) and serialising it back: for a 120x40 dashboard
// that is ~5,000 objects and the ANSI re-encoding of 40 lines, every frame, although only a few lines
// change between two frames. This version groups the operations by screen row first; a row whose
// operations (position and text) are the same as in the last frame reuses the line built then, and only
// changed rows go through the character grid, exactly as Ink does it. What is kept between frames is the
// last frame's lines (at most `height` strings), so memory stays flat: no per-character cache survives a
// frame.
import sliceAnsi from 'slice-ansi';
import stringWidth from 'string-width';
import { styledCharsFromTokens, styledCharsToString, tokenize, } from '@alcalzone/ansi-tokenize';

class OutputCaches {
    widths = new Map();
    blockWidths = new Map();
    getStringWidth(text) {
        let cached = this.widths.get(text);
        if (cached === undefined) {
            cached = stringWidth(text);
            this.widths.set(text, cached);
        }
        return cached;
    }
    getWidestLine(text) {
        let cached = this.blockWidths.get(text);
        if (cached === undefined) {
            let lineWidth = 0;
            for (const line of text.split('\n')) {
                lineWidth = Math.max(lineWidth, this.getStringWidth(line));
            }
            cached = lineWidth;
            this.blockWidths.set(text, cached);
        }
        return cached;
    }
}

/** Finished lines of the last frame, by their row's operations (a pure function of them). */
let lastRows = new Map();

/** An unstyled cell's style list, shared (ansi-tokenize's styledCharsToString adds no codes between equal lists). */
const NO_STYLES = Object.freeze([]);
const BLANK = Object.freeze({ type: 'char', value: ' ', fullWidth: false, styles: NO_STYLES });

/** Ink's own way of building one row: a grid of styled characters, later writes over earlier ones. */
function buildRow(segments, width, caches) {
    const row = new Array(width).fill(BLANK);
    for (const { x, line } of segments) {
        const characters = styledCharsFromTokens(tokenize(line));
        let offsetX = x;
        for (const character of characters) {
            row[offsetX] = character;
            // Determine printed width using string-width to align with measurement
            const characterWidth = Math.max(1, caches.getStringWidth(character.value));
            // For multi-column characters, clear following cells to avoid stray spaces/artifacts
            if (characterWidth > 1) {
                for (let index = 1; index < characterWidth; index++) {
                    row[offsetX + index] = { type: 'char', value: '', fullWidth: false, styles: character.styles };
                }
            }
            offsetX += characterWidth;
        }
    }
    // See https://github.com/vadimdemedes/ink/pull/564#issuecomment-1637022742
    return styledCharsToString(row.filter(item => item !== undefined)).trimEnd();
}

export default class Output {
    width;
    height;
    operations = [];
    caches = new OutputCaches();
    constructor(options) {
        const { width, height } = options;
        this.width = width;
        this.height = height;
    }
    write(x, y, text, options) {
        const { transformers } = options;
        if (!text) {
            return;
        }
        this.operations.push({ type: 'write', x, y, text, transformers });
    }
    clip(clip) {
        this.operations.push({ type: 'clip', clip });
    }
    unclip() {
        this.operations.push({ type: 'unclip' });
    }
    get() {
        // Each row's writes, in order: { x, line } after clipping and transformers, as Ink computes them.
        const rows = new Array(this.height);
        const clips = [];
        for (const operation of this.operations) {
            if (operation.type === 'clip') {
                clips.push(operation.clip);
            }
            if (operation.type === 'unclip') {
                clips.pop();
            }
            if (operation.type === 'write') {
                const { text, transformers } = operation;
                let { x, y } = operation;
                let lines = text.split('\n');
                const clip = clips.at(-1);
                if (clip) {
                    const clipHorizontally = typeof clip?.x1 === 'number' && typeof clip?.x2 === 'number';
                    const clipVertically = typeof clip?.y1 === 'number' && typeof clip?.y2 === 'number';
                    if (clipHorizontally) {
                        const width = this.caches.getWidestLine(text);
                        if (x + width < clip.x1 || x > clip.x2) {
                            continue;
                        }
                    }
                    if (clipVertically) {
                        const height = lines.length;
                        if (y + height < clip.y1 || y > clip.y2) {
                            continue;
                        }
                    }
                    if (clipHorizontally) {
                        lines = lines.map(line => {
                            const from = x < clip.x1 ? clip.x1 - x : 0;
                            const width = this.caches.getStringWidth(line);
                            const to = x + width > clip.x2 ? clip.x2 - x : width;
                            return sliceAnsi(line, from, to);
                        });
                        if (x < clip.x1) {
                            x = clip.x1;
                        }
                    }
                    if (clipVertically) {
                        const from = y < clip.y1 ? clip.y1 - y : 0;
                        const height = lines.length;
                        const to = y + height > clip.y2 ? clip.y2 - y : height;
                        lines = lines.slice(from, to);
                        if (y < clip.y1) {
                            y = clip.y1;
                        }
                    }
                }
                let offsetY = 0;
                for (let [index, line] of lines.entries()) {
                    const rowIndex = y + offsetY;
                    // Line can be missing if `text` is taller than height of pre-initialized output
                    if (rowIndex < 0 || rowIndex >= this.height) {
                        continue;
                    }
                    for (const transformer of transformers) {
                        line = transformer(line, index);
                    }
                    (rows[rowIndex] ??= []).push({ x, line });
                    offsetY++;
                }
            }
        }
        const next = new Map();
        const lines = new Array(this.height);
        for (let y = 0; y < this.height; y++) {
            const segments = rows[y];
            if (!segments) {
                lines[y] = '';
                continue;
            }
            let key = '';
            for (const s of segments) {
                key += s.x + '\u0000' + s.line + '\u0001';
            }
            let built = next.get(key) ?? lastRows.get(key);
            if (built === undefined) {
                built = buildRow(segments, this.width, this.caches);
            }
            next.set(key, built);
            lines[y] = built;
        }
        lastRows = next;
        return {
            output: lines.join('\n'),
            height: this.height,
        };
    }
}
