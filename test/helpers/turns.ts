// How many turns of the event loop pass while a promise is pending: a long pass that hands out turns
// (src/slicer.ts) lets this count rise with its work; one that blocks leaves it at one or two.
export async function turnsWhile(pending: Promise<unknown>): Promise<number> {
  let done = false;
  const settled = pending.finally(() => { done = true; });
  let turns = 0;
  while (!done) {
    turns++;
    await new Promise((r) => setImmediate(r));
  }
  await settled;
  return turns;
}
