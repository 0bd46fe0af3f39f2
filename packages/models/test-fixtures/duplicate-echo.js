/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: host threads require fixtures without a build */
'use strict';
const { propertyModel } = require('./common');

/** Reuses the id of echo.js's model. */
module.exports = { models: [propertyModel('echo', () => ({}))] };
