'use strict';
const { propertyModel, rows, z } = require('./common');

/** A hung model: busy-loops without ever yielding, so it cannot see an abort (capped at 20 s). */
module.exports = propertyModel(
  'slow',
  () => ({
    async predict(input) {
      const until = Date.now() + Math.min(input.parameters.ms ?? 20000, 20000);
      while (Date.now() < until) {
        // spin: blocks this thread's event loop like RDKit or ONNX would
      }
      return rows(input, 'done');
    },
  }),
  { parameters: z.object({ ms: z.number().default(20000) }) },
);
