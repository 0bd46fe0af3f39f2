/**
 * The eight QED properties, in the paper's order (Bickerton et al., "Quantifying the chemical
 * beauty of drugs", Nature Chemistry 4, 90-98, 2012).
 */
export const QED_PROPERTIES = [
  'MW',
  'ALOGP',
  'HBA',
  'HBD',
  'PSA',
  'ROTB',
  'AROM',
  'ALERTS',
] as const;
export type QedProperty = (typeof QED_PROPERTIES)[number];
export type QedValues = Record<QedProperty, number>;

/**
 * Parameters of one asymmetric double sigmoidal (ADS) desirability function:
 * d(x) = (a + b / (1 + exp(-(x - c + d/2) / e)) * (1 - 1 / (1 + exp(-(x - c - d/2) / f)))) / dmax.
 */
export interface AdsParameters {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
  dmax: number;
}

/** The fitted ADS parameters of each property: Bickerton et al. 2012, Supplementary Table 1. */
export const ADS_PARAMETERS: Readonly<Record<QedProperty, AdsParameters>> = {
  MW: {
    a: 2.817065973,
    b: 392.5754953,
    c: 290.7489764,
    d: 2.419764353,
    e: 49.22325677,
    f: 65.37051707,
    dmax: 104.9805561,
  },
  ALOGP: {
    a: 3.172690585,
    b: 137.8624751,
    c: 2.534937431,
    d: 4.581497897,
    e: 0.822739154,
    f: 0.576295591,
    dmax: 131.3186604,
  },
  HBA: {
    a: 2.948620388,
    b: 160.4605972,
    c: 3.615294657,
    d: 4.435986202,
    e: 0.290141953,
    f: 1.300669958,
    dmax: 148.7763046,
  },
  HBD: {
    a: 1.618662227,
    b: 1010.051101,
    c: 0.985094388,
    d: 0.000000001,
    e: 0.713820843,
    f: 0.920922555,
    dmax: 258.1632616,
  },
  PSA: {
    a: 1.876861559,
    b: 125.2232657,
    c: 62.90773554,
    d: 87.83366614,
    e: 12.01999824,
    f: 28.51324732,
    dmax: 104.5686167,
  },
  ROTB: {
    a: 0.01,
    b: 272.4121427,
    c: 2.55837997,
    d: 1.565547684,
    e: 1.271567166,
    f: 2.758063707,
    dmax: 105.4420403,
  },
  AROM: {
    a: 3.21778897,
    b: 957.7374108,
    c: 2.274627939,
    d: 0.000000001,
    e: 1.317690384,
    f: 0.375760881,
    dmax: 312.337261,
  },
  ALERTS: {
    a: 0.01,
    b: 1199.094025,
    c: -0.09002883,
    d: 0.000000001,
    e: 0.185904477,
    f: 0.875193782,
    dmax: 417.725314,
  },
};

/**
 * The "mean" weights (QED_w,mo), the paper's recommended weighting: Bickerton et al. 2012,
 * Table 1 (each property's weight averaged over the weightings that score within 1 % of the best).
 */
export const QED_MEAN_WEIGHTS: Readonly<QedValues> = {
  MW: 0.66,
  ALOGP: 0.46,
  HBA: 0.05,
  HBD: 0.61,
  PSA: 0.06,
  ROTB: 0.65,
  AROM: 0.48,
  ALERTS: 0.95,
};
