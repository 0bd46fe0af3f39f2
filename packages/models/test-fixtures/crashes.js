'use strict';
const { propertyModel, rows } = require('./common');

module.exports = {
  models: [
    /** Ends its thread the way a native abort or a stray process.exit would. */
    propertyModel('crash-exit', () => ({
      async predict(input) {
        if (input.subjects.includes('exit')) process.exit(3);
        return rows(input, 'ok');
      },
    })),
    /** Throws from a timer: an uncaught exception nobody awaits. */
    propertyModel('crash-uncaught', () => ({
      predict() {
        setTimeout(() => {
          throw new Error('native binding exploded');
        }, 1);
        return new Promise(() => undefined);
      },
    })),
  ],
};
