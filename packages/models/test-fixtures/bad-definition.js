'use strict';
const { propertyModel } = require('./common');

/** Fails validation: no service name, a negative size. */
module.exports = {
  models: [propertyModel('bad', () => ({}), { service_name: '', sizeMb: -5 })],
};
