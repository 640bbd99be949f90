import { armedCrashPoint } from './crash-point';

describe('armedCrashPoint', () => {
  it('reads a known point and its pass count', () => {
    expect(armedCrashPoint('relay.after-publish@3')).toEqual({ point: 'relay.after-publish', at: 3 });
    expect(armedCrashPoint(' tier.after-append@1 ')).toEqual({ point: 'tier.after-append', at: 1 });
  });

  it('arms nothing when unset, unknown or malformed, so a typo never ends a process', () => {
    for (const text of [undefined, '', 'relay.after-publish', 'relay.after-publish@0', 'nowhere@2', 'relay.after-publish@x']) {
      expect(armedCrashPoint(text)).toBeUndefined();
    }
  });
});
