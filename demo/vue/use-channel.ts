import { onUnmounted, ref, watch, type Ref } from 'vue';
import type { CometClient, CometEvent } from 'cometkit';

/** A channel's latest event through the SDK, and whether the stream carries the channel yet; follows `channel` as it changes. */
export function useChannel(client: CometClient, channel: Ref<string>): { latest: Ref<CometEvent | undefined>; live: Ref<boolean> } {
  const latest = ref<CometEvent>();
  const live = ref(false);
  let stop = (): void => {};
  watch(
    channel,
    (name) => {
      stop();
      latest.value = undefined;
      live.value = false;
      let current = true;
      const subscription = client.subscribe(name, (event) => {
        latest.value = event;
        live.value = true;
      });
      void subscription.ready.then(() => current && (live.value = true));
      stop = () => {
        current = false;
        subscription.unsubscribe();
      };
    },
    { immediate: true },
  );
  onUnmounted(() => stop());
  return { latest, live };
}
