// systeminformation, one part at a time. Its index loads every one of its modules (cpu, docker, wifi,
// bluetooth, printers, virtualbox...) to offer everything; the dashboard calls two functions, mem() and,
// on hosts with a GPU, graphics(). Loading only the file each lives in keeps ~1 MB of heap and ~7 MB
// of resident memory out of the dashboard (measured: require('systeminformation') +10.6 MB RSS and
// +1.2 MB heap; lib/memory.js alone +3.6 MB and +0.1 MB). The package has no "exports" map: lib/*.js
// are its files, with the same functions its index re-exports.
import type { Systeminformation } from 'systeminformation';

export interface SiMemory { mem(): Promise<Systeminformation.MemData> }
export interface SiGraphics { graphics(): Promise<Systeminformation.GraphicsData> }

export function loadSiMemory(): Promise<SiMemory> {
  return import('systeminformation/lib/memory.js') as Promise<SiMemory>;
}

export function loadSiGraphics(): Promise<SiGraphics> {
  return import('systeminformation/lib/graphics.js') as Promise<SiGraphics>;
}
