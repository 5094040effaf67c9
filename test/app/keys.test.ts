// Terminal input is cut into single key presses: bursts, pastes, escape sequences of every common
// terminal, and function keys Ink does not name.
import { describe, expect, it } from 'vitest';
import { splitKeys } from '../../src/app/keys';
import { BINDINGS, bindingFor, handleKey, noSuchKey } from '../../src/app/keymap';

const names = (s: string) => splitKeys(s).map((k) => k.name);

describe('splitKeys', () => {
  it('cuts a burst of typed text into one key per character', () => {
    expect(names('jjjjj')).toEqual(['j', 'j', 'j', 'j', 'j']);
    expect(names('ss')).toEqual(['s', 's']);
    expect(splitKeys('/1\r')).toEqual([{ name: '/', text: '/' }, { name: '1', text: '1' }, { name: 'enter', text: '' }]);
  });

  it('names arrows, Home/End and PgUp/PgDn in xterm, application, VT220 and rxvt spellings', () => {
    expect(names('\x1b[A\x1b[B\x1b[C\x1b[D')).toEqual(['up', 'down', 'right', 'left']);
    expect(names('\x1bOA\x1bOB')).toEqual(['up', 'down']);
    expect(names('\x1b[H\x1b[F\x1b[1~\x1b[4~\x1b[7~\x1b[8~\x1bOH\x1bOF')).toEqual(['home', 'end', 'home', 'end', 'home', 'end', 'home', 'end']);
    expect(names('\x1b[5~\x1b[6~\x1b[2~\x1b[3~')).toEqual(['pageup', 'pagedown', 'insert', 'delete']);
    expect(names('\x1b[1;5A')).toEqual(['up']); // Ctrl+Up keeps its base key
  });

  it('names F1-F12 in xterm, VT220 and Linux-console spellings', () => {
    expect(names('\x1bOP\x1bOQ\x1bOR\x1bOS')).toEqual(['f1', 'f2', 'f3', 'f4']);
    expect(names('\x1b[11~\x1b[12~\x1b[13~\x1b[14~\x1b[15~\x1b[17~\x1b[18~\x1b[19~\x1b[20~\x1b[21~\x1b[23~\x1b[24~'))
      .toEqual(['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9', 'f10', 'f11', 'f12']);
    expect(names('\x1b[[A\x1b[[E')).toEqual(['f1', 'f5']);
    expect(names('\x1b[1;2P')).toEqual(['f1']);
  });

  it('mixes keys and sequences in one chunk, in order, none lost', () => {
    expect(names('jj\x1b[Bk\x1b[20~q')).toEqual(['j', 'j', 'down', 'k', 'f9', 'q']);
  });

  it('tells Escape, Alt+key, control keys, Enter, Tab and Backspace apart', () => {
    expect(names('\x1b')).toEqual(['escape']);
    expect(names('\x1b\x1b')).toEqual(['escape', 'escape']);
    expect(names('\x1bx')).toEqual(['meta+x']);
    expect(names('\x03\x02\x06')).toEqual(['ctrl+c', 'ctrl+b', 'ctrl+f']);
    expect(names('\r\n\r\t\x7f\x08')).toEqual(['enter', 'enter', 'tab', 'backspace', 'backspace']);
    expect(splitKeys(' ')).toEqual([{ name: 'space', text: ' ' }]);
  });

  it('keeps wide and astral characters whole, and types them', () => {
    expect(splitKeys('é漢😀')).toEqual([{ name: 'é', text: 'é' }, { name: '漢', text: '漢' }, { name: '😀', text: '😀' }]);
  });

  it('drops mouse reports and bracketed-paste markers, and a pasted newline is not Enter', () => {
    expect(names('\x1b[<0;10;5M\x1b[M !!j')).toEqual(['j']);
    expect(splitKeys('\x1b[200~ab\rc\x1b[201~').map((k) => k.text).join('')).toBe('ab c');
    expect(names('\x1b[200~ab\rc\x1b[201~')).not.toContain('enter');
  });

  it('reports what it cannot name instead of dropping it', () => {
    expect(names('\x1b[99~')).toEqual(['unknown']);
    expect(names('\x1b[1;5')).toEqual(['unknown']); // cut short
  });
});

describe('the key table', () => {
  it('binds the htop function keys and btop habits', () => {
    expect(bindingFor('f1')?.help).toMatch(/help/);
    expect(bindingFor('f3')).toBe(bindingFor('/'));
    expect(bindingFor('f4')).toBe(bindingFor('/'));
    expect(bindingFor('f')).toBe(bindingFor('/'));
    expect(bindingFor('f5')).toBe(bindingFor('t'));
    expect(bindingFor('e')).toBe(bindingFor('t'));
    expect(bindingFor('f6')).toBe(bindingFor('s'));
    expect(bindingFor('f9')).toBe(bindingFor('K'));
    expect(bindingFor('f10')).toBe(bindingFor('q'));
    expect(bindingFor('f2')).toBeUndefined();
  });

  it('every label names keys that are really bound to it', () => {
    for (const b of BINDINGS) {
      for (const word of b.label.split(' ')) {
        if (/^F\d+$/.test(word)) expect(b.keys).toContain(word.toLowerCase());
      }
    }
  });

  it('says so when a key does nothing', () => {
    const said: (string | null)[] = [];
    const state = { editingFilter: false, overlay: 'none', message: null, actions: { say: (m: string | null) => said.push(m) } };
    handleKey(state as never, { name: 'f2', text: '' });
    handleKey(state as never, { name: 'Q', text: 'Q' });
    expect(said).toEqual([noSuchKey('f2'), noSuchKey('Q')]);
    expect(said[0]).toBe('F2: no such key here; ? for help');
  });
});
