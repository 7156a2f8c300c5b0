-- One row per item of a purchase in staging.itens_compra.
select numero_controle_pncp, numero_item, count(*) as linhas
from {{ ref('itens_compra') }}
group by all
having count(*) > 1
