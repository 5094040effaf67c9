// npm run docs: rewrite the generated blocks of README.md from the keybinding and rule tables.
import { readFileSync, writeFileSync } from 'node:fs';
import { regenerate } from '../src/docs/readmeSections';

const before = readFileSync('README.md', 'utf8');
const after = regenerate(before);
writeFileSync('README.md', after);
console.log(before === after ? 'README.md is up to date' : 'README.md regenerated');
