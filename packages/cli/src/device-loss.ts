// Device loss mid-run (a driver reset, a GPU taken away, `device.destroy()`): the trainer reports
// it, opens a new device and continues from the last checkpoint, losing at most the steps since.
import { useWebGpu } from '@pretext/core';
import { destroyGpu, getGpu } from '@pretext/gpu';

/** At most this many recoveries in one session: a device that keeps dying is an error. */
export const MAX_DEVICE_RECOVERIES = 3;

/** The reason the process-wide device was lost, or undefined while it lives (or there is none). */
export async function deviceLost(): Promise<string | undefined> {
  await new Promise((r) => setTimeout(r, 0)); // let device.lost's callback run
  try {
    return (await getGpu()).lost ?? undefined;
  } catch {
    return undefined; // no adapter at all: the error being handled is the one to report
  }
}

/** Drops the lost device and makes a new one the backend of every op. */
export async function reopenDevice(): Promise<void> {
  await destroyGpu().catch(() => {}); // the old device is gone: its flush may fail, nothing to save
  await useWebGpu();
}
