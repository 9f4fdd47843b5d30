// Progressive enhancement for conditional form fields: shows and hides `[data-hide-if]` fields as the user
// changes the fields they depend on. Only simple FEEL is understood here (name = "text" / != / numbers /
// true / false / null, and, or, not(...)); anything else keeps what the server decided when it rendered the
// page, and the server validates every submission again either way.
(function () {
  'use strict';

  function tokenize(text) {
    var re = /\s*(?:("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)|(!=|=|\(|\))|([A-Za-z_][A-Za-z0-9_]*))/y;
    var tokens = [];
    var pos = 0;
    text = text.trim();
    while (pos < text.length) {
      re.lastIndex = pos;
      var m = re.exec(text);
      if (!m) return null;
      if (m[1] !== undefined) tokens.push({ t: 'lit', v: JSON.parse(m[1]) });
      else if (m[2] !== undefined) tokens.push({ t: 'lit', v: Number(m[2]) });
      else if (m[3] !== undefined) tokens.push({ t: m[3] });
      else if (m[4] === 'true' || m[4] === 'false') tokens.push({ t: 'lit', v: m[4] === 'true' });
      else if (m[4] === 'null') tokens.push({ t: 'lit', v: null });
      else if (m[4] === 'and' || m[4] === 'or' || m[4] === 'not') tokens.push({ t: m[4] });
      else tokens.push({ t: 'name', v: m[4] });
      pos = re.lastIndex;
    }
    return tokens;
  }

  // expr := term (('and'|'or') term)* ; term := 'not' '(' expr ')' | '(' expr ')' | name ('='|'!=') literal
  // Returns a function (lookup) -> true/false/null, or null when the text is outside this subset.
  function parse(text) {
    var tokens = tokenize(text);
    if (!tokens) return null;
    var i = 0;
    function peek(t) { return tokens[i] && tokens[i].t === t; }
    function term() {
      if (peek('not')) {
        i++;
        if (!peek('(')) throw new Error('(');
        i++;
        var inner = expr();
        if (!peek(')')) throw new Error(')');
        i++;
        return function (look) { var v = inner(look); return v === null ? null : !v; };
      }
      if (peek('(')) {
        i++;
        var grouped = expr();
        if (!peek(')')) throw new Error(')');
        i++;
        return grouped;
      }
      if (!peek('name')) throw new Error('name');
      var name = tokens[i++].v;
      if (!(peek('=') || peek('!='))) throw new Error('op');
      var negate = tokens[i++].t === '!=';
      if (!peek('lit')) throw new Error('literal');
      var literal = tokens[i++].v;
      return function (look) {
        var value = look(name);
        if (value === undefined) throw new Error('unknown ' + name);
        var same = typeof literal === 'number' && value !== null && value !== '' ? Number(value) === literal
          : value === literal;
        return negate ? !same : same;
      };
    }
    function expr() {
      var left = term();
      while (peek('and') || peek('or')) {
        var op = tokens[i++].t;
        var right = term();
        left = (function (a, b, isAnd) {
          return function (look) {
            var x = a(look); var y = b(look);
            if (isAnd) return x === false || y === false ? false : (x === null || y === null ? null : true);
            return x === true || y === true ? true : (x === null || y === null ? null : false);
          };
        })(left, right, op === 'and');
      }
      return left;
    }
    try {
      var fn = expr();
      return i === tokens.length ? fn : null;
    } catch (e) {
      return null;
    }
  }

  // The current value of form field `name`, as the server would read it; undefined when the form has no
  // such field (a process variable: only the server knows it).
  function lookup(form, name) {
    var inputs = Array.prototype.filter.call(form.elements, function (el) { return el.name === name; });
    if (!inputs.length) return undefined;
    var first = inputs[0];
    if (first.type === 'radio') {
      var checked = inputs.filter(function (el) { return el.checked; })[0];
      return checked ? checked.value : null;
    }
    if (first.type === 'checkbox') {
      if (inputs.length > 1) return undefined;      // a checklist: a list, not compared here
      return first.checked;
    }
    if (first.multiple) return undefined;
    var text = (first.value || '').trim();
    return text === '' ? null : text;
  }

  function enhance(form) {
    var fields = Array.prototype.slice.call(form.querySelectorAll('[data-hide-if]'));
    var store = form.querySelector('[data-hidden-keys]');
    if (!fields.length) return;
    var rules = fields.map(function (el) {
      var input = el.querySelector('[name]');
      return { el: el, key: input ? input.name : null, test: parse(el.getAttribute('data-hide-if')) };
    });
    function update() {
      var hidden = store ? store.value.split(/\s+/).filter(Boolean) : [];
      rules.forEach(function (rule) {
        if (!rule.test || !rule.key) return;
        var hide;
        try {
          hide = rule.test(function (name) { return lookup(form, name); }) === true;
        } catch (e) {
          return;                                  // depends on something only the server knows
        }
        if (hide) rule.el.setAttribute('data-hidden', 'true'); else rule.el.removeAttribute('data-hidden');
        hidden = hidden.filter(function (k) { return k !== rule.key; });
        if (hide) hidden.push(rule.key);
      });
      if (store) store.value = hidden.join(' ');
    }
    form.addEventListener('change', update);
    form.addEventListener('input', update);
    update();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('form'), function (form) {
      if (form.querySelector('[data-hide-if]')) enhance(form);
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
  window.alurConditions = { parse: parse };
})();
