// The Powertools contender of bench/compare: Powertools for TypeScript's BatchProcessor on the
// same event files, timed inside one Node process.
//
//   node bench.mjs [--reps 31] [--warmup 3] FILE...
//
// Each timed run does what Lambda's Node runtime and a Powertools handler do with one invocation:
// JSON.parse of the event text, processPartialResponse with a BatchProcessor for Kinesis (default
// options, as a user gets them) and a record handler that base64-decodes the data and sums its
// bytes (the checksum plugin's work), then JSON.stringify of the response. Prints one
// tab-separated line per file, as kbatch_bench_driver does:
//   powertools <file> <median ms> <median CPU ms> <sum of every decoded data byte>
// The CPU time is the whole process's (the garbage collector's helper threads included).
// This file is copied next to its node_modules (under the build folder) and run from there.
import { readFileSync } from 'node:fs';
import {
  BatchProcessor,
  EventType,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';

const args = process.argv.slice(2);
let reps = 31;
let warmup = 3;
const files = [];
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--reps') reps = Number(args[++i]);
  else if (args[i] === '--warmup') warmup = Number(args[++i]);
  else files.push(args[i]);
}
if (!(reps > 0) || !(warmup >= 0) || files.length === 0) {
  console.error('usage: node bench.mjs [--reps N] [--warmup N] FILE...');
  process.exit(2);
}

let sum = 0;
const recordHandler = (record) => {
  const bytes = Buffer.from(record.kinesis.data, 'base64');
  let recordSum = 0;
  for (let i = 0; i < bytes.length; ++i) recordSum += bytes[i];
  sum += recordSum;
};

// One processor for the whole run, as a handler module keeps it across invocations.
const processor = new BatchProcessor(EventType.KinesisDataStreams);

async function invoke(text) {
  const event = JSON.parse(text);
  const response = await processPartialResponse(event, recordHandler, processor);
  return JSON.stringify(response);
}

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

for (const file of files) {
  // Lambda's runtime hands the handler the body text; a byte-order mark would not parse.
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  sum = 0;
  const response = JSON.parse(await invoke(text));
  if (response.batchItemFailures.length !== 0) {
    throw new Error(`${file}: Powertools reported failures: ${JSON.stringify(response)}`);
  }
  const fileSum = sum;
  for (let i = 0; i < warmup; ++i) await invoke(text);
  const samples = [];
  const cpuSamples = [];
  for (let i = 0; i < reps; ++i) {
    sum = 0;
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    await invoke(text);
    const end = process.hrtime.bigint();
    const cpu = process.cpuUsage(cpuStart);
    samples.push(Number(end - start) / 1e6);
    cpuSamples.push((cpu.user + cpu.system) / 1e3);
    if (sum !== fileSum) throw new Error(`${file}: the sum changed between runs`);
  }
  const wall = median(samples).toFixed(6);
  const cpu = median(cpuSamples).toFixed(6);
  console.log(`powertools\t${file}\t${wall}\t${cpu}\t${fileSum}`);
}
