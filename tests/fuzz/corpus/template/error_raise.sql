{% if true %}{{ exceptions.raise_compiler_error('stop at ' ~ this) }}{% endif %}
