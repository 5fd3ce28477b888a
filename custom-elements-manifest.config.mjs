// `cem analyze` reads the components' classes and doc comments (@tagname,
// @slot, @event, @csspart, @cssproperty) into custom-elements.json, the
// manifest editors, Storybook and docs/components/ are built from.
export default {
  globs: ['components/*/*.component.ts'],
  exclude: ['**/*.test.ts'],
  outdir: '.',
  litelement: true,
  dependencies: false,
};
