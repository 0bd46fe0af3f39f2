import {
  InputError,
  chunk,
  inputFormatOf,
  parseInput,
  parseSmi,
  parseTable,
} from './input-parsing';

describe('input parsing', () => {
  it('when a .smi file has names, comments and blank lines, then each subject is a numbered row', () => {
    expect(parseSmi(['# header', 'CCO ethanol', '', '  c1ccccc1\tbenzene ring ', 'O'])).toEqual([
      { row: 1, subject: 'CCO', name: 'ethanol' },
      { row: 2, subject: 'c1ccccc1', name: 'benzene ring' },
      { row: 3, subject: 'O' },
    ]);
  });

  it('when a CSV has a smiles and a name column, then those are used whatever their order', () => {
    const rows = parseTable(['id,weight,SMILES', 'm1,1,CCO', 'm2,2,"C(=O)O"', ''], ',');
    expect(rows).toEqual([
      { row: 1, subject: 'CCO', name: 'm1' },
      { row: 2, subject: 'C(=O)O', name: 'm2' },
    ]);
  });

  it('when a CSV has no known column, then the first column is the subject unless one is named', () => {
    expect(parseTable(['mol,x', 'CCO,1'], ',')).toEqual([{ row: 1, subject: 'CCO' }]);
    expect(parseTable(['x,mol', '1,CCO'], ',', 'MOL')).toEqual([{ row: 1, subject: 'CCO' }]);
    expect(() => parseTable(['x,mol', '1,CCO'], ',', 'smiles')).toThrow(InputError);
  });

  it('when a CSV line is broken, then the error names the line', () => {
    expect(() => parseTable(['smiles', 'CCO', '"C'], ',')).toThrow(/line 3/);
  });

  it('when a row has an empty subject, then it is kept so the output can report it', () => {
    expect(parseInput(['smiles,name', ',nothing'], 'csv')).toEqual([
      { row: 1, subject: '', name: 'nothing' },
    ]);
  });

  it.each([
    ['molecules.smi', undefined, 'smi'],
    ['molecules.CSV', undefined, 'csv'],
    ['molecules.tsv', undefined, 'tsv'],
    ['-', undefined, 'smi'],
    ['-', 'csv', 'csv'],
    ['data.txt', undefined, 'smi'],
    ['no-extension', undefined, 'smi'],
  ])('when the input is %s (format %s), then it is read as %s', (path, given, format) => {
    expect(inputFormatOf(path, given)).toBe(format);
  });

  it('when an unknown format is given, then it is refused', () => {
    expect(() => inputFormatOf('x.smi', 'sdf')).toThrow(/unknown input format "sdf"/);
  });

  it('when subjects are chunked, then every one is in exactly one chunk, in order', () => {
    const items = Array.from({ length: 1001 }, (_, i) => i);
    const chunks = chunk(items, 100);
    expect(chunks).toHaveLength(11);
    expect(chunks.at(-1)).toEqual([1000]);
    expect(chunks.flat()).toEqual(items);
    expect(() => chunk(items, 0)).toThrow(RangeError);
  });
});
