'use strict';
const { isMainThread } = require('node:worker_threads');
const { z } = require('zod');

/** A valid property-model definition around `load`; tests override what they need. */
function propertyModel(id, load, extra = {}) {
  return {
    kind: 'property',
    id,
    service_name: `test ${id}`,
    service_type: 'get_molecule_property',
    description: `test fixture ${id}`,
    subject: 'SMILES',
    sub_category: 'test',
    properties: { [id]: `fixture property ${id}` },
    parameters: z.object({}),
    sizeMb: 1,
    async load() {
      // The main thread reads metadata only; loading there would block the worker.
      if (isMainThread) throw new Error(`${id}: load() ran in the main thread`);
      return load();
    },
    ...extra,
  };
}

const rows = (input, result) =>
  input.subjects.map((subject) => ({ subject, property: input.property_type[0], result }));

module.exports = { propertyModel, rows, z };
