#!/usr/bin/env python3
"""Writes jinja_cases.json: template -> output pairs computed by the real Jinja2 (the
expected values of template_jinja_test.cpp). Run by hand after adding a case:
    python3 tests/unit/transform/data/jinja_cases.py
Needs the `jinja2` Python package (not needed by the build or the tests)."""
import json
import os

import jinja2

CASES = {
    # Statements
    "for_loop_vars": "{% for x in ['a','b','c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ x }};{% endfor %}",
    "for_else": "{% for x in [] %}{{ x }}{% else %}empty{% endfor %}",
    "for_filter_in_iterable": "{% for x in [3,1,2] | sort %}{{ x }}{% endfor %}",
    "for_if_condition": "{% for x in range(10) if x is odd %}{{ x }}{% if not loop.last %},{% endif %}{% endfor %}",
    "for_unpack_items": "{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }} {% endfor %}",
    "for_nested_loop_scope": "{% for a in [1,2] %}{% for b in ['x','y'] %}{{ a }}{{ b }}{{ loop.index }} {% endfor %}{% endfor %}",
    "for_set_does_not_leak": "{% set n = 0 %}{% for x in [1,2,3] %}{% set n = n + x %}{% endfor %}{{ n }}",
    "namespace_counter": "{% set ns = namespace(total=0) %}{% for x in [1,2,3] %}{% set ns.total = ns.total + x %}{% endfor %}{{ ns.total }}",
    "loop_cycle_prev_next": "{% for x in [1,2,3] %}{{ loop.cycle('odd','even') }}:{{ loop.previtem | default('-') }}:{{ loop.nextitem | default('-') }} {% endfor %}",
    "if_elif_else": "{% for n in [1,5,10] %}{% if n < 3 %}small{% elif n < 7 %}mid{% else %}big{% endif %} {% endfor %}",
    "set_block": "{% set sql %}select {{ 1 + 1 }}{% endset %}[{{ sql }}]",
    "set_block_filtered": "{% set x | upper %}abc{% endset %}{{ x }}",
    "set_tuple": "{% set a, b = 1, 2 %}{{ a }}-{{ b }}",
    "macro_defaults_and_kwargs": "{% macro m(a, b=2, c='z') %}{{ a }}{{ b }}{{ c }}{% endmacro %}{{ m(1) }} {{ m(1, c='q') }} {{ m(a=9, b=8) }}",
    "macro_caller": "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}hi {{ 1 + 2 }}{% endcall %}",
    "macro_caller_args": "{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}{% call(item) each([1,2]) %}[{{ item * 10 }}]{% endcall %}",
    "macro_varargs_kwargs": "{% macro v() %}{{ varargs | join(',') }}|{{ kwargs | dictsort | map('join', '=') | join(',') }}{% endmacro %}{{ v(1, 2, x=3, a=4) }}",
    "do_append": "{% set xs = [] %}{% do xs.append(1) %}{% do xs.extend([2, 3]) %}{{ xs }}",
    "do_dict_update": "{% set d = {'a': 1} %}{% do d.update({'b': 2}) %}{{ d }}",
    "raw_block": "{% raw %}{{ not rendered }} {% if %}{% endraw %}",
    "filter_block": "{% filter upper %}hello {{ 'world' }}{% endfilter %}",
    "whitespace_control": "a\n  {%- if true -%}\n  b\n  {%- endif -%}\n  c\n{{- ' d ' -}}\n e {#- comment -#} f",
    "whitespace_for_lines": "select\n{%- for c in ['a','b'] %}\n  {{ c }}{% if not loop.last %},{% endif %}\n{%- endfor %}\nfrom t",
    # Expressions
    "arithmetic": "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 1.5 + 1 }} {{ -3 }} {{ 10 / 4 }} {{ 0.1 + 0.2 }}",
    "comparisons": "{{ 1 < 2 }} {{ 2 <= 2 }} {{ 'a' < 'b' }} {{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ [1,2] == [1,2] }} {{ none == none }}",
    "in_not_in": "{{ 'a' in ['a','b'] }} {{ 'c' not in ['a','b'] }} {{ 'ell' in 'hello' }} {{ 'k' in {'k': 1} }} {{ 3 in range(5) }}",
    "concat_tilde": "{{ 'a' ~ 1 ~ none ~ true }} {{ 'x' + 'y' }}",
    "logic": "{{ true and false }} {{ true or false }} {{ not true }} {{ 0 or 'fallback' }} {{ 1 and 2 }}",
    "conditional_expr": "{{ 'yes' if 1 > 0 else 'no' }} {{ 'yes' if 0 else 'no' }}",
    "tests_types": "{{ none is none }} {{ 1 is number }} {{ 'a' is string }} {{ [1] is sequence }} {{ {} is mapping }} {{ 1 is not string }} {{ x is defined }} {{ x is undefined }} {{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 'abc' is lower }} {{ true is boolean }} {{ 1 is integer }} {{ 1.5 is float }}",
    "tests_comparisons": "{{ 2 is gt 1 }} {{ 2 is ge(2) }} {{ 1 is eq 1 }} {{ 'a' is in ['a'] }} {{ true is sameas true }}",
    "list_dict_access": "{% set d = {'a': {'b': [10, 20, 30]}} %}{{ d['a']['b'][1] }} {{ d.a.b[-1] }} {{ d.get('zz', 'dflt') }} {{ d.keys() | list }} {{ d['a'].b | length }}",
    "dict_methods": "{% set d = {'x': 1, 'y': 2} %}{{ d.items() | list }} {{ d.values() | list }} {{ d | length }} {{ d.pop('x') }} {{ d }}",
    "slicing": "{% set xs = [0,1,2,3,4,5] %}{{ xs[1:3] }} {{ xs[:2] }} {{ xs[4:] }} {{ xs[::2] }} {{ xs[::-1] }} {{ xs[-2:] }} {{ 'hello'[1:4] }} {{ 'hello'[::-1] }}",
    "string_methods": "{{ 'Hello World'.upper() }} {{ 'Hello'.lower() }} {{ '  x  '.strip() }} {{ 'a,b,c'.split(',') }} {{ 'abc'.replace('b', 'B') }} {{ 'abc'.startswith('ab') }} {{ 'abc'.endswith('bc') }} {{ '{} and {}'.format(1, 'two') }} {{ ', '.join(['a','b']) }} {{ 'hello world'.title() }} {{ 'a b  c'.split() }}",
    "python_print_forms": "{{ none }} {{ true }} {{ [1, 'a', none, true] }} {{ {'a': 'b'} }} {{ 1.0 }} {{ 2.50 }} {{ [] }}",
    "percent_format": "{{ '%s-%s' % ('a', 1) }} {{ '%d%%' % 5 }}",
    "string_escapes": "{{ 'it\\'s' }} {{ \"say \\\"hi\\\"\" }} {{ 'tab\\tnew' }} {{ 'back\\\\slash' }} {{ 'keep\\d' }}",
    # Filters
    "filters_text": "{{ 'Hello' | lower }} {{ 'Hello' | upper }} {{ '  pad  ' | trim }} {{ 'a-b-c' | replace('-', '_') }} {{ 'hello world' | title }} {{ 'hello' | capitalize }} {{ 'abc' | reverse }} {{ 'x' | string }} {{ 'one two three' | wordcount }}",
    "filters_default": "{{ missing | default('d') }} {{ none | default('d') }} {{ '' | default('d', true) }} {{ missing | d('short') }} {{ 0 | default(5) }}",
    "filters_lists": "{{ [3,1,2] | sort }} {{ [3,1,2] | sort(reverse=true) }} {{ ['b','A','c'] | sort }} {{ [1,2,2,3,1] | unique | list }} {{ [1,2,3] | first }} {{ [1,2,3] | last }} {{ [1,2,3] | length }} {{ [1,2,3] | sum }} {{ [1,5,3] | max }} {{ [1,5,3] | min }} {{ 'abc' | list }} {{ [1,2,3] | reverse | list }} {{ [1,2,3] | join('-') }}",
    "filters_map_select": "{% set rows = [{'n': 'a', 'v': 1}, {'n': 'b', 'v': 0}, {'n': 'c', 'v': 3}] %}{{ rows | map(attribute='n') | join(',') }} {{ rows | selectattr('v') | map(attribute='n') | list }} {{ rows | rejectattr('v') | map(attribute='n') | list }} {{ rows | selectattr('v', 'gt', 1) | map(attribute='n') | list }} {{ [1,2,3,4] | select('odd') | list }} {{ [1,2,3,4] | reject('odd') | list }} {{ ['a','b'] | map('upper') | list }} {{ rows | sort(attribute='v') | map(attribute='n') | join }} {{ rows | sum(attribute='v') }}",
    "filters_numbers": "{{ '42' | int }} {{ 'x' | int }} {{ 'x' | int(7) }} {{ 3.9 | int }} {{ '1.5' | float }} {{ 2.567 | round(2) }} {{ 2.5 | round }} {{ 2.1 | round(0, 'ceil') }} {{ -3 | abs }} {{ 42 | string }} {{ '3' | int + 1 }}",
    "filters_tojson_indent": "{{ {'a': [1, 'x', none, true]} | tojson }} {{ 'line1\\nline2' | indent(2) }} {{ 'a\\nb' | indent(2, true) }}",
    "filters_dictsort_items_batch": "{{ {'b': 1, 'a': 2} | dictsort }} {{ {'a': 1} | items | list }} {{ [1,2,3,4,5] | batch(2) | list }}",
    "filters_chain_precedence": "{{ -1 | abs }} {{ [1,2] | length + 1 }} {{ 'a' ~ 'b' | upper }}",
    # What real packages rely on (dbt_utils): a namespace attribute set by a block, a name
    # set only in an untaken branch, a macro called without an argument, map() on None.
    "set_block_namespace_attr": "{% set ns = namespace(msg='') %}{% set ns.msg %}n={{ 1 + 1 }}{% endset %}[{{ ns.msg }}]",
    "conditional_set_undefined": "{% if false %}{% set cols = 'a, ' %}{% endif %}select {{ cols }}x{% if not cols %} none{% endif %}",
    "macro_missing_argument": "{% macro m(a, b) %}[{{ a }}|{{ b }}|{{ b is defined }}]{% endmacro %}{{ m(1) }}",
    "map_select_on_none": "{{ none | map('lower') | list }} {{ none | select | list }} {{ none | rejectattr('x') | list }}",
}


def main():
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    out = []
    for name, text in CASES.items():
        out.append({"name": name, "template": text, "expected": env.from_string(text).render()})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jinja_cases.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {len(out)} cases to {path}")


if __name__ == "__main__":
    main()
