// A small Lambda handler for the Node.js runtime interface client (aws-lambda-ric), run by
// tests/serve/serve_node_test.cc against `kbatch serve --no-spawn`.
exports.handler = async (event, context) => {
  if (event && event.fail) {
    const error = new Error("the handler was asked to fail");
    error.name = "HandlerAskedToFail";
    throw error;
  }
  return {
    from: "aws-lambda-ric",
    records: Array.isArray(event && event.Records) ? event.Records.length : null,
    requestId: context.awsRequestId,
    functionArn: context.invokedFunctionArn,
    remainingMs: context.getRemainingTimeInMillis(),
    traceId: process.env._X_AMZN_TRACE_ID || null,
  };
};
