// npm run eval: the detection corpus (test/corpus/) through the real reader, package index, detector and
// persistence judge; prints the confusion table per severity and every miss. Exit 1 on any case on the
// wrong side of "high" or any undocumented difference from the responder's verdict.
import { formatResults, runCorpus } from '../test/corpus/evaluate';

const results = await runCorpus();
console.log(formatResults(results));
process.exit(results.some((r) => r.wrongSide || r.mismatch) ? 1 : 0);
