import { defineElement } from '../shared/define.js';
import { CometToasts, type Toast, type ToastAction, type ToastDismissReason } from './comet-toasts.component.js';

export { CometToasts, toastFromEvent } from './comet-toasts.component.js';
export type { CometToastsStrings, Toast, ToastAction, ToastContent, ToastDismissReason, ToastOptions, ToastPlacement, ToastPromiseMessages, ToastSeverity } from './comet-toasts.component.js';
defineElement('comet-toasts', CometToasts);

declare global {
  interface HTMLElementTagNameMap {
    'comet-toasts': CometToasts;
  }
  interface HTMLElementEventMap {
    'comet-toast-show': CustomEvent<{ toast: Toast }>;
    'comet-toast-dismiss': CustomEvent<{ toast: Toast; reason: ToastDismissReason }>;
    'comet-toast-action': CustomEvent<{ toast: Toast; action: ToastAction }>;
  }
}
