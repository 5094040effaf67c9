// The two files of systeminformation that src/host/systeminformation.ts loads on their own (the package
// types only its index).
declare module 'systeminformation/lib/memory.js' {
  export const mem: typeof import('systeminformation').mem;
}
declare module 'systeminformation/lib/graphics.js' {
  export const graphics: typeof import('systeminformation').graphics;
}
