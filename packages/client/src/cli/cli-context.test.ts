import {
  UsageError,
  parseList,
  parseParams,
  parsePositive,
  parsePriority,
  parseWhole,
} from './cli-context';

describe('option parsing', () => {
  it('when parameters are given as key=value, then JSON values keep their type', () => {
    expect(parseParams(['n=3', 'flag=true', 'name=abc', 'list=[1,2]', 'eq=a=b'])).toEqual({
      n: 3,
      flag: true,
      name: 'abc',
      list: [1, 2],
      eq: 'a=b',
    });
    expect(() => parseParams(['novalue'])).toThrow(UsageError);
  });

  it('when priorities, timeouts and counts are given, then bad ones are refused by name', () => {
    expect(parsePriority('HIGH')).toBe('high');
    expect(() => parsePriority('urgent')).toThrow(/--priority/);
    expect(parsePositive('timeout', '1.5')).toBe(1.5);
    expect(() => parsePositive('timeout', '0')).toThrow(/--timeout/);
    expect(parseWhole('batch-size', undefined, 100)).toBe(100);
    expect(() => parseWhole('batch-size', '2.5', 100)).toThrow(/--batch-size/);
  });

  it('when a list has blanks, then they are dropped', () => {
    expect(parseList('qed, molecular_weight,,')).toEqual(['qed', 'molecular_weight']);
  });
});
