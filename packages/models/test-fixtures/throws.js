'use strict';
const { propertyModel, rows } = require('./common');

module.exports = {
  models: [
    /** Throws for subjects it cannot handle, answers the others. */
    propertyModel('throws', () => ({
      async predict(input) {
        if (input.subjects.includes('bad')) throw new Error('cannot parse molecule "bad"');
        return rows(input, 'ok');
      },
    })),
    propertyModel('load-fails', () => {
      throw new Error('weights file missing');
    }),
  ],
};
