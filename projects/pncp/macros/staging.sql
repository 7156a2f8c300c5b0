-- Macros shared by the PNCP staging models (models/staging/*_registros.sql).

-- The stored pages of some endpoints (`endpoints`: SQL text such as "'contratos', 'atas'"),
-- decompressed, as the first CTE of a *_registros model: the pages paginas_pendentes accepts.
{% macro paginas_a_staging(endpoints) -%}
  select request_id, endpoint, payload_sha256, collected_at, baliza_payload(compressed) as body
  from {{ ref('paginas_brutas') }}
  where {{ paginas_pendentes(endpoints) }}
{%- endmacro %}

-- Which pages of paginas_brutas a *_registros model stages (a condition on its columns): its
-- endpoints' pages; in an incremental run only those not staged yet, plus every page of the
-- period being rebuilt (`--mes`: vars periodo_inicio / periodo_fim), which the model's
-- delete+insert on request_id then replaces. Also the models' batch_where, so the pages are
-- cut into batches of about var staging_lote_bytes of JSON (and nothing new, no batch).
{% macro paginas_pendentes(endpoints) -%}
endpoint in ({{ endpoints }})
  {%- if is_incremental() %}
    and (request_id not in (select request_id from {{ this }})
    {%- if var('periodo_inicio') != '' %}
         or data_date between '{{ var("periodo_inicio") }}'::date and '{{ var("periodo_fim") }}'::date
    {%- endif %})
  {%- endif %}
{%- endmacro %}

-- True when `valor` (a SQL text expression) is a CNPJ: 14 digits, not all the same, and both
-- check digits right (mod 11 with weights 5..2,9..2 and 6..2,9..2).
{% macro cnpj_valido(valor) -%}
(coalesce(regexp_full_match({{ valor }}, '[0-9]{14}'), false)
          and {{ valor }} <> repeat(left({{ valor }}, 1), 14)
          and (11 - list_sum(list_transform(range(12), lambda i: (ascii({{ valor }}[i + 1]) - 48)
                 * [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][i + 1])) % 11) % 11 % 10 = ascii({{ valor }}[13]) - 48
          and (11 - list_sum(list_transform(range(13), lambda i: (ascii({{ valor }}[i + 1]) - 48)
                 * [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][i + 1])) % 11) % 11 % 10 = ascii({{ valor }}[14]) - 48)
{%- endmacro %}

-- The invalid_cnpj failures of a list of {campo, valor} (SQL text): one {campo, valor, falha}
-- per non-null valor that is not a CNPJ.
{% macro falhas_cnpj(campos) -%}
list_transform(
      list_filter({{ campos }},
        lambda c: c.valor is not null and not {{ cnpj_valido('c.valor') }}),
      lambda c: {'campo': c.campo, 'valor': c.valor, 'falha': 'invalid_cnpj'})
{%- endmacro %}

-- The unparseable_date failure of a date column `coluna` (typed, in CTE t) read from the JSON
-- field `campo` (in r): present but unreadable, or (faixa) outside [data_minima, data_maxima];
-- obrigatoria: missing is a failure too.
{% macro falha_data(coluna, campo, obrigatoria=false, faixa=true) -%}
case when t.{{ coluna }} is null
  {%- if not obrigatoria %} and nullif(trim(r.{{ campo }}), '') is not null{% endif %}
  {%- if faixa %}
             or t.{{ coluna }} not between '{{ var("data_minima") }}'::date and '{{ var("data_maxima") }}'::date
  {%- endif %}
        then {'campo': '{{ campo }}', 'valor': r.{{ campo }}, 'falha': 'unparseable_date'} end
{%- endmacro %}
