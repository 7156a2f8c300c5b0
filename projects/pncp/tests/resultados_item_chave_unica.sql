-- One row per result of an item in staging.resultados_item, and every result's item is there.
select numero_controle_pncp, numero_item, sequencial_resultado, count(*) as linhas
from {{ ref('resultados_item') }}
group by all
having count(*) > 1
union all
select r.numero_controle_pncp, r.numero_item, r.sequencial_resultado, 0
from {{ ref('resultados_item') }} r
anti join {{ ref('itens_compra') }} i
  on i.numero_controle_pncp = r.numero_controle_pncp and i.numero_item = r.numero_item
