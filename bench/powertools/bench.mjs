// The Powertools contender of bench/compare: Powertools for TypeScript's BatchProcessor on the
// same event files, timed inside one Node process.
//
//   node bench.mjs [--reps 31] [--warmup 3] FILE...
//
// Each timed run does what Lambda's Node runtime and a Powertools handler do with one invocation:
// JSON.parse of the event text, processPartialResponse with a BatchProcessor for the event's
// source (default options, as a user gets them: EventType.KinesisDataStreams, EventType.SQS or
// EventType.DynamoDBStreams, told from the first record's eventSource, as a function knows its
// event source mapping) and a record handler that sums the bytes of the record's payload, the
// checksum plugin's work (bench/contender.h): a Kinesis record's data, base64-decoded; an SQS
// message's body, as UTF-8; a DynamoDB record's NewImage as JSON text (JSON.stringify writes it
// back as the event had it, but for whitespace: the sum leaves out every byte up to 0x20, as
// bench/byte_sum.h's sum_json_text_bytes), nothing without one. Then JSON.stringify of the
// response. Prints one tab-separated line per file, as kbatch_bench_driver does:
//   powertools <file> <median ms> <median CPU ms> <sum of every payload byte>
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
const sumBytes = (bytes) => {
  let recordSum = 0;
  for (let i = 0; i < bytes.length; ++i) recordSum += bytes[i];
  sum += recordSum;
};
const sumJsonTextBytes = (bytes) => {
  let recordSum = 0;
  for (let i = 0; i < bytes.length; ++i) if (bytes[i] > 0x20) recordSum += bytes[i];
  sum += recordSum;
};

// One processor and record handler per source for the whole run, as a handler module keeps its
// processor across invocations.
const sources = {
  'aws:kinesis': {
    processor: new BatchProcessor(EventType.KinesisDataStreams),
    recordHandler: (record) => sumBytes(Buffer.from(record.kinesis.data, 'base64')),
  },
  'aws:sqs': {
    processor: new BatchProcessor(EventType.SQS),
    recordHandler: (record) => sumBytes(Buffer.from(record.body, 'utf8')),
  },
  'aws:dynamodb': {
    processor: new BatchProcessor(EventType.DynamoDBStreams),
    recordHandler: (record) => {
      const image = record.dynamodb.NewImage;
      if (image !== undefined) sumJsonTextBytes(Buffer.from(JSON.stringify(image), 'utf8'));
    },
  },
};

async function invoke(text, source) {
  const event = JSON.parse(text);
  const response = await processPartialResponse(event, source.recordHandler, source.processor);
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
  const eventSource = JSON.parse(text).Records?.[0]?.eventSource;
  const source = sources[eventSource];
  if (source === undefined) {
    throw new Error(`${file}: the first record's eventSource is ${eventSource}, not one of ` +
                    Object.keys(sources).join(', '));
  }
  sum = 0;
  const response = JSON.parse(await invoke(text, source));
  if (response.batchItemFailures.length !== 0) {
    throw new Error(`${file}: Powertools reported failures: ${JSON.stringify(response)}`);
  }
  const fileSum = sum;
  for (let i = 0; i < warmup; ++i) await invoke(text, source);
  const samples = [];
  const cpuSamples = [];
  for (let i = 0; i < reps; ++i) {
    sum = 0;
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    await invoke(text, source);
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
