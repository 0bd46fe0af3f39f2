'use strict';
const { propertyModel, z } = require('./common');

/** Returns each subject prefixed, reporting progress per subject. */
const echo = propertyModel(
  'echo',
  () => ({
    async predict(input, ctx) {
      return input.subjects.map((subject, index) => {
        ctx.progress(index + 1, input.subjects.length);
        return { subject, property: 'echo', result: `${input.parameters.prefix ?? ''}${subject}` };
      });
    },
  }),
  { parameters: z.object({ prefix: z.string().default('') }) },
);

/** Holds ~24 MB after load, so a measured size differs visibly from the declared 1 MB. */
const big = propertyModel('big', () => {
  const weights = new Float64Array(3 * 1024 * 1024).fill(1);
  return {
    predict: async (input) =>
      input.subjects.map((subject) => ({ subject, property: 'big', result: weights.length })),
  };
});

module.exports = { models: [echo, big] };
