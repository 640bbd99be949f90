import { canonicalJson, fingerprintOf } from './fingerprint';

describe('request fingerprints', () => {
  it('ignores key order and undefined fields at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: undefined }], c: 'x' }, z: undefined })).toBe('{"a":{"c":"x","d":[1,{"y":2}]},"b":1}');
    expect(fingerprintOf({ points: 5, memberId: 'm' })).toBe(fingerprintOf({ memberId: 'm', points: 5, rewardId: undefined }));
  });

  it('tells different bodies apart, including types', () => {
    expect(fingerprintOf({ points: 5 })).not.toBe(fingerprintOf({ points: '5' }));
    expect(fingerprintOf({ points: 5 })).not.toBe(fingerprintOf({ points: 6 }));
  });
});
