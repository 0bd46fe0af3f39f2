import { csvField, csvLine, splitCsvLine } from './csv';

describe('csv', () => {
  it.each([
    ['CCO', 'CCO'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    [' padded', '" padded"'],
  ])('when a field is %j, then it is written as %s', (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  it('when values are null, numbers or objects, then they are written plainly', () => {
    expect(csvLine([null, undefined, 1.5, { a: 1 }, true])).toBe(',,1.5,"{""a"":1}",true\n');
  });

  it('when a line is written and split again, then the fields come back', () => {
    const fields = ['C(=O)O', 'a,b', 'say "hi"', '', ' x '];
    expect(splitCsvLine(csvLine(fields).trimEnd())).toEqual(fields);
  });

  it('when fields are padded or use another separator, then they are trimmed and split', () => {
    expect(splitCsvLine(' CCO , ethanol ')).toEqual(['CCO', 'ethanol']);
    expect(splitCsvLine('CCO\tethanol', '\t')).toEqual(['CCO', 'ethanol']);
  });

  it('when a quote is left open or text follows a closing quote, then it says so', () => {
    expect(() => splitCsvLine('"CCO,x')).toThrow(/unterminated/);
    expect(() => splitCsvLine('"CCO"x,1')).toThrow(/after a closing quote/);
  });
});
