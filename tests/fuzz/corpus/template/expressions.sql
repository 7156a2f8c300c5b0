{{ 1 + 2 * 3 - 4 / 2 // 1 % 3 ** 2 }} {{ -1 }} {{ +2.5 }} {{ 7 // 2 }} {{ 7 % 3 }} {{ 2 ** 10 }}
{{ 'a' ~ 1 ~ none ~ true }} {{ 'ab' * 3 }} {{ [1, 2] + [3] }} {{ [0] * 3 }}
{{ 1 < 2 and 2 <= 2 or not 3 > 4 }} {{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ 3 >= 2 > 1 }}
{{ 'a' in 'cat' }} {{ 2 not in [1, 3] }} {{ 'k' in {'k': 1} }}
{{ x is defined }} {{ none is none }} {{ 'x' is string }} {{ 1 is number }} {{ 1.5 is float }}
{{ 4 is divisibleby 2 }} {{ 3 is odd }} {{ 2 is even }} {{ {} is mapping }} {{ [] is iterable }}
{{ [] is sequence }} {{ ref is callable }} {{ 1 is sameas 1 }} {{ 1 is eq 1 }} {{ 'a' is lower }}
{{ 'A' is upper }} {{ true is true }} {{ false is false }} {{ 1 is integer }} {{ 1 is in [1] }}
{{ 1 is lt 2 }} {{ 1 is le 1 }} {{ 2 is gt 1 }} {{ 2 is ge 2 }} {{ 1 is ne 2 }} {{ true is boolean }}
{% set d = {'a': 1, 'b': [1, 2, 3], 'c': {'d': 'e'}} %}
{{ d.a }} {{ d['b'][1:] }} {{ d.b[::-1] }} {{ d.b[-1] }} {{ d.c.d }} {{ d.get('z', 'dflt') }}
{{ d.keys() | list }} {{ d.values() | list }} {{ d.items() | list }} {{ d | length }}
{% do d.update({'z': 26}) %}{{ d.pop('z') }} {{ d.setdefault('q', 1) }}
{{ 'Hello World'.lower() }} {{ ' x '.strip() }} {{ 'a,b'.split(',') }} {{ 'abc'.startswith('a') }}
{{ 'abc'.endswith('c') }} {{ 'a-b'.replace('-', '_') }} {{ 'abc'.upper() }}
{{ 'abc'[1] }} {{ 'abcdef'[1:4] }} {{ 'a b'.title() }} {{ 'ab'.find('b') }} {{ '{}-{}'.format(1, 2) }}
{{ [3, 1, 2].index(1) }} {{ [1, 1].count(1) }} {{ (1, 2) }} {{ 1 if true else 2 }} {{ 'yes' if none }}
{{ "double" }} {{ 'it''s' if false else "q\"uote" }} {{ 1e3 }} {{ 0.5 }} {{ True }} {{ None }}
