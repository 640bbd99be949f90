import { createHash } from 'node:crypto';
import { canonicalJson, fingerprintOf, shortFingerprintOf } from './fingerprint';

describe('request fingerprints', () => {
  it('ignores key order and undefined fields at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: undefined }], c: 'x' }, z: undefined })).toBe('{"a":{"c":"x","d":[1,{"y":2}]},"b":1}');
    expect(canonicalJson([undefined, null, 'a"b', { '': [] }])).toBe('[null,null,"a\\"b",{"":[]}]');
    expect(canonicalJson({ a: undefined })).toBe('{}');
    expect(fingerprintOf({ points: 5, memberId: 'm' })).toBe(fingerprintOf({ memberId: 'm', points: 5, rewardId: undefined }));
    expect(shortFingerprintOf({ points: 5, memberId: 'm' })).toBe(shortFingerprintOf({ memberId: 'm', points: 5, rewardId: undefined }));
  });

  it('tells different bodies apart, including types', () => {
    expect(fingerprintOf({ points: 5 })).not.toBe(fingerprintOf({ points: '5' }));
    expect(fingerprintOf({ points: 5 })).not.toBe(fingerprintOf({ points: 6 }));
    expect(shortFingerprintOf({ points: 5 })).not.toBe(shortFingerprintOf({ points: '5' }));
    expect(shortFingerprintOf({ memberId: 'm-1' })).not.toBe(shortFingerprintOf({ memberId: 'm-2' }));
  });

  it('keeps the full SHA-256 (what redeem stored), and its start in 22 characters for the short one', () => {
    expect(fingerprintOf({ b: 1, a: 2 })).toBe(createHash('sha256').update('{"a":2,"b":1}').digest('hex'));
    expect(shortFingerprintOf({ b: 1, a: 2 })).toHaveLength(22);
    expect(Buffer.from(shortFingerprintOf({ b: 1, a: 2 }), 'base64url').toString('hex')).toBe(fingerprintOf({ a: 2, b: 1 }).slice(0, 32));
  });
});
