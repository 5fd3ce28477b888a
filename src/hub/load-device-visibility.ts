/** The hub's Web Push visibility reporting, a chunk of its own: most browsers never subscribe to push. */
export const loadDeviceVisibility = (): Promise<typeof import('./device-visibility.js')> => import('./device-visibility.js');
