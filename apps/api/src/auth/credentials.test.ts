import { presentedKey } from './credentials';

const USER = 'user-key-0123456789abcdef';
const OTHER = 'other-key-0123456789abcdef';

describe('presentedKey', () => {
  it.each([
    ['Bearer', { authorization: `Bearer ${USER}` }, USER],
    ['bearer in any case', { authorization: `bearer ${USER}` }, USER],
    ['X-API-Key', { apiKeyHeader: USER }, USER],
    ['X-API-Key given twice', { apiKeyHeader: [USER, OTHER] }, USER],
    ['Basic, key as password', { authorization: `Basic ${btoa(`admin:${USER}`)}` }, USER],
    ['Basic, key as user (curl -u KEY:)', { authorization: `Basic ${btoa(`${USER}:`)}` }, USER],
    ['the body api_key', { bodyKey: USER }, USER],
    ['a header before the body', { apiKeyHeader: USER, bodyKey: OTHER }, USER],
    ['nothing', {}, null],
    ['an empty body api_key', { bodyKey: '' }, null],
    ['a non-string body api_key', { bodyKey: null }, null],
    ['another Authorization scheme', { authorization: `Token ${USER}` }, null],
  ])('reads %s', (_name, credentials, expected) => {
    expect(presentedKey(credentials)).toBe(expected);
  });
});
