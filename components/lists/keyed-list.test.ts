import { expect } from '@esm-bundle/chai';
import { html, render } from 'lit';
import { keyedList } from './keyed-list.js';

describe('keyedList', () => {
  let container: HTMLElement;
  beforeEach(() => {
    container = document.createElement('div');
    document.body.append(container);
  });
  afterEach(() => container.remove());

  const show = (keys: string[]): void => {
    render(html`<ul>${keyedList(keys, (key) => key, (key, index) => html`<li><button data-index=${index}>${key}</button></li>`)}</ul>`, container);
  };
  const buttons = (): HTMLButtonElement[] => [...container.querySelectorAll('button')];
  const texts = (): string[] => buttons().map((button) => button.textContent ?? '');
  const byText = (): Map<string, HTMLButtonElement> => new Map(buttons().map((button) => [button.textContent ?? '', button]));

  it('keeps each item’s nodes, and the focus inside one, as items come at the top and go at either end or in the middle', () => {
    show(['c', 'b', 'a']);
    const first = byText();
    first.get('b')!.focus();
    for (const keys of [['e', 'd', 'c', 'b', 'a'], ['d', 'c', 'b'], ['d', 'b'], ['f', 'd', 'b', 'g']]) {
      show(keys);
      expect(texts(), keys.join()).to.deep.equal(keys);
      // Compared as booleans: chai describing two elements that differ can take minutes.
      expect(document.activeElement === first.get('b'), `focus on b after ${keys.join()}`).to.equal(true);
      for (const [text, button] of byText()) if (first.has(text)) expect(button === first.get(text), `${text} kept its nodes after ${keys.join()}`).to.equal(true);
    }
    // Indexes follow the items' new places.
    expect(buttons().map((button) => button.dataset['index'])).to.deep.equal(['0', '1', '2', '3']);
  });

  it('reorders, empties and refills with the right nodes in the right order', () => {
    show(['a', 'b', 'c', 'd']);
    const first = byText();
    show(['d', 'a', 'c', 'b']);
    expect(texts()).to.deep.equal(['d', 'a', 'c', 'b']);
    for (const [text, button] of byText()) expect(button === first.get(text), `${text} kept its nodes`).to.equal(true);
    show([]);
    expect(texts()).to.deep.equal([]);
    show(['x', 'a']);
    expect(texts()).to.deep.equal(['x', 'a']);
    expect(byText().get('a') === first.get('a'), 'a new a').to.equal(false);
  });

  it('leaves no marker behind for an item that went (lit/lit#5298)', () => {
    const comments = (): number => {
      const walker = document.createTreeWalker(container, NodeFilter.SHOW_COMMENT);
      let count = 0;
      while (walker.nextNode()) count += 1;
      return count;
    };
    show(['a', 'b', 'c']);
    const start = comments();
    for (let n = 0; n < 50; n += 1) show([`x${n}`, 'b', `y${n}`]);
    show(['a', 'b', 'c']);
    expect(comments()).to.equal(start);
  });
});
