'use strict';
const { propertyModel } = require('./common');

/** Reuses the id of echo.js's model. */
module.exports = { models: [propertyModel('echo', () => ({}))] };
