'use strict';
const { propertyModel, rows, z } = require('./common');

/** Works in 10 ms steps, checking its signal between steps: stops promptly when aborted. */
module.exports = {
  default: propertyModel(
    'cooperative-slow',
    () => ({
      async predict(input, ctx) {
        const steps = input.parameters.steps ?? 1000;
        for (let step = 1; step <= steps; step += 1) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          ctx.signal.throwIfAborted();
          ctx.progress(step, steps);
        }
        return rows(input, steps);
      },
    }),
    { parameters: z.object({ steps: z.number().int().default(1000) }) },
  ),
};
