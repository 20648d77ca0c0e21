import t from 'tap';
import { acceptedTableVersion, DEFAULT_TABLE_PRINTER, renderTable, TABLE_INCLUDE_OBJECT_VALUES, tablePrinterFor } from '../../../core/index.js';
import { ago, NOW_MS, SECOND_MS } from './helpers.js';

const cm = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', namespace: 'team-a', uid: 'u-1', resourceVersion: '42', labels: { a: 'b' }, creationTimestamp: ago(7 * SECOND_MS) },
  data: { k: 'v' },
};
const CONFIGMAPS = { group: '', resource: 'configmaps' };

void t.test('a Table is meta.k8s.io/v1 with the list metadata passed in', (t) => {
  const table = renderTable(CONFIGMAPS, [cm], { nowMs: NOW_MS, listMetadata: { resourceVersion: '99', continue: 'tok' } });
  t.equal(table.kind, 'Table');
  t.equal(table.apiVersion, 'meta.k8s.io/v1');
  t.same(table.metadata, { resourceVersion: '99', continue: 'tok' });
  t.same(table.rows[0]?.cells, ['cfg', 1, '7s']);
  t.end();
});

void t.test('includeObject defaults to Metadata: a PartialObjectMetadata with the whole metadata', (t) => {
  const table = renderTable(CONFIGMAPS, [cm], { nowMs: NOW_MS });
  t.same(table.rows[0]?.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm.metadata });
  t.end();
});

void t.test('includeObject=Object embeds the object; None leaves null', (t) => {
  t.same(renderTable(CONFIGMAPS, [cm], { nowMs: NOW_MS, includeObject: 'Object' }).rows[0]?.object, cm);
  t.equal(renderTable(CONFIGMAPS, [cm], { nowMs: NOW_MS, includeObject: 'None' }).rows[0]?.object, null);
  t.same(TABLE_INCLUDE_OBJECT_VALUES, ['None', 'Metadata', 'Object']);
  t.end();
});

void t.test('noHeaders (watch events after the first) drops columnDefinitions but keeps rows', (t) => {
  const table = renderTable(CONFIGMAPS, [cm], { nowMs: NOW_MS, noHeaders: true });
  t.same(table.columnDefinitions, []);
  t.equal(table.rows.length, 1);
  t.end();
});

void t.test('rows keep the caller order; an empty list has columns and no rows', (t) => {
  const other = { ...cm, metadata: { ...cm.metadata, name: 'aaa' } };
  t.same(renderTable(CONFIGMAPS, [cm, other], { nowMs: NOW_MS }).rows.map((r) => r.cells[0]), ['cfg', 'aaa']);
  const empty = renderTable(CONFIGMAPS, [], { nowMs: NOW_MS });
  t.same(empty.rows, []);
  t.equal(empty.columnDefinitions.length, 3);
  t.end();
});

void t.test('unknown resources get NAME AGE; a group mismatch does not pick a core printer', (t) => {
  t.equal(tablePrinterFor({ group: 'example.com', resource: 'widgets' }), DEFAULT_TABLE_PRINTER);
  t.equal(tablePrinterFor({ group: 'example.com', resource: 'pods' }), DEFAULT_TABLE_PRINTER);
  t.not(tablePrinterFor({ group: '', resource: 'pods' }), DEFAULT_TABLE_PRINTER);
  const table = renderTable({ group: 'example.com', resource: 'widgets' }, [cm], { nowMs: NOW_MS });
  t.same(table.columnDefinitions.map((c) => c.name), ['Name', 'Age']);
  t.same(table.rows[0]?.cells, ['cfg', '7s']);
  t.end();
});

void t.test('garbage fields never throw', (t) => {
  const junk = { metadata: { name: 5, creationTimestamp: 'not a time' }, spec: 'x', status: { containerStatuses: 'nope' } };
  const table = renderTable({ group: '', resource: 'pods' }, [junk], { nowMs: NOW_MS });
  t.same(table.rows[0]?.cells.slice(0, 5), ['', '0/0', '', '0', '<unknown>']);
  t.end();
});

void t.test('Table negotiation from the Accept header kubectl sends', (t) => {
  const kubectl = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
  t.equal(acceptedTableVersion(kubectl), 'v1');
  t.equal(acceptedTableVersion('application/json;as=Table;v=v1beta1;g=meta.k8s.io'), 'v1beta1');
  t.equal(acceptedTableVersion('application/json'), undefined);
  t.equal(acceptedTableVersion('application/json;as=Table;v=v1;g=example.com'), undefined);
  t.equal(renderTable(CONFIGMAPS, [], { nowMs: NOW_MS, tableVersion: 'v1beta1' }).apiVersion, 'meta.k8s.io/v1beta1');
  t.end();
});
