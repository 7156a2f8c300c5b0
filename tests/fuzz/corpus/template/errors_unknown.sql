select {{ reff('x') }} {{ undefined_name }} {{ ref('missing') }}
