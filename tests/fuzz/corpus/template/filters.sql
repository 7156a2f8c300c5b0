{% set xs = [3, 1, 2, 2] %}{% set people = [{'n': 'b', 'age': 30, 'ok': true}, {'n': 'a', 'age': 20, 'ok': false}] %}
{{ xs | join('-') }} {{ xs | sort }} {{ xs | sort(reverse=true) }} {{ xs | unique | list }}
{{ xs | first }} {{ xs | last }} {{ xs | length }} {{ xs | count }} {{ xs | sum }} {{ xs | min }} {{ xs | max }}
{{ xs | reverse | list }} {{ xs | map('string') | join }} {{ xs | select('odd') | list }} {{ xs | reject('even') | list }}
{{ people | map(attribute='n') | join }} {{ people | selectattr('ok') | list }} {{ people | rejectattr('ok') | list }}
{{ people | selectattr('age', 'gt', 25) | map(attribute='n') | first }} {{ people | sort(attribute='age') | first }}
{{ people | sum(attribute='age') }} {{ people | attr('x') }} {{ {'b': 1, 'a': 2} | dictsort }} {{ {'a': 1} | items | list }}
{{ ' Mixed Case ' | trim | lower }} {{ 'x' | upper }} {{ 'hello world' | capitalize }} {{ 'hello world' | title }}
{{ 'a.b.c' | replace('.', '_') }} {{ 'aaa' | replace('a', 'b', 2) }} {{ none | default('d') }} {{ '' | default('e', true) }}
{{ '42' | int }} {{ 'x' | int(7) }} {{ '1.5' | float }} {{ 3.14159 | round(2) }} {{ 2.5 | round(0, 'floor') }} {{ 2.1 | round(method='ceil') }}
{{ -3 | abs }} {{ 5 | string }} {{ {'k': [1, none, true]} | tojson }} {{ 'a\nb' | indent(4) }} {{ 'a\nb' | indent(2, true) }}
{{ 'long text here' | truncate(8) }} {{ 'one two three' | wordcount }} {{ xs | batch(3) | list }} {{ '%s-%d' | format('a', 1) }}
{{ '<b>' | e }} {{ '<i>' | escape }} {{ 'x' | safe }} {{ 'abc' | list }} {{ {'a': 1} | list }}
{{ xs | map('int') | map('abs') | list }} {{ xs | select('gt', 1) | list }} {{ xs | select('in', [1, 2]) | list }}
{% filter trim %}   padded   {% endfilter %}
