'use strict';
// The BigQuery schema of docs/data-streams.md (docs/room.bigquery.json) must type every field of
// the room struct's JSON Schema (docs/room.schema.json), in order, and nothing else, so that a
// load job with it accepts every data stream file.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { REPO_ROOT } = require('./lib/server');

const jsonSchema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'docs/room.schema.json'), 'utf8'));
const bigquery = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'docs/room.bigquery.json'), 'utf8'));

/** The node a "$ref" points to, followed until there is none. */
function resolve(node) {
  while (node.$ref) {
    node = node.$ref.replace(/^#\//, '').split('/').reduce((at, name) => at[name], jsonSchema);
  }
  return node;
}

/** The BigQuery field a JSON Schema property becomes: {name, type, mode, fields?}. */
function expectedField(name, node) {
  node = resolve(node);
  const type = [].concat(node.type).find((t) => t !== 'null');
  if (type === 'array') return { ...expectedField(name, node.items), mode: 'REPEATED' };
  if (type === 'object') {
    const properties = Object.entries(node.properties || {});
    // An object of app-defined names (peers[].keys) is JSON.
    if (properties.length === 0) return { name, type: 'JSON', mode: 'NULLABLE' };
    return { name, type: 'RECORD', mode: 'NULLABLE', fields: properties.map(([n, p]) => expectedField(n, p)) };
  }
  const scalar = { string: node.format === 'date-time' ? 'TIMESTAMP' : 'STRING', integer: 'INTEGER', number: 'FLOAT' };
  assert.ok(scalar[type], `no BigQuery type for ${name}: ${JSON.stringify(node)}`);
  return { name, type: scalar[type], mode: 'NULLABLE' };
}

/** A field as BigQuery reads it (mode NULLABLE when absent). */
function normalised(field) {
  const out = { name: field.name, type: field.type, mode: field.mode || 'NULLABLE' };
  if (field.fields) out.fields = field.fields.map(normalised);
  return out;
}

test('docs/room.bigquery.json types every field of docs/room.schema.json', () => {
  const root = resolve(jsonSchema);
  const expected = Object.entries(root.properties).map(([name, node]) => expectedField(name, node));
  assert.deepEqual(bigquery.map(normalised), expected);
});
