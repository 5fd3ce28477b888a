// `cem analyze` reads the components' classes and doc comments (@tagname,
// @slot, @event, @csspart, @cssproperty) into custom-elements.json, the
// manifest editors, Storybook and docs/components/ are built from.
export default {
  // The base element too: the analyzer reads inherited attributes (theme, strings) only from classes it has read.
  globs: ['components/*/*.component.ts', 'components/shared/comet-element.ts'],
  exclude: ['**/*.test.ts'],
  outdir: '.',
  litelement: true,
  dependencies: false,
};
