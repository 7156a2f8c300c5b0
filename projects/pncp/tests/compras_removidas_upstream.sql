-- Warns with the purchases removed upstream (staging.compras_removidas): their items and
-- results are no longer in staging; the run summary shows the count, this query the list.
{{ config(severity='warn') }}
select numero_controle_pncp, motivo, evidencia, detectada_em
from {{ ref('compras_removidas') }}
