/** True in the development build (warnings on), false in the minified production build. */
declare const __DEV__: boolean;
