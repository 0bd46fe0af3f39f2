'use strict';
const { propertyModel, rows, z } = require('./common');

/** With `hog: true`, allocates without bound until the thread's heap limit kills it. */
module.exports = {
  models: [
    propertyModel(
      'memory-hog',
      () => ({
        async predict(input) {
          if (input.parameters.hog) {
            const hoard = [];
            for (;;) hoard.push(new Array(10000).fill({ leak: hoard.length }));
          }
          return rows(input, 'ok');
        },
      }),
      { parameters: z.object({ hog: z.boolean().default(false) }) },
    ),
  ],
};
