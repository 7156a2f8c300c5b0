-- Record accounting of every staging model: one row per model with its input (records in the
-- stored pages, independently of the models: the count the extractor took from each page's data
-- array when it arrived, runtime.task_results.records_count, or the array's length for a page stored
-- without one) and where each went: the staging table, the older versions filtered out by
-- deduplication (filter "latest version by dataAtualizacao"), or quarantine. balanced says the
-- equation raw_records = output_rows + filtered_older_versions + quarantined holds; the singular
-- test tests/accounting_staging.sql fails the run when it does not. Every run that builds this
-- model keeps a copy of its rows in meta.record_accounting (with the run_id).
with paginas as (
  select r.endpoint, p.compressed, t.records_count as records
  from {{ source('raw', 'api_requests') }} r
  join {{ source('raw', 'payloads') }} p using (payload_sha256)
  left join {{ source('runtime', 'task_results') }} t using (request_id)
  where r.http_status = 200
),

no_raw as (
  select
    case
      when endpoint in ('contratacoes_publicacao', 'contratacoes_atualizacao') then 'contratacoes'
      when endpoint in ('contratos', 'contratos_atualizacao') then 'contratos'
      when endpoint in ('atas_atualizacao', 'atas') then 'atas'
      when endpoint in ('pca_atualizacao', 'pca', 'pca_usuario') then 'pca_itens'
      when endpoint = 'instrumentoscobranca_inclusao' then 'instrumentos_cobranca'
    end as modelo,
    -- PCA: one unit per item, or one for a plan without items (read from the page itself)
    sum(case when endpoint like 'pca%'
             then list_sum(list_transform(json_extract(baliza_payload(compressed), '$.data[*]'),
                    lambda x: greatest(coalesce(json_array_length(x, '$.itens'), 0), 1)))
             when records is not null then records
             else json_array_length(baliza_payload(compressed), '$.data') end) as registros_raw
  from paginas
  group by all
),

contas as (
  select 'contratacoes' as modelo,
         (select count(*) from {{ ref('contratacoes') }}) as staging,
         (select count(*) from {{ ref('contratacoes_registros') }} g
          anti join {{ ref('contratacoes') }} s using (request_id, record_position)
          where g.is_valid) as deduplicados,
         (select count(*) from {{ ref('quarantine_contratacoes') }}) as quarentena
  union all
  select 'contratos',
         (select count(*) from {{ ref('contratos') }}),
         (select count(*) from {{ ref('contratos_registros') }} g
          anti join {{ ref('contratos') }} s using (request_id, record_position) where g.is_valid),
         (select count(*) from {{ ref('quarantine_contratos') }})
  union all
  select 'atas',
         (select count(*) from {{ ref('atas') }}),
         (select count(*) from {{ ref('atas_registros') }} g
          anti join {{ ref('atas') }} s using (request_id, record_position) where g.is_valid),
         (select count(*) from {{ ref('quarantine_atas') }})
  union all
  select 'pca_itens',
         (select count(*) from {{ ref('pca_itens') }}),
         (select count(*) from {{ ref('pca_itens_registros') }} g
          anti join {{ ref('pca_itens') }} s using (request_id, record_position, item_position)
          where g.is_valid),
         (select count(*) from {{ ref('quarantine_pca_itens') }})
  union all
  select 'instrumentos_cobranca',
         (select count(*) from {{ ref('instrumentos_cobranca') }}),
         (select count(*) from {{ ref('instrumentos_cobranca_registros') }} g
          anti join {{ ref('instrumentos_cobranca') }} s using (request_id, record_position)
          where g.is_valid),
         (select count(*) from {{ ref('quarantine_instrumentos_cobranca') }})
)

select c.modelo as model, coalesce(n.registros_raw, 0) as raw_records, c.staging as output_rows,
       c.deduplicados as filtered_older_versions,
       'latest version by dataAtualizacao' as filter, c.quarentena as quarantined,
       coalesce(n.registros_raw, 0) = c.staging + c.deduplicados + c.quarentena as balanced,
       current_timestamp::timestamp as computed_at
from contas c
left join no_raw n using (modelo)
order by c.modelo
