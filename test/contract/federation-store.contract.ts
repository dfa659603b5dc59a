import { describe, expect, it } from 'vitest';
import { useStores, type MakeStores } from './harness.js';

export function describeFederationStore(name: string, make: MakeStores): void {
  describe(`FederationStore contract: ${name}`, () => {
    const ctx = useStores(make);

    it('has no federation until one is set', async () => {
      expect(await ctx.stores.federation.get()).toBeNull();
    });

    it('keeps the one federation, replacing it on set', async () => {
      const { federation } = ctx.stores;
      await federation.set({ name: 'Wi-Fi Région', realm: 'wifi.example-region.fr' });
      expect(await federation.get()).toEqual({ name: 'Wi-Fi Région', realm: 'wifi.example-region.fr' });
      await federation.set({ name: 'Wi-Fi Bretagne', realm: 'wifi.bzh.example' });
      expect(await federation.get()).toEqual({ name: 'Wi-Fi Bretagne', realm: 'wifi.bzh.example' });
    });
  });
}
