'use strict';
const { writeFileSync } = require('node:fs');
const { propertyModel, rows } = require('./common');

module.exports = {
  models: [
    /** Records its unload in the file named by the last run's `marker` parameter. */
    propertyModel('tidy', () => {
      let marker = null;
      return {
        async predict(input) {
          marker = input.parameters.marker;
          return rows(input, 'ok');
        },
        unload() {
          if (marker !== null) writeFileSync(marker, 'unloaded');
        },
      };
    }),
    /** Takes 10 s to load (cooperatively), so a test can abandon the load. */
    propertyModel('slow-load', async () => {
      await new Promise((resolve) => setTimeout(resolve, 10000));
      return { predict: async (input) => rows(input, 'ok') };
    }),
  ],
};
