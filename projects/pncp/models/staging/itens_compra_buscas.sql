-- One row per current request of a purchase's items (the latest fetch of each task, every
-- page): which purchase and version it asked for, what it answered (200 with items; 204: the
-- purchase has none; 404: the purchase is not there) and how many items. A task done with
-- zero records is a fetch that proved the purchase has no items.
select
  request_id, task_id, page, http_status, collected_at, url, data_date as data_publicacao,
  task_status,
  {{ numero_controle_compra('params') }} as numero_controle_pncp,
  params ->> '_versao' as versao_compra
from {{ ref('paginas_manutencao') }}
where endpoint = 'itens_compra' and current
order by numero_controle_pncp, versao_compra, page
