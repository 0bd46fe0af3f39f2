/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: host threads require fixtures without a build */
'use strict';
const { propertyModel } = require('./common');

/** Fails validation: no service name, a negative size. */
module.exports = {
  models: [propertyModel('bad', () => ({}), { service_name: '', sizeMb: -5 })],
};
