// The Node.js contender of bench/runtime-figures: the same work as kbatch's checksum plugin (decode
// every record's data and sum its bytes), answered as a partial batch response with no failures,
// run by the official Node.js runtime interface client (aws-lambda-ric).
exports.handler = async (event) => {
  let sum = 0;
  for (const record of event.Records) {
    const bytes = Buffer.from(record.kinesis.data, "base64");
    for (let i = 0; i < bytes.length; ++i) sum += bytes[i];
  }
  globalThis.kbatchChecksum = sum;  // kept, so the work cannot be skipped
  return { batchItemFailures: [] };
};
